/**
 * Issue #11 items 3 and 4: connection-state commands. On the shared connection they are refused
 * before anything is sent (DataError naming the API to use); CLIENT SETNAME is allowed and
 * survives a reconnect. On a lent connection (`withConnection`) MULTI/EXEC/DISCARD/WATCH/UNWATCH/
 * SELECT/CLIENT TRACKING/CLIENT CACHING are allowed and tracked: a lost socket makes the lease's
 * commands reject instead of running on a fresh socket, and a connection whose state changed is
 * never lent again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConnectionError,
  DataError,
  PubSubError,
  Redis,
  RedisCluster,
  Sentinel,
  TimeoutError,
  WatchError,
} from '../src/index.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { parseInfo } from './support/raw-client.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

/** Every refused command line, with mixed-case spellings; the first word is what commandstats counts. */
const REFUSED_EVERYWHERE: ReadonlyArray<readonly unknown[]> = [
  ['CLIENT', 'REPLY', 'SKIP'],
  ['client', 'reply', 'off'],
  ['Client', 'No-Evict', 'on'],
  ['CLIENT', 'NO-TOUCH', 'on'],
  ['READONLY'],
  ['readwrite'],
  ['ASKING'],
  ['MONITOR'],
  ['reset'],
  ['QUIT'],
  ['HELLO', 3],
  ['AUTH', 'default', 'secret'],
  ['SYNC'],
  ['psync', '?', -1],
];
const LENT_ONLY: ReadonlyArray<readonly unknown[]> = [
  ['MULTI'],
  ['exec'],
  ['DISCARD'],
  ['WATCH', 'k'],
  ['unwatch'],
  ['SELECT', 1],
  ['CLIENT', 'TRACKING', 'on'],
  ['client', 'caching', 'yes'],
];

