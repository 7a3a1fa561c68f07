/**
 * GET of one large value in a loop, in this process, for a CPU profile of the large-bulk path:
 *
 *   node --cpu-prof --cpu-prof-dir=bench/out/prof --import tsx bench/profile-bulk.ts [MB] [count] [buffers]
 *
 * Starts its own redis-server (stopped by PID at the end), writes the value over a raw socket,
 * then times `count` GETs through wredis (dist/) as strings, or as Buffers with `buffers`.
 * WREDIS_DIST=/path/to/other/checkout/dist/src/index.js measures another build (before/after);
 * PROFILE_CLIENT=ioredis runs the same loop through ioredis.
 */
import { performance } from 'node:perf_hooks';
import { RawClient } from '../test/support/raw-client.js';
import { startRedis } from '../test/support/redis-server.js';
import { payload } from './e2e/workload.js';

const DIST = process.env.WREDIS_DIST ?? '../dist/src/index.js';
const mb = Number(process.argv[2] ?? 10);
const count = Number(process.argv[3] ?? 100);
const buffers = process.argv[4] === 'buffers';

const server = await startRedis({ args: ['--appendonly', 'no'] });
try {
  const raw = await RawClient.connect({ host: server.host, port: server.port, timeoutMs: 30_000 });
  await raw.command('SET', 'big', payload(mb << 20, 1));
  raw.close();
  const { Redis } = (await import(DIST)) as {
    Redis: new (o: object) => {
      get(k: string): Promise<unknown>;
      withBuffers(): { get(k: string): Promise<unknown> };
      close(): Promise<void>;
    };
  };
  let r: { close(): Promise<unknown> };
  let c: { get(k: string): Promise<unknown> };
  if (process.env.PROFILE_CLIENT === 'ioredis') {
    // the same loop through ioredis (getBuffer for Buffers), for a profile of the peer
    const { Redis: IORedis } = await import('ioredis');
    const io = new IORedis({ host: server.host, port: server.port });
    r = { close: () => io.quit() };
    c = { get: (k) => (buffers ? io.getBuffer(k) : io.get(k)) };
  } else {
    const w = new Redis({ host: server.host, port: server.port });
    r = w;
    c = buffers ? w.withBuffers() : w;
  }
  for (let i = 0; i < Math.max(2, count / 10); i++) await c.get('big');
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < count; i++) n += ((await c.get('big')) as { length: number }).length;
  const ms = performance.now() - t0;
  process.stdout.write(
    `GET ${mb} MB x ${count} as ${buffers ? 'Buffers' : 'strings'}: ${(ms / count).toFixed(2)} ms each, ${((count * 1000) / ms).toFixed(1)}/s (${n} bytes)\n`,
  );
  await r.close();
} finally {
  await server.stop();
}
