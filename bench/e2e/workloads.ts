/**
 * The workloads: fixed operation counts (times `--scale`), a time cap each, the data they read,
 * the reply shape a correct client must return, and redis-benchmark's equivalent command.
 */
import type { Adapter, Mode } from './adapters/types.js';

/** Key names of the preloaded data; every key starts with `wb:` so it is easy to spot and drop. */
export const KEYS = {
  /** 1,000 strings of 100 B (W1, W2, W3). */
  small: (i: number) => `wb:s:${i}`,
  smallCount: 1000,
  smallSize: 100,
  /** 100 strings of 1 KB (W4 MGET). */
  medium: (i: number) => `wb:m:${i}`,
  mediumCount: 100,
  mediumSize: 1024,
  /** A list of 10,000 × 100 B. */
  list: 'wb:list',
  listLength: 10_000,
  listItemSize: 100,
  /** A hash of 1,000 fields of 100 B. */
  hash: 'wb:hash',
  hashFields: 1000,
  hashValueSize: 100,
  big1: 'wb:big:1mb',
  big1Size: 1 << 20,
  big10: 'wb:big:10mb',
  big10Size: 10 << 20,
  /** Cluster: 1,000 strings of 100 B spread over all slots (no hash tags). */
  cluster: (i: number) => `wb:c:${i}`,
} as const;

export type Kind = 'sequential' | 'inflight' | 'pipeline';

/** What the child process runs: one operation, issued `count` times as `kind` says. */
export interface Workload {
  id: string;
  /** Family for `--workloads` selection (W4 selects all W4-*). */
  family: string;
  title: string;
  mode: Mode;
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
}

/** Builds the per-operation function for an adapter; `i` is the operation index. */
export function operation(w: Workload, a: Adapter): (i: number) => Promise<unknown> {
  const small = Array.from({ length: KEYS.smallCount }, (_, i) => KEYS.small(i));
  const clusterKeys = Array.from({ length: KEYS.smallCount }, (_, i) => KEYS.cluster(i));
  const value = 'v'.repeat(KEYS.smallSize);
  const mgetKeys = Array.from({ length: KEYS.mediumCount }, (_, i) => KEYS.medium(i));
  const n = KEYS.smallCount;
  switch (w.id) {
    case 'W1':
      return (i) => a.get(small[i % n] as string);
    case 'W2':
      // Half GET, half SET of the same 100 B keys.
      return (i) => ((i & 1) === 0 ? a.get(small[i % n] as string) : a.set(small[i % n] as string, value));
    case 'W6':
      return (i) =>
        (i & 1) === 0 ? a.get(clusterKeys[i % n] as string) : a.set(clusterKeys[i % n] as string, value);
    case 'W3':
      return () => a.pipelineGet(small);
    case 'W4-mget':
      return () => a.mget(mgetKeys);
    case 'W4-lrange':
      return () => a.lrange(KEYS.list);
    case 'W4-hgetall':
      return () => a.hgetall(KEYS.hash);
    case 'W5-1mb':
      return () => a.get(KEYS.big1);
    case 'W5-10mb':
      return () => a.get(KEYS.big10);
    default:
      throw new Error(`unknown workload ${w.id}`);
  }
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v.length;
  return -1;
}

function countOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length;
  return -1;
}

/**
 * Checks one reply of operation `i` (run once during warmup, never in the measured loop):
 * a fast client returning wrong data must not get a figure.
 */
export function checkReply(w: Workload, i: number, v: unknown): string | undefined {
  const expect = (what: string, got: number, want: number) =>
    got === want ? undefined : `${w.id}: ${what} ${got}, expected ${want}`;
  switch (w.id) {
    case 'W1':
      return expect('GET length', sizeOf(v), KEYS.smallSize);
    case 'W2':
    case 'W6':
      return (i & 1) === 0
        ? expect('GET length', sizeOf(v), KEYS.smallSize)
        : v === 'OK'
          ? undefined
          : `${w.id}: SET replied ${String(v)}`;
    case 'W3':
      return expect('pipeline replies', countOf(v), KEYS.smallCount);
    case 'W4-mget': {
      const bad = expect('MGET replies', countOf(v), KEYS.mediumCount);
      return bad ?? expect('MGET value length', sizeOf((v as unknown[])[7]), KEYS.mediumSize);
    }
    case 'W4-lrange': {
      const bad = expect('LRANGE length', countOf(v), KEYS.listLength);
      return bad ?? expect('LRANGE item length', sizeOf((v as unknown[])[9999]), KEYS.listItemSize);
    }
    case 'W4-hgetall':
      return expect('HGETALL fields', countOf(v), KEYS.hashFields);
    case 'W5-1mb':
      return expect('GET length', sizeOf(v), KEYS.big1Size);
    case 'W5-10mb':
      return expect('GET length', sizeOf(v), KEYS.big10Size);
    default:
      return `unknown workload ${w.id}`;
  }
}