describe('connection-state commands', { timeout: 60_000 }, () => {
  let server: RedisServerHandle;
  let r: Redis;
  let other: Redis;
  before(async () => {
    server = await startRedis();
    r = new Redis({ host: server.host, port: server.port });
    other = new Redis({ host: server.host, port: server.port });
    await Promise.all([r.ping(), other.ping()]);
  });
  after(async () => {
    await Promise.all([r.close(), other.close()]);
    await server.stop();
  });

  /** Total calls the server has counted, over every command. */
  const totalCalls = async (): Promise<number> => {
    const info = parseInfo(await server.command('INFO', 'commandstats'));
    let n = 0;
    for (const [k, v] of Object.entries(info))
      if (k.startsWith('cmdstat_') && k !== 'cmdstat_info') n += Number(/calls=(\d+)/.exec(v)?.[1]);
    return n;
  };

  it('the shared connection refuses each of them with DataError before sending', async () => {
    const before = await totalCalls();
    for (const line of [...REFUSED_EVERYWHERE, ...LENT_ONLY]) {
      const [name, ...args] = line as [string, ...unknown[]];
      await assert.rejects(r.call(name, ...args), (e: unknown) => {
        assert.ok(e instanceof DataError, `${String(name)}: ${String(e)}`);
        assert.match(e.message, /cannot be sent on the client's shared connection: \S/);
        // The advice must work: a client is not connected again after disconnect() or close().
        assert.doesNotMatch(e.message, /\bconnect\(\)/, String(name));
        return true;
      });
    }
    // Methods too (typed and untyped), and the batches on the shared connection.
    const m = r as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const methods: Array<[string, unknown[]]> = [
      ['readonly', []],
      ['asking', []],
      ['clientNoTouch', [true]],
      ['clientTracking', ['ON']],
      ['clientCaching', ['YES']],
    ];
    for (const [method, args] of methods)
      await assert.rejects((m[method] as (...a: unknown[]) => Promise<unknown>).apply(r, args), DataError);
    const results = await r.pipeline().set('s', '1').call('SELECT', 2).get('s').exec();
    assert.equal(results[0], 'OK');
    assert.ok(results[1] instanceof DataError);
    assert.equal(results[2], '1');
    await assert.rejects(r.multi().set('s', '2').call('client', 'reply', 'skip').exec(), DataError);
    await assert.rejects(r.multi().call('EXEC').exec(), /inside multi/);
    assert.equal(await totalCalls(), before + 2); // the pipeline's SET and GET only
    // The SUBSCRIBE family keeps PubSubError.
    await assert.rejects(r.call('subscribe', 'ch'), PubSubError);
    await assert.rejects(r.call('SUNSUBSCRIBE'), PubSubError);
    assert.equal(await r.get('s'), '1');
  });

  it('the cluster client and a sentinel-managed client refuse the same, before connecting', async () => {
    const cluster = new RedisCluster({ nodes: [{ host: '127.0.0.1', port: 1 }], lazyConnect: true });
    const sentinel = new Sentinel({ sentinels: [{ host: '127.0.0.1', port: 1 }], name: 'mymaster' });
    try {
      const primary = sentinel.primary();
      for (const client of [cluster, primary]) {
        await assert.rejects(client.call('SELECT', 1), /SELECT cannot be sent/);
        await assert.rejects(client.call('client', 'Tracking', 'on'), DataError);
        await assert.rejects(client.call('MULTI'), DataError);
        await assert.rejects(client.call(undefined as unknown as string), DataError);
      }
    } finally {
      cluster.disconnect();
      await sentinel.close();
    }
  });

  it('CLIENT SETNAME is allowed on the shared connection and re-applied after a reconnect', async () => {
    const c = new Redis({ host: server.host, port: server.port });
    try {
      assert.equal(await c.call('CLIENT', 'SETNAME', 'renamed'), 'OK');
      const id = await c.clientId();
      assert.equal(await other.clientKill({ id }), 1);
      // The next command reaches the server on a new socket, which carries the name.
      await c.ping().catch(() => undefined);
      assert.notEqual(await c.clientId(), id);
      assert.equal(await c.clientGetname(), 'renamed');
      assert.equal(await c.clientSetname(''), 'OK');
      const id2 = await c.clientId();
      await other.clientKill({ id: id2 });
      await c.ping().catch(() => undefined);
      assert.equal(await c.clientGetname(), null);
    } finally {
      await c.close();
    }
  });

  it('CLIENT SETNAME through a withOptions() view, a pipeline or a transaction is re-applied too', async () => {
    const c = new Redis({ host: server.host, port: server.port });
    const ways: Array<[string, (name: string) => Promise<unknown>]> = [
      ['view', (n) => c.withOptions({ timeout: 10_000 }).call('CLIENT', 'SETNAME', n)],
      ['pipeline', async (n) => (await c.pipeline().call('CLIENT', 'SETNAME', n).exec())[0]],
      ['multi', async (n) => (await c.multi().call('CLIENT', 'SETNAME', n).exec())[0]],
    ];
    try {
      for (const [how, setName] of ways) {
        assert.equal(await setName(`by-${how}`), 'OK', how);
        const id = await c.clientId();
        assert.equal(await other.clientKill({ id }), 1);
        await c.ping().catch(() => undefined);
        assert.notEqual(await c.clientId(), id, `${how}: a new socket`);
        assert.equal(await c.clientGetname(), `by-${how}`, `${how}: the name came back with the new socket`);
      }
      // A transaction that is discarded (a refused command aborts EXEC) sets no name to re-apply.
      await assert.rejects(c.multi().call('CLIENT', 'SETNAME', 'never').call('NOSUCHCOMMAND').exec());
      const id = await c.clientId();
      await other.clientKill({ id });
      await c.ping().catch(() => undefined);
      assert.equal(await c.clientGetname(), 'by-multi');
    } finally {
      await c.close();
    }
  });

  it('a lent connection allows MULTI/EXEC/WATCH/SELECT/TRACKING; the rest is refused', async () => {
    await r.withConnection(async (c) => {
      for (const line of REFUSED_EVERYWHERE) {
        const [name, ...args] = line as [string, ...unknown[]];
        await assert.rejects(c.call(name, ...args), /cannot be sent on a lent connection/);
      }
      assert.equal(await c.call('MULTI'), 'OK');
      assert.equal(await c.call('SET', 'lm', '1'), 'QUEUED');
      assert.deepEqual(await c.call('exec'), ['OK']);
      assert.equal(await c.call('select', 3), 'OK');
      assert.equal(await c.set('in3', 'x'), 'OK');
      assert.equal(await c.call('CLIENT', 'TRACKING', 'on'), 'OK');
      const info = String(await c.call('CLIENT', 'INFO'));
      assert.match(info, / db=3 /);
      assert.match(info, / flags=t /);
      // Inside a lent transaction the block commands are refused, SELECT is not.
      await assert.rejects(c.multi().call('WATCH', 'k').exec(), /inside a lent connection's multi/);
    });
    // The connection that was switched to db 3 with tracking on is not lent again as it is.
    await r.withConnection(async (c) => {
      assert.match(String(await c.call('CLIENT', 'INFO')), /db=0 /);
      assert.doesNotMatch(String(await c.call('CLIENT', 'INFO')), /flags=t/);
      assert.equal(await c.get('in3'), null);
    });
  });

  it("README's WATCH example: a WATCH lost with the socket makes exec() reject with WatchError", async () => {
    await r.set('balance', '100');
    const outcome = r.withConnection(async (c) => {
      await c.watch('balance');
      const b = Number(await c.get('balance'));
      assert.equal(await other.clientKill({ id: await c.clientId() }), 1);
      await other.set('balance', '500'); // another client's write, which the WATCH would have caught
      // The next command notices the dead socket and rejects; it is not run on a new one.
      await assert.rejects(
        c.get('balance'),
        (e: unknown) => e instanceof WatchError || e instanceof ConnectionError,
      );
      await assert.rejects(c.get('balance'), WatchError);
      return c
        .multi()
        .set('balance', b - 10)
        .exec();
    });
    await assert.rejects(outcome, WatchError);
    assert.equal(await r.get('balance'), '500');
  });

  it('another database lost with the socket: commands reject with ConnectionError until the lease ends', async () => {
    await r.withConnection(async (c) => {
      await c.call('SELECT', 5);
      await c.set('k5', 'v');
      assert.equal(await other.clientKill({ id: await c.clientId() }), 1);
      await assert.rejects(c.get('k5'), ConnectionError);
      await assert.rejects(c.set('k5', 'w'), ConnectionError);
      await assert.rejects(c.multi().set('k5', 'w').exec(), ConnectionError);
    });
    assert.equal(await r.get('k5'), null); // nothing ran in db 0
    let kept: { get(k: string): Promise<unknown> } | undefined;
    await r.withConnection(async (c) => {
      kept = c;
      assert.equal(await c.ping(), 'PONG');
    });
    // Used after the lease ended, the object refuses (the connection may be lent to someone else).
    await assert.rejects(
      (kept as { get(k: string): Promise<unknown> }).get('x'),
      /withConnection\(\) has ended/,
    );
  });
});

describe('a lent connection torn down by commandTimeout while it holds state', { timeout: 60_000 }, () => {
  let server: RedisServerHandle;
  let proxy: FaultProxy;
  let r: Redis;
  let other: Redis;
  before(async () => {
    server = await startRedis();
    proxy = await startFaultProxy(server.port);
    // Through the proxy, whose pause freezes the server for r alone; `other` goes direct.
    r = new Redis({ host: server.host, port: proxy.port, commandTimeout: 200 });
    other = new Redis({ host: server.host, port: server.port });
    await Promise.all([r.ping(), other.ping()]);
  });
  after(async () => {
    proxy.resume();
    r.disconnect();
    other.disconnect();
    await proxy.close();
    await server.stop();
  });

  it('a WATCHed transaction sent right after the TimeoutError never commits on the replacement socket', async () => {
    await other.set('tw', 'start');
    const outcome = r.withConnection(async (c) => {
      await c.watch('tw');
      proxy.pause();
      // Nothing comes back: the command times out and the client tears the socket down.
      await assert.rejects(c.get('tw'), TimeoutError);
      // Sent at once, while that teardown is still under way.
      const tx = c.multi().set('tw', 'mine').exec();
      tx.catch(() => undefined); // it may settle while the write below is awaited
      await other.set('tw', 'theirs'); // what the WATCH was there to catch
      proxy.resume();
      return tx;
    });
    await assert.rejects(outcome, (e: unknown) => e instanceof WatchError || e instanceof ConnectionError);
    assert.equal(await other.get('tw'), 'theirs');
    assert.equal(await r.withConnection(async (c) => c.ping()), 'PONG');
  });

  it('a write sent right after the TimeoutError under SELECT never lands in the handshake database', async () => {
    await other.set('ts', 'db0');
    const outcome = r.withConnection(async (c) => {
      await c.call('SELECT', 5);
      proxy.pause();
      await assert.rejects(c.get('ts'), TimeoutError);
      const set = c.set('ts', 'meant-for-db5');
      set.catch(() => undefined);
      proxy.resume();
      return set;
    });
    await assert.rejects(outcome, ConnectionError);
    assert.equal(await other.get('ts'), 'db0');
    assert.equal(await r.withConnection(async (c) => c.ping()), 'PONG');
  });
});
