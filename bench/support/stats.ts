/**
 * The few statistics the paired benchmark scripts print: medians, quantiles, ranges and the
 * per-round ratios between two builds or peers.
 */

/** The median; the mean of the two middle values when the count is even. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * The value at rank `floor(n × q)` of the sorted values (the last one for q = 1). For q = 0.5
 * this is the upper middle value, not {@link median}'s mean of the two: the scripts that use it
 * have always printed that, so their figures stay comparable with earlier runs.
 */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] as number;
}

/** `min–max` of the values, each with `digits` decimals (for "median (min–max)" lines). */
export function minMax(xs: readonly number[], digits: number): string {
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}

/**
 * `top[i] ÷ bottom[i]` for every round i: paired figures are compared round by round, since a
 * change in the machine's load between rounds hits both sides of one round alike.
 */
export function ratios(top: readonly number[], bottom: readonly number[]): number[] {
  return top.map((t, i) => t / (bottom[i] as number));
}
