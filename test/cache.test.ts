import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataError, Redis } from '../src/index.js';
import { EMPTY, LIVE, Store, type Entry } from '../src/cache/store.js';
import { listenerRoundTrip } from './support/cache-listener.js';
import { startHoldProxy, type Pipe } from './support/hold-proxy.js';
import { parseInfo } from './support/raw-client.js';
import { sleep, startRedis, waitUntil, type RedisServerHandle } from './support/redis-server.js';

/** Waits until `r` serves reads from its cache (tracking acknowledged), then empties the cache. */
async function tracking(r: Redis): Promise<void> {
  await waitUntil('tracking on', 5000, async () => {
    await r.get('__probe');
    const before = r.clientSideCache!.stats().hits;
    await r.get('__probe');
    return r.clientSideCache!.stats().hits > before ? undefined : 'no hit yet';
  });
  r.clientSideCache!.clear();
}

/** GET calls the server has counted since the last CONFIG RESETSTAT. */
async function serverCalls(server: RedisServerHandle, command: string): Promise<number> {
  const info = parseInfo(await server.command('INFO', 'commandstats'));
  const line = info[`cmdstat_${command}`];
  return line === undefined ? 0 : Number(/calls=(\d+)/.exec(line)?.[1] ?? 0);
}

interface StoreInternals {
  shared: { cache: { store: { store: { groups: Map<string, Map<string, unknown>> } } } };
}

/** Entries the store of `r` remembers (live, empty or being filled), wherever they are. */
function entriesHeld(r: Redis): number {
  let n = 0;
  for (const m of (r as unknown as StoreInternals).shared.cache.store.store.groups.values()) n += m.size;
  return n;
}

