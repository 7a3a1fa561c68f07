/**
 * The dedicated-connection pool of the standalone client (blocking commands, withConnection):
 * `maxBlockingConnections` bounds it, `blockingConnectionTimeout` bounds a caller's wait for a free
 * connection (ConnectionError ERR_WREDIS_POOL_TIMEOUT), 0 waits as long as it takes. The cluster's
 * per-node pools are tested in test/cluster/cases.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionError, DataError, Redis } from '../src/index.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

async function clients(server: RedisServerHandle): Promise<number> {
  const c = await server.client();
  try {
    return String(await c.command('CLIENT', 'LIST'))
      .trim()
      .split('\n').length;
  } finally {
    c.close();
  }
}

describe('blocking connection pool options', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });

  it('maxBlockingConnections bounds the pool; a caller beyond it times out with ERR_WREDIS_POOL_TIMEOUT', async () => {
    const r = new Redis({ port: server.port, maxBlockingConnections: 2, blockingConnectionTimeout: 100 });
    try {
      await r.connect();
      const base = await clients(server);
      // Both dedicated connections are taken at once (blocked until the pushes below).
      const a = r.blpop('pool:a', 0);
      const b = r.blpop('pool:b', 0);
      const err = await r.blpop('pool:c', 0).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_POOL_TIMEOUT');
      // Exactly two dedicated connections were opened (the blocked pair).
      assert.equal((await clients(server)) - base, 2);
      await r.rpush('pool:a', '1');
      await r.rpush('pool:b', '2');
      assert.deepEqual(await Promise.all([a, b]), [
        ['pool:a', '1'],
        ['pool:b', '2'],
      ]);
      // withConnection draws from the same pool.
      assert.equal(await r.withConnection(async (c) => c.ping()), 'PONG');
    } finally {
      r.disconnect();
    }
  });

  it('without a timeout a waiting caller gets the connection once it is free', async () => {
    const r = new Redis({ port: server.port, maxBlockingConnections: 1 });
    try {
      const first = r.blpop('wait:a', 0);
      // Waits for the one dedicated connection, which first holds until its pop returns.
      const second = r.withConnection(async (c) => c.rpush('wait:b', 'x'));
      await r.rpush('wait:a', 'go'); // on the shared connection
      assert.deepEqual(await first, ['wait:a', 'go']);
      assert.equal(await second, 1);
    } finally {
      r.disconnect();
    }
  });

  it('rejects invalid values with DataError', () => {
    assert.throws(
      () => new Redis({ port: server.port, maxBlockingConnections: 0, lazyConnect: true }),
      DataError,
    );
    assert.throws(
      () => new Redis({ port: server.port, blockingConnectionTimeout: -1, lazyConnect: true }),
      DataError,
    );
  });
});

describe('a lease that ends with a blocking command still in flight', { timeout: 30_000 }, () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });

  it('does not hand the still-blocked connection to the next caller; the leftover command rejects', async () => {
    // Default pool size: the connection the lease returns is the one the next caller is given.
    const r = new Redis({ port: server.port });
    try {
      let leftover: Promise<unknown> | undefined;
      // A tired borrower: fires BLPOP 0 without awaiting it and returns.
      await r.withConnection(async (c) => {
        leftover = c.blpop('lease:never', 0);
        leftover.catch(() => undefined);
        return 'done';
      });
      // Before the fix this queued behind BLPOP 0 on the same socket and never settled.
      const next = r.blpop('lease:next', 0);
      const lent = r.withConnection(async (c) => c.ping());
      await r.rpush('lease:next', 'v');
      assert.deepEqual(await next, ['lease:next', 'v']);
      assert.equal(await lent, 'PONG');
      // The abandoned BLPOP is not left waiting forever: its connection was dropped, outcome unknown.
      await assert.rejects(leftover as Promise<unknown>, ConnectionError);
      // It popped nothing: a value pushed now stays in the list.
      await r.rpush('lease:never', 'kept');
      assert.deepEqual(await r.lrange('lease:never', 0, -1), ['kept']);
    } finally {
      r.disconnect();
    }
  });

  it("close() with the client's own command in flight (reauthenticate()'s AUTH) on a lent connection: its replies still arrive", async () => {
    // The default user has no password: AUTH default <anything> succeeds, so reauthenticate() sends one.
    const r = new Redis({ port: server.port, username: 'default', password: 'any' });
    try {
      await r.set('close:auth', '1');
      let closing: Promise<void> | undefined;
      const counted = r.withConnection(async (c) => {
        await c.ping(); // the lent connection is up
        const incr = c.incr('close:auth');
        const re = r.reauthenticate();
        // Microtasks only, no I/O: the AUTH is written behind the INCR, neither is answered yet.
        for (let i = 0; i < 100; i++) await Promise.resolve();
        closing = r.close(); // graceful: replies to commands already issued arrive first
        await re;
        return incr;
      });
      // The server runs the INCR: its caller must hear so, not a ConnectionError.
      assert.equal(await counted, 2);
      await closing;
      assert.equal(await server.command('GET', 'close:auth'), '2');
    } finally {
      r.disconnect();
    }
  });

  it('close() lets a lent connection get the replies to what it sent (its EXEC); only a blocked one is dropped', async () => {
    const r = new Redis({ port: server.port });
    try {
      await r.set('close:bal', '10');
      const blocked = r.blpop('close:never', 0);
      blocked.catch(() => undefined);
      let closing: Promise<void> | undefined;
      const committed = r.withConnection(async (c) => {
        await c.watch('close:bal');
        const tx = c.multi().incrby('close:bal', 5).exec();
        await new Promise((res) => setImmediate(res)); // the block is on its way
        closing = r.close(); // graceful: replies to commands already issued arrive first
        return tx;
      });
      // The server runs the transaction: its caller must hear so, not a ConnectionError.
      assert.deepEqual(await committed, [15]);
      await closing;
      await assert.rejects(blocked, ConnectionError);
      assert.equal(await server.command('GET', 'close:bal'), '15');
    } finally {
      r.disconnect();
    }
  });
});
