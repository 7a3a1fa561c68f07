/**
 * What Node itself costs for the W4 shapes, one command at a time: a bare `net` socket that reads
 * into one reused 64 KiB buffer (`onread`, as wredis' transport does) and only counts bytes until
 * the reply is complete, beside wredis and redis-benchmark (-c 1 -P 1 -3, the harness' C ceiling)
 * on the same server, in the same time window:
 *
 *   node --import tsx bench/floor-agg.ts [hgetall|mget] [count] [rounds]
 *
 * Prints per round: p50 and mean latency (µs) and CPU µs per command of the bare socket and of
 * wredis (dist/), and redis-benchmark's p50 and mean (1e6 / rps). Starts its own redis-server
 * (stopped by PID at the end). Bounded by rounds × 3 × count commands.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startRedis } from '../test/support/redis-server.js';
import { DATA, KEYS } from './e2e/workloads/standard.js';
import { OWN_BUILD, loadRedis } from './support/builds.js';
import { singleClientCeiling } from './support/redis-benchmark.js';
import { seed } from './support/seed.js';

type Client = {
  hgetall(k: string): Promise<unknown>;
  mget(keys: string[]): Promise<unknown>;
  close(): Promise<void>;
};

const shape = process.argv[2] === 'mget' ? 'mget' : 'hgetall';
const count = Number(process.argv[3] ?? 2000);
const rounds = Number(process.argv[4] ?? 3);
const mgetKeys = Array.from({ length: KEYS.mediumCount }, (_, i) => KEYS.medium(i));
const args = shape === 'mget' ? ['MGET', ...mgetKeys] : ['HGETALL', KEYS.hash];
const wire = Buffer.from(
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
);

const server = await startRedis({ args: ['--appendonly', 'no'] });
try {
  await seed(server, [...DATA.hash.commands(), ...DATA.medium.commands()]);

  // The bare socket: RESP3 like the others; a reply is complete when its known size has arrived.
  let got = 0;
  let want = Infinity;
  let done: (() => void) | null = null;
  const sock = connect({
    host: server.host,
    port: server.port,
    onread: {
      buffer: Buffer.allocUnsafe(65536),
      callback: (n: number) => {
        got += n;
        if (got >= want && done !== null) {
          const f = done;
          done = null;
          f();
        }
        return true;
      },
    },
  });
  await new Promise((r) => sock.once('connect', r));
  sock.setNoDelay(true);
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  sock.write('*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n');
  await settle(200);
  got = 0;
  sock.write(wire);
  await settle(500); // the reply's size: everything that arrived for one command
  const size = got;
  const bare = () =>
    new Promise<void>((r) => {
      got = 0;
      want = size;
      done = r;
      sock.write(wire);
    });

  const Redis = await loadRedis<Client>(OWN_BUILD);
  const w = new Redis({ host: server.host, port: server.port });
  const wredis = () => (shape === 'mget' ? w.mget(mgetKeys) : w.hgetall(KEYS.hash));
  for (let i = 0; i < 300; i++) {
    await bare();
    await wredis();
  }

  const timed = async (op: () => Promise<unknown>) => {
    const lat: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await op();
      lat.push((performance.now() - t) * 1000);
    }
    const c = process.cpuUsage(c0);
    lat.sort((a, b) => a - b);
    const mean = lat.reduce((a, b) => a + b, 0) / count;
    return `p50 ${lat[count >> 1]!.toFixed(0)} mean ${mean.toFixed(0)} CPU ${((c.user + c.system) / count).toFixed(0)}`;
  };
  process.stdout.write(`${shape}, reply ${size} B, ${count} commands per client per round (µs)\n`);
  for (let r = 0; r < rounds; r++) {
    const b = await timed(bare);
    const x = await timed(wredis);
    const out = singleClientCeiling(server, count, args);
    const m = /"[^"]*","([\d.]+)","[\d.]+","[\d.]+","([\d.]+)"/.exec(out);
    const c =
      m === null ? '?' : `p50 ${(Number(m[2]) * 1000).toFixed(0)} mean ${(1e6 / Number(m[1])).toFixed(0)}`;
    process.stdout.write(`round ${r + 1}: bare socket ${b} | wredis ${x} | redis-benchmark ${c}\n`);
  }
  sock.destroy();
  await w.close();
} finally {
  await server.stop();
}
