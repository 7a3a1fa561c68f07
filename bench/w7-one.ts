/**
 * One client on the W7 shape (100 in flight, 95 % GET / 5 % SET over 1,000 keys of 100 B), for
 * profiling (`node --cpu-prof`, `--trace-gc`, `--heap-prof`): no pairing, just CPU µs per
 * operation and the cache's counters at the end.
 *
 *   node --import tsx bench/w7-one.ts [--tree dir] [--cache on|off|JSON] [--ops N] [--set-every N]
 *
 * Starts its own redis-server on a free loopback port and stops it by PID.
 */
import { cpuUsage } from 'node:process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { startRedis } from '../test/support/redis-server.js';
import { hotKeyIndex } from './e2e/workloads/hot-keys.js';

interface Client {
  connect(): Promise<void>;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  mset(values: Record<string, string>): Promise<unknown>;
  close(): Promise<void>;
  readonly clientSideCache?: { stats(): object };
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const root = resolve(option('tree', resolve(import.meta.dirname, '..')));
const cacheArg = option('cache', 'on');
const cache =
  cacheArg === 'off' ? {} : { clientSideCache: cacheArg === 'on' ? true : (JSON.parse(cacheArg) as object) };
const OPS = Number(option('ops', '2000000'));
const SET_EVERY = Number(option('set-every', '20'));
const N = 1000;
const VALUE = 'h'.repeat(100);
const KEY = Array.from({ length: N }, (_, i) => `w7:${i}`);

let next = 0;
async function run(r: Client, count: number): Promise<void> {
  const end = next + count;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= end) return;
      const key = KEY[hotKeyIndex(i, N)] as string;
      if (i % SET_EVERY === SET_EVERY - 1) await r.set(key, VALUE);
      else if (((await r.get(key)) as string).length !== VALUE.length) throw new Error('bad reply');
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  next = end;
}

const server = await startRedis();
try {
  const { Redis } = (await import(pathToFileURL(`${root}/dist/src/index.js`).href)) as {
    Redis: new (o: object) => Client;
  };
  const r = new Redis({ port: server.port, ...cache });
  await r.mset(Object.fromEntries(KEY.map((k) => [k, VALUE])));
  await run(r, 50_000);
  const c0 = cpuUsage();
  const t0 = performance.now();
  await run(r, OPS);
  const ms = performance.now() - t0;
  const c = cpuUsage(c0);
  console.log(
    `${root} ${JSON.stringify(cache)}: ${(((OPS / ms) * 1000) / 1000).toFixed(0)}k ops/s, ` +
      `${((c.user + c.system) / OPS).toFixed(3)} µs CPU/op (user ${(c.user / OPS).toFixed(3)}, sys ${(c.system / OPS).toFixed(3)})`,
    JSON.stringify(r.clientSideCache?.stats()),
  );
  await r.close();
} finally {
  await server.stop();
}
