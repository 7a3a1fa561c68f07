/**
 * The connection core against real redis-server processes: network faults injected by the
 * fault proxy (pause, a reply cut in half, RST after a write, drop after N bytes, slow drain),
 * set-up errors, credentials and reauthenticate(), the stop condition, and the counted crash
 * scenario (kill -9 and restart of an appendfsync-always server under 1000 commands in flight).
 * What must hold: nothing hangs, nothing acknowledged is lost, nothing runs twice behind the
 * caller's back, and no reply reaches the wrong caller.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AuthenticationFailureError,
  AuthorizationError,
  ConnectionError,
  DataError,
  ExponentialBackoff,
  Redis,
  ResponseError,
  Retry,
  TimeoutError,
} from '../src/index.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { startRedis, sleep, type RedisServerHandle } from './support/redis-server.js';

const fastRetry = (retries = 5): Retry =>
  new Retry({ retries, backoff: new ExponentialBackoff({ base: 10, cap: 100 }) });

/** Settles every promise or reports how many are still pending after `ms`. */
async function settleAll<T>(
  promises: Array<Promise<T>>,
  ms: number,
): Promise<{ results: Array<PromiseSettledResult<T>>; hung: number }> {
  let done = 0;
  const tracked = promises.map((p) =>
    p.then(
      (value) => {
        done++;
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- keeps the status literal for PromiseSettledResult
        return { status: 'fulfilled', value } as PromiseFulfilledResult<T>;
      },
      (reason: unknown) => {
        done++;
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- keeps the status literal for PromiseSettledResult
        return { status: 'rejected', reason } as PromiseRejectedResult;
      },
    ),
  );
  const all = Promise.all(tracked);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  const results = await Promise.race([all, timeout]);
  clearTimeout(timer);
  return { results: results ?? [], hung: promises.length - done };
}

