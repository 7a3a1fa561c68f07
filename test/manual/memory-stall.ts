/**
 * Manual measurement (not part of `npm test`): memory of 2M SETs issued without awaiting
 * against a SIGSTOPped redis-server, and after all of them timed out (issue #11, item 6).
 *   node --expose-gc --import tsx test/manual/memory-stall.ts [count] [commandTimeout ms] [--shared-handlers]
 * The caller's own promises and handlers, without wredis: test/manual/caller-baseline.ts.
 * Prints RSS at start, at the peak while commands are queued, and after everything settled + GC.
 */
import { Redis } from '../../src/index.js';
import { startRedis, sleep } from '../support/redis-server.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const count = Number(positional[0] ?? 2_000_000);
const timeout = Number(positional[1] ?? 5000);
// A second, separately reported shape: one pair of handler functions for every call (hoisted),
// instead of two new closures per call as written below. It changes what the caller keeps, not
// what the client keeps.
const sharedHandlers = process.argv.includes('--shared-handlers');
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const server = await startRedis();
const r = new Redis({ port: server.port, commandTimeout: timeout, connectTimeout: 2000 });
await r.connect();
gc();
const start = process.memoryUsage().rss;
process.kill(server.pid, 'SIGSTOP');
let peak = start;
const timeline = process.env.TIMELINE === '1';
const t00 = Date.now();
let ticks = 0;
const sample = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  if (timeline && ++ticks % Number(process.env.TIMELINE_EVERY ?? 20) === 0)
    console.error(
      `${((Date.now() - t00) / 1000).toFixed(1)}s rss +${mb(m.rss - start)} heap ${mb(m.heapUsed)} settled ${settled} queued ${r.connection.queued} status ${r.status}`,
    );
}, 50);
let settled = 0;
let timedOut = 0;
const value = 'v'.repeat(20);
const t0 = Date.now();
const onValue = (): number => settled++;
const onError = (): void => {
  settled++;
  timedOut++;
};
for (let i = 0; i < count; i++) {
  if (sharedHandlers) r.set(`key:${i}`, value).then(onValue, onError);
  else
    r.set(`key:${i}`, value).then(
      () => settled++,
      () => {
        settled++;
        timedOut++;
      },
    );
  if (i % 100_000 === 99_999) await new Promise((res) => setImmediate(res));
}
const issued = Date.now() - t0;
const issuePeak = Math.max(peak, process.memoryUsage().rss);
// Bounded: every command has timed out well before this (plus the reconnect attempts under way).
const waitMs = 60_000 + 2 * timeout;
for (let i = 0; i < waitMs / 100 && settled < count; i++) await sleep(100);
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
for (let i = 0; i < 5; i++) {
  gc();
  await sleep(100);
}
const end = process.memoryUsage().rss;
console.log(
  JSON.stringify({
    count,
    commandTimeout: timeout,
    handlers: sharedHandlers ? 'shared (--shared-handlers)' : 'two closures per call',
    issuedMs: issued,
    settled,
    rejected: timedOut,
    rssStart: mb(start),
    rssPeak: mb(peak),
    growth: mb(peak - start),
    growthWhileIssuing: mb(issuePeak - start),
    rssAfterGc: mb(end),
    afterVsStart: mb(end - start),
  }),
);
r.disconnect();
process.kill(server.pid, 'SIGCONT');
await server.stop();
