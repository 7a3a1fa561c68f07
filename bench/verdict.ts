/**
 * Whether a benchmark target is met, given the per-repeat figures (e.g. wredis ÷ ioredis measured
 * in the same repeat). One repeat on a shared, loaded machine can land anywhere: the verdict is
 * "met" or "missed" only when the 5th–95th percentile band of the per-repeat values lies wholly on
 * one side of the target, otherwise "inconclusive" with the band. Fewer than 3 repeats are always
 * inconclusive: two numbers give no band worth the name.
 */

/** `atLeast`: the value must reach the target (ratios of throughput); `atMost`: stay at or below it (memory). */
export type TargetDirection = 'atLeast' | 'atMost';

export type Verdict = 'met' | 'missed' | 'inconclusive';

export interface VerdictResult {
  verdict: Verdict;
  /** Median of the finite samples (NaN when there are none). */
  median: number;
  /** 5th and 95th percentiles of the finite samples. */
  low: number;
  high: number;
  /** Finite samples used. */
  n: number;
}

/** Fewest repeats for a met/missed verdict. */
export const MIN_REPEATS = 3;

/** The `p`-th percentile (0–100) of ascending `sorted`, interpolated linearly between ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

/** The verdict on `samples` (one per repeat) against `target`. */
export function verdict(
  samples: readonly number[],
  target: number,
  direction: TargetDirection = 'atLeast',
): VerdictResult {
  const v = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const low = percentile(v, 5);
  const high = percentile(v, 95);
  const median = percentile(v, 50);
  const base = { median, low, high, n: v.length };
  if (v.length < MIN_REPEATS) return { verdict: 'inconclusive', ...base };
  const above = direction === 'atLeast' ? low >= target : high <= target;
  const below = direction === 'atLeast' ? high < target : low > target;
  return { verdict: above ? 'met' : below ? 'missed' : 'inconclusive', ...base };
}

/** `1.06, band 0.92–1.19 (n 5)`: the median and the band the verdict was taken on. */
export function bandText(r: VerdictResult, digits = 2): string {
  if (r.n === 0) return 'no figure';
  return `${r.median.toFixed(digits)}, band ${r.low.toFixed(digits)}–${r.high.toFixed(digits)} (n ${r.n})`;
}

/** `met`, `missed`, or `inconclusive (fewer than 3 repeats)` / `inconclusive (band straddles 1.0)`. */
export function verdictText(r: VerdictResult, target: number): string {
  if (r.verdict !== 'inconclusive') return r.verdict;
  if (r.n < MIN_REPEATS) return `inconclusive (${r.n} of ${MIN_REPEATS} repeats needed)`;
  return `inconclusive (band straddles ${target})`;
}