describe('network faults through the fault proxy', () => {
  let server: RedisServerHandle;
  let proxy: FaultProxy;
  before(async () => {
    server = await startRedis();
    proxy = await startFaultProxy(server.port);
    await server.command('SET', 'big', 'x'.repeat(200_000));
    for (let i = 0; i < 50; i++) await server.command('SET', `k${i}`, `v${i}`);
  });
  after(async () => {
    await proxy.close();
    await server.stop();
  });

  it('pause: a stuck connection is torn down after commandTimeout; the read goes again, the write rejects with TimeoutError', async () => {
    const r = new Redis({ port: proxy.port, commandTimeout: 500, retry: fastRetry(10) });
    try {
      await r.connect();
      proxy.pause();
      // The write first: its deadline is then never a millisecond after the read's. The read's
      // deadline alone tears the connection down (stuck), and a write still short of its own
      // deadline then rejects as lost (outcome unknown) rather than timed out (seen once in a loaded full run).
      const incr = r.incr('paused-counter').then(
        (v) => v,
        (e: unknown) => e,
      );
      const get = r.get('k1');
      const err = await incr;
      assert.ok(err instanceof TimeoutError, String(err));
      assert.match((err as Error).message, /timed out after \d+ ms/);
      proxy.resume();
      assert.equal(await get, 'v1');
      assert.equal(r.status, 'ready');
    } finally {
      proxy.resume();
      r.disconnect();
    }
  });

  it('a reply cut in half: the read is replayed on a new connection and gets its own whole value', async () => {
    const r = new Redis({ port: proxy.port, retry: fastRetry() });
    try {
      await r.connect();
      proxy.cutNextReply();
      const [big, k2] = await Promise.all([r.get('big'), r.get('k2')]);
      assert.equal(big?.length, 200_000);
      assert.equal(k2, 'v2');
    } finally {
      r.disconnect();
    }
  });

  it('RST after a write: the write rejects with outcome unknown and is not run twice', async () => {
    const r = new Redis({ port: proxy.port, retry: fastRetry() });
    try {
      await r.connect();
      await r.del('rst-counter');
      proxy.resetAfterNextWrite();
      const err = await r.incr('rst-counter').then(
        (v) => v,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_CONNECTION_LOST');
      await sleep(50);
      assert.equal(await r.get('rst-counter'), '1', 'ran exactly once');
    } finally {
      r.disconnect();
    }
  });

  it('a retryOn predicate that throws: the lost read rejects with its own error, nothing escapes, the client goes on', async () => {
    // A tired predicate: ConnectionError has no `reply`, so it throws a TypeError when asked
    // inside the socket's close event.
    const retry = new Retry({ retryOn: (e) => (e as { reply: { code: string } }).reply.code === 'BUSY' });
    const r = new Redis({ port: proxy.port, retry });
    try {
      await r.connect();
      await r.set('thrower', 'v');
      proxy.resetAfterNextWrite();
      const { results, hung } = await settleAll([r.get('thrower')], 5000);
      assert.equal(hung, 0, 'the read must settle');
      const [only] = results;
      assert.ok(only?.status === 'rejected', 'the read must reject');
      const err: unknown = only.reason;
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_CONNECTION_LOST');
      assert.equal(await r.get('thrower'), 'v');
    } finally {
      r.disconnect();
    }
  });

  it('drop after N bytes and a slow drain: every read gets its own value', async () => {
    const r = new Redis({ port: proxy.port, retry: fastRetry() });
    try {
      await r.connect();
      proxy.dropAfter(40);
      const first = await Promise.all(Array.from({ length: 50 }, (_, i) => r.get(`k${i}`)));
      assert.deepEqual(
        first,
        Array.from({ length: 50 }, (_, i) => `v${i}`),
      );
      proxy.slow(7, 1);
      const second = await Promise.all(Array.from({ length: 20 }, (_, i) => r.get(`k${i}`)));
      proxy.fast();
      assert.deepEqual(
        second,
        Array.from({ length: 20 }, (_, i) => `v${i}`),
      );
    } finally {
      proxy.fast();
      r.disconnect();
    }
  });
});

describe('a server that stops answering right after a reply (commandTimeout kept the slot)', () => {
  it('the socket, silent for commandTimeout behind the timed-out command, is torn down: close() ends, the client reconnects', async () => {
    const server = await startRedis();
    const r = new Redis({ port: server.port, commandTimeout: 200, retry: fastRetry() });
    const other = new Redis({ port: server.port, commandTimeout: 200, retry: fastRetry() });
    r.on('error', () => undefined);
    other.on('error', () => undefined);
    let paused = false;
    try {
      await r.set('k', 'v');
      await other.ping();
      const rebuilt = new Promise<void>((resolve) => other.once('reconnecting', () => resolve()));
      // Writes wait (postponed) while reads are served. The GET and the SET leave in one write, so
      // the GET's reply arrives after the SET was written: the SET times out with bytes received
      // since, which tells a slow server from a stuck one, and its slot is kept for the late reply.
      await server.command('CLIENT', 'PAUSE', '600000', 'WRITE');
      paused = true;
      const read = r.get('k');
      const write = r.set('k', 'w').then(
        (v) => v,
        (e: unknown) => e,
      );
      const otherRead = other.get('k');
      const otherWrite = other.set('k', 'x').then(
        (v) => v,
        (e: unknown) => e,
      );
      assert.equal(await read, 'v');
      assert.equal(await otherRead, 'v');
      for (const e of [await write, await otherWrite]) assert.ok(e instanceof TimeoutError, String(e));
      // Nothing arrives any more: close() waited for that late reply (the pause's 10 minutes).
      const closing = r.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hung = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('close() still waiting after 15 s'), 15_000);
      });
      // The other client, left alone, rebuilds its socket instead of keeping it for a reply that does not come.
      const reconnected = rebuilt.then(() => 'reconnecting');
      assert.equal(await Promise.race([closing.then(() => 'closed'), hung]), 'closed');
      assert.equal(await Promise.race([reconnected, hung]), 'reconnecting');
      clearTimeout(timer);
      assert.equal(r.status, 'closed');
      await server.command('CLIENT', 'UNPAUSE');
      paused = false;
      assert.equal(await other.ping(), 'PONG');
    } finally {
      if (paused) await server.command('CLIENT', 'UNPAUSE');
      r.disconnect();
      other.disconnect();
      await server.stop();
    }
  });
});

