/**
 * W7 (100 in flight, 95 % GET / 5 % SET over 1,000 keys of 100 B) for two clients in one
 * process, in alternating chunks: a load swing on a shared machine hits both alike, so the
 * per-chunk speed ratio B ÷ A says more than two separate runs can. A and B are built trees
 * (a directory with dist/src/index.js: this one after `npm run build`, or another checkout)
 * with or without the client-side cache. Prints the median ops/s and CPU µs per op (this
 * process: user + system) of each, and the median, 10th and 90th percentile of B ÷ A.
 *
 *   node --import tsx bench/w7-paired.ts                       # this tree: no cache (A) vs cache (B)
 *   node --import tsx bench/w7-paired.ts --a /other/tree --a-cache on   # another build's cache vs ours
 *   options: --chunks N (20) --ops N per chunk (100000) --set-every N (20) --a-cache/--b-cache
 *            off | on | a JSON options object ('{"maxEntries":1}': every read a miss)
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
}
type ClientCtor = new (options: object) => Client;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

function cacheOption(v: string): object {
  if (v === 'off') return {};
  return { clientSideCache: v === 'on' ? true : (JSON.parse(v) as object) };
}

const here = resolve(import.meta.dirname, '..');
const roots = [resolve(option('a', here)), resolve(option('b', here))];
const caches = [cacheOption(option('a-cache', 'off')), cacheOption(option('b-cache', 'on'))];
const CHUNKS = Number(option('chunks', '20'));
const OPS = Number(option('ops', '100000'));
const SET_EVERY = Number(option('set-every', '20'));

const N = 1000;
const VALUE = 'h'.repeat(100);
const KEY = Array.from({ length: N }, (_, i) => `w7:${i}`);
/** The key of operation i: the same walk as the W7 workload. */
function keyOf(i: number): string {
  return KEY[hotKeyIndex(i, N)] as string;
}

let next = 0;
/** `count` operations with 100 in flight (operation numbers continue across chunks). */
async function run(r: Client, count: number): Promise<void> {
  const end = next + count;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= end) return;
      if (i % SET_EVERY === SET_EVERY - 1) await r.set(keyOf(i), VALUE);
      else if (((await r.get(keyOf(i))) as string).length !== VALUE.length) throw new Error('bad reply');
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  next = end;
}

function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] as number;
}

const server = await startRedis();
try {
  const ctors: ClientCtor[] = [];
  for (const root of roots) {
    const mod = (await import(pathToFileURL(`${root}/dist/src/index.js`).href)) as { Redis: ClientCtor };
    ctors.push(mod.Redis);
  }
  const clients = ctors.map((Ctor, j) => new Ctor({ port: server.port, ...caches[j] }));
  await (clients[0] as Client).mset(Object.fromEntries(KEY.map((k) => [k, VALUE])));
  for (const c of clients) await c.connect();
  for (const c of clients) await run(c, 30_000); // warm-up: JIT, and the caches filled
  const speed: number[][] = [[], []];
  const cpu: number[][] = [[], []];
  for (let k = 0; k < CHUNKS; k++) {
    for (const j of k % 2 === 0 ? [0, 1] : [1, 0]) {
      const c0 = cpuUsage();
      const t0 = performance.now();
      await run(clients[j] as Client, OPS);
      const ms = performance.now() - t0;
      const c = cpuUsage(c0);
      speed[j]?.push((OPS / ms) * 1000);
      cpu[j]?.push((c.user + c.system) / OPS);
    }
  }
  for (const j of [0, 1]) {
    const label = `${j === 0 ? 'A' : 'B'} ${roots[j]} ${JSON.stringify(caches[j])}`;
    const s = speed[j] as number[];
    const u = cpu[j] as number[];
    console.log(
      `${label}: ${(quantile(s, 0.5) / 1000).toFixed(0)}k ops/s, ${quantile(u, 0.5).toFixed(2)} µs CPU/op`,
    );
  }
  const ratios = (speed[1] as number[]).map((b, k) => b / ((speed[0] as number[])[k] as number));
  console.log(
    `B ÷ A per chunk: median ${quantile(ratios, 0.5).toFixed(2)} (p10 ${quantile(ratios, 0.1).toFixed(2)}, ` +
      `p90 ${quantile(ratios, 0.9).toFixed(2)}), ${ratios.length} chunks of ${OPS} operations`,
  );
  await Promise.all(clients.map((c) => c.close()));
} finally {
  await server.stop();
}
