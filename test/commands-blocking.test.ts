/**
 * Blocking commands run on dedicated connections from a small pool: they never
 * stall the shared connection, commandTimeout does not cut them short (but bounds
 * them past their own timeout, against a frozen server), and CLIENT UNBLOCK … ERROR
 * ends them with UnblockedError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionError, Redis, TimeoutError, UnblockedError } from '../src/index.js';
import { perProtocol } from './commands-setup.js';
import { startRedis, waitUntil } from './support/redis-server.js';

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(p: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise: p };
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Ids of connections currently blocked in `command` (CLIENT LIST `cmd=`). */
async function blockedIds(r: Redis, command: string): Promise<number[]> {
  return (await r.clientList())
    .filter((c) => c.cmd === command && c.flags?.includes('b'))
    .map((c) => Number(c.id));
}

perProtocol(
  'blocking commands',
  (ctx) => {
    it('a BLPOP in flight does not stall 1000 GETs on the shared connection', async () => {
      const r = ctx.r;
      await r.set('k', 'v');
      const pop = track(r.blpop('q', 2));
      const gets = await Promise.all(Array.from({ length: 1000 }, () => r.get('k')));
      assert.ok(gets.every((v) => v === 'v'));
      assert.equal(pop.settled, false, 'the BLPOP was answered before anything was pushed');
      await r.rpush('q', 'x');
      assert.deepEqual(await pop.promise, ['q', 'x']);
    });

    it('commandTimeout does not end a blocking command before its own timeout', async () => {
      const c = ctx.client({ commandTimeout: 100 });
      await c.connect();
      assert.equal(await c.blpop('q', 1), null);
      assert.equal(await c.bzpopmin('z', 0.5), null);
      assert.equal(await c.xread({ key: 's', id: '$' }, { block: 400 }), null);
      // Ordinary commands still time out.
      await assert.rejects(c.call('DEBUG', 'SLEEP', '0.3'), TimeoutError);
    });

    it('CLIENT UNBLOCK … ERROR rejects the blocked command with UnblockedError; TIMEOUT ends it with null', async () => {
      const r = ctx.r;
      const pop = r.blpop('q', 10).then(
        (v) => v,
        (e: unknown) => e,
      );
      let ids: number[] = [];
      await waitUntil('BLPOP blocked', 5000, async () =>
        (ids = await blockedIds(r, 'blpop')).length === 1 ? undefined : `${ids.length} blocked`,
      );
      assert.equal(await r.clientUnblock(ids[0] as number, 'ERROR'), true);
      const err = await pop;
      assert.ok(err instanceof UnblockedError, String(err));
      assert.equal(err.command, 'BLPOP');
      assert.equal(err.code, 'UNBLOCKED');

      const again = r.bzpopmax('z', 10);
      await waitUntil('BZPOPMAX blocked', 5000, async () =>
        (ids = await blockedIds(r, 'bzpopmax')).length === 1 ? undefined : `${ids.length} blocked`,
      );
      assert.equal(await r.clientUnblock(ids[0] as number), true);
      assert.equal(await again, null);
    });

    it('concurrent blocking commands each get a connection; connections are reused afterwards', async () => {
      const r = ctx.r;
      const pops = [r.blpop('a', 5), r.brpop('b', 5), r.blmove('c', 'd', 'LEFT', 'RIGHT', 5)];
      await waitUntil('three blocked', 5000, async () => {
        const n = (await r.clientList()).filter((c) => c.flags?.includes('b')).length;
        return n === 3 ? undefined : `${n} blocked`;
      });
      await r.rpush('a', '1');
      await r.rpush('b', '2');
      await r.rpush('c', '3');
      assert.deepEqual(await Promise.all(pops), [['a', '1'], ['b', '2'], '3']);
      const before = (await r.clientList()).length;
      for (let i = 0; i < 5; i++) assert.equal(await r.blpop('none', 0.01), null);
      assert.equal((await r.clientList()).length, before);
    });

    it('more blocking commands than the pool holds wait for a free connection', async () => {
      const r = ctx.r;
      const n = 20;
      const pops = Array.from({ length: n }, (_, i) => r.blpop(`w${i}`, 5));
      await waitUntil('pool full', 5000, async () => {
        const blocked = (await blockedIds(r, 'blpop')).length;
        return blocked === 16 ? undefined : `${blocked} blocked`;
      });
      for (let i = 0; i < n; i++) await r.rpush(`w${i}`, String(i));
      const got = await Promise.all(pops);
      assert.deepEqual(
        got,
        Array.from({ length: n }, (_, i) => [`w${i}`, String(i)]),
      );
    });

    it('XREADGROUP with BLOCK waits on its own connection and wakes on XADD', async () => {
      const r = ctx.r;
      await r.xgroupCreate('s', 'g', '$', { mkstream: true });
      const read = track(r.xreadgroup('g', 'block', { key: 's', id: '>' }, { block: 5000 }));
      await waitUntil('XREADGROUP blocked', 5000, async () =>
        (await blockedIds(r, 'xreadgroup')).length === 1 ? undefined : 'not yet',
      );
      assert.equal(await r.ping(), 'PONG');
      assert.equal(read.settled, false);
      const id = await r.xadd('s', '*', { a: '1' });
      assert.deepEqual(await read.promise, [{ stream: 's', entries: [{ id, fields: { a: '1' } }] }]);
    });

    it(
      'a BLPOP 0 in a pipeline runs on a dedicated connection: the shared one keeps answering',
      {
        timeout: 20_000,
      },
      async () => {
        const r = ctx.r;
        const observer = ctx.client();
        await r.set('pk', 'v');
        // As on a cluster pipeline: the blocking member goes to the pool, the others keep their slots.
        const batch = r.pipeline().get('pk').blpop('pq', 0).get('pk').exec();
        await waitUntil('pipelined BLPOP blocked', 5000, async () =>
          (await blockedIds(observer, 'blpop')).length === 1 ? undefined : 'not yet',
        );
        // Before, the BLPOP sat on the shared connection and this GET (and RPUSH) queued behind it.
        assert.equal(await r.get('pk'), 'v');
        await r.rpush('pq', 'x');
        assert.deepEqual(await batch, ['v', ['pq', 'x'], 'v']);
      },
    );

    it('inside withConnection, blocking commands run on the lent connection itself', async () => {
      const r = ctx.r;
      await r.withConnection(async (conn) => {
        const id = await conn.clientId();
        const pop = conn.blpop('lent', 5);
        await waitUntil('lent BLPOP blocked', 5000, async () =>
          (await blockedIds(r, 'blpop')).includes(id) ? undefined : 'not yet',
        );
        await r.rpush('lent', 'x');
        assert.deepEqual(await pop, ['lent', 'x']);
      });
    });

    it(
      'with commandTimeout, a blocking command pipelined behind another on a lent connection gets its own timeout from when the server starts it',
      { timeout: 20_000 },
      async () => {
        const c = ctx.client({ commandTimeout: 200 });
        let reconnects = 0;
        c.on('reconnecting', () => reconnects++);
        const got = await c.withConnection((conn) =>
          // The server starts the second BLPOP once the first has returned (2 s): it answers at 4 s.
          // Counted from its write, its bound (2 s + commandTimeout + 1 s) ran out at 3.2 s and a
          // healthy server's nil came as a TimeoutError, its connection torn down.
          Promise.all([conn.blpop('behind1', 2), conn.blpop('behind2', 2)]),
        );
        assert.deepEqual(got, [null, null]);
        assert.equal(reconnects, 0);
      },
    );

    it('disconnect() rejects a blocking command in flight with ConnectionError', async () => {
      const c = ctx.client();
      await c.connect();
      const pop = c.blpop('never', 0);
      await waitUntil('blocked', 5000, async () =>
        (await blockedIds(ctx.r, 'blpop')).length === 1 ? undefined : 'not yet',
      );
      c.disconnect();
      await assert.rejects(pop, ConnectionError);
    });
  },
  { args: ['--enable-debug-command', 'yes'] },
);