describe('set-up errors, credentials and the stop condition', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis({
      users: [
        { name: 'app', password: 'one', rules: ['~*', '&*', '+@all'] },
        { name: 'noselect', password: 'pw', rules: ['~*', '&*', '+@all', '-select'] },
      ],
    });
  });
  after(async () => {
    await server.stop();
  });

  for (const [what, options, Cls] of [
    ['wrong password', { username: 'app', password: 'nope' }, AuthenticationFailureError],
    ['NOPERM on SELECT', { username: 'noselect', password: 'pw', db: 1 }, AuthorizationError],
    ['db out of range', { db: 99 }, ResponseError],
  ] as const) {
    it(`${what}: commands reject with ${Cls.name}, not ConnectionError`, async () => {
      const r = new Redis({ port: server.port, ...options });
      try {
        const err = await r.get('a').then(
          (v) => v,
          (e: unknown) => e,
        );
        assert.ok(err instanceof Cls, String(err));
        assert.ok(!(err instanceof ConnectionError));
        const again = await r.get('b').then(
          (v) => v,
          (e: unknown) => e,
        );
        assert.ok(again instanceof Cls, String(again));
      } finally {
        r.disconnect();
      }
    });
  }

  it('username / password null (JavaScript, ioredis defaults) say nothing: no AUTH; other types are a DataError', async () => {
    const nul = null as unknown as string;
    for (const options of [{ password: nul }, { username: nul, password: nul, protocol: 2 as const }]) {
      const r = new Redis({ port: server.port, ...options, maxReconnectAttempts: 0 });
      try {
        assert.equal(await r.ping(), 'PONG', JSON.stringify(options));
      } finally {
        r.disconnect();
      }
    }
    // Nor do they unset what the URL says.
    const u = new Redis(`redis://app:one@127.0.0.1:${server.port}`, {
      password: nul,
      maxReconnectAttempts: 0,
    });
    try {
      assert.match(String(await u.call('ACL', 'WHOAMI')), /^app$/);
    } finally {
      u.disconnect();
    }
    for (const bad of [{}, true, ['one']])
      assert.throws(() => new Redis({ password: bad as unknown as string, lazyConnect: true }), DataError);
  });

  it('credentials() at every connect and reauthenticate() on every live connection', async () => {
    let password = 'one';
    let calls = 0;
    const r = new Redis({
      port: server.port,
      credentials: async () => {
        calls++;
        return { username: 'app', password };
      },
    });
    try {
      await r.set('cred', '1');
      await r.blpop('no-such-list', 0.01); // opens a pooled connection too
      await server.command('ACL', 'SETUSER', 'app', 'resetpass', '>two');
      password = 'two';
      const before = calls;
      await r.reauthenticate();
      assert.ok(calls >= before + 2, `provider called for each live connection (${calls - before})`);
      assert.equal(await r.get('cred'), '1');
      await server.command('CLIENT', 'KILL', 'USER', 'app');
      assert.equal(await r.get('cred'), '1', 'reconnected with the new password');
    } finally {
      await server.command('ACL', 'SETUSER', 'app', 'resetpass', '>one');
      r.disconnect();
    }
  });

  it('maxReconnectAttempts: the client ends and queued commands reject with the last error as cause', async () => {
    const doomed = await startRedis();
    const r = new Redis({ port: doomed.port, maxReconnectAttempts: 2, retry: fastRetry(100) });
    try {
      await r.connect();
      const ended = new Promise<void>((resolve) => r.on('end', () => resolve()));
      await doomed.stop();
      const err = await r.get('a').then(
        (v) => v,
        (e: unknown) => e,
      );
      await ended;
      assert.equal(r.status, 'closed');
      assert.ok(err instanceof ConnectionError, String(err));
      assert.ok((err as Error).cause instanceof Error);
    } finally {
      r.disconnect();
      await doomed.stop();
    }
  });

  for (const [what, provider] of [
    ['throws', () => Promise.reject(new Error('token service down'))],
    ['resolves undefined', () => Promise.resolve(undefined)],
    ['resolves null', () => Promise.resolve(null)],
    ['resolves no password', () => Promise.resolve({ username: 'app' })],
  ] as const) {
    it(`credentials() that ${what}: a ConnectionError naming the provider, not a raw TypeError or DataError`, async () => {
      const r = new Redis({
        port: server.port,
        credentials: provider as unknown as () => Promise<{ password: string }>,
        maxReconnectAttempts: 0,
      });
      const events: Error[] = [];
      r.on('error', (e) => events.push(e));
      try {
        const err = await r.get('a').then(
          (v) => v,
          (e: unknown) => e,
        );
        assert.ok(err instanceof ConnectionError, String(err));
        assert.ok(events.length > 0);
        for (const e of events) {
          assert.ok(e instanceof ConnectionError, `${e.constructor.name}: ${e.message}`);
          assert.match(e.message, /credentials provider/);
        }
      } finally {
        r.disconnect();
      }
    });
  }

  it('reauthenticate() settles when the client is disconnected while credentials() is still resolving', async () => {
    let slow = false;
    let release: (() => void) | undefined;
    const r = new Redis({
      port: server.port,
      credentials: () =>
        slow
          ? new Promise((resolve) => (release = () => resolve({ username: 'app', password: 'one' })))
          : Promise.resolve({ username: 'app', password: 'one' }),
    });
    try {
      await r.ping();
      slow = true;
      let settled = false;
      const re = r.reauthenticate().finally(() => (settled = true));
      // The provider is asked at once (the main connection is the only live one).
      for (let i = 0; i < 100 && release === undefined; i++) await sleep(5);
      assert.ok(release !== undefined, 'the provider was called');
      r.disconnect();
      release();
      // Bounded wait: the AUTH, written after the connection closed, must not wait forever.
      for (let i = 0; i < 100 && !settled; i++) await sleep(5);
      assert.equal(settled, true, 'reauthenticate() never settled');
      await re;
    } finally {
      r.disconnect();
    }
  });

  it('reauthenticate() during a MULTI on a lent connection: the AUTH is not queued into the transaction', async () => {
    let user = 'app';
    const r = new Redis({
      port: server.port,
      credentials: async () =>
        user === 'app' ? { username: 'app', password: 'one' } : { username: user, password: 'pw' },
    });
    try {
      await r.ping();
      const { exec, who } = await r.withConnection(async (c) => {
        assert.equal(await c.call('MULTI'), 'OK');
        assert.equal(await c.set('multi:reauth', '1'), 'QUEUED');
        user = 'noselect';
        await r.reauthenticate();
        const exec = await c.call('EXEC');
        // The lent socket re-authenticates once its transaction has ended (bounded wait).
        let who = '';
        for (let i = 0; i < 100 && who !== 'noselect'; i++) {
          who = /\buser=(\S+)/.exec(String(await c.call('CLIENT', 'INFO')))?.[1] ?? '';
          if (who !== 'noselect') await sleep(5);
        }
        return { exec, who };
      });
      // Only the SET's reply: the AUTH's did not land in this caller's EXEC array.
      assert.deepEqual(exec, ['OK']);
      assert.equal(who, 'noselect', 'the lent connection re-authenticated after EXEC');
    } finally {
      r.disconnect();
    }
  });

  it('reauthenticate() on a RESP2 client with a subscription settles; the subscription keeps receiving', async () => {
    const r = new Redis({
      port: server.port,
      protocol: 2,
      credentials: async () => ({ username: 'app', password: 'one' }),
    });
    try {
      const got: string[] = [];
      await r.subscribe('reauth:ch', (m) => got.push(m));
      // The server refuses AUTH on a RESP2 connection in subscribed mode.
      await r.reauthenticate();
      for (let i = 0; i < 200 && got.length === 0; i++) {
        await r.publish('reauth:ch', 'm');
        if (got.length === 0) await sleep(5);
      }
      assert.ok(got.length > 0, 'a message arrived after reauthenticate()');
    } finally {
      r.disconnect();
    }
  });

  it('reauthenticate() with a BLPOP 0 in flight on a pooled connection settles: its AUTH runs once the BLPOP returns', async () => {
    let password = 'one';
    const r = new Redis({ port: server.port, credentials: async () => ({ username: 'app', password }) });
    try {
      await r.ping();
      const blocked = r.blpop('reauth:blocked', 0);
      let served = false;
      for (let i = 0; i < 200 && !served; i++) {
        served = String(await server.command('CLIENT', 'LIST')).includes('cmd=blpop');
        if (!served) await sleep(5);
      }
      assert.ok(served, 'the BLPOP is being served');
      await server.command('ACL', 'SETUSER', 'app', '>two');
      password = 'two';
      let settled = false;
      const re = r.reauthenticate().finally(() => (settled = true));
      // Bounded wait: nothing will ever be pushed to the list while it runs.
      for (let i = 0; i < 200 && !settled; i++) await sleep(5);
      assert.equal(settled, true, 'reauthenticate() waited for the BLPOP (for ever with timeout 0)');
      await re;
      assert.equal(await r.rpush('reauth:blocked', 'x'), 1);
      assert.deepEqual(await blocked, ['reauth:blocked', 'x']);
    } finally {
      await server.command('ACL', 'SETUSER', 'app', 'resetpass', '>one');
      r.disconnect();
    }
  });

  it("reauthenticate() behind a BLPOP 0: the AUTH's refusal reaches the client's 'error' listeners", async () => {
    const r = new Redis({
      port: server.port,
      credentials: async () => ({ username: 'app', password: 'one' }),
    });
    const errors: unknown[] = [];
    r.on('error', (e) => errors.push(e));
    try {
      await r.ping();
      const blocked = r.blpop('reauth:refused', 0);
      let served = false;
      for (let i = 0; i < 200 && !served; i++) {
        served = String(await server.command('CLIENT', 'LIST')).includes('cmd=blpop');
        if (!served) await sleep(5);
      }
      assert.ok(served, 'the BLPOP is being served');
      // The provider's credentials no longer work: the AUTH queued behind the BLPOP is refused.
      await server.command('ACL', 'SETUSER', 'app', 'resetpass', '>two');
      await r.reauthenticate().catch(() => undefined);
      assert.equal(await server.command('RPUSH', 'reauth:refused', 'x'), 1);
      assert.deepEqual(await blocked, ['reauth:refused', 'x']);
      for (let i = 0; i < 200 && errors.length === 0; i++) await sleep(5);
      assert.ok(
        errors.some((e) => e instanceof AuthenticationFailureError),
        `the refusal was reported (got ${errors.map(String).join(', ') || 'nothing'})`,
      );
    } finally {
      await server.command('ACL', 'SETUSER', 'app', 'resetpass', '>one');
      r.disconnect();
    }
  });

  it('reauthenticate() with a BLPOP 0 behind another command on a lent connection settles', async () => {
    const r = new Redis({
      port: server.port,
      credentials: async () => ({ username: 'app', password: 'one' }),
    });
    try {
      await r.ping();
      let settled = false;
      let early = false;
      let popped: unknown;
      await r.withConnection(async (c) => {
        await c.ping(); // the lent connection is up
        // Pipelined in one tick: the AUTH goes behind both, and the BLPOP is not the oldest in flight.
        const got = c.get('reauth:other');
        const blocked = c.blpop('reauth:behind', 0);
        const re = r.reauthenticate().finally(() => (settled = true));
        await got;
        // Bounded wait: nothing is pushed to the list while it runs.
        for (let i = 0; i < 200 && !settled; i++) await sleep(5);
        early = settled;
        assert.equal(await server.command('RPUSH', 'reauth:behind', 'x'), 1);
        popped = await blocked;
        await re;
      });
      assert.equal(early, true, 'reauthenticate() waited for the BLPOP (for ever with timeout 0)');
      assert.deepEqual(popped, ['reauth:behind', 'x']);
    } finally {
      r.disconnect();
    }
  });

  it('maxQueued: a transaction on a ready connection is bounded like one issued before it', async () => {
    const r = new Redis({ port: server.port, maxQueued: 3 });
    try {
      await r.connect();
      // MULTI, SET, SET, EXEC: four commands accepted at once would exceed maxQueued 3.
      const err = await r
        .multi()
        .set('mq:a', '1')
        .set('mq:b', '2')
        .exec()
        .then(
          (v) => v,
          (e: unknown) => e,
        );
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_QUEUE_FULL');
      assert.equal(await r.get('mq:a'), null, 'nothing of the block was sent');
      // Within the bound, a transaction still runs.
      assert.deepEqual(await r.multi().set('mq:a', '1').exec(), ['OK']);
    } finally {
      r.disconnect();
    }
  });
});

