/**
 * Manual measurement (not part of `npm test`): heap bytes per SET waiting on a SIGSTOPped
 * redis-server, after GC, each with a `.then(ok, fail)` attached as a caller would (issue #11, item 6).
 *   node --expose-gc --import tsx test/manual/heap-probe.ts [count] [snapshot-path]
 * CT=<ms> sets commandTimeout (default 600000, so nothing expires while measuring).
 */
import v8 from 'node:v8';
import { Redis } from '../../src/index.js';
import { startRedis } from '../support/redis-server.js';

const count = Number(process.argv[2] ?? 200_000);
const snapshot = process.argv[3];
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const server = await startRedis();
const r = new Redis({
  port: server.port,
  commandTimeout: Number(process.env.CT ?? 600_000),
  connectTimeout: 2000,
});
await r.connect();
process.kill(server.pid, 'SIGSTOP');
const value = 'v'.repeat(20);
const keys: string[] = [];
for (let i = 0; i < count; i++) keys.push(`key:${i}`);
gc();
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < count; i++)
  r.set(keys[i] as string, value).then(
    () => undefined,
    () => undefined,
  );
await new Promise((resolve) => setTimeout(resolve, 200));
gc();
gc();
const after = process.memoryUsage().heapUsed;
console.log(
  JSON.stringify({
    count,
    bytesPerCommand: Math.round((after - before) / count),
    queued: r.connection.queued,
  }),
);
if (snapshot !== undefined) v8.writeHeapSnapshot(snapshot);
r.disconnect();
process.kill(server.pid, 'SIGCONT');
await server.stop();
