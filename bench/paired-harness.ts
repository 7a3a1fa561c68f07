/**
 * Builds of wredis compared in the measured loop of `npm run bench` itself (its `inflight` /
 * `sequential` loops, latencies recorded as there), alternating in one process and one
 * redis-server, so a change in the machine's load hits every build of a round alike:
 *
 *   node --expose-gc --import tsx bench/paired-harness.ts W2 /path/to/checkoutA /path/to/checkoutB …
 *
 * Each path is a checkout after `npm run build` (its dist/ is loaded). ROUNDS (16) rounds of
 * COUNT operations (the workload's own count ÷ 2); the first two rounds are warm-up. Prints the
 * median cmd/s and CPU µs per command of each build, and the median per-round ratio of its cmd/s
 * to the first build's. WIDTH=N changes an in-flight workload's width. Starts its own
 * redis-server (stopped by PID at the end).
 */
import { performance } from 'node:perf_hooks';
import { startRedis } from '../test/support/redis-server.js';
import { wredisAdapter } from './e2e/adapters/wredis.js';
import type { Adapter } from './e2e/adapters/types.js';
import { inflight, sequential } from './e2e/measure.js';
import { WORKLOADS } from './e2e/workloads.js';
import { seed } from './support/seed.js';
import { median, minMax, ratios } from './support/stats.js';

const [id = 'W2', ...roots] = process.argv.slice(2);
const w = WORKLOADS.find((x) => x.id === id);
if (w === undefined || w.mode !== 'standalone') throw new Error(`${id}: not a standalone workload`);
if (roots.length === 0) throw new Error('usage: paired-harness.ts WORKLOAD checkoutA [checkoutB …]');
const rounds = Number(process.env.ROUNDS ?? 16);
const count = Number(process.env.COUNT ?? Math.ceil(w.count / 2));
const width = Number(process.env.WIDTH ?? w.inflight);
const WARMUP_ROUNDS = 2;

const server = await startRedis({ args: ['--appendonly', 'no', '--save', ''] });
const adapters: Adapter[] = [];
try {
  for (const d of w.data) await seed(server, d.commands());
  for (const root of roots) {
    const a = await wredisAdapter(
      'standalone',
      { host: server.host, port: server.port },
      root,
      w.adapterOptions,
    );
    await a.connect();
    adapters.push(a);
  }
  const lat = new Float64Array(count);
  const rate = roots.map((): number[] => []);
  const cpu = roots.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < roots.length; k++) {
      const b = (k + r) % roots.length; // each build goes first in turn
      const op = w.operation(adapters[b] as Adapter);
      globalThis.gc?.();
      const c0 = process.cpuUsage();
      const deadline = performance.now() + w.capMs;
      const res =
        w.kind === 'inflight'
          ? await inflight(op, count, width, deadline, lat)
          : await sequential(op, count, deadline, lat);
      const c = process.cpuUsage(c0);
      const commands = res.done * w.commandsPerOp;
      if (r >= WARMUP_ROUNDS) {
        (rate[b] as number[]).push(commands / (res.elapsedMs / 1000));
        (cpu[b] as number[]).push((c.user + c.system) / commands);
      }
    }
  }
  const first = rate[0] as number[];
  roots.forEach((root, b) => {
    const rb = rate[b] as number[];
    const cb = cpu[b] as number[];
    const vs =
      b === 0
        ? ''
        : `, ÷ first per round ${median(ratios(rb, first)).toFixed(3)} (${minMax(ratios(rb, first), 2)})`;
    process.stdout.write(
      `${root}: ${Math.round(median(rb))} cmd/s (${minMax(rb, 0)}), CPU ${median(cb).toFixed(3)} µs/cmd${vs}\n`,
    );
  });
} finally {
  for (const a of adapters) await a.close();
  await server.stop();
}