describe('crash under load (kill -9, appendfsync always, five times)', () => {
  it('0 hung, 0 acknowledged writes lost, 0 duplicates, counter within bounds, 0 misattributed replies', async (t) => {
    const server = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const r = new Redis({
      port: server.port,
      retry: new Retry({ retries: 50, backoff: new ExponentialBackoff({ base: 10, cap: 100 }) }),
    });
    let ackedIncr = 0;
    let failedIncr = 0;
    const incrValues = new Set<number>();
    const ackedIds = new Set<string>();
    let misattributed = 0;
    let hung = 0;
    try {
      for (let k = 0; k < 20; k++) await r.set(`own:${k}`, `own:${k}`);
      for (let round = 0; round < 5; round++) {
        const ops: Array<Promise<unknown>> = [];
        for (let i = 0; i < 1000; i++) {
          if (i % 10 === 9) {
            const key = `own:${i % 20}`;
            ops.push(
              r.get(key).then(
                (v) => {
                  if (v !== key) misattributed++;
                },
                () => undefined,
              ),
            );
          } else if (i % 2 === 0) {
            ops.push(
              r.incr('counter').then(
                (v) => {
                  ackedIncr++;
                  if (typeof v !== 'number' || incrValues.has(v)) misattributed++;
                  incrValues.add(v);
                },
                () => {
                  failedIncr++;
                },
              ),
            );
          } else {
            const id = `${round}:${i}`;
            ops.push(
              r.rpush('ids', id).then(
                (v) => {
                  if (typeof v !== 'number') misattributed++;
                  ackedIds.add(id);
                },
                () => undefined,
              ),
            );
          }
        }
        await sleep(1 + round * 2);
        await server.kill();
        await server.restart();
        const settled = await settleAll(ops, 20_000);
        hung += settled.hung;
      }
      const counter = Number(await r.get('counter'));
      const list = await r.lrange('ids', 0, -1);
      t.diagnostic(
        `INCR acked ${ackedIncr}, failed ${failedIncr}, counter ${counter}; RPUSH acked ${ackedIds.size}, list ${list.length}`,
      );
      assert.equal(hung, 0, 'hung promises');
      assert.equal(misattributed, 0, 'replies given to the wrong caller');
      assert.equal(new Set(list).size, list.length, 'duplicates in the list');
      const missing = [...ackedIds].filter((id) => !list.includes(id));
      assert.equal(missing.length, 0, 'acknowledged RPUSHes missing');
      assert.ok(
        counter >= ackedIncr && counter <= ackedIncr + failedIncr,
        `counter ${counter} within [${ackedIncr}, ${ackedIncr + failedIncr}]`,
      );
    } finally {
      r.disconnect();
      await server.stop();
    }
  });
});
