/** The statistics behind the benchmark's target verdicts (bench/verdict.ts, bench/e2e/report.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ceiling } from '../bench/e2e/ceiling.js';
import type { ChildOk } from '../bench/e2e/protocol.js';
import { checkTargets } from '../bench/e2e/report.js';
import { ceilingShares, type RunRecord } from '../bench/e2e/stats.js';
import type { Workload } from '../bench/e2e/workload.js';
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

describe('bench: share of the C ceiling (issue #16 targets)', () => {
  const run = (repeat: number, client: 'wredis' | 'ioredis', cmdsPerSec: number): RunRecord => ({
    repeat,
    order: 0,
    result: { workload: 'W2', client, cmdsPerSec } as ChildOk,
  });
  const ceiling = (repeat: number, test: string, rps: number, label = '-c 1 -P 100'): Ceiling => ({
    workload: 'W2',
    repeat,
    label,
    test,
    rps,
    p50Ms: 0,
    p99Ms: 0,
  });

  it('pairs each repeat with its own ceiling; a GET/SET ceiling counts as their equal mix (harmonic mean)', () => {
    const runs = [run(0, 'wredis', 600_000), run(1, 'wredis', 900_000), run(1, 'ioredis', 1)];
    const ceilings = [
      ceiling(0, 'GET', 1_000_000),
      ceiling(0, 'SET', 500_000),
      ceiling(1, 'GET', 900_000),
      ceiling(1, 'SET', 900_000),
      ceiling(1, 'GET', 1, '-c 100 -P 1'),
    ];
    // Repeat 0: 2 / (1/1M + 1/0.5M) = 666,667 req/s; repeat 1: 900k.
    const shares = ceilingShares('W2', 'wredis', '-c 1 -P 100', runs, ceilings);
    assert.equal(shares.length, 2);
    assert.ok(Math.abs((shares[0] as number) - 0.9) < 1e-9, String(shares[0]));
    assert.ok(Math.abs((shares[1] as number) - 1) < 1e-9, String(shares[1]));
    // A repeat without a ceiling (--no-ceiling, or redis-benchmark failed) gives no figure.
    assert.deepEqual(ceilingShares('W2', 'wredis', '-c 1 -P 100', [run(2, 'wredis', 1)], ceilings), []);
  });

  it('checkTargets states the share against the workload ceilingTarget, with a verdict over repeats', () => {
    const w = {
      id: 'W2',
      ceilings: [{ label: '-c 1 -P 100', args: [], n: 1 }],
      ceilingTarget: { atLeast: 0.7 },
    } as unknown as Workload;
    const runs = [0, 1, 2].map((r) => run(r, 'wredis', 800_000));
    const ceilings = [0, 1, 2].map((r) => ceiling(r, 'GET', 1_000_000));
    const [check] = checkTargets([w], [], runs, ceilings);
    assert.equal(check?.what, 'wredis ÷ C (-c 1 -P 100)');
    assert.equal(check?.status, 'met');
    assert.equal(check?.value, '0.80, band 0.80–0.80 (n 3)');
    const [low] = checkTargets(
      [w],
      [],
      runs,
      [0, 1, 2].map((r) => ceiling(r, 'GET', 2_000_000)),
    );
    assert.equal(low?.status, 'missed');
  });
});
