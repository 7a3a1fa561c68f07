/** W1–W6: the workloads of round 1 (single values, in flight, pipelines, aggregates, big values, cluster). */
import { countOf, expect, payload, sizeOf, type DataSet, type Workload } from '../workload.js';

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

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const SMALL = range(KEYS.smallCount).map(KEYS.small);
const CLUSTER_KEYS = range(KEYS.smallCount).map(KEYS.cluster);
const MGET_KEYS = range(KEYS.mediumCount).map(KEYS.medium);
const VALUE = 'v'.repeat(KEYS.smallSize);
const N = KEYS.smallCount;

export const DATA = {
  small: { id: 'small', commands: () => SMALL.map((k, i) => ['SET', k, payload(KEYS.smallSize, i)]) },
  medium: {
    id: 'medium',
    commands: () => MGET_KEYS.map((k, i) => ['SET', k, payload(KEYS.mediumSize, i)]),
  },
  list: {
    id: 'list',
    commands: () => [
      ['DEL', KEYS.list],
      ...range(KEYS.listLength / 1000).map((b) => [
        'RPUSH',
        KEYS.list,
        ...range(1000).map((j) => payload(KEYS.listItemSize, b * 1000 + j)),
      ]),
    ],
  },
  hash: {
    id: 'hash',
    commands: () => [
      ['DEL', KEYS.hash],
      [
        'HSET',
        KEYS.hash,
        ...range(KEYS.hashFields).flatMap((i) => [`field:${i}`, payload(KEYS.hashValueSize, i)]),
      ],
    ],
  },
  big1: { id: 'big1', commands: () => [['SET', KEYS.big1, payload(KEYS.big1Size, 1)]] },
  big10: { id: 'big10', commands: () => [['SET', KEYS.big10, payload(KEYS.big10Size, 10)]] },
  cluster: {
    id: 'cluster',
    commands: () => CLUSTER_KEYS.map((k, i) => ['SET', k, payload(KEYS.smallSize, i)]),
  },
} satisfies Record<string, DataSet>;

/** A Buffer reply of `size` bytes (a string of the right length is wrong here). */
function bytesOf(id: string, v: unknown, size: number): string | undefined {
  if (!(v instanceof Uint8Array)) return `${id}: GET returned ${typeof v}, not bytes`;
  return expect(id, 'GET length', v.length, size);
}

/** Half GET, half SET of the same 100 B keys: the in-flight shape of W2 and W6. */
function getSet(keys: readonly string[]): Pick<Workload, 'operation' | 'check'> {
  return {
    operation: (a) => (i) =>
      (i & 1) === 0 ? a.get(keys[i % N] as string) : a.set(keys[i % N] as string, VALUE),
    check: (i, v) =>
      (i & 1) === 0
        ? expect('GET/SET', 'GET length', sizeOf(v), KEYS.smallSize)
        : v === 'OK'
          ? undefined
          : `SET replied ${String(v)}`,
  };
}

const one = (args: string[], n: number) => [{ label: '-c 1 -P 1', args: ['-c', '1', '-P', '1', ...args], n }];

/** The W5 values: key, size, data set, counts and the redis-benchmark request count. */
const BIG = {
  '1mb': {
    label: '1 MB',
    key: KEYS.big1,
    size: KEYS.big1Size,
    data: DATA.big1,
    // About 1 s for wredis: at 600 the measured phase was 0.25 s, much of it the client's ramp-up,
    // and its share of the C client's rate ranged 0.61–0.85 over three repeats.
    count: 2400,
    quickCount: 30,
    n: 4000,
  },
  '10mb': {
    label: '10 MB',
    key: KEYS.big10,
    size: KEYS.big10Size,
    data: DATA.big10,
    count: 60,
    quickCount: 5,
    n: 200,
  },
} as const;

/** W5: GET one large value, one at a time, as a string or (`buffers`) as a Buffer. */
function bigGet(which: keyof typeof BIG, buffers: boolean, target?: number, share?: number): Workload {
  const b = BIG[which];
  const id = `W5-${which}${buffers ? '-buf' : ''}`;
  return {
    id,
    family: 'W5',
    title: `GET ${b.label}${buffers ? ' as a Buffer' : ''}, one at a time`,
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    count: b.count,
    quickCount: b.quickCount,
    capMs: 20_000,
    ...(target === undefined ? {} : { target }),
    ceilings: one(['GET', b.key], b.n),
    ...(share === undefined ? {} : { ceilingTarget: { atLeast: share } }),
    data: [b.data],
    ...(buffers ? { adapterOptions: { buffers: true } } : {}),
    operation: (a) => () => a.get(b.key),
    check: buffers
      ? (_i, v) => bytesOf(id, v, b.size)
      : (_i, v) => expect(id, 'GET length', sizeOf(v), b.size),
  };
}

