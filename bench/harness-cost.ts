/**
 * What `npm run bench`'s own in-flight loop costs a client, in one process: the same wredis
 * client and W2 operation run, round after round, through the harness loop (bench/e2e/measure.ts,
 * latencies recorded), the harness loop without latencies, and a bare loop of 100 workers:
 *
 *   node --expose-gc --import tsx bench/harness-cost.ts [rounds] [count]
 *
 * Prints each loop's median cmd/s (min–max) over the rounds after two warm-up rounds. The
 * difference is the harness's per-operation bookkeeping (two `performance.now()` and a store),
 * which every client's figure carries and redis-benchmark's does not. Starts its own
 * redis-server (stopped by PID at the end); KINDS=harness,nolat,bare picks the loops.
 */
import { performance } from 'node:perf_hooks';
import { startRedis } from '../test/support/redis-server.js';
import { wredisAdapter } from './e2e/adapters/wredis.js';
import { inflight, type Op } from './e2e/measure.js';
import { WORKLOADS } from './e2e/workloads.js';
import { seed } from './support/seed.js';
import { median, minMax } from './support/stats.js';

const rounds = Number(process.argv[2] ?? 12);
const count = Number(process.argv[3] ?? 300_000);
const kinds = (process.env.KINDS ?? 'harness,nolat,bare').split(',');
const WIDTH = 100;
const WARMUP_ROUNDS = 2;

const w = WORKLOADS.find((x) => x.id === 'W2');
if (w === undefined) throw new Error('no W2 workload');

/** 100 workers, each awaiting one operation at a time, nothing recorded. */
async function bare(op: Op, n: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) await op(i);
  };
  await Promise.all(Array.from({ length: WIDTH }, worker));
}

const server = await startRedis({ args: ['--appendonly', 'no', '--save', ''] });
try {
  for (const d of w.data) await seed(server, d.commands());
  const a = await wredisAdapter(
    'standalone',
    { host: server.host, port: server.port },
    '.',
    w.adapterOptions,
  );
  await a.connect();
  const op = w.operation(a);
  const lat = new Float64Array(count);
  const rates = new Map<string, number[]>(kinds.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const kind of kinds) {
      globalThis.gc?.();
      const t0 = performance.now();
      if (kind === 'harness') await inflight(op, count, WIDTH, t0 + 60_000, lat);
      else if (kind === 'nolat') await inflight(op, count, WIDTH, t0 + 60_000, undefined);
      else if (kind === 'bare') await bare(op, count);
      else throw new Error(`unknown loop ${kind}`);
      if (r >= WARMUP_ROUNDS) rates.get(kind)?.push((count / (performance.now() - t0)) * 1000);
    }
  }
  for (const [kind, v] of rates) {
    console.log(`${kind.padEnd(8)} ${median(v).toFixed(0)} cmd/s (${minMax(v, 0)})`);
  }
  await a.close();
} finally {
  await server.stop();
}
