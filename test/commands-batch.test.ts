/** pipeline(), multi()/exec (ExecAbortError), withConnection() with WATCH (WatchError), with typed methods. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  CommandSyntaxError,
  ConnectionError,
  ErrorCodes,
  ExecAbortError,
  ResponseError,
  WatchError,
} from '../src/index.js';
import { perProtocol } from './commands-setup.js';

perProtocol('pipelines and transactions', (ctx) => {
  it('a pipeline shapes typed replies and keeps each error in its slot', async () => {
    const r = ctx.r;
    await r.set('str', 'x');
    const results = await r
      .pipeline()
      .hset('h', { a: '1' })
      .hgetall('h')
      .zadd('z', 1.5, 'm')
      .zscore('z', 'm')
      .lpush('str', 'boom')
      .set('k', 'v', { ex: 1, px: 1 } as never)
      .xadd('s', '1-1', { f: 'v' })
      .xrange('s', '-', '+')
      .smismember('nos', 'a')
      .exec();
    assert.equal(results.length, 9);
    assert.deepEqual(results.slice(0, 4), [1, { a: '1' }, 1, 1.5]);
    assert.ok(
      results[4] instanceof ResponseError &&
        results[4].code === 'WRONGTYPE' &&
        results[4].command === 'LPUSH',
    );
    assert.ok(results[5] instanceof CommandSyntaxError);
    assert.deepEqual(results.slice(6), ['1-1', [{ id: '1-1', fields: { f: 'v' } }], [false]]);
    assert.deepEqual(await r.pipeline().exec(), []);
  });

  it('a long pipeline keeps every reply in its slot, in order, and one sent while closed fills each slot with the error', async () => {
    const r = ctx.r;
    await r.set('str', 'x');
    const p = r.pipeline();
    for (let i = 0; i < 2500; i++) {
      if (i % 500 === 7) p.lpush('str', 'boom');
      else if (i % 2 === 0) p.incr('n');
      else p.call('ECHO', `e${i}`);
    }
    const results: unknown[] = await p.exec();
    assert.equal(results.length, 2500);
    let n = 0;
    results.forEach((v, i) => {
      if (i % 500 === 7) assert.ok(v instanceof ResponseError && v.command === 'LPUSH', `slot ${i}`);
      else if (i % 2 === 0) assert.equal(v, ++n, `slot ${i}`);
      else assert.equal(v, `e${i}`, `slot ${i}`);
    });
    const closed = ctx.client();
    await closed.connect();
    await closed.close();
    const failed = await closed.pipeline().get('a').set('b', 'c').exec();
    assert.equal(failed.length, 2);
    for (const e of failed)
      assert.ok(e instanceof ConnectionError && e.code === ErrorCodes.CONNECTION_CLOSED, String(e));
    assert.deepEqual(
      failed.map((e) => (e as ConnectionError).command),
      ['GET', 'SET'],
    );
  });

  it('multi()/exec shapes EXEC results; a runtime error stays in its slot', async () => {
    const r = ctx.r;
    await r.set('str', 'x');
    const p = r
      .multi()
      .hset('h', { a: '1' })
      .hgetall('h')
      .incrbyfloat('n', 1.5)
      .lpush('str', 'boom')
      .zrangeWithScores('none', 0, -1);
    assert.equal(p.length, 5);
    const results = await p.exec();
    assert.deepEqual(results.slice(0, 3), [1, { a: '1' }, 1.5]);
    assert.ok(results[3] instanceof ResponseError && results[3].code === 'WRONGTYPE');
    assert.deepEqual(results[4], []);
  });

  it('a command refused while queueing aborts the transaction with ExecAbortError (the refusal as cause)', async () => {
    const r = ctx.r;
    const err = await r
      .multi()
      .set('a', '1')
      .call('SET', 'only-key')
      .exec()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof ExecAbortError, String(err));
    assert.ok((err as { cause?: unknown }).cause instanceof ResponseError);
    assert.equal(await r.exists('a'), 0);
  });

  it('a typed method that throws rejects exec() before anything is sent; discard() drops the queue', async () => {
    const r = ctx.r;
    await assert.rejects(
      r
        .multi()
        .set('a', '1')
        .set('b', '2', { nx: true, xx: true } as never)
        .exec(),
      CommandSyntaxError,
    );
    assert.equal(await r.exists('a'), 0);
    const t = r.multi().set('a', '1');
    t.discard();
    assert.deepEqual(await t.exec(), []);
    assert.equal(await r.exists('a'), 0);
  });

  it('withConnection: WATCH then MULTI commits when nothing changed', async () => {
    const r = ctx.r;
    await r.set('bal', '10');
    const results = await r.withConnection(async (conn) => {
      assert.equal(await conn.watch('bal'), 'OK');
      const bal = Number(await conn.get('bal'));
      return conn
        .multi()
        .set('bal', String(bal - 3))
        .get('bal')
        .exec();
    });
    assert.deepEqual(results, ['OK', '7']);
  });

  it('withConnection: a watched key changed by someone else makes exec() reject with WatchError', async () => {
    const r = ctx.r;
    await r.set('bal', '10');
    await assert.rejects(
      r.withConnection(async (conn) => {
        await conn.watch(['bal', 'other']);
        await r.set('bal', '0'); // another connection writes
        return conn.multi().set('bal', '99').exec();
      }),
      (e: unknown) => e instanceof WatchError && e.command === 'EXEC',
    );
    assert.equal(await r.get('bal'), '0');
  });

  it('withConnection: unwatch, and watches end with the lease', async () => {
    const r = ctx.r;
    await r.set('k', '1');
    await r.withConnection(async (conn) => {
      await conn.watch('k');
      await r.set('k', '2');
      assert.equal(await conn.unwatch(), 'OK');
      assert.deepEqual(await conn.multi().set('k', '3').exec(), ['OK']);
    });
    // A watch left behind by one lease must not abort the next lease's transaction.
    await r.withConnection(async (conn) => {
      await conn.watch('k');
    });
    await r.set('k', '4');
    const again = await r.withConnection(async (conn) => conn.multi().get('k').exec());
    assert.deepEqual(again, ['4']);
  });

  it('withConnection: an EXEC or DISCARD refused for want of MULTI keeps the watches, and the lease still clears them', async () => {
    const r = ctx.r;
    for (const stray of ['DISCARD', 'EXEC']) {
      await r.withConnection(async (conn) => {
        await conn.watch('k');
        // Refused ("… without MULTI"): the server still watches 'k'.
        await assert.rejects(conn.call(stray), ResponseError);
      });
      await r.set('k', stray);
      // The pool lends that same connection next: a watch left on it would abort this transaction.
      assert.deepEqual(await r.withConnection(async (conn) => conn.multi().get('k').exec()), [stray]);
    }
  });

  it('withConnection: a WATCH still waiting for the connection to come up when the lease ends is not left on it', async () => {
    const c = ctx.client();
    // A new client's first lent connection is still connecting: the WATCH waits in its queue.
    await c.withConnection(async (conn) => {
      conn.watch('k').catch(() => undefined);
    });
    const results = await c.withConnection(async (conn) => {
      await conn.ping(); // whatever the connection still had queued has run by now
      await ctx.r.set('k', 'changed');
      return conn.multi().get('k').exec();
    });
    assert.deepEqual(results, ['changed']);
  });

  it('withBuffers() batches give bytes', async () => {
    await ctx.r.set('b', 'bytes');
    const [v] = await ctx.r.withBuffers().pipeline().get('b').exec();
    assert.ok(v instanceof Uint8Array);
    const [w] = await ctx.r.withBuffers().multi().get('b').exec();
    assert.ok(w instanceof Uint8Array);
  });
});
