/** Distributed locks against a real server: contention, expiry, extend, release of a lock not held. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DataError, LockError, NoBackoff, Redis, Retry, TimeoutError } from '../src/index.js';
import { Lock, randomToken } from '../src/features/lock.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';
import type { FaultProxy } from './support/fault-proxy.js';
import { startProxiedRedis, type ProxiedRedis } from './support/proxied-redis.js';

describe('Lock', () => {
  let server: RedisServerHandle;
  let a: Redis;
  let b: Redis;
  before(async () => {
    server = await startRedis();
    a = new Redis({ host: server.host, port: server.port });
    b = new Redis({ host: server.host, port: server.port, protocol: 2 });
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
    await server.stop();
  });
  beforeEach(() => server.command('FLUSHALL'));

  it('acquires with SET NX PX and a random token; owned/locked tell the state', async () => {
    const lock = new Lock(a, 'lk', { timeout: 10_000 });
    assert.equal(await lock.locked(), false);
    assert.equal(await lock.owned(), false);
    assert.equal(await lock.acquire(), true);
    assert.match(lock.token ?? '', /^[0-9a-f]{32}$/);
    assert.equal(await a.get('lk'), lock.token);
    const ttl = await a.pttl('lk');
    assert.ok(ttl > 0 && ttl <= 10_000, `pttl ${ttl}`);
    assert.equal(await lock.locked(), true);
    assert.equal(await lock.owned(), true);
    await lock.release();
    assert.equal(await lock.locked(), false);
    assert.equal(lock.token, undefined);
    assert.notEqual(randomToken(), randomToken());
  });

  it('a contender fails at once with blockingTimeout 0 or blocking false, and gets the lock once released', async () => {
    const holder = new Lock(a, 'lk', { timeout: 10_000 });
    await holder.acquire();
    await assert.rejects(new Lock(b, 'lk', { timeout: 10_000, blockingTimeout: 0 }).acquire(), LockError);
    await assert.rejects(new Lock(b, 'lk', { timeout: 10_000, blocking: false }).acquire(), LockError);
    const waiter = new Lock(b, 'lk', { timeout: 10_000, blockingTimeout: 10_000, sleep: 10 });
    const waiting = waiter.acquire();
    await new Promise((res) => setTimeout(res, 30));
    await holder.release();
    assert.equal(await waiting, true);
    assert.equal(await waiter.owned(), true);
    assert.equal(await holder.owned(), false);
  });

  it('rejects LockError when blockingTimeout passes', async () => {
    await new Lock(a, 'lk', { timeout: 10_000 }).acquire();
    const err = await new Lock(b, 'lk', { blockingTimeout: 50, sleep: 10 }).acquire().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof LockError, String(err));
  });

  it('gives mutual exclusion to many contenders (read-modify-write under the lock)', async () => {
    await a.set('counter', 0);
    const clients = [a, b];
    const workers = Array.from({ length: 10 }, async (_, i) => {
      const c = clients[i % 2] as Redis;
      const lock = new Lock(c, 'lk', { timeout: 10_000, blockingTimeout: 20_000, sleep: 5 });
      await lock.acquire();
      try {
        const n = Number(await c.get('counter'));
        await new Promise((res) => setTimeout(res, 2));
        await c.set('counter', n + 1);
      } finally {
        await lock.release();
      }
    });
    await Promise.all(workers);
    assert.equal(await a.get('counter'), '10');
  });

  it('an expired lock can be taken by another, and the first holder can then neither release nor extend it', async () => {
    const first = new Lock(a, 'lk', { timeout: 50 });
    await first.acquire();
    const second = new Lock(b, 'lk', { timeout: 10_000, blockingTimeout: 10_000, sleep: 10 });
    assert.equal(await second.acquire(), true);
    assert.equal(await first.owned(), false);
    await assert.rejects(first.extend(1000), LockError);
    await assert.rejects(first.reacquire(), LockError);
    await assert.rejects(first.release(), LockError);
    assert.equal(await b.get('lk'), second.token, 'the new holder keeps its lock');
    await second.release();
  });

  it('extends by adding to the TTL or replacing it; reacquire resets it', async () => {
    const lock = new Lock(a, 'lk', { timeout: 10_000 });
    await lock.acquire();
    assert.equal(await lock.extend(5000), true);
    let ttl = await a.pttl('lk');
    assert.ok(ttl > 10_000 && ttl <= 15_000, `added: ${ttl}`);
    assert.equal(await lock.extend(60_000, { replaceTtl: true }), true);
    ttl = await a.pttl('lk');
    assert.ok(ttl > 15_000 && ttl <= 60_000, `replaced: ${ttl}`);
    assert.equal(await lock.reacquire(), true);
    ttl = await a.pttl('lk');
    assert.ok(ttl > 0 && ttl <= 10_000, `reacquired: ${ttl}`);
    await lock.release();
  });

  it('release, extend and reacquire of a lock not held reject LockError', async () => {
    const lock = new Lock(a, 'lk', { timeout: 1000 });
    await assert.rejects(lock.release(), LockError);
    await assert.rejects(lock.extend(100), LockError);
    await assert.rejects(lock.reacquire(), LockError);
    // Held by someone else.
    await new Lock(b, 'lk', { timeout: 10_000 }).acquire();
    await assert.rejects(lock.release(), LockError);
  });

  it('a lock without timeout never expires and cannot be extended', async () => {
    const lock = new Lock(a, 'lk');
    await lock.acquire();
    assert.equal(await a.pttl('lk'), -1);
    await assert.rejects(lock.extend(1000), LockError);
    await lock.release();
  });

  it('stores a given token; holding the same token elsewhere is not reentrant', async () => {
    const token = randomToken();
    const mine = new Lock(a, 'lk', { timeout: 10_000, token });
    await mine.acquire();
    assert.equal(await a.get('lk'), token);
    await assert.rejects(new Lock(b, 'lk', { timeout: 10_000, token, blocking: false }).acquire(), LockError);
    await assert.rejects(mine.acquire({ blocking: false }), LockError);
    assert.equal(await mine.owned(), true);
    await mine.release();
  });

  it('works on a withBuffers() view', async () => {
    const lock = new Lock(a.withBuffers(), 'lk', { timeout: 10_000 });
    await lock.acquire();
    assert.equal(await lock.owned(), true);
    await lock.release();
  });

  it('rejects (never throws) invalid options with DataError', async () => {
    const bad = (o: object): Promise<true> => new Lock(a, 'lk', o).acquire();
    await assert.rejects(bad({ timeout: 0 }), DataError);
    await assert.rejects(bad({ timeout: 1.5 }), DataError);
    await assert.rejects(bad({ blockingTimeout: -1 }), DataError);
    await assert.rejects(bad({ sleep: Number.NaN }), DataError);
    await assert.rejects(new Lock(a, 'lk', { timeout: 100 }).extend(-5), DataError);
    assert.equal(await a.exists('lk'), 0);
  });

  it('an aborted wait rejects LockError with the reason as cause', async () => {
    await new Lock(a, 'lk', { timeout: 10_000 }).acquire();
    const controller = new AbortController();
    const waiting = new Lock(b, 'lk', { sleep: 20 }).acquire({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 30);
    const err = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof LockError, String(err));
    assert.equal((err.cause as Error).message, 'shutting down');
  });

  it('an abort while an attempt is in flight ends the wait at once, not after the next sleep', async () => {
    await new Lock(a, 'lk', { timeout: 10_000 }).acquire();
    const controller = new AbortController();
    const waiting = new Lock(b, 'lk', { sleep: 2 ** 40 }).acquire({ signal: controller.signal });
    // The first SET NX is on its way: the signal fires before its answer comes back.
    controller.abort(new Error('shutting down'));
    const err = await Promise.race([
      waiting.then(
        () => undefined,
        (e: unknown) => e,
      ),
      new Promise((res) => setTimeout(() => res('still waiting after 5 s'), 5000).unref()),
    ]);
    assert.ok(err instanceof LockError, String(err));
    assert.equal(err.code, 'ERR_WREDIS_ABORTED');
    assert.equal((err.cause as Error).message, 'shutting down');
  });

  it("a withOptions() view's signal ends acquire() as its own signal does (the SET's signal does not replace it)", async () => {
    await new Lock(a, 'lk', { timeout: 10_000 }).acquire();
    const controller = new AbortController();
    // The SET goes under a signal of the lock's own (to withdraw it when given up on); the view's
    // signal must still bound the wait. Without it the abort is ignored until blockingTimeout.
    const waiting = b
      .withOptions({ signal: controller.signal })
      .lock('lk', { sleep: 20, blockingTimeout: 3000 })
      .acquire();
    setTimeout(() => controller.abort(new Error('shutting down')), 30);
    const err = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof LockError, String(err));
    assert.equal(err.code, 'ERR_WREDIS_ABORTED', err.message);
    assert.equal((err.cause as Error).message, 'shutting down');
  });

  it('a sleep beyond what a timer holds (2 ** 31 ms and more) waits, not 1 ms between attempts', async () => {
    await new Lock(a, 'lk', { timeout: 10_000 }).acquire();
    await a.configResetstat();
    const controller = new AbortController();
    const waiting = new Lock(b, 'lk', { sleep: 2 ** 40 }).acquire({ signal: controller.signal });
    waiting.catch(() => undefined);
    // setTimeout() would turn the sleep into 1 ms: by now dozens of SET NX attempts.
    await new Promise((res) => setTimeout(res, 50));
    const m = /^cmdstat_set:calls=(\d+)/m.exec(await a.info('commandstats'));
    controller.abort(new Error('done'));
    await assert.rejects(waiting, LockError);
    assert.equal(Number(m?.[1] ?? 0), 1);
  });
});

/** What `p` settles with, or the string 'still waiting' if it has not settled within 10 s. */
function settled(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([
    p.then(
      (v) => v,
      (e: unknown) => e,
    ),
    new Promise((res) => setTimeout(() => res('still waiting after 10 s'), 10_000).unref()),
  ]);
}