const smallCeil = (n: number) => n;
const mget = ['MGET', ...Array.from({ length: KEYS.mediumCount }, (_, i) => KEYS.medium(i))];

export const WORKLOADS: readonly Workload[] = [
  {
    id: 'W1',
    family: 'W1',
    title: 'GET 100 B, one at a time',
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    count: 20_000,
    quickCount: 500,
    capMs: 20_000,
    target: 1.0,
    ceilings: [
      { label: '-c 1 -P 1', args: ['-c', '1', '-P', '1', 'GET', KEYS.small(0)], n: smallCeil(20_000) },
    ],
  },
  {
    id: 'W2',
    family: 'W2',
    title: 'GET/SET 100 B, 100 in flight',
    mode: 'standalone',
    kind: 'inflight',
    inflight: 100,
    commandsPerOp: 1,
    count: 200_000,
    quickCount: 5000,
    capMs: 20_000,
    target: 1.5,
    ceilings: [
      {
        label: '-c 100 -P 1 (get,set)',
        args: ['-c', '100', '-P', '1', '-d', '100', '-t', 'get,set'],
        n: 200_000,
      },
      {
        label: '-c 1 -P 100 (get,set)',
        args: ['-c', '1', '-P', '100', '-d', '100', '-t', 'get,set'],
        n: 400_000,
      },
    ],
  },
  {
    id: 'W3',
    family: 'W3',
    title: 'pipelines of 1,000 GET 100 B',
    mode: 'standalone',
    kind: 'pipeline',
    inflight: 1,
    commandsPerOp: 1000,
    count: 300,
    quickCount: 10,
    capMs: 20_000,
    target: 2.5,
    ceilings: [
      { label: '-c 1 -P 1000', args: ['-c', '1', '-P', '1000', 'GET', KEYS.small(0)], n: 1_000_000 },
    ],
  },
  {
    id: 'W4-mget',
    family: 'W4',
    title: 'MGET 100 × 1 KB, one at a time',
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    count: 5000,
    quickCount: 200,
    capMs: 20_000,
    ceilings: [{ label: '-c 1 -P 1', args: ['-c', '1', '-P', '1', ...mget], n: 10_000 }],
  },
  {
    id: 'W4-lrange',
    family: 'W4',
    title: 'LRANGE 10,000 × 100 B, one at a time',
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    count: 600,
    quickCount: 30,
    capMs: 20_000,
    target: 2.4,
    ceilings: [{ label: '-c 1 -P 1', args: ['-c', '1', '-P', '1', 'LRANGE', KEYS.list, '0', '-1'], n: 2000 }],
  },
  {
    id: 'W4-hgetall',
    family: 'W4',
    title: 'HGETALL 1,000 fields × 100 B, one at a time',
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    count: 5000,
    quickCount: 200,
    capMs: 20_000,
    target: 2.0,
    ceilings: [{ label: '-c 1 -P 1', args: ['-c', '1', '-P', '1', 'HGETALL', KEYS.hash], n: 10_000 }],
  },
  {
    id: 'W5-1mb',
    family: 'W5',
    title: 'GET 1 MB, one at a time',
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    count: 600,
    quickCount: 30,
    capMs: 20_000,
    target: 2.0,
    ceilings: [{ label: '-c 1 -P 1', args: ['-c', '1', '-P', '1', 'GET', KEYS.big1], n: 2000 }],
  },
  {
    id: 'W5-10mb',
    family: 'W5',
    title: 'GET 10 MB, one at a time',
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    count: 60,
    quickCount: 5,
    capMs: 20_000,
    ceilings: [{ label: '-c 1 -P 1', args: ['-c', '1', '-P', '1', 'GET', KEYS.big10], n: 200 }],
  },
  {
    id: 'W6',
    family: 'W6',
    title: 'cluster (3 primaries) GET/SET 100 B, 100 in flight',
    mode: 'cluster',
    kind: 'inflight',
    inflight: 100,
    commandsPerOp: 1,
    count: 200_000,
    quickCount: 5000,
    capMs: 20_000,
    target: 1.6,
    ceilings: [
      {
        label: '--cluster -c 100 -P 1 (get,set)',
        args: ['--cluster', '-c', '100', '-P', '1', '-d', '100', '-t', 'get,set'],
        n: 200_000,
      },
    ],
  },
];

/** Client variants that only make sense for workloads with many commands in flight. */
export function runsFor(w: Workload, client: string): boolean {
  return client !== 'ioredis-ap' || w.kind === 'inflight';
}