for (const protocol of [3, 2] as const) {
  describe(`client-side cache on a real server (RESP${protocol})`, () => {
    let server: RedisServerHandle;
    let r: Redis;
    let w: Redis;
    before(async () => {
      server = await startRedis();
      r = new Redis({ port: server.port, protocol, clientSideCache: true });
      w = new Redis({ port: server.port, protocol });
      await tracking(r);
    });
    after(async () => {
      await Promise.all([r.close(), w.close()]);
      await server.stop();
    });

    it('serves repeated reads without a round trip (one GET in INFO commandstats)', async () => {
      await w.set('hot', 'v1');
      await server.command('CONFIG', 'RESETSTAT');
      for (let i = 0; i < 50; i++) assert.equal(await r.get('hot'), 'v1');
      assert.equal(await serverCalls(server, 'get'), 1);
      const s = r.clientSideCache!.stats();
      assert.ok(s.hits >= 49, `hits ${s.hits}`);
      assert.ok(s.size >= 1 && s.bytes > 0);
    });

    it('concurrent identical misses share one request', async () => {
      await w.set('shared', 'x');
      await server.command('CONFIG', 'RESETSTAT');
      const replies = await Promise.all(Array.from({ length: 20 }, () => r.get('shared')));
      assert.deepEqual(new Set(replies), new Set(['x']));
      assert.equal(await serverCalls(server, 'get'), 1);
    });

    it('clear() then a write: no read finds an entry from before clear()', async () => {
      await w.set('cleared', 'old');
      assert.equal(await r.get('cleared'), 'old');
      assert.equal(await r.get('cleared'), 'old'); // a hit: the store's lookup path is warm
      r.clientSideCache!.clear();
      await w.set('cleared', 'new');
      await r.ping(); // the invalidation (if any still comes) is processed by now
      assert.equal(await r.get('cleared'), 'new');
      const hits = r.clientSideCache!.stats().hits;
      assert.equal(await r.get('cleared'), 'new');
      assert.equal(r.clientSideCache!.stats().hits, hits + 1, 'served from the cache again after clear()');
    });

    it("is invalidated by another client's SET, DEL, expiry and FLUSHDB", async () => {
      await w.set('inv', 'a');
      assert.equal(await r.get('inv'), 'a');
      assert.equal(await r.get('inv'), 'a');
      await w.set('inv', 'b');
      await r.ping(); // one more round trip: the invalidation is processed by now
      assert.equal(await r.get('inv'), 'b');
      await w.del('inv');
      await r.ping();
      assert.equal(await r.get('inv'), null);

      await w.set('exp', 'soon', { px: 100 });
      assert.equal(await r.get('exp'), 'soon');
      await waitUntil('expiry invalidated', 5000, async () =>
        (await r.get('exp')) === null ? undefined : 'still cached',
      );

      await w.set('f1', '1');
      await w.hset('f2', { a: '1' });
      assert.equal(await r.get('f1'), '1');
      assert.deepEqual({ ...(await r.hgetall('f2')) }, { a: '1' });
      const before = r.clientSideCache!.stats().invalidations;
      await w.flushdb();
      await r.ping();
      assert.ok(r.clientSideCache!.stats().invalidations >= before + 2);
      assert.equal(await r.get('f1'), null);
      assert.deepEqual({ ...(await r.hgetall('f2')) }, {});
    });

    it("a number key is invalidated by another client's write of the key as the server names it (Infinity is '+inf')", async () => {
      for (const [key, wire] of [
        [Infinity, '+inf'],
        [-Infinity, '-inf'],
        [12, '12'],
      ] as const) {
        await w.set(wire, 'a');
        assert.equal(await r.call('GET', key), 'a');
        assert.deepEqual(await r.call('MGET', key), ['a']);
        const hits = r.clientSideCache!.stats().hits;
        assert.equal(await r.call('GET', key), 'a');
        assert.deepEqual(await r.call('MGET', key), ['a']);
        assert.equal(r.clientSideCache!.stats().hits, hits + 2, `${wire}: cached`);
        await w.set(wire, 'b');
        await waitUntil(`${wire}: the write read through the cache`, 5000, async () => {
          const got = [await r.call('GET', key), await r.call('MGET', key)];
          return JSON.stringify(got) === JSON.stringify(['b', ['b']]) ? undefined : JSON.stringify(got);
        });
      }
    });

    it('a hash field named __proto__ is kept in what the cache hands out (miss and hit, typed and call())', async () => {
      await w.call('HSET', 'protoh', '__proto__', 'x', 'a', '1');
      const uncached = await w.call('HGETALL', 'protoh');
      const field = (o: unknown): unknown => Object.getOwnPropertyDescriptor(o, '__proto__')?.value;
      const hits = r.clientSideCache!.stats().hits;
      for (const read of ['miss', 'hit']) {
        const typed = await r.hgetall('protoh');
        assert.equal(field(typed), 'x', `typed, ${read}`);
        assert.equal(typed['a'], '1');
        assert.equal(Object.getPrototypeOf(typed), Object.prototype);
        assert.deepEqual(await r.call('HGETALL', 'protoh'), uncached, `call(), ${read}`);
      }
      // typed and call() share the entry: only the first read went to the server.
      assert.equal(r.clientSideCache!.stats().hits, hits + 3);
    });

    it('HGETALL of two field names that decode to the same text (not UTF-8) rejects with DataError from the cache too, never drops one', async () => {
      await w.call('HSET', 'binnames', Uint8Array.of(0xff, 0x61), '1', Uint8Array.of(0xfe, 0x61), '2');
      await assert.rejects(w.hgetall('binnames'), DataError); // what the client says without a cache
      for (const read of ['first read', 'second read'])
        await assert.rejects(r.hgetall('binnames'), DataError, read);
    });

    it("MGET with no key rejects with the server's error, as without a cache (not an empty list)", async () => {
      const uncached = await w.call('MGET').then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(uncached instanceof Error, 'the server refuses MGET without a key');
      await assert.rejects(r.call('MGET'), { name: uncached.name, message: uncached.message });
      await assert.rejects(r.mget(...([] as string[])), { name: uncached.name, message: uncached.message });
    });

    it("reads this client's own writes at once", async () => {
      for (let i = 0; i < 50; i++) {
        await r.set('own', String(i));
        assert.equal(await r.get('own'), String(i));
        assert.equal(await r.get('own'), String(i));
      }
    });

    it('keeps reply forms apart: strings vs withBuffers(), typed vs call()', async () => {
      await w.set('form', 'abc');
      await w.hset('formh', { f: 'v' });
      assert.equal(await r.get('form'), 'abc');
      const b = await r.withBuffers().get('form');
      assert.ok(b instanceof Uint8Array && Buffer.from(b).equals(Buffer.from('abc')));
      assert.equal(await r.get('form'), 'abc');
      assert.ok((await r.withBuffers().get('form')) instanceof Uint8Array);
      assert.deepEqual({ ...(await r.hgetall('formh')) }, { f: 'v' });
      const raw = await r.call('HGETALL', 'formh');
      if (protocol === 2) assert.deepEqual(raw, ['f', 'v']);
      else assert.deepEqual({ ...(raw as object) }, { f: 'v' });
      assert.deepEqual({ ...(await r.hgetall('formh')) }, { f: 'v' });
      assert.equal(await r.call('get', 'form'), 'abc');
    });

    it('a mutated hit does not change the next hit', async () => {
      await w.set('mut', 'abc');
      await w.rpush('mutl', 'a', 'b');
      await w.hset('muth', { f: 'v' });
      const rb = r.withBuffers();
      await rb.get('mut');
      const b1 = (await rb.get('mut')) as Uint8Array;
      b1[0] = 0x7a;
      assert.equal(Buffer.from((await rb.get('mut')) as Uint8Array).toString(), 'abc');
      await r.lrange('mutl', 0, -1);
      const l = await r.lrange('mutl', 0, -1);
      l.push('c');
      assert.deepEqual(await r.lrange('mutl', 0, -1), ['a', 'b']);
      await r.hgetall('muth');
      const h = await r.hgetall('muth');
      h.f = 'changed';
      assert.deepEqual({ ...(await r.hgetall('muth')) }, { f: 'v' });
      const m = await r.mget('mut', 'nope');
      m[0] = 'changed';
      assert.deepEqual(await r.mget('mut', 'nope'), ['abc', null]);
    });

    it('readers sharing a miss each get their own copy: the first one mutating its reply changes no other', async () => {
      await w.set('mutj', 'abc');
      await w.rpush('mutjl', 'a', 'b');
      // The first caller's reaction to the shared request runs before the second one joins it.
      r.clientSideCache!.clear();
      const rb = r.withBuffers();
      const zapped = rb.get('mutj').then((v) => {
        (v as Uint8Array)[0] = 0x7a;
        return v;
      });
      const bytes = rb.get('mutj');
      assert.equal(Buffer.from((await zapped) as Uint8Array).toString(), 'zbc');
      assert.equal(Buffer.from((await bytes) as Uint8Array).toString(), 'abc');
      r.clientSideCache!.clear();
      const pushed = r.call('LRANGE', 'mutjl', 0, -1).then((l) => {
        (l as string[]).push('c');
        return l;
      });
      const list = r.call('LRANGE', 'mutjl', 0, -1);
      assert.deepEqual(await pushed, ['a', 'b', 'c']);
      assert.deepEqual(await list, ['a', 'b']);
      assert.deepEqual(await r.call('LRANGE', 'mutjl', 0, -1), ['a', 'b']);
    });

    it('caches MGET per key and binary keys', async () => {
      await w.mset({ m1: '1', m2: '2', m3: '3' });
      assert.deepEqual(await r.mget('m1', 'm2'), ['1', '2']);
      await server.command('CONFIG', 'RESETSTAT');
      assert.deepEqual(await r.mget('m2', 'm1'), ['2', '1']);
      assert.deepEqual(await r.mget('m1', 'm3'), ['1', '3']); // only m3 asked for
      assert.equal(await serverCalls(server, 'mget'), 1);
      await w.set('m1', 'one');
      await r.ping();
      assert.deepEqual(await r.mget('m1', 'm2', 'm3'), ['one', '2', '3']);

      const key = Buffer.from([0xff, 0xfe, 0x41]); // not UTF-8
      await w.set(key, 'bin1');
      assert.equal(await r.get(key), 'bin1');
      assert.equal(await r.get(key), 'bin1');
      await w.set(key, 'bin2');
      await r.ping();
      assert.equal(await r.get(key), 'bin2');
    });

    it('caches the ZRANGE family (typed and through call()) and the other declared reads', async () => {
      await w.zadd('zf', 1, 'a', 2, 'b', 3, 'c');
      await w.zadd('zl', 0, 'x', 0, 'y');
      await w.hset('hf', { f: 'v', g: 'w' });
      const reads: Array<() => Promise<unknown>> = [
        () => r.zrange('zf', 0, -1),
        () => r.call('ZRANGEBYSCORE', 'zf', '-inf', '+inf'),
        () => r.call('zrevrangebyscore', 'zf', '+inf', '-inf'),
        () => r.call('ZREVRANGE', 'zf', 0, -1),
        () => r.call('ZRANGEBYLEX', 'zl', '-', '+'),
        () => r.call('ZREVRANGEBYLEX', 'zl', '+', '-'),
        () => r.zcount('zf', 1, 2),
        () => r.zrank('zf', 'b'),
        () => r.hkeys('hf'),
        () => r.hvals('hf'),
        () => r.hstrlen('hf', 'f'),
      ];
      const first = [];
      for (const read of reads) first.push(await read());
      await server.command('CONFIG', 'RESETSTAT');
      for (const read of reads) for (let i = 0; i < 3; i++) await read();
      const sent = [];
      for (const c of ['zrange', 'zrangebyscore', 'zrevrangebyscore', 'zrevrange', 'zrangebylex']) {
        sent.push(await serverCalls(server, c));
      }
      for (const c of ['zrevrangebylex', 'zcount', 'zrank', 'hkeys', 'hvals', 'hstrlen']) {
        sent.push(await serverCalls(server, c));
      }
      assert.deepEqual(sent, new Array<number>(reads.length).fill(0));
      assert.deepEqual(first[3], ['c', 'b', 'a']);
      await w.zadd('zf', 0, 'z');
      await r.ping();
      assert.deepEqual(await r.call('ZREVRANGE', 'zf', 0, -1), ['c', 'b', 'a', 'z']);
      assert.deepEqual(await r.call('ZRANGEBYSCORE', 'zf', '-inf', '+inf'), ['z', 'a', 'b', 'c']);
    });

    it('never serves writes, transactions, scripts or a lent connection from the cache', async () => {
      await w.set('tx', '1');
      assert.equal(await r.get('tx'), '1');
      await server.command('CONFIG', 'RESETSTAT');
      const [g] = (await r.multi().get('tx').exec()) as [string];
      assert.equal(g, '1');
      const [p] = (await r.pipeline().get('tx').exec()) as [string];
      assert.equal(p, '1');
      assert.equal(await r.withConnection((c) => c.get('tx')), '1');
      assert.equal(await serverCalls(server, 'get'), 3);
      assert.equal(await r.incr('tx'), 2);
      assert.equal(await r.get('tx'), '2');
    });

    it('flushes on reconnect and tracks again', async () => {
      await w.set('rc', 'before');
      assert.equal(await r.get('rc'), 'before');
      assert.ok(r.clientSideCache!.stats().size > 0);
      const id = r.connection.hello.id ?? Number(await r.call('CLIENT', 'ID'));
      const closed = new Promise<void>((resolve) => r.once('close', () => resolve()));
      await server.command('CLIENT', 'KILL', 'ID', String(id));
      await closed;
      assert.equal(r.clientSideCache!.stats().size, 0);
      await w.set('rc', 'after');
      assert.equal(await r.get('rc'), 'after');
      await tracking(r);
      assert.equal(await r.get('rc'), 'after');
      assert.equal(await r.get('rc'), 'after');
      await w.set('rc', 'again');
      await r.ping();
      assert.equal(await r.get('rc'), 'again');
    });
  });
}

