/** Client-side caching on a 3+3 cluster: per-node tracking, MGET per key, replica reads, slot moves. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keySlot, RedisCluster } from '../src/index.js';
import { startHoldProxy, type Pipe } from './support/hold-proxy.js';
import { parseInfo } from './support/raw-client.js';
import { waitUntil } from './support/redis-server.js';
import { startCluster, type ClusterNode, type RedisClusterHandle } from './support/cluster.js';

type Reader = Pick<RedisCluster, 'get' | 'clientSideCache'>;

/** Reads `key` until a read is a hit: the node connection tracks. */
async function cached(c: Reader, key: string): Promise<void> {
  await waitUntil(`a cache hit on ${key}`, 10_000, async () => {
    await c.get(key);
    const before = c.clientSideCache!.stats().hits;
    await c.get(key);
    return c.clientSideCache!.stats().hits > before ? undefined : 'no hit yet';
  });
}

/** The proxied RESP2 invalidation connection (subscribed once a key is tracked). */
function heldListener(pipes: readonly Pipe[]): Pipe {
  const listener = pipes.find((p) => p.down.includes('__redis__:invalidate'));
  assert.ok(listener !== undefined, 'the RESP2 invalidation connection goes through the proxy');
  return listener;
}

async function calls(node: ClusterNode, command: string): Promise<number> {
  const line = parseInfo(await node.command('INFO', 'commandstats'))[`cmdstat_${command}`];
  return line === undefined ? 0 : Number(/calls=(\d+)/.exec(line)?.[1] ?? 0);
}

