/**
 * The measuring loops. Latencies go into a preallocated Float64Array (performance.now(), the
 * monotonic high-resolution clock, no allocation per sample); each loop stops at its count or
 * its deadline, whichever comes first. The loops are the same for every client.
 */
import { performance } from 'node:perf_hooks';

export type Op = (i: number) => Promise<unknown>;

/** Operations completed so far in the current loop, for the child's stall watchdog. */
export const progress = { done: 0 };

export interface LoopResult {
  /** Operations completed (== count unless the deadline hit). */
  done: number;
  elapsedMs: number;
  capped: boolean;
}

/** One operation at a time (also used for pipelines: one pipeline at a time). */
export async function sequential(
  op: Op,
  count: number,
  deadlineMs: number,
  lat: Float64Array | undefined,
): Promise<LoopResult> {
  const start = performance.now();
  // One clock read per operation: its end is the next one's start (see inflight()).
  let t0 = start;
  let i = 0;
  for (; i < count; i++) {
    if (t0 > deadlineMs) break;
    await op(i);
    const t1 = performance.now();
    if (lat !== undefined) lat[i] = t1 - t0;
    t0 = t1;
    progress.done++;
  }
  return { done: i, elapsedMs: performance.now() - start, capped: i < count };
}

/** `inflight` workers keep that many operations outstanding until `count` were issued. */
export async function inflight(
  op: Op,
  count: number,
  width: number,
  deadlineMs: number,
  lat: Float64Array | undefined,
): Promise<LoopResult> {
  let next = 0;
  let done = 0;
  let capped = false;
  const worker = async (): Promise<void> => {
    // One clock read per operation, not two: a worker starts its next operation as soon as one
    // ends, so that end is the next start. performance.now() costs ~50 ns under Node 20, and a
    // second read per operation was ~5 % of a fast client's W2 figure, which redis-benchmark's
    // own (its clock read once per pipeline) does not carry.
    let t0 = performance.now();
    for (;;) {
      const i = next++;
      if (i >= count) return;
      if (t0 > deadlineMs) {
        capped = true;
        return;
      }
      await op(i);
      const t1 = performance.now();
      if (lat !== undefined) lat[i] = t1 - t0;
      t0 = t1;
      done++;
      progress.done++;
    }
  };
  const start = performance.now();
  const workers = new Array<Promise<void>>(width);
  for (let w = 0; w < width; w++) workers[w] = worker();
  await Promise.all(workers);
  return { done, elapsedMs: performance.now() - start, capped };
}

/** p-th percentile (0..100) of the first `n` samples, nearest-rank; sorts a copy. */
export function percentiles(lat: Float64Array, n: number, ps: number[]): number[] {
  if (n === 0) return ps.map(() => NaN);
  const s = lat.slice(0, n).sort();
  return ps.map((p) => s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] as number);
}

/**
 * Samples the process RSS on a timer while the measured phase runs. `process.memoryUsage.rss()`
 * is the cheap variant (no heap statistics); a sample every 20 ms costs next to nothing.
 */
export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 20);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  sample(): void {
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
  }
}