/**
 * The RESP2 race tests' waits on the hold proxy. `data.down` before `mark` holds the tracker's
 * CLIENT LIST check, whose reply names the listener `wredis-invalidations-<random base36>`: a
 * wait for 'v1' anywhere in it passed about once in 110 clients before the server had run the
 * GET (the other client's SET then ran first, the GET read the new value, and no invalidation
 * ever came). So each wait wants the exact bytes after `mark`, and says what it saw.
 */
async function heldReply(data: Pipe, mark: number, expected: string): Promise<void> {
  await waitUntil('the server answered (held in the proxy)', 5000, async () => {
    const got = data.down.slice(mark);
    return got === expected ? undefined : `after the mark: ${JSON.stringify(got)}`;
  });
}

/** Waits until `listener` got an invalidation naming `key`; a failure shows the server's clients (flags t, redir). */
async function forwarded(
  server: RedisServerHandle,
  listener: Pipe,
  seen: number,
  key: string,
): Promise<void> {
  try {
    await waitUntil('invalidation forwarded', 5000, async () =>
      listener.down.slice(seen).includes(key)
        ? undefined
        : `the listener got ${JSON.stringify(listener.down.slice(seen))}`,
    );
  } catch (e) {
    const clients = await server.command('CLIENT', 'LIST').then(String, (x: Error) => x.message);
    throw new Error(`${(e as Error).message}; CLIENT LIST:\n${clients}`);
  }
}

