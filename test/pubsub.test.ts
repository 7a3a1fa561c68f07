/**
 * Pub/Sub against a real server, on RESP2 (dedicated subscriber connection) and RESP3 (pushes
 * on the shared connection): listeners, async iterators and their bound, bytes, unsubscribe
 * bookkeeping, refusals, resubscription after the connection or the server went away, and the
 * misuse guard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  AuthorizationError,
  ConnectionError,
  DataError,
  ErrorCodes,
  ExponentialBackoff,
  InvalidResponse,
  MovedError,
  PubSubError,
  Redis,
  Retry,
  TimeoutError,
} from '../src/index.js';
import {
  pubsubFor,
  pubSubMisuse,
  isSubscribeCommand,
  type PubSub,
  type Subscription,
} from '../src/pubsub/index.js';
import { runModule } from './support/child.js';
import { refusedPort, startRedis, waitUntil, type RedisServerHandle } from './support/redis-server.js';
import { HELLO3, startScriptedServer } from './support/scripted-server.js';
import { startFaultProxy } from './support/fault-proxy.js';

const fastRetry = (): Retry =>
  new Retry({ retries: 10, backoff: new ExponentialBackoff({ base: 5, cap: 50 }) });

/** Polls until `probe` returns undefined; bounded. */
const until = (what: string, probe: () => string | undefined | Promise<string | undefined>): Promise<void> =>
  waitUntil(what, 10_000, async () => probe());

async function numsub(r: Redis, channel: string): Promise<number> {
  const reply = (await r.call('PUBSUB', 'NUMSUB', channel)) as unknown[];
  return Number(reply[1]);
}