export const STANDARD: readonly Workload[] = [
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
    ceilings: one(['GET', KEYS.small(0)], 20_000),
    data: [DATA.small],
    operation: (a) => (i) => a.get(SMALL[i % N] as string),
    check: (_i, v) => expect('W1', 'GET length', sizeOf(v), KEYS.smallSize),
  },
  {
    id: 'W2',
    family: 'W2',
    title: 'GET/SET 100 B, 100 in flight',
    mode: 'standalone',
    kind: 'inflight',
    inflight: 100,
    commandsPerOp: 1,
    // About 1 s for wredis: at 200,000 the measured phase was 0.3 s, much of it still warming up.
    count: 600_000,
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
    ceilingTarget: { label: '-c 1 -P 100 (get,set)', atLeast: 0.7 },
    data: [DATA.small],
    ...getSet(SMALL),
  },
  {
    id: 'W3',
    family: 'W3',
    title: 'pipelines of 1,000 GET 100 B',
    mode: 'standalone',
    kind: 'pipeline',
    inflight: 1,
    commandsPerOp: 1000,
    // About 1 s for wredis: 300 pipelines were 0.2 s, mostly JIT warm-up and a GC or two.
    count: 1500,
    quickCount: 10,
    capMs: 20_000,
    target: 2.5,
    ceilings: [
      { label: '-c 1 -P 1000', args: ['-c', '1', '-P', '1000', 'GET', KEYS.small(0)], n: 1_000_000 },
    ],
    ceilingTarget: { atLeast: 0.6 },
    data: [DATA.small],
    operation: (a) => () => a.pipelineGet(SMALL),
    check: (_i, v) => expect('W3', 'pipeline replies', countOf(v), KEYS.smallCount),
  },
  {
    id: 'W4-mget',
    family: 'W4',
    title: 'MGET 100 × 1 KB, one at a time',
    mode: 'standalone',
    kind: 'sequential',
    inflight: 1,
    commandsPerOp: 1,
    // About 1.5 s for wredis, like the C client's 20,000 (0.65 s at 5,000 spread 0.70–0.78).
    count: 12_000,
    quickCount: 200,
    capMs: 20_000,
    ceilings: one(['MGET', ...MGET_KEYS], 20_000),
    ceilingTarget: { atLeast: 0.7 },
    data: [DATA.medium],
    operation: (a) => () => a.mget(MGET_KEYS),
    check: (_i, v) =>
      expect('W4-mget', 'MGET replies', countOf(v), KEYS.mediumCount) ??
      expect('W4-mget', 'MGET value length', sizeOf((v as unknown[])[7]), KEYS.mediumSize),
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
    ceilings: one(['LRANGE', KEYS.list, '0', '-1'], 2000),
    ceilingTarget: { atLeast: 0.8 },
    data: [DATA.list],
    operation: (a) => () => a.lrange(KEYS.list),
    check: (_i, v) =>
      expect('W4-lrange', 'LRANGE length', countOf(v), KEYS.listLength) ??
      expect('W4-lrange', 'LRANGE item length', sizeOf((v as unknown[])[9999]), KEYS.listItemSize),
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
    ceilings: one(['HGETALL', KEYS.hash], 10_000),
    ceilingTarget: { atLeast: 0.8 },
    data: [DATA.hash],
    operation: (a) => () => a.hgetall(KEYS.hash),
    check: (_i, v) => expect('W4-hgetall', 'HGETALL fields', countOf(v), KEYS.hashFields),
  },
  bigGet('1mb', false, 2.0, 0.85),
  bigGet('10mb', false),
  // The same GETs with Buffer replies (wredis withBuffers(), ioredis getBuffer(), ...): what a
  // client must do at the least for a large value, the shape compared with redis-benchmark.
  bigGet('1mb', true),
  bigGet('10mb', true, undefined, 0.8),
  {
    id: 'W6',
    family: 'W6',
    title: 'cluster (3 primaries) GET/SET 100 B, 100 in flight',
    mode: 'cluster',
    primaries: 3,
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
    data: [DATA.cluster],
    ...getSet(CLUSTER_KEYS),
  },
];