describe('client-side cache: a read answered after its invalidation is not stored', () => {
  let server: RedisServerHandle;
  let w: Redis;
  before(async () => {
    server = await startRedis();
    w = new Redis({ port: server.port });
  });
  after(async () => {
    await w.close();
    await server.stop();
  });

  it('RESP2: a reply delayed past the invalidation (on the REDIRECT connection) is not served later', async () => {
    const proxy = await startHoldProxy(server.port);
    const r = new Redis({ port: proxy.port, protocol: 2, clientSideCache: true });
    try {
      await tracking(r);
      // Accept order: the shared connection first, then its invalidation listener.
      const [data, listener] = proxy.pipes as [Pipe, Pipe];
      assert.match(listener.down, /__redis__:invalidate/);
      await w.set('race', 'v1');
      data.holdDown = true;
      const mark = data.down.length; // only the GET's reply comes after it (see heldReply)
      const read = r.get('race');
      await heldReply(data, mark, '$2\r\nv1\r\n'); // the server ran the GET: race is tracked
      const seen = listener.down.length;
      await w.set('race', 'v2'); // acknowledged: the invalidation is on its way to the listener
      await forwarded(server, listener, seen, 'race');
      await listenerRoundTrip(r); // the client has read the invalidation before the delayed reply
      data.release();
      assert.equal(await read, 'v1'); // the read was served before the write: a legal answer
      assert.equal(await r.get('race'), 'v2'); // but it was not stored
      assert.equal(await r.get('race'), 'v2');
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });

  it('RESP2: a stale fill answered after a newer fill of the same key started does not store over it', async () => {
    const proxy = await startHoldProxy(server.port);
    const r = new Redis({ port: proxy.port, protocol: 2, clientSideCache: true });
    try {
      await tracking(r);
      const [data, listener] = proxy.pipes as [Pipe, Pipe];
      await w.set('gen', 'v1');
      data.holdDown = true;
      const mark = data.down.length; // only the GETs' replies come after it (see heldReply)
      const first = r.get('gen'); // fill 1: answered v1, held in the proxy
      await heldReply(data, mark, '$2\r\nv1\r\n'); // the server ran the GET: gen is tracked
      const seen = listener.down.length;
      await w.set('gen', 'v2'); // invalidates: fill 1 is stale, its entry empty
      await forwarded(server, listener, seen, 'gen');
      await listenerRoundTrip(r); // the client has read the invalidation before the next read
      const second = r.get('gen'); // fill 2 of the same entry, answered v2 behind v1
      await heldReply(data, mark, '$2\r\nv1\r\n$2\r\nv2\r\n');
      data.release();
      assert.equal(await first, 'v1');
      assert.equal(await second, 'v2');
      const hits = r.clientSideCache!.stats().hits;
      assert.equal(await r.get('gen'), 'v2'); // fill 2 stored, fill 1's later reply did not replace it
      assert.equal(r.clientSideCache!.stats().hits, hits + 1);
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });

  it('RESP3: a read sent before a write and answered after its invalidation is not stored', async () => {
    const proxy = await startHoldProxy(server.port);
    const r = new Redis({ port: proxy.port, protocol: 3, clientSideCache: true });
    try {
      await tracking(r);
      const [data] = proxy.pipes as [Pipe];
      await w.set('race3', 'v1');
      assert.equal(await r.get('race3'), 'v1');
      r.clientSideCache!.clear(); // the server still tracks race3 for this connection
      data.holdUp = true;
      const read = r.get('race3');
      const seen = data.down.length;
      await w.set('race3', 'v2');
      await waitUntil('invalidation pushed', 5000, async () =>
        data.down.slice(seen).includes('race3') ? undefined : 'not yet',
      );
      await sleep(50);
      data.release();
      assert.equal(await read, 'v2');
      assert.equal(r.clientSideCache!.stats().size, 0); // answered after the invalidation: not stored
      const misses = r.clientSideCache!.stats().misses;
      assert.equal(await r.get('race3'), 'v2');
      assert.equal(r.clientSideCache!.stats().misses, misses + 1);
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });
});

describe('client-side cache: while the RESP2 invalidation connection lags', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(() => server.stop());

  it("another client's write: served from the cache until the listener's socket is read (the documented limit), never after", async () => {
    const proxy = await startHoldProxy(server.port);
    const r = new Redis({ port: proxy.port, protocol: 2, clientSideCache: true });
    const w = new Redis({ port: server.port });
    try {
      await tracking(r);
      const [, listener] = proxy.pipes as [Pipe, Pipe];
      await w.set('lag', 'v1');
      assert.equal(await r.get('lag'), 'v1');
      listener.holdDown = true;
      const seen = listener.down.length;
      await w.set('lag', 'v2');
      await waitUntil('invalidation sent (held in the proxy)', 5000, async () =>
        listener.down.slice(seen).includes('lag') ? undefined : 'not yet',
      );
      // The write is acknowledged and a round trip on the reader's own socket is done, yet the
      // invalidation has not been read: the RESP2 bound of the README, not a promise.
      await r.ping();
      assert.equal(await r.get('lag'), 'v1');
      const invalidations = r.clientSideCache!.stats().invalidations;
      listener.release();
      await waitUntil('invalidation read', 5000, async () =>
        r.clientSideCache!.stats().invalidations > invalidations ? undefined : 'not yet',
      );
      assert.equal(await r.get('lag'), 'v2');
    } finally {
      proxy.release();
      await Promise.all([r.close(), w.close()]);
      await proxy.close();
    }
  });

  it('a listener gone silent for good (nothing more arrives on it) is noticed by its PING: the cache flushes, then tracks again', async () => {
    const proxy = await startHoldProxy(server.port);
    // No pingInterval set: the listener pings on its own. connectTimeout bounds the wait for a PONG.
    const r = new Redis({ port: proxy.port, protocol: 2, connectTimeout: 500, clientSideCache: true });
    r.on('error', () => undefined);
    const w = new Redis({ port: server.port });
    try {
      await tracking(r);
      const [, listener] = proxy.pipes as [Pipe, Pipe];
      await w.set('silent', 'v1');
      assert.equal(await r.get('silent'), 'v1');
      assert.equal(await r.get('silent'), 'v1');
      // Held for good: the invalidation of the write below, and every PONG, never reach the client.
      listener.holdDown = true;
      await w.set('silent', 'v2');
      await waitUntil('the write read through the cache', 10_000, async () =>
        (await r.get('silent')) === 'v2' ? undefined : 'still the old value',
      );
      // The listener reconnected (a new connection through the proxy) and reads are cached again.
      await tracking(r);
      assert.ok(proxy.pipes.length > 2, 'a new listener connection');
    } finally {
      await Promise.all([r.close(), w.close()]);
      await proxy.close();
    }
  });

  it('a pipeline, a transaction and a blocking command drop the keys they wrote once answered', async () => {
    const proxy = await startHoldProxy(server.port);
    const r = new Redis({ port: proxy.port, protocol: 2, clientSideCache: true });
    try {
      await tracking(r);
      const [, listener] = proxy.pipes as [Pipe, Pipe];
      await r.set('own', 'v1');
      assert.equal(await r.get('own'), 'v1');
      await r.rpush('own:src', 'a');
      assert.deepEqual(await r.lrange('own:dst', 0, -1), []);
      // The server's invalidations of these keys now wait in the proxy: only the client's own
      // bookkeeping can keep it from serving what it read before its writes.
      listener.holdDown = true;
      assert.equal(await r.get('own'), 'v1'); // cached
      await r.pipeline().set('own', 'v2').exec();
      assert.equal(await r.get('own'), 'v2');
      assert.equal(await r.get('own'), 'v2'); // cached again
      await r.multi().set('own', 'v3').exec();
      assert.equal(await r.get('own'), 'v3');
      assert.deepEqual(await r.lrange('own:dst', 0, -1), []); // cached
      assert.equal(await r.blmove('own:src', 'own:dst', 'LEFT', 'RIGHT', 1), 'a');
      assert.deepEqual(await r.lrange('own:dst', 0, -1), ['a']);
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });

  it("a lent connection's writes (a command, call(), a transaction at EXEC) drop the keys they wrote once answered", async () => {
    const proxy = await startHoldProxy(server.port);
    const r = new Redis({ port: proxy.port, protocol: 2, clientSideCache: true });
    try {
      await tracking(r);
      const [, listener] = proxy.pipes as [Pipe, Pipe];
      await r.set('lent', 'v1');
      assert.equal(await r.get('lent'), 'v1');
      listener.holdDown = true;
      const cache = r.clientSideCache!;
      /** The key is answered from the cache with `value`. */
      const cachedAs = async (value: string): Promise<void> => {
        const hits = cache.stats().hits;
        assert.equal(await r.get('lent'), value);
        assert.equal(cache.stats().hits, hits + 1);
      };
      await cachedAs('v1');
      await r.withConnection(async (c) => {
        await c.set('lent', 'v2');
      });
      assert.equal(await r.get('lent'), 'v2');
      await cachedAs('v2');
      await r.withConnection(async (c) => {
        await c.call('SET', 'lent', 'v3');
      });
      assert.equal(await r.get('lent'), 'v3');
      await cachedAs('v3');
      await r.withConnection(async (c) => {
        await c.multi().set('lent', 'v4').exec();
      });
      assert.equal(await r.get('lent'), 'v4');
      // MULTI sent command by command: a read between the queued SET and EXEC sees (and may
      // store) the value from before EXEC.
      await r.withConnection(async (c) => {
        await c.call('MULTI');
        assert.equal(await c.call('SET', 'lent', 'v5'), 'QUEUED');
        assert.equal(await r.get('lent'), 'v4');
        await c.call('EXEC');
      });
      assert.equal(await r.get('lent'), 'v5');
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });

  it("this client's FLUSHDB / FLUSHALL / SWAPDB (keyless writes: a command, call(), a pipeline, a lent connection) empty the cache once answered", async () => {
    const proxy = await startHoldProxy(server.port);
    const r = new Redis({ port: proxy.port, protocol: 2, clientSideCache: true });
    try {
      await tracking(r);
      const [, listener] = proxy.pipes as [Pipe, Pipe];
      const cache = r.clientSideCache!;
      // The server's flush invalidation now waits in the proxy: only the client's own bookkeeping
      // can keep it from serving what it read before its own flush.
      listener.holdDown = true;
      const flushes: Array<[string, () => Promise<unknown>]> = [
        ['flushdb()', () => r.flushdb()],
        ["call('FLUSHALL')", () => r.call('FLUSHALL')],
        ['pipeline().flushdb()', () => r.pipeline().flushdb().exec()],
        ['withConnection(c => c.flushall())', () => r.withConnection((c) => c.flushall())],
      ];
      for (const [how, flush] of flushes) {
        await r.set('flushed', 'v1');
        assert.equal(await r.get('flushed'), 'v1');
        const hits = cache.stats().hits;
        assert.equal(await r.get('flushed'), 'v1'); // cached
        assert.equal(cache.stats().hits, hits + 1);
        await flush();
        assert.equal(await r.get('flushed'), null, how);
      }
      // SWAPDB: the server sends no invalidation at all (Redis 7.0); this client's own one still counts.
      await r.set('flushed', 'db0');
      assert.equal(await r.get('flushed'), 'db0');
      await r.withConnection(async (c) => {
        await c.call('SELECT', 1);
        await c.set('flushed', 'db1');
      });
      assert.equal(await r.get('flushed'), 'db0');
      const hits = cache.stats().hits;
      assert.equal(await r.get('flushed'), 'db0'); // cached
      assert.equal(cache.stats().hits, hits + 1);
      await r.swapdb(0, 1);
      assert.equal(await r.get('flushed'), 'db1');
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });
});

describe('client-side cache: a RESP3 tracked connection gone silent', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(() => server.stop());

  it('is noticed by its PING while only hits are served (nothing else sent on it): the cache flushes, then tracks again', async () => {
    const proxy = await startHoldProxy(server.port);
    // No pingInterval set: the tracked connection pings on its own. connectTimeout bounds the wait for a PONG.
    const r = new Redis({ port: proxy.port, protocol: 3, connectTimeout: 500, clientSideCache: true });
    r.on('error', () => undefined);
    const w = new Redis({ port: server.port });
    try {
      await tracking(r);
      const [data] = proxy.pipes as [Pipe];
      await w.set('silent3', 'v1');
      assert.equal(await r.get('silent3'), 'v1');
      assert.equal(await r.get('silent3'), 'v1');
      // Held for good: the invalidation of the write below, and every PONG, never reach the client.
      data.holdDown = true;
      const seen = data.down.length;
      await w.set('silent3', 'v2');
      await waitUntil('invalidation sent (held in the proxy)', 5000, async () =>
        data.down.slice(seen).includes('silent3') ? undefined : 'not yet',
      );
      await waitUntil('the write read through the cache', 10_000, async () =>
        (await r.get('silent3')) === 'v2' ? undefined : 'still the old value',
      );
      // The connection was rebuilt (a new one through the proxy) and reads are cached again.
      await tracking(r);
      assert.ok(proxy.pipes.length > 1, 'a new connection');
    } finally {
      proxy.release();
      await Promise.all([r.close(), w.close()]);
      await proxy.close();
    }
  });
});

describe('client-side cache: reads sharing a fill count under maxQueued', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
    await server.command('SET', 'sq', 'v');
  });
  after(() => server.stop());

  for (const protocol of [3, 2] as const)
    it(`RESP${protocol}: with the server stalled, readers past maxQueued are refused as a full queue refuses them, shared reads included`, async () => {
      const proxy = await startHoldProxy(server.port);
      const r = new Redis({ port: proxy.port, protocol, clientSideCache: true, maxQueued: 3 });
      try {
        await tracking(r);
        const [data] = proxy.pipes as [Pipe];
        data.holdDown = true; // the server stalls: nothing is answered
        const reads = Array.from({ length: 6 }, () => r.get('sq')); // one GET, then readers of it
        const other = r.get('other'); // another key: the queue counts the shared readers too
        const many = r.mget('sq', 'other');
        data.release();
        const got = await Promise.allSettled([...reads, other, many]);
        const codes = got.map((s) =>
          s.status === 'fulfilled' ? s.value : ((s.reason as { code?: string }).code ?? String(s.reason)),
        );
        const full = 'ERR_WREDIS_QUEUE_FULL';
        assert.deepEqual(codes, ['v', 'v', 'v', full, full, full, full, full]);
        // Settled readers leave the count: as many may share a fill again.
        r.clientSideCache!.clear();
        assert.deepEqual(await Promise.all([r.get('sq'), r.get('sq'), r.get('sq')]), ['v', 'v', 'v']);
      } finally {
        proxy.release();
        await r.close();
        await proxy.close();
      }
    });
});

describe('client-side cache store: empty entries', () => {
  it('keeps an invalidated entry to fill again, and at most maxEntries of them (oldest dropped)', () => {
    const store = new Store(2, 1 << 20, 0);
    const owner = {};
    for (const k of ['a', 'b', 'c', 'd']) {
      const e = store.create('S1get', k, [k]);
      e.owner = owner;
      store.refill(e);
      store.fill(e, `value of ${k}`, -1);
    }
    // maxEntries 2: a and b were evicted (empty, remembered), c and d are live.
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => store.get('S1get', k)?.state),
      [EMPTY, EMPTY, LIVE, LIVE],
    );
    const c = store.get('S1get', 'c');
    store.invalidateKey('c');
    store.invalidateKey('d');
    // Four empty entries for room for two: the two oldest (a, b) are gone from the maps.
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => store.get('S1get', k)?.state),
      [undefined, undefined, EMPTY, EMPTY],
    );
    assert.equal(store.stats().size, 0);
    // The next miss fills the same entry again.
    const again = store.get('S1get', 'c') as Entry;
    assert.equal(again, c);
    store.refill(again);
    store.fill(again, 'new value', -1);
    assert.equal(store.get('S1get', 'c')?.value, 'new value');
    assert.equal(store.stats().size, 1);
    // invalidateKey('a') finds nothing: the dropped entry left the key index too.
    store.invalidateKey('a');
    assert.equal(store.stats().invalidations, 2);
  });
});

