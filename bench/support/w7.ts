/**
 * The W7 shape for the single-process W7 scripts (w7-one, w7-alloc, w7-paired): 100 in flight,
 * GET with a SET every `setEvery`-th operation, over 1,000 keys of 100 B, the keys walked in the
 * same order as the harness' W7 workload (bench/e2e/workloads/hot-keys.ts).
 */
import { resolve } from 'node:path';
import type { RedisServerHandle } from '../../test/support/redis-server.js';
import { hotKeyIndex } from '../e2e/workloads/hot-keys.js';
import { option } from './args.js';
import { loadRedis, treeBuild } from './builds.js';

/** What the W7 loop needs of a client. */
export interface W7Client {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  mset(values: Record<string, string>): Promise<unknown>;
}

const N = 1000;
const IN_FLIGHT = 100;
/** The value every key holds: 100 B. */
export const W7_VALUE = 'h'.repeat(100);
const KEY = Array.from({ length: N }, (_, i) => `w7:${i}`);

/**
 * The client options for a `--cache` argument: `off` (no client-side cache), `on` (the default
 * cache) or a JSON options object for it (`{"maxEntries":1}`: every read a miss).
 */
export function cacheOption(arg: string): object {
  if (arg === 'off') return {};
  return { clientSideCache: arg === 'on' ? true : (JSON.parse(arg) as object) };
}

/** Writes all W7 keys through `client` (one MSET), so that every GET finds its value. */
export async function seedW7(client: W7Client): Promise<void> {
  await client.mset(Object.fromEntries(KEY.map((k) => [k, W7_VALUE])));
}

/** The command line of the one-client W7 scripts (w7-one, w7-alloc). */
export interface SingleW7Options {
  /** `--tree`: the checkout whose build runs (default: this one). */
  root: string;
  /** `--cache`: the client options it gives (see {@link cacheOption}; default `on`). */
  cache: object;
  /** `--ops`: operations measured. */
  ops: number;
  /** `--set-every`: one SET per this many operations (default 20, the W7 mix). */
  setEvery: number;
}

/** Reads `--tree`, `--cache`, `--ops` (default `defaultOps`) and `--set-every`. */
export function singleW7Options(defaultOps: number): SingleW7Options {
  return {
    root: resolve(option('tree', resolve(import.meta.dirname, '../..'))),
    cache: cacheOption(option('cache', 'on')),
    ops: Number(option('ops', String(defaultOps))),
    setEvery: Number(option('set-every', '20')),
  };
}

/**
 * A client of the build in `o.root`, with `o.cache`, on `server`, the W7 keys written through it
 * (so it is connected, and the keys exist before any GET).
 */
export async function openW7Client<C extends W7Client>(
  server: RedisServerHandle,
  o: SingleW7Options,
): Promise<C> {
  const Redis = await loadRedis<C>(treeBuild(o.root));
  const client = new Redis({ port: server.port, ...o.cache });
  await seedW7(client);
  return client;
}

/**
 * A W7 runner: each call runs `count` operations on the client it is given. Operation numbers
 * continue from call to call (and from client to client), so consecutive chunks walk on through
 * the keys instead of replaying the first ones.
 */
export function w7Runner(setEvery: number): (client: W7Client, count: number) => Promise<void> {
  let next = 0;
  return async (client, count) => {
    const end = next + count;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= end) return;
        const key = KEY[hotKeyIndex(i, N)] as string;
        if (i % setEvery === setEvery - 1) await client.set(key, W7_VALUE);
        else if (((await client.get(key)) as string).length !== W7_VALUE.length) throw new Error('bad reply');
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    next = end;
  };
}
