/**
 * What a workload is. A workload is one self-contained object (see bench/e2e/workloads/): the data
 * it reads, the operation it issues, the check of a reply and redis-benchmark's equivalent. Adding
 * one = one file under workloads/ and one line in workloads.ts; the harness needs nothing else.
 */
import type { RespArg } from '../../test/support/raw-client.js';
import type { Adapter, AdapterOptions, Mode } from './adapters/types.js';

export type Kind = 'sequential' | 'inflight' | 'pipeline';

/**
 * Commands that write a workload's data once, before any run. Data sets with the same `id` are
 * sent once even when several selected workloads share them. In cluster mode every command goes to
 * the owner of its key (`args[1]`), found by following MOVED.
 */
export interface DataSet {
  id: string;
  commands(): RespArg[][];
}

/** What the child process runs: one operation, issued `count` times as `kind` says. */
export interface Workload {
  id: string;
  /** Family for `--workloads` selection (W4 selects all W4-*). */
  family: string;
  title: string;
  mode: Mode;
  /** Primaries of the throwaway cluster this workload runs on (cluster mode; default 3). */
  primaries?: number;
  kind: Kind;
  /** Operations in flight at once (`inflight`), 1 otherwise. */
  inflight: number;
  /** Commands per operation (1000 for pipelines); ops/s in the table counts commands. */
  commandsPerOp: number;
  /** Operations at scale 1, and with --quick. */
  count: number;
  quickCount: number;
  /** Cap on the measured phase at scale 1 (ms); the run stops early and is marked capped. */
  capMs: number;
  /** Target for wredis: median ratio to ioredis (plain) in the same repeat. */
  target?: number;
  /** redis-benchmark arguments for the same shape (without -h/-p/-n/-q/--csv). */
  ceilings: { label: string; args: string[]; n: number }[];
  /**
   * Target for wredis against the C client: its cmd/s ÷ redis-benchmark's rate for the ceiling
   * `label` (the only one when omitted), measured in the same repeat (issue #16).
   */
  ceilingTarget?: { label?: string; atLeast: number };
  /** Data the workload reads (written by the parent over a raw socket, never by a client under test). */
  data: readonly DataSet[];
  /** Client features the workload needs (an adapter without them reports "not available"). */
  adapterOptions?: AdapterOptions;
  /** Builds the per-operation function for an adapter; `i` is the operation index. */
  operation(a: Adapter): (i: number) => Promise<unknown>;
  /**
   * Checks the reply of operation `i` (run on the first replies, never in the measured loop): a
   * fast client returning wrong data must not get a figure. Returns what is wrong, or undefined.
   */
  check(i: number, v: unknown): string | undefined;
}

/** A printable ASCII payload of exactly `size` bytes (same fast path for every client's decoder). */
export function payload(size: number, seed: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const head = `${seed}:`;
  let s = head;
  const unit = alphabet.repeat(Math.ceil(Math.min(size, 4096) / alphabet.length));
  while (s.length < size) s += unit;
  return s.slice(0, size);
}

export function sizeOf(v: unknown): number {
  if (typeof v === 'string' || v instanceof Uint8Array) return v.length;
  return -1;
}

export function countOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length;
  return -1;
}

/** `undefined` when `got === want`, the message otherwise. */
export function expect(id: string, what: string, got: number, want: number): string | undefined {
  return got === want ? undefined : `${id}: ${what} ${got}, expected ${want}`;
}

/** Client variants that only make sense for workloads with many commands in flight. */
export function runsFor(w: Workload, client: string): boolean {
  return client !== 'ioredis-ap' || w.kind === 'inflight';
}