describe('client-side cache limits', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
    const w = new Redis({ port: server.port });
    for (let i = 0; i < 10; i++) await w.set(`k${i}`, 'x'.repeat(100));
    await w.close();
  });
  after(() => server.stop());

  it('evicts the least recently used entry at maxEntries', async () => {
    const r = new Redis({ port: server.port, clientSideCache: { maxEntries: 3 } });
    try {
      await tracking(r);
      await r.get('k0');
      await r.get('k1');
      await r.get('k2');
      await r.get('k0'); // k1 is now the least recently used
      await r.get('k3');
      const s = r.clientSideCache!.stats();
      assert.equal(s.size, 3);
      assert.equal(s.evictions, 1);
      const hits = s.hits;
      await r.get('k0');
      await r.get('k2');
      await r.get('k3');
      assert.equal(r.clientSideCache!.stats().hits, hits + 3);
      await r.get('k1');
      assert.equal(r.clientSideCache!.stats().hits, hits + 3);
    } finally {
      await r.close();
    }
  });

  it('evicts at maxBytes and never keeps an entry larger than it', async () => {
    const r = new Redis({ port: server.port, clientSideCache: { maxBytes: 500 } });
    try {
      await tracking(r);
      for (let i = 0; i < 10; i++) await r.get(`k${i}`);
      const s = r.clientSideCache!.stats();
      assert.ok(s.bytes <= 500, `bytes ${s.bytes}`);
      assert.ok(s.size >= 3 && s.size < 10, `size ${s.size}`);
      assert.ok(s.evictions >= 10 - s.size);
      await r.set('big', 'y'.repeat(1000));
      await r.get('big');
      await r.get('big');
      assert.ok(r.clientSideCache!.stats().bytes <= 500);
    } finally {
      await r.close();
    }
  });

  it('ttl bounds how long an entry is served', async () => {
    const r = new Redis({ port: server.port, clientSideCache: { ttl: 30 } });
    try {
      await tracking(r);
      await r.get('k0');
      await r.get('k0');
      const misses = r.clientSideCache!.stats().misses;
      await sleep(60);
      await r.get('k0');
      assert.equal(r.clientSideCache!.stats().misses, misses + 1);
    } finally {
      await r.close();
    }
  });

  it('an MGET refused for a bad argument (nothing sent) keeps no entry and counts no miss', async () => {
    const r = new Redis({ port: server.port, clientSideCache: { maxEntries: 10 } });
    try {
      await tracking(r);
      const before = r.clientSideCache!.stats();
      for (let i = 0; i < 100; i++) {
        await assert.rejects(r.mget(`refused${i}`, undefined as unknown as string), DataError);
        await assert.rejects(r.call('MGET', `refused${i}`, {}), DataError);
      }
      assert.deepEqual(r.clientSideCache!.stats(), before);
      // Nothing held for the keys named in them: 200 entries for room for 10 grew without bound.
      assert.equal(entriesHeld(r), 0);
    } finally {
      await r.close();
    }
  });

  it('ttl: an MGET whose expired entry pushes out the oldest empty one still fills every key it read', async () => {
    const r = new Redis({ port: server.port, clientSideCache: { maxEntries: 2, ttl: 1000 } });
    try {
      await tracking(r);
      // Two empty entries (own writes drop at once), k1's the oldest, and k3 live.
      await r.mget('k1');
      await r.set('k1', 'x'.repeat(100));
      await r.mget('k2');
      await r.set('k2', 'x'.repeat(100));
      await r.mget('k3');
      await sleep(1100);
      // k1 is looked up (empty, to fill), then k3 has expired: emptied, it is the third empty entry
      // for room for two, and the oldest, k1's, went out of the store while this MGET still filled it.
      assert.deepEqual(await r.mget('k1', 'k3'), ['x'.repeat(100), 'x'.repeat(100)]);
      const { hits, size } = r.clientSideCache!.stats();
      assert.equal(size, 2);
      assert.deepEqual(await r.mget('k1', 'k3'), ['x'.repeat(100), 'x'.repeat(100)]);
      assert.equal(r.clientSideCache!.stats().hits, hits + 2, 'both keys are served from the cache');
      assert.equal(entriesHeld(r), 3, 'k1 and k3 live, k2 empty: nothing held outside the maps');
    } finally {
      await r.close();
    }
  });

  it('broadcast mode caches keys under its prefixes only', async () => {
    const w = new Redis({ port: server.port });
    const r = new Redis({ port: server.port, clientSideCache: { mode: 'broadcast', prefixes: ['b:'] } });
    try {
      await w.set('b:1', 'one');
      await w.set('c:1', 'other');
      await waitUntil('tracking on', 5000, async () => {
        await r.get('b:probe');
        const before = r.clientSideCache!.stats().hits;
        await r.get('b:probe');
        return r.clientSideCache!.stats().hits > before ? undefined : 'no hit yet';
      });
      assert.match(String(await r.call('CLIENT', 'INFO')), /flags=\S*t/);
      assert.equal(await r.get('b:1'), 'one');
      assert.equal(await r.get('c:1'), 'other');
      const size = r.clientSideCache!.stats().size;
      assert.equal(await r.get('c:1'), 'other');
      assert.equal(r.clientSideCache!.stats().size, size); // c:1 never stored
      await w.set('b:1', 'uno');
      await r.ping();
      assert.equal(await r.get('b:1'), 'uno');
    } finally {
      await Promise.all([r.close(), w.close()]);
    }
  });

  it('broadcast mode with a non-UTF-8 prefix does not cache a non-UTF-8 key outside its prefixes', async () => {
    // Prefixes 0xff and 'p:'; key 0xfe 0x41 is under neither, so the server announces none of its changes.
    const outside = Buffer.from([0xfe, 0x41]);
    const w = new Redis({ port: server.port });
    const r = new Redis({
      port: server.port,
      clientSideCache: { mode: 'broadcast', prefixes: [Uint8Array.of(0xff), 'p:'] },
    });
    try {
      await w.set('p:mark', '1');
      await w.set(outside, 'out1');
      await waitUntil('tracking on', 5000, async () => {
        await r.get('p:probe');
        const before = r.clientSideCache!.stats().hits;
        await r.get('p:probe');
        return r.clientSideCache!.stats().hits > before ? undefined : 'no hit yet';
      });
      assert.equal(await r.get('p:mark'), '1');
      assert.equal(await r.get(outside), 'out1');
      assert.equal(await r.get(outside), 'out1');
      await w.set(outside, 'out2');
      await w.set('p:mark', '2');
      // Invalidations arrive in order: once the later change under 'p:' is seen, the earlier one would have been.
      await waitUntil('invalidation of p:mark', 5000, async () =>
        (await r.get('p:mark')) === '2' ? undefined : 'not yet',
      );
      assert.equal(await r.get(outside), 'out2');
    } finally {
      await Promise.all([r.close(), w.close()]);
    }
  });

  it('broadcast prefixes that overlap (the server refuses them, and would cache nothing) are refused with DataError', async () => {
    // What the server says to such a set: tracking stays off on that connection.
    for (const prefixes of [
      ['o:', 'o:b'],
      ['o:', 'o:'],
      ['o:b', 'o:'],
    ]) {
      await assert.rejects(
        server.command('CLIENT', 'TRACKING', 'ON', 'BCAST', ...prefixes.flatMap((p) => ['PREFIX', p])),
        /overlap/,
      );
      assert.throws(
        () => new Redis({ lazyConnect: true, clientSideCache: { mode: 'broadcast', prefixes } }),
        DataError,
        prefixes.join(' '),
      );
    }
    assert.throws(
      () =>
        new Redis({
          lazyConnect: true,
          clientSideCache: { mode: 'broadcast', prefixes: ['o:', Uint8Array.of(0x6f, 0x3a, 0x62)] },
        }),
      DataError,
    );
    // Apart, they go (the existing broadcast tests cache under such prefixes).
    await new Redis({
      lazyConnect: true,
      clientSideCache: { mode: 'broadcast', prefixes: ['o:', 'p:', Uint8Array.of(0xff)] },
    }).close();
  });

  it('rejects bad options with DataError', () => {
    assert.throws(() => new Redis({ lazyConnect: true, clientSideCache: { maxEntries: 0 } }), DataError);
    assert.throws(() => new Redis({ lazyConnect: true, clientSideCache: { ttl: -1 } }), DataError);
    assert.throws(
      () => new Redis({ lazyConnect: true, clientSideCache: { prefixes: ['a'] } }),
      DataError, // prefixes need broadcast mode
    );
    assert.equal(new Redis({ lazyConnect: true }).clientSideCache, undefined);
  });
});

