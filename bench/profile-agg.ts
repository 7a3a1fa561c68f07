/**
 * The W4 aggregate shapes (HGETALL 1000 fields × 100 B, MGET 100 × 1 KB, LRANGE 10k × 100 B)
 * one command at a time, in this process, for a CPU profile and CPU µs per command:
 *
 *   node --cpu-prof --cpu-prof-dir=bench/out/prof --import tsx bench/profile-agg.ts [hgetall|mget|lrange] [count] [dist...]
 *
 * Starts its own redis-server (stopped by PID at the end) and loads the W4 data sets. With one
 * dist (default ../dist/src/index.js) it times `count` commands. With several (paths to other
 * checkouts' dist/src/index.js) it alternates them in rounds of `count` commands, 6 rounds each,
 * on the same server, and prints per-build CPU µs per command and wall µs per command (median and
 * range over the rounds): a paired before/after comparison in one time window.
 * CEILING=1 also runs redis-benchmark (-c 1 -P 1 -3, the harness' C ceiling) for the same command
 * after every round and prints each build's wall rate as a fraction of it, round by round.
 */
import { startRedis } from '../test/support/redis-server.js';
import { DATA, KEYS } from './e2e/workloads/standard.js';
import { OWN_BUILD, loadRedis } from './support/builds.js';
import { singleClientCeiling } from './support/redis-benchmark.js';
import { seed } from './support/seed.js';
import { minMax, quantile } from './support/stats.js';
import { cpuPerOp, measure, turnOrder } from './support/timing.js';

type Client = {
  hgetall(k: string): Promise<Record<string, unknown>>;
  mget(keys: string[]): Promise<unknown[]>;
  lrange(k: string, a: number, b: number): Promise<unknown[]>;
  close(): Promise<void>;
};

const shape = process.argv[2] ?? 'hgetall';
const count = Number(process.argv[3] ?? 2000);
const dists = process.argv.slice(4);
if (dists.length === 0) dists.push(OWN_BUILD);
const ROUNDS = dists.length > 1 ? 6 : 1;
const mgetKeys = Array.from({ length: KEYS.mediumCount }, (_, i) => KEYS.medium(i));

const server = await startRedis({ args: ['--appendonly', 'no'] });
try {
  await seed(server, [...DATA.hash.commands(), ...DATA.medium.commands(), ...DATA.list.commands()]);
  const clients: Client[] = [];
  for (const d of dists) {
    const Redis = await loadRedis<Client>(d);
    clients.push(new Redis({ host: server.host, port: server.port }));
  }
  const op = (c: Client): Promise<unknown> =>
    shape === 'mget'
      ? c.mget(mgetKeys)
      : shape === 'lrange'
        ? c.lrange(KEYS.list, 0, -1)
        : c.hgetall(KEYS.hash);
  for (const c of clients) for (let i = 0; i < Math.max(20, count / 10); i++) await op(c);
  const benchArgs =
    shape === 'mget'
      ? ['MGET', ...mgetKeys]
      : shape === 'lrange'
        ? ['LRANGE', KEYS.list, '0', '-1']
        : ['HGETALL', KEYS.hash];
  const ceiling: number[] = [];
  const cpu: number[][] = dists.map(() => []);
  const wall: number[][] = dists.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const idx of turnOrder(clients.length, r)) {
      const c = clients[idx]!; // alternate which build goes first
      const m = await measure(async () => {
        for (let i = 0; i < count; i++) await op(c);
      });
      cpu[idx]!.push(cpuPerOp(m, count));
      wall[idx]!.push((m.ms * 1000) / count);
    }
    if (process.env.CEILING === '1') {
      const out = singleClientCeiling(server, Math.max(200, count), benchArgs);
      const rps = Number(/"[^"]*","([\d.]+)"/.exec(out)?.[1] ?? NaN);
      ceiling.push(1e6 / rps);
    }
  }
  const fmt = (xs: number[]): string => {
    // The upper middle of an even count (6 paired rounds), as this script has always printed.
    return `${quantile(xs, 0.5).toFixed(1)} (${minMax(xs, 1)})`;
  };
  for (let d = 0; d < dists.length; d++) {
    process.stdout.write(
      `${shape} x ${count} x ${ROUNDS} [${dists[d]}]: CPU µs/cmd ${fmt(cpu[d]!)}, wall µs/cmd ${fmt(wall[d]!)}\n`,
    );
  }
  if (ceiling.length > 0) {
    process.stdout.write(`C ceiling (redis-benchmark -c 1 -P 1) wall µs/cmd: ${fmt(ceiling)}\n`);
    for (let d = 0; d < dists.length; d++) {
      const ratios = ceiling.map((c, r) => c / wall[d]![r]!);
      process.stdout.write(
        `÷ ceiling per round [${dists[d]}]: ${ratios.map((x) => x.toFixed(2)).join(', ')}\n`,
      );
    }
  }
  for (const c of clients) await c.close();
} finally {
  await server.stop();
}
