/**
 * Issue #11 items 1, 2 and 13: a batch is judged whole before a byte of it is encoded. A bad
 * argument anywhere in a `multi()` rejects the transaction with DataError and sends nothing
 * (the server's INFO commandstats and the keys prove it); in a `pipeline()` only the bad
 * command's slot holds the DataError. `call()` with a name that is not a string rejects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionError, DataError, Redis, RedisError } from '../src/index.js';
import { parseInfo } from './support/raw-client.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

describe('batches are validated whole before anything is sent', { timeout: 60_000 }, () => {
  let server: RedisServerHandle;
  let r: Redis;
  before(async () => {
    server = await startRedis();
    r = new Redis({ host: server.host, port: server.port });
    await r.ping();
  });
  after(async () => {
    await r.close();
    await server.stop();
  });

  /** Calls of each command so far, from the server's own counters. */
  const calls = async (...names: string[]): Promise<number[]> => {
    const info = parseInfo(await server.command('INFO', 'commandstats'));
    return names.map((n) => Number(/calls=(\d+)/.exec(info[`cmdstat_${n}`] ?? '')?.[1] ?? 0));
  };
  const exists = async (...keys: string[]): Promise<number> =>
    Number(await server.command('EXISTS', ...keys));

  it('multi(): one bad argument rejects the whole transaction with DataError, nothing sent', async () => {
    const before = await calls('multi', 'exec', 'set', 'incr', 'get');
    const bad = r
      .multi()
      .set('a', '1')
      .set('b', {} as unknown as string);
    await assert.rejects(bad.exec(), (e: unknown) => {
      assert.ok(e instanceof DataError, String(e));
      assert.equal(e.command, 'SET');
      assert.match(e.message, /argument 2 has type object/);
      return true;
    });
    const first = r
      .multi()
      .set('x', {} as unknown as string)
      .get('y')
      .incr('n');
    await assert.rejects(first.exec(), DataError);
    const nan = r.multi().incr('n').incrby('n', Number.NaN);
    await assert.rejects(nan.exec(), /NaN/);
    const sym = r.multi().incr('n').call('SET', 'n', Symbol('s'));
    await assert.rejects(sym.exec(), DataError);
    assert.deepEqual(await calls('multi', 'exec', 'set', 'incr', 'get'), before);
    assert.equal(await exists('a', 'b', 'x', 'n'), 0);
    // The shared connection is unharmed: the next caller gets its own reply.
    assert.equal(await r.set('after', 'v'), 'OK');
    assert.equal(await r.get('after'), 'v');
  });

  it('pipeline(): only the bad command holds DataError; every other result keeps its position', async () => {
    const results = await r
      .pipeline()
      .set('p1', '1')
      .set('p2', [] as unknown as string)
      .get('p1')
      .call('INCR', 'pn')
      .call('SET', 'p3', undefined)
      .get('p2')
      .exec();
    assert.equal(results.length, 6);
    assert.equal(results[0], 'OK');
    assert.ok(results[1] instanceof DataError);
    assert.equal(results[1].command, 'SET');
    assert.equal(results[2], '1');
    assert.equal(results[3], 1);
    assert.ok(results[4] instanceof DataError);
    assert.equal(results[5], null);
  });

  it('a transaction waiting in the offline queue is refused whole too', async () => {
    const lazy = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    try {
      const before = await calls('multi', 'exec', 'set');
      assert.equal(lazy.status, 'idle');
      const ping = lazy.ping(); // starts connecting: what follows waits offline
      const tx = lazy
        .multi()
        .set('q1', '1')
        .set('q2', new Date() as unknown as string)
        .exec();
      await assert.rejects(tx, DataError);
      assert.equal(await ping, 'PONG');
      assert.equal(await lazy.get('q1'), null);
      assert.deepEqual(await calls('multi', 'exec', 'set'), before);
    } finally {
      await lazy.close();
    }
  });

  it('multi(): an argument over maxArgumentLength rejects exec() with DataError naming that command, not EXEC, nor its value; nothing sent', async () => {
    // Checked by the connection's queue (the limit is the client's): the error shared by the
    // block was tagged with each command in turn, so it named EXEC, the last, whatever was at fault.
    const value = 'secret-value-'.repeat(4); // 52 bytes: only the second SET is too long
    const connected = new Redis({ host: server.host, port: server.port, maxArgumentLength: 40 });
    const lazy = new Redis({
      host: server.host,
      port: server.port,
      maxArgumentLength: 40,
      lazyConnect: true,
    });
    try {
      await connected.ping();
      const before = await calls('multi', 'exec', 'set', 'incr');
      const ping = lazy.ping(); // starts connecting: the block below waits offline
      // Written at once on a ready connection (the encoder finds it), and judged as it enters the
      // line while connecting: both reach the caller of exec() the same way.
      for (const [label, client] of [
        ['connected', connected],
        ['offline', lazy],
      ] as const) {
        const tx = client.multi().incr('ml1').set('ml2', value).incr('ml3').exec();
        await assert.rejects(tx, (e: unknown) => {
          assert.ok(e instanceof DataError, `${label}: ${String(e)}`);
          assert.equal(e.command, 'SET', `${label}: ${e.message}`);
          assert.match(e.message, /maxArgumentLength/, label);
          assert.ok(!e.message.includes('secret-value'), `${label}: ${e.message}`);
          return true;
        });
      }
      assert.equal(await ping, 'PONG');
      assert.deepEqual(await calls('multi', 'exec', 'set', 'incr'), before);
      assert.equal(await exists('ml1', 'ml2', 'ml3'), 0);
      // Neither connection was left inside MULTI: the next caller gets its own reply.
      assert.equal(await connected.incr('ml1'), 1);
      assert.equal(await lazy.get('ml1'), '1');
    } finally {
      await connected.close();
      await lazy.close();
    }
  });

  it('a full offline queue refuses a transaction whole: MULTI is never stranded', async () => {
    const c = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxOfflineQueue: 3 });
    try {
      // Issued in one tick while connecting: two GETs fill 2 of 3 places, the 4-command block does not fit.
      const gets = [c.get('o1'), c.get('o2')];
      const tx = c.multi().set('o3', '1').set('o4', '1').exec();
      await assert.rejects(tx, ConnectionError);
      assert.deepEqual(await Promise.all(gets), [null, null]);
      // Every later caller gets its own reply, not 'QUEUED'.
      assert.equal(await c.set('o5', 'v'), 'OK');
      assert.equal(await c.get('o5'), 'v');
      assert.equal(await exists('o3', 'o4'), 0);
    } finally {
      await c.close();
    }
  });

  it('call() never throws synchronously: a name that is not a string rejects with DataError', async () => {
    const loose = r as unknown as { call(...a: unknown[]): Promise<unknown> };
    for (const name of [undefined, Symbol('x'), {}, 42, null, '']) {
      let p: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        p = loose.call(name, 'k');
      });
      await assert.rejects(p as Promise<unknown>, (e: unknown) => e instanceof DataError);
    }
    // A subcommand that is not a string is judged by the encoder, not by a crash in routing.
    await assert.rejects(loose.call('CLIENT', Symbol('sub')), DataError);
    await assert.rejects(loose.call('CLIENT', {}), DataError);
    // In a pipeline the bad name takes its slot.
    const results = await (
      r.pipeline() as unknown as { call(...a: unknown[]): { exec(): Promise<unknown[]> } }
    )
      .call(undefined)
      .exec();
    assert.ok(results[0] instanceof DataError);
    assert.ok(results[0] instanceof RedisError);
  });
});
