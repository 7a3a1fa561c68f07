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
 * alternates builds in separate processes instead.
 */
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { RawClient } from '../test/support/raw-client.js';
import { startRedis } from '../test/support/redis-server.js';

const DIST = process.env.WREDIS_DIST ?? '../dist/src/index.js';
const workload = process.argv[2] ?? 'W2';
const count = Number(process.argv[3] ?? (workload === 'W3' ? 200 : 200_000));
const rounds = Number(process.argv[4] ?? 3);
const KEYS = 1000;

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

interface Client {
  get(k: string): Promise<unknown>;
  set(k: string, v: string): Promise<unknown>;
  pipeline(): { get(k: string): unknown; exec(): Promise<unknown[]> };
  close(): Promise<void>;
}

const server = await startRedis({ args: ['--appendonly', 'no', '--save', ''] });
try {
  const value = 'v'.repeat(100);
  const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
  const raw = await RawClient.connect({ host: server.host, port: server.port, timeoutMs: 30_000 });
  for (const k of keys) await raw.command('SET', k, value);
  raw.close();
  // Several builds (comma-separated WREDIS_DIST) alternate round by round in this one process,
  // each with its own client: a change in the machine's load hits them alike.
  const builds: Array<{ dist: string; c: Client; cpu: number[]; rate: number[] }> = [];
  for (const dist of DIST.split(',')) {
    const { Redis } = (await import(dist)) as { Redis: new (o: object) => Client };
    builds.push({ dist, c: new Redis({ host: server.host, port: server.port }), cpu: [], rate: [] });
  }

  const w2 = async (c: Client, n: number): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const k = keys[i % KEYS] as string;
        if ((i & 1) === 0) await c.get(k);
        else await c.set(k, value);
      }
    };
    const all: Array<Promise<void>> = [];
    for (let w = 0; w < 100; w++) all.push(worker());
    await Promise.all(all);
  };
  const w3 = async (c: Client, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const p = c.pipeline();
      for (let j = 0; j < KEYS; j++) p.get(keys[j] as string);
      const r = await p.exec();
      if (r.length !== KEYS) throw new Error('short pipeline');
    }
  };
  const run = workload === 'W3' ? w3 : w2;
  const perOp = workload === 'W3' ? KEYS : 1;
  for (const b of builds) await run(b.c, Math.max(1, Math.floor(count / 10)));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < builds.length; k++) {
      const b = builds[(k + r) % builds.length] as (typeof builds)[number];
      io.writes = 0;
      io.bytes = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await run(b.c, count);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cmds = count * perOp;
      b.cpu.push((cpu.user + cpu.system) / cmds);
      b.rate.push((cmds * 1000) / ms);
      process.stdout.write(
        `${workload} round ${r + 1}${builds.length > 1 ? ` build ${builds.indexOf(b) + 1}` : ''}: ${Math.round((cmds * 1000) / ms)} cmd/s, ${((cpu.user + cpu.system) / cmds).toFixed(3)} us CPU/cmd (user ${(cpu.user / cmds).toFixed(3)}, sys ${(cpu.system / cmds).toFixed(3)})${io.writes > 0 ? `, ${(cmds / io.writes).toFixed(1)} cmd/write` : ''}\n`,
      );
    }
  }
  if (builds.length > 1) {
    const median = (xs: number[]): number => {
      const v = [...xs].sort((x, y) => x - y);
      const m = v.length >> 1;
      return v.length % 2 === 1 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
    };
    const first = builds[0] as (typeof builds)[number];
    for (const [i, b] of builds.entries()) {
      const ratios = b.cpu.map((c, j) => c / (first.cpu[j] as number));
      process.stdout.write(
        `build ${i + 1} ${b.dist}: CPU us/cmd median ${median(b.cpu).toFixed(3)} (${Math.min(...b.cpu).toFixed(3)}–${Math.max(...b.cpu).toFixed(3)}), cmd/s median ${Math.round(median(b.rate))}` +
          (i > 0
            ? `, CPU ÷ build 1 per round: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`
            : '') +
          '\n',
      );
    }
  }
  for (const b of builds) await b.c.close();
} finally {
  await server.stop();
}