for (const protocol of [3, 2] as const) {
  describe(`client-side cache with keyPrefix (RESP${protocol})`, () => {
    let server: RedisServerHandle;
    let w: Redis;
    before(async () => {
      server = await startRedis();
      w = new Redis({ port: server.port }); // no prefix: writes the keys as the server names them
    });
    after(async () => {
      await w.close();
      await server.stop();
    });

    it('caches under the prefixed key and is invalidated by writes of the prefixed key', async () => {
      const r = new Redis({ port: server.port, protocol, keyPrefix: 'app:', clientSideCache: true });
      try {
        await tracking(r);
        await w.set('app:k', '1');
        await w.set('k', 'not mine');
        assert.equal(await r.get('k'), '1');
        await server.command('CONFIG', 'RESETSTAT');
        for (let i = 0; i < 10; i++) assert.equal(await r.get('k'), '1');
        assert.equal(await serverCalls(server, 'get'), 0);
        await w.set('app:k', '2');
        await r.ping();
        assert.equal(await r.get('k'), '2');
        await w.del('app:k');
        await r.ping();
        assert.equal(await r.get('k'), null);

        await w.mset({ 'app:m1': 'a', 'app:m2': 'b' });
        assert.deepEqual(await r.mget('m1', 'm2'), ['a', 'b']);
        await w.set('app:m2', 'B');
        await r.ping();
        assert.deepEqual(await r.mget('m1', 'm2'), ['a', 'B']);

        await r.set('own', 'x'); // this client's own write, through the prefix
        assert.equal(await r.get('own'), 'x');
        await r.set('own', 'y');
        assert.equal(await r.get('own'), 'y');
        assert.equal(await w.get('app:own'), 'y');
      } finally {
        await r.close();
      }
    });

    it('broadcast mode tracks the prefixes with keyPrefix in front', async () => {
      const r = new Redis({
        port: server.port,
        protocol,
        keyPrefix: 'app:',
        clientSideCache: { mode: 'broadcast', prefixes: ['b:'] },
      });
      try {
        await waitUntil('tracking on', 5000, async () => {
          await r.get('b:probe');
          const before = r.clientSideCache!.stats().hits;
          await r.get('b:probe');
          return r.clientSideCache!.stats().hits > before ? undefined : 'no hit yet';
        });
        const info = await r.call('CLIENT', 'TRACKINGINFO');
        const flat = JSON.stringify(info instanceof Map ? [...info] : info);
        assert.match(flat, /"app:b:"/);
        await w.set('app:b:1', 'one');
        assert.equal(await r.get('b:1'), 'one');
        assert.equal(await r.get('b:1'), 'one');
        await w.set('app:b:1', 'uno');
        await r.ping();
        assert.equal(await r.get('b:1'), 'uno');
        // Outside 'app:b:' (here: the key without the client's prefix): not cached.
        await w.set('app:c:1', 'c');
        const size = r.clientSideCache!.stats().size;
        assert.equal(await r.get('c:1'), 'c');
        assert.equal(r.clientSideCache!.stats().size, size);
      } finally {
        await r.close();
      }
    });
  });
}

