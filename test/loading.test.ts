/**
 * -LOADING from a real redis-server (issue #11, item 9): a dataset reloaded with
 * `key-load-delay` keeps the server loading for seconds, answering -LOADING while it does.
 * Commands issued then wait until INFO persistence says `loading:0` and succeed; outcomes
 * are counted, and the server's own error statistics show it did answer -LOADING.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from '../src/index.js';
import { RawClient, RespError, parseInfo } from './support/raw-client.js';
import { startRedis, waitUntil, type RedisServerHandle } from './support/redis-server.js';

const KEYS = 20_000;

/** The server's own count says it answered -LOADING (to us: the client waited, then sent again). */
async function answeredLoading(admin: RawClient): Promise<void> {
  const errors = parseInfo(await admin.command('INFO', 'errorstats'));
  const loadingReplies = Number(/count=(\d+)/.exec(errors.errorstat_LOADING ?? '')?.[1] ?? 0);
  assert.ok(loadingReplies >= 2, `-LOADING replies counted by the server: ${loadingReplies}`);
}

/**
 * Fills the server with KEYS keys that load slowly, runs `prepare` (before the statistics are
 * reset), then starts DEBUG RELOAD, whose reply comes when loading is done; resolves once the
 * server says it is loading, with that reply's promise (in an object: an async function would wait for it).
 */
async function slowReload(
  admin: RawClient,
  reloader: RawClient,
  prepare: () => Promise<unknown>,
): Promise<{ reload: Promise<unknown> }> {
  await admin.command('DEBUG', 'POPULATE', String(KEYS), 'fill', '16');
  // 100 µs per key: two seconds or more of loading; events (and so -LOADING replies) every 1 KiB read.
  await admin.command('CONFIG', 'SET', 'key-load-delay', '100');
  await admin.command('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024');
  await prepare();
  await admin.command('CONFIG', 'RESETSTAT');
  const reload = reloader.command('DEBUG', 'RELOAD');
  await waitUntil('server loading', 20_000, async () => {
    const info = parseInfo(await admin.command('INFO', 'persistence'));
    return info.loading === '1' ? undefined : `loading:${info.loading}`;
  });
  return { reload };
}

describe('-LOADING on a real server', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis({ args: ['--enable-debug-command', 'yes', '--save', ''] });
  });
  after(async () => {
    await server.stop();
  });

  it('commands issued while the server loads its dataset wait it out and all succeed', async () => {
    const admin = await server.client();
    const reloader = await RawClient.connect({ ...server.connectOptions(), timeoutMs: 120_000 });
    const r = new Redis({ port: server.port });
    try {
      // DEBUG RELOAD saves the dataset and loads it again.
      const { reload } = await slowReload(admin, reloader, () => r.set('counter', '0'));
      const refused = await admin.command('GET', 'counter').then(
        (v) => v,
        (e: unknown) => e,
      );
      assert.ok(refused instanceof RespError && refused.message.startsWith('LOADING'), String(refused));

      const n = 100;
      const ops: Array<Promise<unknown>> = [];
      for (let i = 0; i < n; i++) {
        ops.push(r.incr('counter'), r.set(`k${i}`, String(i)), r.get(`fill:${i}`));
      }
      const outcomes = await Promise.allSettled(ops);
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      assert.deepEqual(
        rejected.map((o) => String(o.reason)),
        [],
        'no command failed while the server loaded',
      );
      assert.equal(outcomes.length, 3 * n);
      assert.equal(await reload, 'OK');

      // Every INCR ran exactly once, every SET landed, every GET saw the loaded value.
      assert.equal(await r.get('counter'), String(n));
      const incrs = outcomes
        .filter((_, i) => i % 3 === 0)
        .map((o) => (o as PromiseFulfilledResult<unknown>).value);
      assert.deepEqual(
        [...incrs].sort((a, b) => Number(a) - Number(b)),
        Array.from({ length: n }, (_, i) => i + 1),
      );
      assert.deepEqual(
        await r.mget(Array.from({ length: n }, (_, i) => `k${i}`)),
        Array.from({ length: n }, (_, i) => String(i)),
      );
      const gets = outcomes
        .filter((_, i) => i % 3 === 2)
        .map((o) => String((o as PromiseFulfilledResult<unknown>).value));
      assert.ok(
        gets.every((v, i) => v.startsWith(`value:${i}`)),
        gets.slice(0, 3).join(', '),
      );

      // The server answered -LOADING meanwhile (to us: wredis waited, then sent the commands again).
      await answeredLoading(admin);
    } finally {
      r.disconnect();
      reloader.close();
      admin.close();
    }
  });

  it('commands refused with -LOADING run in the order they were issued (the last SET wins)', async () => {
    const admin = await server.client();
    const reloader = await RawClient.connect({ ...server.connectOptions(), timeoutMs: 120_000 });
    const r = new Redis({ port: server.port });
    try {
      await admin.command('FLUSHALL');
      const { reload } = await slowReload(admin, reloader, () => r.set('order', '0'));
      // One tick: every one of them is written, answered -LOADING and put back in line.
      const n = 20;
      const sets = Array.from({ length: n }, (_, i) => r.set('order', String(i + 1)));
      const incrs = Array.from({ length: n }, () => r.incr('order:count'));
      const rpushes = Array.from({ length: n }, (_, i) => r.rpush('order:list', String(i + 1)));
      const outcomes = await Promise.allSettled([...sets, ...incrs, ...rpushes]);
      assert.deepEqual(
        outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason)),
        [],
      );
      assert.equal(await reload, 'OK');
      assert.equal(await r.get('order'), String(n), 'the last SET issued is the value left');
      assert.deepEqual(
        outcomes.slice(n, 2 * n).map((o) => (o as PromiseFulfilledResult<unknown>).value),
        Array.from({ length: n }, (_, i) => i + 1),
        'INCR replies in issue order',
      );
      assert.deepEqual(
        await r.lrange('order:list', 0, -1),
        Array.from({ length: n }, (_, i) => String(i + 1)),
      );
      await answeredLoading(admin);
    } finally {
      r.disconnect();
      reloader.close();
      admin.close();
    }
  });
});