/** Reads `n` messages from a subscription's iterator (bounded by the test's wait helper). */
async function take<M>(
  sub: Subscription<M>,
  n: number,
): Promise<Array<{ channel: M; message: M; pattern?: M }>> {
  const out: Array<{ channel: M; message: M; pattern?: M }> = [];
  const it = sub[Symbol.asyncIterator]();
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

for (const protocol of [2, 3] as const) {
  describe(`Pub/Sub (RESP${protocol})`, () => {
    let server: RedisServerHandle;
    let r: Redis;
    let pub: Redis;
    let ps: PubSub;
    before(async () => {
      server = await startRedis({
        users: [{ name: 'nochan', password: 'pw', rules: ['~*', '+@all', 'resetchannels'] }],
      });
      r = new Redis({ host: server.host, port: server.port, protocol, retry: fastRetry() });
      pub = new Redis({ host: server.host, port: server.port, protocol });
      ps = pubsubFor(r);
    });
    after(async () => {
      await r.close();
      await pub.close();
      await server.stop();
    });

    it(`uses ${protocol === 3 ? 'the shared connection' : 'a dedicated connection'} and keeps commands flowing`, async () => {
      const sub = await ps.subscribe('channel', 'route', () => undefined, false);
      const conn = ps.subscriber?.connection;
      assert.ok(conn !== undefined);
      assert.equal(conn === r.connection, protocol === 3);
      assert.equal(conn.hello.protocol, protocol);
      assert.equal(await r.set('k', 'v'), 'OK');
      assert.equal(await r.get('k'), 'v');
      await sub.unsubscribe();
    });

    it('sends the first SUBSCRIBE of a fresh client exactly once', async () => {
      const fresh = new Redis({ host: server.host, port: server.port, protocol, lazyConnect: true });
      try {
        await pub.call('CONFIG', 'RESETSTAT');
        const sub = await fresh.subscribe('once-only', () => undefined);
        const stats = String(await pub.call('INFO', 'commandstats'));
        assert.match(stats, /cmdstat_subscribe:calls=1,/);
        await sub.unsubscribe();
      } finally {
        await fresh.close();
      }
    });

    it('resolves once subscribed; listeners get (message, channel)', async () => {
      const got: Array<[string, string]> = [];
      const sub = await ps.subscribe<string>(
        'channel',
        ['news', 'sport'],
        (message, channel) => got.push([message, channel]),
        false,
      );
      // Resolved means confirmed: the server counts the subscriber already.
      assert.equal(await numsub(pub, 'news'), 1);
      assert.equal(await pub.call('PUBLISH', 'news', 'héllo'), 1);
      assert.equal(await pub.call('PUBLISH', 'sport', 'goal'), 1);
      await until('two messages', () => (got.length >= 2 ? undefined : `${got.length}`));
      assert.deepEqual(got, [
        ['héllo', 'news'],
        ['goal', 'sport'],
      ]);
      assert.deepEqual(sub.names, ['news', 'sport']);
      await sub.unsubscribe();
      assert.equal(await numsub(pub, 'news'), 0);
      assert.equal(sub.subscribed, false);
    });

    it('psubscribe listeners get (message, channel, pattern)', async () => {
      const got: string[][] = [];
      const sub = await ps.subscribe<string>(
        'pattern',
        'ev:*',
        (message, channel, pattern) => got.push([message, channel, pattern]),
        false,
      );
      assert.equal(await pub.call('PUBLISH', 'ev:1', 'one'), 1);
      await until('pattern message', () => (got.length >= 1 ? undefined : 'none yet'));
      assert.deepEqual(got, [['one', 'ev:1', 'ev:*']]);
      await sub.unsubscribe();
      assert.equal(await pub.call('PUBLISH', 'ev:1', 'two'), 0);
    });

    it('ssubscribe receives SPUBLISH (sharded channels on a standalone server)', async () => {
      const got: string[][] = [];
      const sub = await ps.subscribe<string>(
        'shard',
        '{s}ch',
        (message, channel) => got.push([message, channel]),
        false,
      );
      assert.equal(await pub.call('SPUBLISH', '{s}ch', 'sharded'), 1);
      await until('shard message', () => (got.length >= 1 ? undefined : 'none yet'));
      assert.deepEqual(got, [['sharded', '{s}ch']]);
      await sub.unsubscribe();
      assert.equal(await pub.call('SPUBLISH', '{s}ch', 'x'), 0);
    });

    it('iterates messages with for await; leaving the loop unsubscribes', async () => {
      const sub = await ps.subscribe<string>('channel', 'it', undefined, false);
      for (let i = 0; i < 3; i++) await pub.call('PUBLISH', 'it', `m${i}`);
      const seen: string[] = [];
      for await (const { channel, message } of sub) {
        assert.equal(channel, 'it');
        seen.push(message);
        if (seen.length === 3) break;
      }
      assert.deepEqual(seen, ['m0', 'm1', 'm2']);
      assert.equal(sub.subscribed, false);
      assert.equal(await numsub(pub, 'it'), 0);
    });

    it('pattern iterator messages carry the pattern', async () => {
      const sub = await ps.subscribe<string>('pattern', 'pi:*', undefined, false);
      await pub.call('PUBLISH', 'pi:a', 'x');
      assert.deepEqual(await take(sub, 1), [{ channel: 'pi:a', message: 'x', pattern: 'pi:*' }]);
      await sub.unsubscribe();
    });

    it("a full buffer ends the subscription with PubSubError ('error', the default)", async () => {
      const sub = await ps.subscribe<string>('channel', 'slow', undefined, false, { bufferSize: 2 });
      for (let i = 0; i < 3; i++) await pub.call('PUBLISH', 'slow', `m${i}`);
      await until('overflow', () => (sub.subscribed ? `buffered ${sub.buffered}` : undefined));
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const m of sub) seen.push(m.message);
        })(),
        (e: unknown) => e instanceof PubSubError && /more than 2 messages/.test(e.message),
      );
      assert.deepEqual(seen, ['m0', 'm1']);
      await until('unsubscribed after overflow', async () =>
        (await numsub(pub, 'slow')) === 0 ? undefined : 'still subscribed',
      );
    });

    it("'drop-oldest' keeps the newest messages and counts the dropped", async () => {
      const sub = await ps.subscribe<string>('channel', 'lossy', undefined, false, {
        bufferSize: 2,
        overflow: 'drop-oldest',
      });
      for (let i = 0; i < 5; i++) await pub.call('PUBLISH', 'lossy', `m${i}`);
      await until('five delivered', () =>
        sub.dropped + sub.buffered === 5 ? undefined : `${sub.dropped}+${sub.buffered}`,
      );
      assert.equal(sub.dropped, 3);
      assert.deepEqual(
        (await take(sub, 2)).map((m) => m.message),
        ['m3', 'm4'],
      );
      await sub.unsubscribe();
    });

    it('delivers bytes in buffers mode, text otherwise', async () => {
      const bin: Array<[Uint8Array, Uint8Array]> = [];
      const text: string[] = [];
      const b = await ps.subscribe<Uint8Array>('channel', 'bytes', (m, c) => bin.push([m, c]), true);
      const t = await ps.subscribe<string>('channel', 'bytes', (m) => text.push(m), false);
      await pub.call('PUBLISH', 'bytes', 'ünï');
      await until('both listeners', () => (bin.length >= 1 && text.length >= 1 ? undefined : 'waiting'));
      assert.ok(Buffer.isBuffer(bin[0]![0]));
      assert.equal(Buffer.from(bin[0]![0]).toString(), 'ünï');
      assert.equal(Buffer.from(bin[0]![1]).toString(), 'bytes');
      assert.deepEqual(text, ['ünï']);
      await b.unsubscribe();
      await t.unsubscribe();
    });

    it('bytes that are not UTF-8 arrive intact in buffers mode', async () => {
      const got: Uint8Array[] = [];
      const sub = await ps.subscribe<Uint8Array>('channel', 'raw', (m) => got.push(m), true);
      const payload = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0d, 0x0a]);
      await pub.call('PUBLISH', 'raw', payload);
      await until('raw message', () => (got.length >= 1 ? undefined : 'none yet'));
      await sub.unsubscribe();
      assert.deepEqual(Buffer.from(got[0]!), payload);
    });

    it('two channel names that are different non-UTF-8 bytes stay two subscriptions', async () => {
      // 0xff and 0xfe both decode to U+FFFD: keyed by that text, the second would join the first.
      const ff = Buffer.from([0x63, 0xff]);
      const fe = Buffer.from([0x63, 0xfe]);
      const a: string[] = [];
      const b: string[] = [];
      const marks: string[] = [];
      const sa = await ps.subscribe<string>('channel', ff, (m) => a.push(m), false);
      const sb = await ps.subscribe<string>('channel', fe, (m) => b.push(m), false);
      const sm = await ps.subscribe<string>('channel', 'bin-mark', (m) => marks.push(m), false);
      await pub.call('PUBLISH', fe, 'to-fe');
      await pub.call('PUBLISH', ff, 'to-ff');
      await pub.call('PUBLISH', 'bin-mark', 'done');
      await until('mark', () => (marks.length >= 1 ? undefined : 'waiting'));
      assert.deepEqual({ a, b }, { a: ['to-ff'], b: ['to-fe'] });
      await sb.unsubscribe();
      assert.equal(sa.subscribed, true);
      await pub.call('PUBLISH', ff, 'again');
      await pub.call('PUBLISH', 'bin-mark', 'done2');
      await until('mark 2', () => (marks.length >= 2 ? undefined : 'waiting'));
      assert.deepEqual({ a, b }, { a: ['to-ff', 'again'], b: ['to-fe'] });
      await Promise.all([sa.unsubscribe(), sm.unsubscribe()]);
    });

    it('UNSUBSCRIBE only when the last listener of a channel goes', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const la = (m: string): void => {
        a.push(m);
      };
      const lb = (m: string): void => {
        b.push(m);
      };
      await ps.subscribe<string>('channel', 'shared', la, false);
      const sb = await ps.subscribe<string>('channel', ['shared', 'other'], lb, false);
      await ps.unsubscribe('channel', 'shared', la);
      assert.equal(await numsub(pub, 'shared'), 1);
      await pub.call('PUBLISH', 'shared', '1');
      await until('b gets it', () => (b.length >= 1 ? undefined : 'waiting'));
      assert.deepEqual(a, []);
      // Removing every listener of a channel ends that part of the subscription.
      await ps.unsubscribe('channel', 'shared');
      assert.equal(await numsub(pub, 'shared'), 0);
      assert.equal(sb.subscribed, true);
      assert.equal(await numsub(pub, 'other'), 1);
      await ps.unsubscribe('channel');
      assert.equal(await numsub(pub, 'other'), 0);
      assert.equal(sb.subscribed, false);
    });

    it('one listener in two subscribe() calls is called once per call; unsubscribe(channel, listener) ends both', async () => {
      const got: string[] = [];
      const l = (m: string): void => {
        got.push(m);
      };
      const first = await r.subscribe('twice', l);
      const second = await r.subscribe('twice', l);
      await pub.call('PUBLISH', 'twice', 'm1');
      await until('both calls deliver', () => (got.length >= 2 ? undefined : 'waiting'));
      assert.deepEqual(got, ['m1', 'm1']);
      await r.unsubscribe('twice', l);
      assert.equal(first.subscribed, false);
      assert.equal(second.subscribed, false);
      assert.equal(await numsub(pub, 'twice'), 0);
    });

    it('subscribe / unsubscribe / subscribe in one tick ends subscribed', async () => {
      const got: string[] = [];
      const first = ps.subscribe<string>('channel', 'flip', () => undefined, false);
      const s1 = await first;
      const leaving = s1.unsubscribe();
      const again = ps.subscribe<string>('channel', 'flip', (m) => got.push(m), false);
      await leaving;
      const s2 = await again;
      assert.equal(await numsub(pub, 'flip'), 1);
      await pub.call('PUBLISH', 'flip', 'on');
      await until('message after flip', () => (got.length >= 1 ? undefined : 'waiting'));
      await s2.unsubscribe();
    });

    it('a refused SUBSCRIBE rejects with its own error and leaves nothing behind', async () => {
      const limited = new Redis({
        host: server.host,
        port: server.port,
        protocol,
        username: 'nochan',
        password: 'pw',
      });
      try {
        const lps = pubsubFor(limited);
        const before = limited.get('k');
        const refused = lps.subscribe('channel', ['x', 'y'], () => undefined, false);
        const afterGet = limited.get('k');
        await assert.rejects(refused, (e: unknown) => e instanceof AuthorizationError && e.code === 'NOPERM');
        // The commands around it got their own replies.
        assert.equal(await before, 'v');
        assert.equal(await afterGet, 'v');
        assert.equal(lps.subscriber?.size, 0);
        assert.equal(await limited.ping(), 'PONG');
      } finally {
        await limited.close();
      }
    });

    it('a resubscription refused for one channel restores the others and ends that one', async () => {
      // Revoking a channel makes the server kill the subscribed client; the replay of
      // SUBSCRIBE kept revoked is refused whole (-NOPERM), which had silently lost 'kept' too
      // while both subscriptions still claimed to be subscribed.
      await pub.call(
        'ACL',
        'SETUSER',
        'revoked',
        'on',
        '>pw',
        '~*',
        '+@all',
        'resetchannels',
        '&kept',
        '&gone',
      );
      const limited = new Redis({
        host: server.host,
        port: server.port,
        protocol,
        username: 'revoked',
        password: 'pw',
        retry: fastRetry(),
      });
      const errors: Error[] = [];
      limited.on('error', (e: Error) => errors.push(e));
      try {
        const got: string[] = [];
        const kept = await limited.subscribe(['kept', 'gone'], (m, c) => got.push(`${c}:${m}`));
        const gone = await limited.subscribe('gone', () => undefined);
        await pub.call('ACL', 'SETUSER', 'revoked', 'resetchannels', '&kept');
        await until('kept resubscribed', async () =>
          (await numsub(pub, 'kept')) === 1 ? undefined : 'not yet',
        );
        await pub.call('PUBLISH', 'kept', 'after');
        await until('message after the refusal', () => (got.length >= 1 ? undefined : 'none yet'));
        assert.deepEqual(got, ['kept:after']);
        await until('the refused channel ended', () => (gone.subscribed ? 'still subscribed' : undefined));
        assert.equal(kept.subscribed, true);
        assert.ok(errors.some((e) => e instanceof AuthorizationError));
        assert.equal(await numsub(pub, 'gone'), 0);
        await kept.unsubscribe();
        assert.equal(await numsub(pub, 'kept'), 0);
      } finally {
        limited.disconnect();
        await pub.call('ACL', 'DELUSER', 'revoked');
      }
    });

    it('rejects bad arguments with DataError', async () => {
      await assert.rejects(
        ps.subscribe('channel', [], () => undefined, false),
        DataError,
      );
      await assert.rejects(
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- a number where a name belongs, on purpose
        ps.subscribe('channel', [42 as unknown as string], () => undefined, false),
        DataError,
      );
      await assert.rejects(ps.subscribe('channel', 'c', 'nope' as unknown as () => void, false), DataError);
    });

    it('resubscribes after the connection is killed', async () => {
      const got: string[] = [];
      const chan = await ps.subscribe<string>('channel', 'survive', (m) => got.push(m), false);
      const pat = await ps.subscribe<string>('pattern', 'surv*', () => undefined, false);
      const conn = ps.subscriber!.connection;
      let readies = 0;
      conn.on('ready', () => readies++);
      const killed = (await pub.call('CLIENT', 'KILL', 'TYPE', 'pubsub')) as number;
      assert.ok(killed >= 1);
      await until('reconnected', () => (readies >= 1 ? undefined : conn.status));
      await until('resubscribed', async () => ((await numsub(pub, 'survive')) === 1 ? undefined : 'not yet'));
      await pub.call('PUBLISH', 'survive', 'after kill');
      await until('message after kill', () => (got.includes('after kill') ? undefined : got.join()));
      await chan.unsubscribe();
      await pat.unsubscribe();
    });

    it('resubscribes after the server restarts on the same port', async () => {
      const got: string[] = [];
      const sub = await ps.subscribe<string>('shard', 'phoenix', (m) => got.push(m), false);
      await server.restart();
      await until('resubscribed after restart', async () => {
        const n = (await pub.call('PUBSUB', 'SHARDNUMSUB', 'phoenix').catch(() => [0, 0])) as unknown[];
        return Number(n[1]) === 1 ? undefined : 'not yet';
      });
      await pub.call('SPUBLISH', 'phoenix', 'reborn');
      await until('message after restart', () => (got.includes('reborn') ? undefined : got.join()));
      await sub.unsubscribe();
    });
  });
}