describe('client-side cache: an ACL that refuses what tracking needs', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
    // RESP3 tracks on the connection itself (CLIENT TRACKING); RESP2 also needs the listener's
    // SUBSCRIBE to __redis__:invalidate, which an ACL without channels refuses.
    await server.command('ACL', 'SETUSER', 'notrack', 'on', '>pw', '~*', '&*', '+@all', '-client|tracking');
    await server.command('ACL', 'SETUSER', 'nochan', 'on', '>pw', '~*', 'resetchannels', '+@all');
  });
  after(async () => {
    await server.stop();
  });

  for (const [protocol, user, refused] of [
    [3, 'notrack', 'CLIENT TRACKING'],
    [2, 'notrack', 'CLIENT TRACKING'],
    [2, 'nochan', "the listener's SUBSCRIBE"],
  ] as const) {
    it(`RESP${protocol}, ${refused} refused: reads pass through uncached and the client's 'error' event says why`, async () => {
      const r = new Redis({
        port: server.port,
        protocol,
        username: user,
        password: 'pw',
        clientSideCache: true,
      });
      const errors: Error[] = [];
      r.on('error', (e) => errors.push(e));
      try {
        await r.set('k', 'v1');
        await waitUntil('the refusal reported', 5000, async () => {
          await r.get('k');
          return errors.length > 0 ? undefined : 'no error event yet';
        });
        assert.match(errors[0]?.message ?? '', /NOPERM|permission/i, String(errors[0]));
        // Nothing was cached: another client's write is seen at once.
        await server.command('SET', 'k', 'v2');
        assert.equal(await r.get('k'), 'v2');
        assert.equal(r.clientSideCache?.stats().hits ?? 0, 0);
      } finally {
        await r.close();
      }
    });
  }
});

describe('client-side cache: a key opening with U+FEFF', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });

  for (const protocol of [3, 2] as const) {
    it(`RESP${protocol}: read as bytes, it is invalidated by another client's write (the key indexed with its U+FEFF)`, async () => {
      const r = new Redis({ port: server.port, protocol, clientSideCache: true });
      const key = `\uFEFFbom${protocol}`;
      const bytes = new TextEncoder().encode(key);
      try {
        await server.command('SET', key, 'v1');
        // Tracking is turned on once the connection is up: reads are stored from then on.
        await waitUntil('a read answered from the cache', 2000, async () => {
          assert.equal(await r.get(bytes), 'v1');
          return (r.clientSideCache?.stats().hits ?? 0) > 0 ? undefined : 'no hit yet';
        });
        await server.command('SET', key, 'v2');
        await waitUntil('the invalidation', 2000, async () =>
          r.clientSideCache?.stats().size === 0 ? undefined : 'still cached',
        );
        assert.equal(await r.get(bytes), 'v2');
      } finally {
        await r.close();
      }
    });
  }
});
