/**
 * Timing of paired runs: how long a piece of work takes in wall and CPU time, and in which order
 * the builds or peers of one round take their turn.
 */
import { performance } from 'node:perf_hooks';

/** Wall and CPU time of one measured piece of work. */
export interface Measured {
  /** Wall time in milliseconds. */
  ms: number;
  /** This process's CPU time in µs (all threads, GC helpers included). */
  cpu: NodeJS.CpuUsage;
}

/**
 * Runs `work` once and returns its wall time and this process's CPU time. The CPU clock is read
 * outside the wall clock on both ends, as the scripts did before this was shared.
 */
export async function measure(work: () => Promise<unknown>): Promise<Measured> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  return { ms, cpu: process.cpuUsage(c0) };
}

/** User + system CPU µs of a measurement, divided by `ops` (µs per operation). */
export function cpuPerOp(m: Measured, ops: number): number {
  return (m.cpu.user + m.cpu.system) / ops;
}

/**
 * The indices 0..n-1 rotated by `round`: the order in which n builds (or peers) take their turn
 * in that round, so that none of them always runs first (and always on a colder or hotter CPU).
 */
export function turnOrder(n: number, round: number): number[] {
  return Array.from({ length: n }, (_, k) => (k + round) % n);
}