/** Polls (bounded: 200 × 25 ms) until `check` holds; returns whether it did. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await new Promise((res) => setTimeout(res, 25));
  }
  return false;
}

describe('Lock under network faults', () => {
  let env: ProxiedRedis;
  let server: RedisServerHandle;
  let proxy: FaultProxy;
  let r: Redis;
  let admin: Redis;
  before(async () => {
    env = await startProxiedRedis();
    ({ server, proxy, r, admin } = env);
  });
  after(() => env.stop());
  beforeEach(async () => {
    await server.command('FLUSHALL');
    // RELEASE is not cached: its first EVALSHA is answered NOSCRIPT, so a lost answer means it did not run.
    await server.command('SCRIPT', 'FLUSH');
  });

  it('an acquire whose SET NX answer was lost reads the key back: the lock it took is held', async () => {
    await r.ping();
    const lock = new Lock(r, 'lk', { timeout: 30_000 });
    // The SET reaches the server, then the connection is reset before the answer comes back.
    proxy.resetAfterNextWrite();
    assert.equal(await lock.acquire(), true);
    const stored = await admin.get('lk');
    assert.ok(stored !== null);
    assert.equal(lock.token, stored);
    await lock.release();
    assert.equal(await admin.exists('lk'), 0);
  });

  it('a release whose answer was lost can be called again; the token check keeps it safe', async () => {
    const lock = new Lock(r, 'lk', { timeout: 30_000 });
    await lock.acquire();
    proxy.resetAfterNextWrite();
    await assert.rejects(lock.release(), { name: 'ConnectionError', code: 'ERR_WREDIS_CONNECTION_LOST' });
    assert.equal(await admin.get('lk'), lock.token, 'still held: the EVALSHA was answered NOSCRIPT');
    await lock.release();
    assert.equal(await admin.exists('lk'), 0);
    await assert.rejects(lock.release(), LockError);
  });

  it('when the key cannot be read back either, acquire rejects and release() still clears what it took', async () => {
    const cut = new Redis({
      host: server.host,
      port: proxy.port,
      connectTimeout: 200,
      retry: new Retry({ retries: 1, backoff: new NoBackoff() }),
    });
    cut.on('error', () => undefined);
    try {
      await cut.ping();
      const lock = new Lock(cut, 'lk');
      // The SET reaches the server; then nothing flows, so the read-back cannot be made.
      proxy.resetAfterNextWrite(() => proxy.pause());
      await assert.rejects(lock.acquire(), { name: 'ConnectionError', code: 'ERR_WREDIS_CONNECTION_LOST' });
      proxy.resume();
      assert.equal(lock.token, undefined);
      assert.equal(await admin.exists('lk'), 1, 'the SET ran: a lock without timeout, known to nobody');
      await lock.release();
      assert.equal(await admin.exists('lk'), 0);
      await assert.rejects(lock.release(), LockError);
    } finally {
      proxy.resume();
      cut.disconnect();
    }
  });

  it('blockingTimeout holds against a frozen server (no commandTimeout); a late SET that took the lock is released', async () => {
    await r.ping();
    await admin.configResetstat();
    const lock = new Lock(r, 'lk', { timeout: 30_000, blockingTimeout: 200, sleep: 10 });
    proxy.pause(); // socket open, nothing answers: the SET NX waits in the proxy
    try {
      const err = await settled(lock.acquire());
      assert.ok(err instanceof LockError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_LOCK_TIMEOUT');
      assert.ok(err.cause instanceof TimeoutError, String(err.cause));
      assert.equal(lock.token, undefined);
    } finally {
      proxy.resume();
    }
    // The held SET now reaches the server and takes the lock; PING behind it on the same connection
    // answers after it did. Then the token the caller gave up on is released, unasked.
    await r.ping();
    assert.ok(await eventually(async () => (await admin.exists('lk')) === 0), 'the stale lock is still held');
    const m = /^cmdstat_set:calls=(\d+)/m.exec(await admin.info('commandstats'));
    assert.equal(Number(m?.[1] ?? 0), 1, 'the SET ran');
    // Nothing left to release.
    await assert.rejects(lock.release(), LockError);
  });

  it('blockingTimeout holds when the answer was lost and the reconnect for the read-back does not come', async () => {
    r.on('error', () => undefined);
    await r.ping();
    const lock = new Lock(r, 'lk', { timeout: 30_000, blockingTimeout: 200, sleep: 10 });
    // The SET reaches the server, the connection is reset, and the reconnect hangs (default retry).
    proxy.resetAfterNextWrite(() => proxy.pause());
    try {
      const err = await settled(lock.acquire());
      assert.ok(err instanceof LockError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_LOCK_TIMEOUT');
      assert.ok(err.cause instanceof TimeoutError, String(err.cause));
      assert.equal(await admin.exists('lk'), 1, 'the SET ran: the lock is held by the token given up on');
    } finally {
      proxy.resume();
    }
    // The reconnect completes, the read-back finds the token, and the lock is released.
    assert.ok(await eventually(async () => (await admin.exists('lk')) === 0), 'the stale lock is still held');
  });

  it('an abort ends the wait of an attempt the frozen server does not answer', async () => {
    await r.ping();
    const lock = new Lock(r, 'lk', { timeout: 30_000 });
    const controller = new AbortController();
    proxy.pause();
    try {
      const waiting = settled(lock.acquire({ signal: controller.signal }));
      controller.abort(new Error('shutting down'));
      const err = await waiting;
      assert.ok(err instanceof LockError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_ABORTED');
      assert.equal((err.cause as Error).message, 'shutting down');
    } finally {
      proxy.resume();
    }
    await r.ping();
    assert.ok(await eventually(async () => (await admin.exists('lk')) === 0), 'the stale lock is still held');
  });
  describe('an acquire given up on while its SET waits unsent (the client still connecting)', () => {
    /** A client whose handshake the paused proxy holds: its commands wait in its offline queue. */
    const connecting = (): Redis => {
      proxy.pause();
      const c = new Redis({ host: server.host, port: proxy.port });
      c.on('error', () => undefined);
      return c;
    };
    /** Once the client is up, the SET given up on would have gone before this PING: it never ran. */
    const neverRan = async (c: Redis, lock: Lock): Promise<void> => {
      proxy.resume();
      await c.ping();
      const m = /^cmdstat_set:calls=(\d+)/m.exec(await admin.info('commandstats'));
      assert.equal(Number(m?.[1] ?? 0), 0, 'the SET was withdrawn: it never reached the server');
      assert.equal(await admin.exists('lk'), 0);
      assert.equal(lock.token, undefined);
      await assert.rejects(lock.release(), LockError);
    };

    it('abort: rejects LockError ABORTED and the SET never reaches the server', async () => {
      await admin.configResetstat();
      const c = connecting();
      try {
        const lock = new Lock(c, 'lk', { timeout: 30_000 });
        const controller = new AbortController();
        const waiting = settled(lock.acquire({ signal: controller.signal }));
        assert.equal(c.status, 'connecting');
        controller.abort(new Error('shutting down'));
        const err = await waiting;
        assert.ok(err instanceof LockError, String(err));
        assert.equal(err.code, 'ERR_WREDIS_ABORTED');
        await neverRan(c, lock);
      } finally {
        proxy.resume();
        c.disconnect();
      }
    });

    it('blockingTimeout: rejects LockError LOCK_TIMEOUT and the SET never reaches the server', async () => {
      await admin.configResetstat();
      const c = connecting();
      try {
        const lock = new Lock(c, 'lk', { timeout: 30_000, blockingTimeout: 100, sleep: 10 });
        const err = await settled(lock.acquire());
        assert.ok(err instanceof LockError, String(err));
        assert.equal(err.code, 'ERR_WREDIS_LOCK_TIMEOUT');
        assert.equal(c.status, 'connecting', 'the handshake was still held');
        await neverRan(c, lock);
      } finally {
        proxy.resume();
        c.disconnect();
      }
    });
  });

  it('a SET given up on after it was written, answered "not taken", releases nothing (the holder shares the token)', async () => {
    // Hand-over with a shared token: the holder has the key under the token this attempt uses.
    await admin.set('lk', 'shared');
    await r.ping();
    const lock = new Lock(r, 'lk', { timeout: 30_000, blockingTimeout: 100, sleep: 10, token: 'shared' });
    proxy.pause(); // the SET NX is written, and waits in the proxy
    try {
      const err = await settled(lock.acquire());
      assert.ok(err instanceof LockError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_LOCK_TIMEOUT');
    } finally {
      proxy.resume();
    }
    // The SET NX runs now and is answered nil; a RELEASE after it would delete the holder's lock.
    await r.ping();
    assert.equal(await admin.get('lk'), 'shared', "the holder's lock is untouched");
    await assert.rejects(lock.release(), LockError);
    assert.equal(await admin.get('lk'), 'shared');
  });
});