describe('client-side cache on a cluster', () => {
  let cluster: RedisClusterHandle;
  let c: RedisCluster;
  let w: RedisCluster;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
    c = new RedisCluster({ nodes: cluster.startupNodes(), clientSideCache: true, refreshInterval: 0 });
    w = new RedisCluster({ nodes: cluster.startupNodes() });
  });
  after(async () => {
    await Promise.all([c.close(), w.close()]);
    await cluster.stop();
  });

  /**
   * A RESP2 caching client reaching `key`'s owner through a hold proxy (natMap), so the bytes of
   * its invalidation connection can be held: only the client's own bookkeeping then keeps its
   * reads right.
   */
  async function viaHoldProxy(key: string): Promise<{
    owner: ClusterNode;
    proxy: Awaited<ReturnType<typeof startHoldProxy>>;
    r: RedisCluster;
  }> {
    const owner = await cluster.ownerOf(keySlot(key));
    const proxy = await startHoldProxy(owner.port);
    const r = new RedisCluster({
      nodes: cluster.startupNodes().filter((n) => n.port !== owner.port),
      natMap: { [`127.0.0.1:${owner.port}`]: { host: '127.0.0.1', port: proxy.port } },
      protocol: 2,
      clientSideCache: true,
      refreshInterval: 0,
    });
    return { owner, proxy, r };
  }

  it('each node connection tracks its own keys; MGET across slots is cached per key', async () => {
    const keys = ['a', 'b', 'c'];
    assert.equal(new Set(keys.map(keySlot)).size, 3);
    for (const k of keys) await w.set(k, `${k}1`);
    for (const k of keys) await cached(c, k);
    const owner = await cluster.ownerOf(keySlot('a'));
    await owner.command('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 20; i++) assert.equal(await c.get('a'), 'a1');
    assert.equal(await calls(owner, 'get'), 0);

    await w.set('a', 'a2');
    await c.ttl('a'); // a round trip on the same node connection: the invalidation is in
    assert.equal(await c.get('a'), 'a2');

    assert.deepEqual(await c.mget('a', 'b', 'c', 'zz'), ['a2', 'b1', 'c1', null]);
    for (const p of cluster.primaries) await p.command('CONFIG', 'RESETSTAT');
    assert.deepEqual(await c.mget('c', 'zz', 'a'), ['c1', null, 'a2']);
    let mgets = 0;
    for (const p of cluster.primaries) mgets += await calls(p, 'mget');
    assert.equal(mgets, 0);
    await w.set('b', 'b2');
    await c.ttl('b');
    assert.deepEqual(await c.mget('a', 'b'), ['a2', 'b2']);
  });

  it("readFrom 'replica': replica connections track, and replicated writes invalidate them", async () => {
    const r = new RedisCluster({
      nodes: cluster.startupNodes(),
      readFrom: 'replica',
      clientSideCache: true,
      refreshInterval: 0,
    });
    try {
      await w.set('rep', '1');
      await waitUntil('replicated', 10_000, async () =>
        (await r.get('rep')) === '1' ? undefined : 'not yet',
      );
      await cached(r, 'rep');
      await w.set('rep', '2');
      await waitUntil('replica invalidation', 10_000, async () =>
        (await r.get('rep')) === '2' ? undefined : 'stale',
      );
      assert.ok(r.clientSideCache!.stats().invalidations > 0);
    } finally {
      await r.close();
    }
  });

  it('a slot that moves flushes its entries', async () => {
    // A missing key: migrating the slot moves nothing, so no server invalidates the cached null.
    const key = 'moving{m}';
    const slot = keySlot(key);
    await cached(c, key);
    assert.equal(await c.get(key), null);
    const from = await cluster.ownerOf(slot);
    const to = cluster.primaries.find((n) => n.port !== from.port) as ClusterNode;
    await cluster.migrateSlot(slot, from, to);
    await w.set(key, 'arrived'); // written on the new owner, which this client's entry never heard of
    const before = c.clientSideCache!.stats().invalidations;
    await c.refresh(); // the client learns the new map
    assert.ok(c.clientSideCache!.stats().invalidations > before);
    assert.equal(await c.get(key), 'arrived');
    await cached(c, key);
    await w.set(key, 'again');
    await c.ttl(key);
    assert.equal(await c.get(key), 'again');
  });

  it("pipelines go to the server; a pipeline's, a transaction's and a blocking command's writes drop their keys (RESP2 listener held)", async () => {
    const key = '{own}k';
    const [src, dst] = ['{own}src', '{own}dst'];
    const { owner, proxy, r } = await viaHoldProxy(key);
    await owner.command('DEL', key, src, dst);
    try {
      await r.set(key, 'v1');
      await cached(r, key);
      const listener = heldListener(proxy.pipes);
      await r.rpush(src, 'a');
      listener.holdDown = true;
      const cache = r.clientSideCache!;

      // A pipeline's read is neither answered from the cache nor stored (as on a standalone client).
      await owner.command('CONFIG', 'RESETSTAT');
      let hits = cache.stats().hits;
      assert.deepEqual(await r.pipeline().get(key).exec(), ['v1']);
      assert.equal(await calls(owner, 'get'), 1);
      assert.equal(cache.stats().hits, hits);
      cache.clear();
      assert.deepEqual(await r.pipeline().get(key).exec(), ['v1']);
      assert.equal(await r.get(key), 'v1'); // a miss: the pipeline's reply was not kept
      assert.equal(await calls(owner, 'get'), 3);
      hits = cache.stats().hits;
      assert.equal(await r.get(key), 'v1'); // now cached
      assert.equal(cache.stats().hits, hits + 1);

      await r.pipeline().set(key, 'v2').exec();
      assert.equal(await r.get(key), 'v2');
      hits = cache.stats().hits;
      assert.equal(await r.get(key), 'v2');
      assert.equal(cache.stats().hits, hits + 1); // cached again: the transaction below must drop it
      await r.multi().set(key, 'v3').exec();
      assert.equal(await r.get(key), 'v3');
      assert.deepEqual(await r.lrange(dst, 0, -1), []);
      hits = cache.stats().hits;
      assert.deepEqual(await r.lrange(dst, 0, -1), []);
      assert.equal(cache.stats().hits, hits + 1); // cached
      assert.equal(await r.blmove(src, dst, 'LEFT', 'RIGHT', 1), 'a');
      assert.deepEqual(await r.lrange(dst, 0, -1), ['a']);
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });

  it("a lent connection's writes (a command, call(), a transaction at EXEC) drop their keys (RESP2 listener held)", async () => {
    const key = '{lent}k';
    const { owner, proxy, r } = await viaHoldProxy(key);
    await owner.command('DEL', key);
    try {
      await r.set(key, 'v1');
      await cached(r, key);
      heldListener(proxy.pipes).holdDown = true;
      const cache = r.clientSideCache!;
      /** The key is answered from the cache with `value`. */
      const cachedAs = async (value: string): Promise<void> => {
        const hits = cache.stats().hits;
        assert.equal(await r.get(key), value);
        assert.equal(cache.stats().hits, hits + 1);
      };
      await cachedAs('v1');
      await r.withConnection(key, async (c) => {
        await c.set(key, 'v2');
      });
      assert.equal(await r.get(key), 'v2');
      await cachedAs('v2');
      await r.withConnection(key, async (c) => {
        await c.call('SET', key, 'v3');
      });
      assert.equal(await r.get(key), 'v3');
      await cachedAs('v3');
      await r.withConnection(key, async (c) => {
        await c.multi().set(key, 'v4').exec();
      });
      assert.equal(await r.get(key), 'v4');
      // MULTI sent command by command: a read between the queued SET and EXEC sees (and may
      // store) the value from before EXEC.
      await r.withConnection(key, async (c) => {
        await c.call('MULTI');
        assert.equal(await c.call('SET', key, 'v5'), 'QUEUED');
        assert.equal(await r.get(key), 'v4');
        await c.call('EXEC');
      });
      assert.equal(await r.get(key), 'v5');
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });

  it("this client's own FLUSHALL / FLUSHDB (a fan-out to every primary) empties the cache (RESP2 listener held)", async () => {
    const { owner, proxy, r } = await viaHoldProxy('{flush}');
    try {
      const cache = r.clientSideCache!;
      const flushes: Array<[string, () => Promise<unknown>]> = [
        ['flushall()', () => r.flushall()],
        ["call('FLUSHDB')", () => r.call('FLUSHDB')],
      ];
      for (const [how, flush] of flushes) {
        // A key of its own each round: another SET of the same key would be invalidated only
        // through the held listener.
        const key = `{flush}${how}`;
        await owner.command('SET', key, 'v1');
        await cached(r, key);
        heldListener(proxy.pipes).holdDown = true;
        const hits = cache.stats().hits;
        assert.equal(await r.get(key), 'v1');
        assert.equal(cache.stats().hits, hits + 1); // answered from the cache
        await flush();
        // The server's flush invalidation waits in the proxy: only the client's own bookkeeping
        // keeps it from serving what it read before its own flush.
        assert.equal(await r.get(key), null, how);
      }
    } finally {
      proxy.release();
      await r.close();
      await proxy.close();
    }
  });

  it('keyPrefix: entries under the prefixed keys, broadcast prefixes with keyPrefix in front', async () => {
    const p = new RedisCluster({
      nodes: cluster.startupNodes(),
      keyPrefix: 'app:',
      clientSideCache: { mode: 'broadcast', prefixes: ['b:'] },
      refreshInterval: 0,
    });
    try {
      await w.set('app:b:x', '1');
      await cached(p, 'b:x');
      assert.equal(await p.get('b:x'), '1');
      await w.set('app:b:x', '2');
      await p.ttl('b:x'); // a round trip on the same node connection: the invalidation is in
      assert.equal(await p.get('b:x'), '2');
      await p.set('b:x', '3'); // own write through the prefix
      assert.equal(await p.get('b:x'), '3');
      assert.equal(await w.get('app:b:x'), '3');
    } finally {
      await p.close();
    }
  });
});
