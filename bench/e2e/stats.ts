/**
 * Aggregation across repeats: medians and min–max of each client's figures, and of its ratio to
 * ioredis (plain) measured in the same repeat — the ratio is taken per repeat first, then the
 * median of the ratios, so drift of the noisy machine between repeats cancels out.
 */
import type { ClientName } from './adapters/types.js';
import type { Ceiling } from './ceiling.js';
import type { ChildOk } from './protocol.js';

export const BASELINE: ClientName = 'ioredis';

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: readonly number[]): Spread {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  return { median, min: v[0] as number, max: v[v.length - 1] as number, n: v.length };
}

/** One finished child run. */
export interface RunRecord {
  repeat: number;
  /** Position of the client in this repeat's order (rotated per repeat). */
  order: number;
  result: ChildOk;
}

export interface Summary {
  workload: string;
  client: ClientName;
  repeats: number;
  cmdsPerSec: Spread;
  ratio: Spread;
  /** The per-repeat ratios `ratio` summarises, for the target verdicts (bench/verdict.ts). */
  ratios: number[];
  /** Per-repeat peak RSS ÷ the baseline's peak RSS in the same repeat. */
  rssRatios: number[];
  p50Ms: Spread;
  p99Ms: Spread;
  cpuUsPerCmd: Spread;
  rssPeakMB: Spread;
  /** Peak RSS during the loop minus RSS before it: what the workload itself added. */
  rssGrowthMB: Spread;
  capped: boolean;
  notes: string[];
  /** Client-side cache hit rate (W7-csc), when the client reports one. */
  hitRate?: Spread;
}

export function summarise(workload: string, client: ClientName, runs: readonly RunRecord[]): Summary {
  const mine = runs.filter((r) => r.result.workload === workload && r.result.client === client);
  const ratios: number[] = [];
  const rssRatios: number[] = [];
  for (const r of mine) {
    const base = runs.find(
      (b) => b.repeat === r.repeat && b.result.workload === workload && b.result.client === BASELINE,
    );
    if (base !== undefined && base.result.cmdsPerSec > 0)
      ratios.push(r.result.cmdsPerSec / base.result.cmdsPerSec);
    if (base !== undefined && base.result.rssPeakMB > 0)
      rssRatios.push(r.result.rssPeakMB / base.result.rssPeakMB);
  }
  const pick = (f: (x: ChildOk) => number) => spread(mine.map((r) => f(r.result)));
  return {
    workload,
    client,
    repeats: mine.length,
    cmdsPerSec: pick((x) => x.cmdsPerSec),
    ratio: spread(ratios),
    ratios,
    rssRatios,
    p50Ms: pick((x) => x.p50Ms),
    p99Ms: pick((x) => x.p99Ms),
    cpuUsPerCmd: pick((x) => x.cpuUsPerCmd),
    rssPeakMB: pick((x) => x.rssPeakMB),
    rssGrowthMB: pick((x) => x.rssPeakMB - x.rssBeforeMB),
    capped: mine.some((r) => r.result.capped),
    notes: [...new Set(mine.flatMap((r) => r.result.notes))],
    ...(mine.some((r) => r.result.hitRate !== undefined)
      ? { hitRate: spread(mine.flatMap((r) => (r.result.hitRate === undefined ? [] : [r.result.hitRate]))) }
      : {}),
  };
}

/**
 * `client`'s cmd/s ÷ redis-benchmark's rate for the ceiling `label` of `workload`, one figure per
 * repeat that has both. A ceiling of several tests (W2's GET and SET) counts as their mix in equal
 * parts, as the workload issues them: the harmonic mean of their rates.
 */
export function ceilingShares(
  workload: string,
  client: ClientName,
  label: string,
  runs: readonly RunRecord[],
  ceilingRuns: readonly Ceiling[],
): number[] {
  const out: number[] = [];
  for (const r of runs) {
    if (r.result.workload !== workload || r.result.client !== client) continue;
    const tests = ceilingRuns.filter(
      (c) => c.workload === workload && c.label === label && c.repeat === r.repeat,
    );
    if (tests.length === 0 || tests.some((c) => !(c.rps > 0))) continue;
    const rate = tests.length / tests.reduce((sum, c) => sum + 1 / c.rps, 0);
    out.push(r.result.cmdsPerSec / rate);
  }
  return out;
}

/** `a` ÷ `b` in cmd/s within each repeat (e.g. wredis ÷ wredis@<ref> for `--against`). */
export interface Comparison {
  workload: string;
  a: ClientName;
  b: ClientName;
  ratio: Spread;
}

export function compare(
  workload: string,
  a: ClientName,
  b: ClientName,
  runs: readonly RunRecord[],
): Comparison {
  const at = (c: ClientName, repeat: number) =>
    runs.find((r) => r.repeat === repeat && r.result.workload === workload && r.result.client === c);
  const ratios: number[] = [];
  for (const r of runs) {
    if (r.result.workload !== workload || r.result.client !== a) continue;
    const base = at(b, r.repeat);
    if (base !== undefined && base.result.cmdsPerSec > 0)
      ratios.push(r.result.cmdsPerSec / base.result.cmdsPerSec);
  }
  return { workload, a, b, ratio: spread(ratios) };
}
