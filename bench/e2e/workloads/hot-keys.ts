/**
 * W7: hot-key reads. 100 in flight, 95 % GET / 5 % SET over 1,000 keys of 100 B (uniformly chosen,
 * the same sequence for every client). `W7` runs every client as usual (no cache); `W7-csc` turns on
 * the client's own client-side cache where it has one (wredis, node-redis) and runs ioredis without
 * one as the baseline, so its "× ioredis" column is the figure of issue #14. The hit rate over the
 * measured phase is shown beside the throughput.
 */
import { expect, sizeOf, type Workload } from '../workload.js';
import { DATA, KEYS } from './standard.js';

const N = KEYS.smallCount;
const KEY = Array.from({ length: N }, (_, i) => KEYS.small(i));
const VALUE = 'h'.repeat(KEYS.smallSize);

/** The index (below n) of operation i's key: a fixed pseudo-random walk (xorshift of i), the same for every client. */
export function hotKeyIndex(i: number, n: number): number {
  let x = (i + 0x9e3779b9) | 0;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) % n;
}

/** Operation i: a SET every 20th, else a GET, on the key of hotKeyIndex. */
function keyOf(i: number): string {
  return KEY[hotKeyIndex(i, N)] as string;
}

const shape: Omit<Workload, 'id' | 'title' | 'adapterOptions' | 'target'> = {
  family: 'W7',
  mode: 'standalone',
  kind: 'inflight',
  inflight: 100,
  commandsPerOp: 1,
  count: 1_000_000,
  quickCount: 20_000,
  capMs: 20_000,
  ceilings: [],
  data: [DATA.small],
  operation: (a) => (i) => (i % 20 === 19 ? a.set(keyOf(i), VALUE) : a.get(keyOf(i))),
  check: (i, v) =>
    i % 20 === 19
      ? v === 'OK'
        ? undefined
        : `W7: SET replied ${String(v)}`
      : expect('W7', 'GET length', sizeOf(v), KEYS.smallSize),
};

export const HOT_KEYS: readonly Workload[] = [
  { ...shape, id: 'W7', title: 'hot keys: 95 % GET / 5 % SET of 1,000 × 100 B, 100 in flight, no cache' },
  {
    ...shape,
    id: 'W7-csc',
    title: 'hot keys as W7, with the client-side cache (ioredis has none: baseline without)',
    adapterOptions: { clientSideCache: true },
    target: 10,
  },
];
