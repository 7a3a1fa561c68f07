/**
 * W2 and W3 in this process, for CPU profiles and paired CPU-per-command figures of the
 * write and read paths of many commands in flight:
 *
 *   node [--cpu-prof --cpu-prof-dir=bench/out/prof] --import tsx bench/profile-inflight.ts W2|W3 [count] [rounds]
 *
 * W2: GET/SET 100 B with 100 in flight (100 workers, each awaiting one command at a time);
 * W3: pipelines of 1,000 GET 100 B, one at a time (`pipeline().exec()`). Starts its own
 * redis-server (stopped by PID at the end). Prints one line per round: commands per second and
 * this process's CPU (user + system) in µs per command. WREDIS_DIST=/path/to/dist/src/index.js
 * measures another build; several, comma-separated, alternate round by round in this process
 * (paired: `WREDIS_DIST=/old/dist/src/index.js,/new/dist/src/index.js … W2 100000 10`), with
 * medians and the per-round CPU ratio to the first at the end. bench/paired-inflight.ts
 * alternates builds in separate processes instead. WORKERS=N sets W2's commands in flight (100).
 */
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startRedis } from '../test/support/redis-server.js';
import { buildsFromEnv, loadRedis } from './support/builds.js';
import {
  INFLIGHT_KEYS,
  INFLIGHT_VALUE,
  inflightKeys,
  w2,
  w3,
  type InflightClient,
} from './support/inflight.js';
import { seed } from './support/seed.js';
import { median, minMax, ratios } from './support/stats.js';

const workload = process.argv[2] ?? 'W2';
const count = Number(process.argv[3] ?? (workload === 'W3' ? 200 : 200_000));
const rounds = Number(process.argv[4] ?? 3);
const width = Number(process.env.WORKERS ?? 100);

// COUNT_IO=1: socket writes per round (each is a syscall, the largest single cost of W2).
const io = { writes: 0, bytes: 0 };
if (process.env.COUNT_IO === '1') {
  const write = Socket.prototype.write as (this: Socket, ...a: unknown[]) => boolean;
  Socket.prototype.write = function (this: Socket, ...a: unknown[]): boolean {
    io.writes++;
    io.bytes += (a[0] as { length: number }).length;
    return write.apply(this, a);
  };
}

type Client = InflightClient & { close(): Promise<void> };

const server = await startRedis({ args: ['--appendonly', 'no', '--save', ''] });
try {
  await seed(
    server,
    inflightKeys.map((k) => ['SET', k, INFLIGHT_VALUE]),
  );
  // Several builds (comma-separated WREDIS_DIST) alternate round by round in this one process,
  // each with its own client: a change in the machine's load hits them alike.
  const builds: Array<{ dist: string; c: Client; cpu: number[]; rate: number[] }> = [];
  for (const dist of buildsFromEnv()) {
    const Redis = await loadRedis<Client>(dist);
    builds.push({ dist, c: new Redis({ host: server.host, port: server.port }), cpu: [], rate: [] });
  }
  const run = workload === 'W3' ? w3 : (c: Client, n: number) => w2(c, n, width);
  const perOp = workload === 'W3' ? INFLIGHT_KEYS : 1;
  for (const b of builds) await run(b.c, Math.max(1, Math.floor(count / 10)));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < builds.length; k++) {
      const b = builds[(k + r) % builds.length] as (typeof builds)[number];
      io.writes = 0;
      io.bytes = 0;
      // Peak RSS over the round, sampled as the harness does (bench/e2e/measure.ts).
      const rss0 = process.memoryUsage.rss();
      let rssPeak = rss0;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await run(b.c, count);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      const cmds = count * perOp;
      b.cpu.push((cpu.user + cpu.system) / cmds);
      b.rate.push((cmds * 1000) / ms);
      process.stdout.write(
        `${workload} round ${r + 1}${builds.length > 1 ? ` build ${builds.indexOf(b) + 1}` : ''}: ${Math.round((cmds * 1000) / ms)} cmd/s, ${((cpu.user + cpu.system) / cmds).toFixed(3)} us CPU/cmd (user ${(cpu.user / cmds).toFixed(3)}, sys ${(cpu.system / cmds).toFixed(3)})${io.writes > 0 ? `, ${(cmds / io.writes).toFixed(1)} cmd/write` : ''}, RSS peak ${(rssPeak / 2 ** 20).toFixed(0)} MB (+${((rssPeak - rss0) / 2 ** 20).toFixed(0)})\n`,
      );
    }
  }
  if (builds.length > 1) {
    const first = builds[0] as (typeof builds)[number];
    for (const [i, b] of builds.entries()) {
      const r = ratios(b.cpu, first.cpu);
      process.stdout.write(
        `build ${i + 1} ${b.dist}: CPU us/cmd median ${median(b.cpu).toFixed(3)} (${minMax(b.cpu, 3)}), cmd/s median ${Math.round(median(b.rate))}` +
          (i > 0 ? `, CPU ÷ build 1 per round: median ${median(r).toFixed(3)} (${minMax(r, 3)})` : '') +
          '\n',
      );
    }
  }
  for (const b of builds) await b.c.close();
} finally {
  await server.stop();
}
