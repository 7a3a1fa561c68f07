/** What the parent sends a child (as argv JSON) and what the child answers (one stdout line). */
import type { ClientName, Endpoint } from './adapters/types.js';

export interface ChildTask {
  client: ClientName;
  workload: string;
  endpoint: Endpoint;
  count: number;
  warmup: number;
  capMs: number;
  warmupCapMs: number;
  /** The checkout whose dist/ a `wredis@<ref>` client loads (see --against). */
  wredisRoot?: string;
  /** Only connect and check one reply (used once per client/mode to find unavailable clients). */
  probe?: boolean;
}

export interface ChildOk {
  ok: true;
  client: ClientName;
  workload: string;
  /** Operations measured (pipelines count once here). */
  ops: number;
  commands: number;
  elapsedMs: number;
  capped: boolean;
  opsPerSec: number;
  /** Commands per second: the figure the table shows. */
  cmdsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** User + system CPU of the whole child process during the measured phase, per command. */
  cpuUsPerCmd: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** RSS before the measured phase (after connect, warmup and a GC). */
  rssBeforeMB: number;
  /** Highest RSS sampled during the measured phase. */
  rssPeakMB: number;
  /** Lifetime peak RSS of the process (getrusage), includes start-up. */
  maxRssMB: number;
  heapUsedMB: number;
  notes: string[];
  /** Client-side cache hits ÷ cacheable reads over the measured phase (W7-csc), when the client reports it. */
  hitRate?: number;
  /** Filled in by the parent: growth of the servers' total_commands_processed over the run. */
  serverCommands?: number;
  /** Filled in by the parent: 1-minute load average just before the run. */
  loadBefore?: number;
}

export interface ChildFailed {
  ok: false;
  client: ClientName;
  workload: string;
  /** The client (or its cluster flavour) does not exist yet: not a harness failure. */
  unavailable: boolean;
  error: string;
}

export type ChildResult = ChildOk | ChildFailed;

export const RESULT_PREFIX = 'RESULT ';
