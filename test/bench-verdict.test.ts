/** The statistics behind the benchmark's target verdicts (bench/verdict.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bandText, percentile, verdict, verdictText } from '../bench/verdict.js';

describe('bench verdicts', () => {
  it('percentile interpolates between ranks', () => {
    assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
    assert.equal(percentile([1, 2, 3, 4, 5], 0), 1);
    assert.equal(percentile([1, 2, 3, 4, 5], 100), 5);
    assert.equal(percentile([10, 20], 50), 15);
    assert.ok(Math.abs(percentile([1, 2, 3, 4, 5], 5) - 1.2) < 1e-12);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('fewer than 3 repeats are inconclusive, however far from the target', () => {
    assert.equal(verdict([0.52], 1).verdict, 'inconclusive');
    assert.equal(verdict([5, 6], 1).verdict, 'inconclusive');
    assert.equal(verdictText(verdict([5, 6], 1), 1), 'inconclusive (2 of 3 repeats needed)');
    // Non-finite samples (a failed repeat) do not count.
    assert.equal(verdict([5, 6, NaN, Infinity], 1).verdict, 'inconclusive');
  });

  it('met only when the whole 5th–95th band is at or above an atLeast target', () => {
    assert.equal(verdict([1.1, 1.2, 1.3], 1).verdict, 'met');
    assert.equal(verdict([1.0, 1.2, 1.3], 1).verdict, 'met');
    // The case: 0.52 and 1.05 on the same code are not a verdict.
    const r = verdict([0.52, 1.05, 1.1], 1);
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(verdictText(r, 1), 'inconclusive (band straddles 1)');
    assert.equal(verdict([0.5, 0.6, 0.7, 0.8, 0.9], 1).verdict, 'missed');
  });

  it('atMost targets (memory): met when the band is at or below, missed when wholly above', () => {
    assert.equal(verdict([0.9, 0.95, 1.0], 1, 'atMost').verdict, 'met');
    assert.equal(verdict([1.1, 1.2, 1.3], 1, 'atMost').verdict, 'missed');
    assert.equal(verdict([0.9, 1.0, 1.1], 1, 'atMost').verdict, 'inconclusive');
  });

  it('one outlier: among 20 repeats the band trims most of it, among 5 it makes the verdict inconclusive', () => {
    const many = [
      1.2, 1.25, 1.3, 1.22, 1.28, 1.24, 1.26, 1.21, 1.27, 1.23, 1.29, 1.2, 1.3, 1.25, 1.24, 1.26, 1.22, 1.28,
      1.27, 0.4,
    ];
    const r = verdict(many, 1);
    assert.ok(r.low > 1 && r.low < 1.2, `low ${r.low}`);
    assert.equal(r.verdict, 'met');
    assert.equal(verdict([1.2, 1.25, 1.3, 1.22, 0.4], 1).verdict, 'inconclusive');
  });

  it('bandText shows the median, the band and the count', () => {
    assert.equal(bandText(verdict([1, 2, 3], 1)), '2.00, band 1.10–2.90 (n 3)');
    assert.equal(bandText(verdict([], 1)), 'no figure');
  });
});
