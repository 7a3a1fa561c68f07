/**
 * Where W2's resident memory goes, wredis against ioredis, each in its own process:
 *
 *   node --expose-gc --import tsx bench/rss-w2.ts [wredis|ioredis] [count] [warm]
 *
 * `warm` is the warm-up as a fraction of `count` (0.1 by default; the harness warms up with 1).
 * Starts its own redis-server (stopped by PID at the end), then prints process.memoryUsage()
 * (MB) after import, after connect, after a W2 warm-up of count/10 commands and a gc(), and the
 * peak RSS while W2 runs `count` commands (sampled every 20 ms, as the harness does).
 */
import { existsSync, readFileSync } from 'node:fs';
import { startRedis } from '../test/support/redis-server.js';
import { w2, type InflightClient } from './support/inflight.js';
import { OWN_BUILD, loadRedis } from './support/builds.js';

const which = process.argv[2] === 'ioredis' ? 'ioredis' : 'wredis';
const count = Number(process.argv[3] ?? 600_000);
const warm = Number(process.argv[4] ?? 0.1);
const MB = 1 << 20;
const mem = (label: string): void => {
  const m = process.memoryUsage();
  const f = (x: number) => (x / MB).toFixed(1);
  process.stdout.write(
    `${which} ${label}: rss ${f(m.rss)} heapTotal ${f(m.heapTotal)} heapUsed ${f(m.heapUsed)} external ${f(m.external)} arrayBuffers ${f(m.arrayBuffers)}\n`,
  );
};

const server = await startRedis({ args: ['--appendonly', 'no'] });
try {
  type C = InflightClient & { close?(): Promise<void>; quit?(): Promise<unknown> };
  let c: C;
  if (which === 'ioredis') {
    const { Redis } = (await import('ioredis')) as unknown as { Redis: new (o: object) => C };
    mem('import');
    c = new Redis({ host: server.host, port: server.port });
  } else {
    const Redis = await loadRedis<C>(OWN_BUILD);
    mem('import');
    c = new Redis({ host: server.host, port: server.port });
  }
  await c.get('x');
  mem('connected');
  await w2(c, Math.max(1000, Math.round(count * warm)));
  globalThis.gc?.();
  mem('warm + gc');
  let peak = 0;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  await w2(c, count);
  clearInterval(t);
  mem('after loop');
  // Anonymous memory is the process' own; file pages (node's code) are shared with every Node process.
  if (existsSync('/proc/self/status')) {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    process.stdout.write(
      `${which} high-water rss ${(kb('VmHWM') / 1024).toFixed(1)}; now anonymous ${(kb('RssAnon') / 1024).toFixed(1)}, file ${(kb('RssFile') / 1024).toFixed(1)}\n`,
    );
  }
  process.stdout.write(`${which} peak rss during loop ${(peak / MB).toFixed(1)}\n`);
  if (c.close) await c.close();
  else await c.quit?.();
} finally {
  await server.stop();
}