describe('Pub/Sub lifecycle and misuse', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });

  it('RESP2: a subscribe whose subscriber connection failed to connect leaves no connection retrying behind (the process exits after close())', async () => {
    // Each failed subscribe left its dedicated connection reconnecting in the background, and the
    // next subscribe replaced it: close() closed only the last one, the others kept the process alive.
    const entry = pathToFileURL(new URL('../src/index.ts', import.meta.url).pathname).href;
    const code = `
      import { Redis } from ${JSON.stringify(entry)};
      const r = new Redis({ port: ${await refusedPort()}, protocol: 2 });
      r.on('error', () => undefined);
      const out = [];
      for (let i = 0; i < 3; i++)
        out.push(await r.subscribe('ch', () => undefined).then(() => 'subscribed', (e) => e.constructor.name));
      await r.close();
      console.log(JSON.stringify(out));
    `;
    // Bounded: a child still alive after 20 s is the leak this test is about.
    const { exit, stdout } = await runModule(code, 20_000);
    assert.equal(exit, 0, 'the process did not exit by itself');
    assert.deepEqual(JSON.parse(stdout), ['ConnectionError', 'ConnectionError', 'ConnectionError']);
  });

  it("RESP2: a lost subscriber connection is reported on the error event (under RESP3 the client's close event tells)", async () => {
    // The dedicated connection reconnected and resubscribed without a word: messages published in
    // between were missed, and nothing told the caller (its 'close' event is the main connection's).
    const r = new Redis({ host: server.host, port: server.port, protocol: 2, retry: fastRetry() });
    const admin = new Redis({ host: server.host, port: server.port });
    const errors: Error[] = [];
    r.on('error', (e) => errors.push(e));
    try {
      const got: string[] = [];
      await r.subscribe('lost-once', (m) => got.push(m));
      assert.ok(((await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')) as number) >= 1);
      await until('resubscribed', async () =>
        (await numsub(admin, 'lost-once')) === 1 ? undefined : 'not yet',
      );
      await admin.publish('lost-once', 'after');
      await until('a message after the loss', () => (got.includes('after') ? undefined : got.join()));
      assert.equal(errors.length, 1, errors.map((e) => e.message).join());
      const lost = errors[0] as ConnectionError;
      assert.ok(lost instanceof ConnectionError);
      assert.equal(lost.code, ErrorCodes.CONNECTION_LOST);
      assert.match(lost.message, /Pub\/Sub/);
    } finally {
      await r.close();
      await admin.close();
    }
    // close() is no loss.
    assert.equal(errors.length, 1);
  });

  for (const protocol of [2, 3] as const) {
    it(`a subscriber connection that gives up (maxReconnectAttempts) ends its subscriptions with an error, not as if unsubscribed (RESP${protocol})`, async () => {
      // Iterators finished as if unsubscribed. Under RESP2 the client lives on (its own connection
      // was never lost), yet nothing was reported and the ended subscriber stayed in place: every
      // later subscribe() rejected with "Connection is closed" for the life of the client.
      const r = new Redis({ host: server.host, port: server.port, protocol, maxReconnectAttempts: 0 });
      const admin = new Redis({ host: server.host, port: server.port });
      const errors: Error[] = [];
      r.on('error', (e) => errors.push(e));
      try {
        const sub = await r.subscribe('given-up');
        const reading = (async (): Promise<unknown> => {
          try {
            for await (const m of sub) void m;
            return 'ended without an error';
          } catch (e) {
            return e;
          }
        })();
        assert.ok(((await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')) as number) >= 1);
        const outcome = await reading;
        assert.ok(outcome instanceof ConnectionError, String(outcome));
        assert.equal(outcome.code, ErrorCodes.RECONNECT_ATTEMPTS_EXHAUSTED);
        assert.equal(sub.subscribed, false);
        if (protocol === 3) {
          // The client itself gave up: its 'end' event says so, and it refuses what comes next.
          assert.equal(r.status, 'closed');
          await assert.rejects(
            r.subscribe('given-up', () => undefined),
            ConnectionError,
          );
          return;
        }
        assert.ok(
          errors.some(
            (e) => e instanceof ConnectionError && e.code === ErrorCodes.RECONNECT_ATTEMPTS_EXHAUSTED,
          ),
          errors.map((e) => e.message).join(),
        );
        assert.equal(await r.ping(), 'PONG');
        const got: string[] = [];
        const again = await r.subscribe('given-up', (m) => got.push(m));
        await admin.publish('given-up', 'back');
        await until('a message on the new subscriber connection', () =>
          got.includes('back') ? undefined : got.join(),
        );
        await again.unsubscribe();
      } finally {
        await r.close();
        await admin.close();
      }
    });
  }

  for (const protocol of [2, 3] as const) {
    it(`closing the client ends iterators and rejects later subscribes (RESP${protocol})`, async () => {
      const r = new Redis({ host: server.host, port: server.port, protocol });
      const ps = pubsubFor(r);
      const sub = await ps.subscribe<string>('channel', 'bye', undefined, false);
      const reading = (async () => {
        const seen: string[] = [];
        for await (const m of sub) seen.push(m.message);
        return seen;
      })();
      await r.close();
      assert.deepEqual(await reading, []);
      assert.equal(sub.subscribed, false);
      await assert.rejects(
        ps.subscribe('channel', 'late', () => undefined, false),
        ConnectionError,
      );
      if (protocol === 2) {
        await until('dedicated connection closed', () =>
          ps.subscriber?.connection.status === 'closed' ? undefined : ps.subscriber?.connection.status,
        );
      }
    });
  }

  for (const protocol of [2, 3] as const) {
    it(`a client closed before its first subscribe refuses it, opening no subscriber connection (RESP${protocol})`, async () => {
      // Pub/Sub made only after close() never heard the client end: under RESP2 it opened a
      // dedicated connection nobody would close (the process did not exit) and subscribed.
      const r = new Redis({ host: server.host, port: server.port, protocol });
      await r.ping();
      await r.close();
      await assert.rejects(
        r.subscribe('late', () => undefined),
        ConnectionError,
      );
      await assert.rejects(r.psubscribe('late*'), ConnectionError);
      assert.equal(pubsubFor(r).subscriber, undefined);
    });
  }

  for (const protocol of [2, 3] as const) {
    for (const how of ['disconnect()', 'close({ timeout })'] as const) {
      it(`${how} settles (un)subscribes a frozen server never answered (RESP${protocol})`, async () => {
        const proxy = await startFaultProxy(server.port);
        const r = new Redis({ host: server.host, port: proxy.port, protocol, retry: fastRetry() });
        r.on('error', () => undefined);
        try {
          const first = await r.subscribe('frozen-a', () => undefined);
          proxy.pause();
          const pending = r.subscribe('frozen-b', () => undefined);
          const leaving = first.unsubscribe();
          // A bound, not a timing assertion: on failure these never settle.
          let bound: ReturnType<typeof setTimeout> | undefined;
          const hung = new Promise<'hung'>((resolve) => {
            bound = setTimeout(() => resolve('hung'), 5000);
          });
          if (how === 'disconnect()') r.disconnect();
          const closing = how === 'disconnect()' ? Promise.resolve() : r.close({ timeout: 50 });
          const outcome = await Promise.race([Promise.allSettled([pending, leaving, closing]), hung]);
          clearTimeout(bound);
          assert.notEqual(outcome, 'hung');
          const [sp, sl, sc] = outcome as PromiseSettledResult<unknown>[];
          assert.equal(sp!.status, 'rejected');
          assert.ok((sp as PromiseRejectedResult).reason instanceof ConnectionError);
          // The server forgot the channel with the connection: unsubscribing it is done.
          assert.equal(sl!.status, 'fulfilled');
          assert.equal(sc!.status, 'fulfilled');
          assert.equal(first.subscribed, false);
        } finally {
          r.disconnect();
          proxy.resume();
          await proxy.close();
        }
      });
    }
  }

  it('a listener that throws does not cost an iterator of the same subscription its copy of the message (RESP2 and RESP3)', async () => {
    // The listener ran first and the message was buffered for the iterator after it: its throw
    // skipped the buffering, so the iterator silently never saw that message.
    const entry = pathToFileURL(new URL('../src/index.ts', import.meta.url).pathname).href;
    const code = `
      import { Redis } from ${JSON.stringify(entry)};
      const uncaught = [];
      process.on('uncaughtException', (e) => uncaught.push(e.message));
      const out = {};
      const pub = new Redis({ port: ${server.port} });
      for (const protocol of [2, 3]) {
        const r = new Redis({ port: ${server.port}, protocol });
        const heard = [];
        const sub = await r.subscribe('throws-' + protocol, (m) => {
          heard.push(m);
          if (m === 'boom') throw new Error('listener bug');
        });
        const it = sub[Symbol.asyncIterator]();
        await pub.publish('throws-' + protocol, 'boom');
        await pub.publish('throws-' + protocol, 'after');
        // Bounded: the listener hears both, whatever the iterator holds.
        for (let i = 0; i < 250 && !heard.includes('after'); i++) await new Promise((ok) => setTimeout(ok, 20));
        const got = [];
        while (sub.buffered > 0) got.push((await it.next()).value.message);
        out[protocol] = { heard, got };
        await r.close();
      }
      await pub.close();
      out.uncaught = uncaught;
      console.log(JSON.stringify(out));
    `;
    const { exit, stdout } = await runModule(code, 30_000);
    assert.equal(exit, 0);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    for (const protocol of ['2', '3']) {
      assert.deepEqual(
        out[protocol],
        { heard: ['boom', 'after'], got: ['boom', 'after'] },
        `RESP${protocol}`,
      );
    }
    // The listener's exception still surfaces (once per throw).
    assert.deepEqual(out['uncaught'], ['listener bug', 'listener bug']);
  });

  for (const protocol of [2, 3] as const) {
    it(`a withOptions() view's signal and timeout apply to subscribe(): nothing subscribed when aborted, no listener left behind after a timeout (RESP${protocol})`, async () => {
      // The view's options were ignored: with a signal already aborted the subscribe went through
      // (its listener heard every message), and against a frozen server it never timed out.
      const proxy = await startFaultProxy(server.port);
      const r = new Redis({ host: server.host, port: proxy.port, protocol, retry: fastRetry() });
      const admin = new Redis({ host: server.host, port: server.port });
      r.on('error', () => undefined);
      const heard: string[] = [];
      try {
        const ac = new AbortController();
        ac.abort(new Error('caller gave up'));
        const aborted = r.withOptions({ signal: ac.signal });
        await assert.rejects(
          aborted.subscribe('view-a', (m) => heard.push(m)),
          /caller gave up/,
        );
        await assert.rejects(aborted.psubscribe('view-a*'), /caller gave up/);
        const sync: string[] = [];
        await r.subscribe('view-sync', (m) => sync.push(m));
        assert.equal(await numsub(admin, 'view-a'), 0);
        // Given up on while the SUBSCRIBE waits for its confirmation (the network frozen).
        proxy.pause();
        await assert.rejects(
          r.withOptions({ timeout: 50 }).subscribe('view-b', (m) => heard.push(m)),
          (e: unknown) => e instanceof TimeoutError && e.code === ErrorCodes.COMMAND_TIMEOUT,
        );
        proxy.resume();
        // Behind the view's SUBSCRIBE on the same connection: once this is confirmed, so is that.
        await r.subscribe('view-sync2', () => undefined);
        await admin.publish('view-a', 'to a');
        await admin.publish('view-b', 'to b');
        await admin.publish('view-sync', 'sync');
        await until('the sync message', () => (sync.includes('sync') ? undefined : sync.join()));
        assert.deepEqual(heard, [], 'no listener of a rejected subscribe hears anything');
        assert.equal(await numsub(admin, 'view-b'), 0, 'the timed-out subscription was ended on the server');
      } finally {
        r.disconnect();
        await admin.close();
        await proxy.close();
      }
    });
  }

  it('is one Pub/Sub per client, shared with its withBuffers() view', () => {
    const r = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    assert.equal(pubsubFor(r), pubsubFor(r.withBuffers()));
    r.disconnect();
  });

  it('names (un)subscribe commands as misuse outside subscribe()', () => {
    for (const name of [
      'SUBSCRIBE',
      'psubscribe',
      'SSubscribe',
      'UNSUBSCRIBE',
      'punsubscribe',
      'SUNSUBSCRIBE',
    ]) {
      assert.equal(isSubscribeCommand(name), true, name);
      const e = pubSubMisuse(name, 'transaction');
      assert.ok(e instanceof PubSubError);
      assert.equal(e.command, name.toUpperCase());
      assert.match(e.message, /inside a transaction/);
    }
    for (const name of ['PUBLISH', 'SPUBLISH', 'PUBSUB', 'GET', 'SUBSCRIBER']) {
      assert.equal(pubSubMisuse(name), undefined, name);
    }
  });

  it('multi() and call() refuse SUBSCRIBE with PubSubError', async () => {
    const r = new Redis({ host: server.host, port: server.port });
    try {
      await assert.rejects(r.multi().call('SUBSCRIBE', 'c').exec(), PubSubError);
      await assert.rejects(r.call('SUBSCRIBE', 'c'), PubSubError);
      assert.equal(await r.ping(), 'PONG');
    } finally {
      await r.close();
    }
  });
});

describe('Pub/Sub against a scripted server', () => {
  it('a SUBSCRIBE confirmed in part when the socket died waits for every confirmation of its resend', async () => {
    // One socket answers SUBSCRIBE a b c with a's confirmation only and dies; the resend on the
    // next socket is confirmed three times. Counting down from what was left (2), the third
    // confirmation settled the refused SUBSCRIBE d behind it, and d's -NOPERM went to the GET.
    const confirm = (ch: string, n: number): string =>
      `>3\r\n$9\r\nsubscribe\r\n$${ch.length}\r\n${ch}\r\n:${n}\r\n`;
    let cut = true;
    const dying = new WeakSet<object>();
    const srv = await startScriptedServer((cmd, socket) => {
      const [name, ...args] = cmd;
      if (dying.has(socket)) return null;
      if (name === 'hello') return HELLO3;
      if (name === 'get') return '$1\r\nv\r\n';
      if (name !== 'subscribe') return '-ERR unexpected\r\n';
      if (args.length === 1 && args[0] === 'd')
        return '-NOPERM this user has no permissions to access one of the channels used as arguments\r\n';
      if (cut) {
        cut = false;
        dying.add(socket);
        socket.write(confirm(args[0]!, 1), () => socket.destroy());
        return null;
      }
      return args.map((ch, i) => confirm(ch, i + 1)).join('');
    });
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    r.on('error', () => undefined);
    try {
      await r.connect();
      const abc = r.subscribe(['a', 'b', 'c'], () => undefined);
      const d = r.subscribe('d', () => undefined);
      // Behind the subscribes once they are written (a macrotask later).
      await new Promise((resolve) => setImmediate(resolve));
      const get = r.get('k');
      const [sa, sd, sg] = await Promise.allSettled([abc, d, get]);
      assert.equal(sa.status, 'fulfilled');
      assert.equal(sd.status, 'rejected', 'SUBSCRIBE d was refused by the server');
      assert.ok(sd.reason instanceof AuthorizationError, String(sd.reason));
      assert.deepEqual(sg, { status: 'fulfilled', value: 'v' });
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  /**
   * A scripted shard-channel server: SUNSUBSCRIBE of `lost` is answered the way Redis 7.0 does
   * when the node gave the channel's slot away just before: its own `sunsubscribe` for the
   * channel first (sent when the slot left), then -MOVED for our command. `ping` answers PING.
   */
  const shardServer = async (resp: 2 | 3, ping: string, lost = 'foo', refusal?: string) => {
    const push = (kind: string, ch: string, n: number): string =>
      `${resp === 3 ? '>' : '*'}3\r\n$${kind.length}\r\n${kind}\r\n$${ch.length}\r\n${ch}\r\n:${n}\r\n`;
    return startScriptedServer((cmd) => {
      const [name, ...args] = cmd;
      if (name === 'hello') return resp === 3 ? HELLO3 : "-ERR unknown command 'HELLO'\r\n";
      if (name === 'ping') return ping;
      if (name === 'get') return '$3\r\nbar\r\n';
      if (name === 'ssubscribe') return args.map((ch, i) => push('ssubscribe', ch, i + 1)).join('');
      if (name === 'sunsubscribe' && refusal !== undefined) return refusal;
      if (name === 'sunsubscribe' && args[0] === lost)
        return `${push('sunsubscribe', lost, 0)}-MOVED 12182 127.0.0.1:1\r\n`;
      if (name === 'sunsubscribe') return args.map((ch) => push('sunsubscribe', ch, 0)).join('');
      return '-ERR unexpected\r\n';
    });
  };

  it("a SUNSUBSCRIBE refused with MOVED right after the server's own sunsubscribe keeps the MOVED (RESP3)", async () => {
    // The node lost the slot: it sent `sunsubscribe foo` on its own, then refused our SUNSUBSCRIBE
    // foo with -MOVED. Counting the server's push as our confirmation settled the SUNSUBSCRIBE,
    // and the -MOVED went to the GET behind it on the shared connection (every reply shifted).
    const srv = await shardServer(3, '+PONG\r\n');
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    const errors: Error[] = [];
    r.on('error', (e) => errors.push(e));
    try {
      const sub = await r.ssubscribe('foo', () => undefined);
      const [su, sg] = await Promise.allSettled([sub.unsubscribe(), r.get('k')]);
      assert.deepEqual(sg, { status: 'fulfilled', value: 'bar' });
      assert.equal(su.status, 'rejected', 'the SUNSUBSCRIBE was answered with -MOVED');
      assert.ok(su.reason instanceof MovedError, String(su.reason));
      assert.equal(await r.get('k'), 'bar', 'later replies are not shifted');
      assert.deepEqual(errors, []);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it("a SUNSUBSCRIBE refused with MOVED right after the server's own sunsubscribe keeps the MOVED (RESP2)", async () => {
    // The dedicated subscriber connection: the -MOVED went to the SSUBSCRIBE behind it.
    const srv = await shardServer(2, '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    const r = new Redis({ port: srv.port, protocol: 2, retry: fastRetry() });
    const errors: Error[] = [];
    r.on('error', (e) => errors.push(e));
    try {
      const sub = await r.ssubscribe('foo', () => undefined);
      const [su, sb] = await Promise.allSettled([sub.unsubscribe(), r.ssubscribe('baz', () => undefined)]);
      assert.equal(
        sb.status,
        'fulfilled',
        `SSUBSCRIBE baz was confirmed: ${String((sb as PromiseRejectedResult).reason)}`,
      );
      assert.equal(sb.value.subscribed, true);
      assert.equal(su.status, 'rejected', 'the SUNSUBSCRIBE was answered with -MOVED');
      assert.ok(su.reason instanceof MovedError, String(su.reason));
      assert.deepEqual(errors, []);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('a SUNSUBSCRIBE and its fence both refused (a busy script) take one reply each', async () => {
    const busy =
      '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n';
    const srv = await shardServer(3, busy, 'none', busy);
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    const errors: Error[] = [];
    r.on('error', (e) => errors.push(e));
    try {
      const sub = await r.ssubscribe('foo', () => undefined);
      const [, sg] = await Promise.allSettled([sub.unsubscribe(), r.get('k')]);
      assert.deepEqual(sg, { status: 'fulfilled', value: 'bar' });
      assert.deepEqual(errors, []);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('a SUNSUBSCRIBE fence refused by the server (PING not allowed) still ends where it should', async () => {
    // An ACL user allowed pub/sub but not PING: the fence's own error ends the SUNSUBSCRIBE (it
    // ran: its confirmation came first); the reply after it is the GET's.
    const srv = await shardServer(
      3,
      "-NOPERM User sub has no permissions to run the 'ping' command\r\n",
      'none',
    );
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    try {
      const sub = await r.ssubscribe('foo', () => undefined);
      const [su, sg] = await Promise.allSettled([sub.unsubscribe(), r.get('k')]);
      assert.deepEqual(su, { status: 'fulfilled', value: undefined });
      assert.deepEqual(sg, { status: 'fulfilled', value: 'bar' });
    } finally {
      r.disconnect();
      await srv.close();
    }
  });
});

describe('Pub/Sub: a message longer than maxBulkLength (RESP3, a push on the shared connection)', () => {
  let server: RedisServerHandle;
  let pub: Redis;
  before(async () => {
    server = await startRedis();
    pub = new Redis({ port: server.port });
  });
  after(async () => {
    await pub.close();
    await server.stop();
  });

  it('fails the stream, not the command in front of it: that command rejects with ConnectionError (its reply was never read), the InvalidResponse goes to the error event', async () => {
    const r = new Redis({ port: server.port, maxBulkLength: 64, retry: fastRetry() });
    const errors: Error[] = [];
    r.on('error', (e: Error) => errors.push(e));
    try {
      const got: string[] = [];
      await r.subscribe('big', (m: string) => got.push(m));
      // The script's PUBLISH puts the message (a push to this very connection) in the stream
      // ahead of the script's own reply, which is short and well-formed.
      const lua =
        "redis.call('set', KEYS[1], 'ran'); redis.call('publish', 'big', string.rep('x', 100)); return 'ok'";
      const [script] = await Promise.allSettled([r.call('EVAL', lua, '1', 'big:ran')]);
      assert.equal(script.status, 'rejected');
      const e = script.reason as Error;
      assert.ok(
        e instanceof ConnectionError && !(e instanceof InvalidResponse),
        `the script got ${String(e)}`,
      );
      assert.equal(e.code, 'ERR_WREDIS_CONNECTION_LOST');
      assert.ok(e.cause instanceof InvalidResponse, String(e.cause));
      // Outcome unknown, and indeed it ran.
      assert.equal(await pub.get('big:ran'), 'ran');
      assert.ok(
        errors.some((x) => x instanceof InvalidResponse),
        errors.map((x) => x.name).join(),
      );
      // The client goes on: a new socket, the subscription restored.
      await until('resubscribed', async () => ((await numsub(pub, 'big')) === 1 ? undefined : 'not yet'));
      await pub.publish('big', 'small');
      await until('the small message', () => (got.includes('small') ? undefined : got.join()));
    } finally {
      r.disconnect();
    }
  });
});
