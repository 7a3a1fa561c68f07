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
import { resolve } from 'node:path';
import { startRedis } from '../test/support/redis-server.js';
import { option } from './support/args.js';
import { loadRedis, treeBuild } from './support/builds.js';
import { quantile, ratios as perRound } from './support/stats.js';
import { cpuPerOp, measure, turnOrder } from './support/timing.js';
import { cacheOption, seedW7, w7Runner, type W7Client } from './support/w7.js';

interface Client extends W7Client {
  connect(): Promise<void>;
  close(): Promise<void>;
}

const here = resolve(import.meta.dirname, '..');
const roots = [resolve(option('a', here)), resolve(option('b', here))];
const caches = [cacheOption(option('a-cache', 'off')), cacheOption(option('b-cache', 'on'))];
const CHUNKS = Number(option('chunks', '20'));
const OPS = Number(option('ops', '100000'));
const SET_EVERY = Number(option('set-every', '20'));
/** `count` operations with 100 in flight (operation numbers continue across chunks). */
const run = w7Runner(SET_EVERY);

const server = await startRedis();
try {
  const ctors: Array<new (options: object) => Client> = [];
  for (const root of roots) ctors.push(await loadRedis<Client>(treeBuild(root)));
  const clients = ctors.map((Ctor, j) => new Ctor({ port: server.port, ...caches[j] }));
  await seedW7(clients[0] as Client);
  for (const c of clients) await c.connect();
  for (const c of clients) await run(c, 30_000); // warm-up: JIT, and the caches filled
  const speed: number[][] = [[], []];
  const cpu: number[][] = [[], []];
  for (let k = 0; k < CHUNKS; k++) {
    for (const j of turnOrder(2, k)) {
      const m = await measure(() => run(clients[j] as Client, OPS));
      speed[j]?.push((OPS / m.ms) * 1000);
      cpu[j]?.push(cpuPerOp(m, OPS));
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
  const ratios = perRound(speed[1] as number[], speed[0] as number[]);
  console.log(
    `B ÷ A per chunk: median ${quantile(ratios, 0.5).toFixed(2)} (p10 ${quantile(ratios, 0.1).toFixed(2)}, ` +
      `p90 ${quantile(ratios, 0.9).toFixed(2)}), ${ratios.length} chunks of ${OPS} operations`,
  );
  await Promise.all(clients.map((c) => c.close()));
} finally {
  await server.stop();
}