/** `p`, or a rejection naming `what` once `ms` have passed (a hang detector, not a timing check). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('blocking commands and a frozen server (SIGSTOP)', { timeout: 60_000 }, () => {
  it('with commandTimeout, one with a timeout of its own rejects with TimeoutError past it; a timeout of 0 stays exempt; the client works once the server wakes', async () => {
    const server = await startRedis();
    const r = new Redis({ port: server.port, commandTimeout: 200 });
    r.on('error', () => undefined);
    let frozen = false;
    try {
      // Four dedicated connections up and idle before the freeze (a new one would meet connectTimeout instead).
      await Promise.all(Array.from({ length: 4 }, (_, i) => r.blpop(`warm${i}`, 0.01)));
      process.kill(server.pid, 'SIGSTOP');
      frozen = true;
      const forever = track(r.blpop('q', 0));
      const bounded: Array<[string, Promise<unknown>]> = [
        // Not 'q': the server, once awake, may still run this one's BLPOP before it sees the socket
        // closed, and pop for nobody what is pushed for the BLPOP q 0 below (its outcome is unknown).
        ['BLPOP gone 1', r.blpop('gone', 1)],
        ['XREAD BLOCK 500', r.xread({ key: 's', id: '$' }, { block: 500 })],
        ['WAIT 1 300', r.wait(1, 300)],
      ];
      // Handled now: when one fails, the others are rejected by disconnect() below.
      for (const [, p] of bounded) p.catch(() => undefined);
      for (const [what, p] of bounded) {
        // Without a limit of their own these wait as long as the socket lives: the bound below is the hang.
        await assert.rejects(within(p, 15_000, what), (e: unknown) => {
          assert.ok(e instanceof TimeoutError, `${what}: ${String(e)}`);
          assert.equal(e.code, 'ERR_WREDIS_COMMAND_TIMEOUT');
          assert.match(e.message, /its own timeout/);
          return true;
        });
      }
      assert.equal(forever.settled, false, 'BLPOP q 0 waits for ever, as asked');
      process.kill(server.pid, 'SIGCONT');
      frozen = false;
      await r.rpush('q', 'x');
      assert.deepEqual(await within(forever.promise, 15_000, 'BLPOP q 0'), ['q', 'x']);
      // The connections the timeouts tore down come back.
      await r.rpush('q', 'y');
      assert.deepEqual(await within(r.blpop('q', 1), 15_000, 'BLPOP after the wake-up'), ['q', 'y']);
      assert.equal(await within(r.blpop('q', 0.1), 15_000, 'BLPOP of an empty list'), null);
    } finally {
      if (frozen) process.kill(server.pid, 'SIGCONT');
      r.disconnect();
      await server.stop();
    }
  });
});
