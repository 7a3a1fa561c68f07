/**
 * Per-call options (`withOptions({ signal, timeout })`, `withConnection(fn, { signal })`) and
 * `duplicate()`, against a real server under RESP2 and RESP3.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DataError, ErrorCodes, Lock, Redis, RedisCluster, TimeoutError } from '../src/index.js';
import { perProtocol } from './commands-setup.js';
import { startHoldProxy } from './support/hold-proxy.js';
import { abortWhileEnding, pipeClosed } from './support/lent-abort.js';
import { waitUntil } from './support/redis-server.js';

async function blockedClients(r: Redis): Promise<number> {
  return Number((await r.infoObject('clients'))['blocked_clients']);
}

/** Polls every 10 ms, for 2 s at most, until the server counts `n` blocked clients. */
function blockedReach(r: Redis, n: number, what: string): Promise<void> {
  return waitUntil(
    what,
    2000,
    async () => {
      const now = await blockedClients(r);
      return now === n ? undefined : `${now} blocked`;
    },
    10,
  );
}

const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

async function calls(r: Redis, command: string): Promise<number> {
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await r.info('commandstats'));
  return m === null ? 0 : Number(m[1]);
}

perProtocol('withOptions, withConnection signal, duplicate', (ctx) => {
  it('an abort rejects a blocked BLPOP with the reason and frees the server-side wait', async () => {
    const r = ctx.r;
    const ac = new AbortController();
    const popped = r.withOptions({ signal: ac.signal }).blpop('q', 0);
    await blockedReach(r, 1, 'BLPOP to block');
    const reason = new Error('user went away');
    ac.abort(reason);
    await assert.rejects(popped, (e: unknown) => e === reason);
    await blockedReach(r, 0, 'the blocked connection to go');
    // The list was not consumed by the abandoned BLPOP.
    await r.rpush('q', 'x');
    assert.deepEqual(await r.lrange('q', 0, -1), ['x']);
  });

  it('a command queued before the connection is ready is dropped unsent when aborted', async () => {
    const r = ctx.r;
    const lazy = ctx.client({ lazyConnect: true });
    await r.configResetstat();
    const ac = new AbortController();
    const view = lazy.withOptions({ signal: ac.signal });
    const set = view.set('dropped', '1');
    const kept = view.set('kept', '1');
    ac.abort();
    await assert.rejects(set, isAbort);
    await assert.rejects(kept, isAbort);
    await lazy.connect();
    assert.equal(await lazy.get('dropped'), null);
    assert.equal(await calls(r, 'set'), 0);
    // An already aborted signal: rejected at once, nothing sent.
    await assert.rejects(view.incr('n'), isAbort);
    assert.equal(await calls(r, 'incr'), 0);
  });

  it('a command handed over but not yet written (this tick, or waiting for room) is withdrawn when aborted', async () => {
    const r = ctx.r;
    const c = ctx.client();
    await c.ping();
    await r.configResetstat();
    // In the write buffer of this tick, between two commands that stay.
    const ac = new AbortController();
    const before = c.incr('w');
    const withdrawn = c.withOptions({ signal: ac.signal }).incr('w');
    const after = c.incr('w');
    ac.abort();
    await assert.rejects(withdrawn, isAbort);
    assert.equal(await before, 1);
    assert.equal(await after, 2);
    assert.equal(await calls(r, 'incr'), 2);
    // Waiting for room behind maxInflight.
    const narrow = ctx.client({ maxInflight: 1 });
    await narrow.ping();
    const ac2 = new AbortController();
    const first = narrow.get('w');
    const queued = narrow.withOptions({ signal: ac2.signal }).incrby('w', 10);
    const last = narrow.get('w');
    ac2.abort();
    await assert.rejects(queued, isAbort);
    assert.equal(await first, '2');
    assert.equal(await last, '2');
    assert.equal(await calls(r, 'incrby'), 0);
  });

  it("a view's pipeline or transaction: exec() rejects on abort or timeout; unwritten pipeline commands are withdrawn", async () => {
    const r = ctx.r;
    const c = ctx.client();
    await c.ping();
    await r.configResetstat();
    const ac = new AbortController();
    const run = c.withOptions({ signal: ac.signal }).pipeline().incr('pw').incr('pw').exec();
    ac.abort();
    await assert.rejects(run, isAbort);
    // Already aborted: a transaction sends nothing either.
    await assert.rejects(c.withOptions({ signal: ac.signal }).multi().incr('pw').exec(), isAbort);
    assert.equal(await c.get('pw'), null);
    assert.equal(await calls(r, 'incr'), 0);
    // Written before the timeout: exec() rejects, the commands keep their slots and run.
    const other = ctx.client();
    await other.call('CLIENT', 'PAUSE', 300, 'WRITE');
    await assert.rejects(c.withOptions({ timeout: 50 }).pipeline().set('pt', '1').exec(), TimeoutError);
    await assert.rejects(c.withOptions({ timeout: 50 }).multi().set('pt2', '2').exec(), TimeoutError);
    assert.deepEqual([await c.get('pt'), await c.get('pt2')], ['1', '2']);
    // Neither aborted nor late: results as without the view.
    const live = c.withOptions({ signal: new AbortController().signal, timeout: 5000 });
    assert.deepEqual(await live.pipeline().incr('pw').incr('pw').exec(), [1, 2]);
    assert.deepEqual(await live.multi().incr('pw').exec(), [3]);
  });

  it('timeout: TimeoutError after the given ms; a sent command keeps its slot', async () => {
    const r = ctx.r;
    const quick = r.withOptions({ timeout: 50 });
    await assert.rejects(
      quick.blpop('q', 0),
      (e: unknown) => e instanceof TimeoutError && e.code === ErrorCodes.COMMAND_TIMEOUT,
    );
    const other = ctx.client();
    await other.call('CLIENT', 'PAUSE', 400, 'WRITE');
    await assert.rejects(quick.set('late', 'v'), TimeoutError);
    // The write was sent: it runs when the pause ends, and the connection stays in order.
    assert.equal(await r.get('late'), 'v');
    assert.equal(await quick.get('late'), 'v');
  });

  it('withConnection(fn, { signal }): the abort rejects with the reason and drops the lent connection', async () => {
    const r = ctx.r;
    const ac = new AbortController();
    const lent = r.withConnection(async (c) => c.blpop('q2', 0), { signal: ac.signal });
    await blockedReach(r, 1, 'BLPOP to block');
    ac.abort();
    await assert.rejects(lent, isAbort);
    await blockedReach(r, 0, 'the lent connection to go');
    assert.equal(await r.withConnection(async (c) => c.ping()), 'PONG');
  });

  it("withConnection(fn, { signal }) aborted while the lent connection ends (UNWATCH unanswered): fn's outcome stands, the connection is dropped", async () => {
    // The abort rejected the call although fn had finished, and left the lease waiting on the
    // UNWATCH it had interrupted (for good, if the answer never came).
    const proxy = await startHoldProxy(ctx.server.port);
    const c = new Redis({ port: proxy.port, protocol: ctx.protocol });
    const reason = new Error('aborted after fn');
    try {
      await c.ping();
      const lend = (
        fn: (x: { watch(k: string): Promise<unknown> }) => Promise<unknown>,
        signal: AbortSignal,
      ) => c.withConnection(fn, { signal });
      // UNWATCH held before the server: the server still watches when the abort lands.
      const resolved = await abortWhileEnding(proxy.pipes, lend, 'end:a', 'up', async () => 'done', reason);
      assert.deepEqual(resolved.outcome, { value: 'done' });
      await pipeClosed(resolved.lent, 'the interrupted connection to be dropped');
      // fn's own error, the UNWATCH answered but its answer held.
      const own = new Error('fn failed');
      const rejected = await abortWhileEnding(
        proxy.pipes,
        lend,
        'end:b',
        'down',
        () => Promise.reject(own),
        reason,
      );
      assert.deepEqual(rejected.outcome, { error: own });
      await pipeClosed(rejected.lent, 'the interrupted connection to be dropped');
      // The next borrower watches nothing: a change to the key the interrupted lease watched
      // does not abort its transaction.
      await ctx.r.set('end:a', 'changed');
      assert.deepEqual(await c.withConnection(async (x) => x.multi().set('end:a', 'mine').exec()), ['OK']);
      assert.equal(await ctx.r.get('end:a'), 'mine');
    } finally {
      proxy.release();
      await c.close();
      await proxy.close();
    }
  });

  it('withConnection(fn, { signal }) still waiting for a free dedicated connection rejects at the abort; fn never runs', async () => {
    // The abort was only heard once a connection had been lent: a caller waiting behind a BLPOP 0
    // stayed pending (for good, if the pool never frees), then ran fn after it had given up.
    const pool = ctx.client({ maxBlockingConnections: 1 });
    const first = pool.blpop('wc:wait', 0);
    await blockedReach(pool, 1, 'BLPOP to hold the only dedicated connection');
    const ac = new AbortController();
    let ran = false;
    let outcome: unknown = 'pending';
    const waiting = pool.withConnection(
      async (c) => {
        ran = true;
        return c.ping();
      },
      { signal: ac.signal },
    );
    waiting.then(
      () => (outcome = 'resolved'),
      (e: unknown) => (outcome = e),
    );
    ac.abort();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(isAbort(outcome), `withConnection after the abort: ${String(outcome)}`);
    await pool.rpush('wc:wait', 'v');
    assert.deepEqual(await first, ['wc:wait', 'v']);
    // The connection freed by the BLPOP goes on serving callers; the aborted fn never had it.
    assert.equal(await pool.withConnection(async (c) => c.ping()), 'PONG');
    assert.equal(ran, false);
  });

  it('times beyond what a timer holds (2 ** 31 ms and more) wait that long, not 1 ms', async () => {
    // setTimeout() turns a delay above 2 ** 31 - 1 ms into 1 ms (TimeoutOverflowWarning).
    const huge = 2 ** 40;
    const r = ctx.r;
    const blocked = (n: number, what: string, failed: Promise<unknown>): Promise<void> =>
      // A command that failed early is reported as itself, not as a blocked count never reached.
      Promise.race([blockedReach(r, n, what), failed.then(() => undefined)]);

    // withOptions({ timeout }): the view's BLPOP is answered, not timed out.
    const popped = r.withOptions({ timeout: huge }).blpop('huge:view', 0);
    await blocked(1, 'the view BLPOP to block', popped);
    await r.rpush('huge:view', 'v');
    assert.deepEqual(await popped, ['huge:view', 'v']);

    // blockingConnectionTimeout: a caller waiting for the one dedicated connection gets it.
    const pool = ctx.client({ maxBlockingConnections: 1, blockingConnectionTimeout: huge });
    const first = pool.blpop('huge:a', 0);
    const second = pool.blpop('huge:b', 0);
    await blocked(1, 'the first pool BLPOP to block', second);
    await r.rpush('huge:a', '1');
    assert.deepEqual(await first, ['huge:a', '1']);
    await blocked(1, 'the second pool BLPOP to block', second);
    await r.rpush('huge:b', '2');
    assert.deepEqual(await second, ['huge:b', '2']);

    // close({ timeout }): graceful; the reply of a command in flight still arrives.
    const closing = ctx.client();
    await closing.ping();
    await r.call('CLIENT', 'PAUSE', 60_000, 'WRITE');
    try {
      const set = closing.set('huge:closed', '1');
      await blocked(1, 'the SET to wait out the pause', set);
      const closed = closing.close({ timeout: huge });
      // Timers fire in order of expiry: a 1 ms timer set by close() has had its turn after this one.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await blocked(1, 'the SET still waiting', set);
      await r.call('CLIENT', 'UNPAUSE');
      assert.equal(await set, 'OK');
      await closed;
    } finally {
      await r.call('CLIENT', 'UNPAUSE');
    }
    assert.equal(await r.get('huge:closed'), '1');
  });

  it('duplicate(overrides) is a new client with the same options', async () => {
    const r = ctx.r;
    const d = r.duplicate({ db: 2 });
    try {
      await d.set('dup', 'in-db-2');
      assert.equal(await r.get('dup'), null);
      const same = r.duplicate();
      assert.equal(await same.get('dup'), null);
      assert.equal(same.status === 'closed', false);
      await same.close();
      assert.equal(await d.get('dup'), 'in-db-2');
    } finally {
      await d.flushdb();
      await d.close();
    }
  });
  it('a signal that is not an AbortSignal, or a bad timeout, is a DataError before anything is sent (not a TypeError, nor a lock taken)', async () => {
    const r = ctx.r;
    await r.configResetstat();
    const notSignals: unknown[] = [{}, 'abort', 1, { aborted: false }];
    for (const signal of notSignals) {
      const bad = { signal } as unknown as { signal: AbortSignal };
      assert.throws(() => r.withOptions(bad), DataError, `withOptions signal ${String(signal)}`);
      // The lock's SET went out before the signal was first touched: a lock held by nobody.
      await assert.rejects(new Lock(r, 'lk:bad-signal', { timeout: 10_000 }).acquire(bad), DataError);
      let ran = false;
      await assert.rejects(
        r.withConnection(async () => {
          ran = true;
        }, bad),
        DataError,
      );
      assert.equal(ran, false, 'withConnection fn ran');
    }
    for (const timeout of [-1, '5', Number.NaN])
      assert.throws(
        () => r.withOptions({ timeout: timeout as number }),
        DataError,
        `timeout ${String(timeout)}`,
      );
    assert.throws(() => r.withOptions(null as unknown as { timeout: number }), DataError);
    const cluster = new RedisCluster({ nodes: [{ host: '127.0.0.1', port: 1 }], lazyConnect: true });
    assert.throws(() => cluster.withOptions({ signal: {} as AbortSignal }), DataError);
    await cluster.close();
    // Nothing reached the server, and a good view still works.
    assert.equal(await calls(r, 'set'), 0);
    assert.equal(await r.exists('lk:bad-signal'), 0);
    assert.equal(await r.withOptions({ signal: new AbortController().signal, timeout: 0 }).ping(), 'PONG');
  });
});
