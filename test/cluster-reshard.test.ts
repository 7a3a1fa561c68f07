/**
 * RedisCluster data paths during a live slot migration, on a real 3-primary cluster (no replicas:
 * it starts in about 2 s): blocking commands met by ASK, and transactions that must enter a node's
 * queue whole.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionError, DataError, RedisCluster, keySlot } from '../src/index.js';
import { startCluster, type ClusterNode, type RedisClusterHandle } from './support/cluster.js';

describe('RedisCluster during a live slot migration (3 primaries)', () => {
  let cluster: RedisClusterHandle;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 0, nodeTimeoutMs: 1000 });
  });
  after(async () => {
    await cluster.stop();
  });

  /** Another primary than `from`. */
  const other = (from: ClusterNode): ClusterNode =>
    cluster.primaries.find((n) => n.port !== from.port) as ClusterNode;

  it('a blocking command met by ASK goes to the importing node with ASKING on its own connection', async () => {
    const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    try {
      await r.connect();
      const slot = keySlot('{blk}');
      const from = await cluster.ownerOf(slot);
      const to = other(from);
      await r.rpush('{blk}src', 'a', 'b');
      await r.rpush('{blk}dst', 'z');
      const migration = await cluster.beginSlotMigration(slot, from, to);
      try {
        // Every key of the slot is on the importing node: the source answers ASK. (A key missing on
        // both, as BLMOVE's destination could be, gets TRYAGAIN from Redis until the slot is moved.)
        await migration.moveKeys();
        assert.deepEqual(await r.blpop('{blk}src', 1), ['{blk}src', 'a']);
        assert.equal(await r.call('BLMOVE', '{blk}src', '{blk}dst', 'LEFT', 'RIGHT', 1), 'b');
        // An empty list waits on the importing node and times out there (null), not in redirections.
        assert.equal(await r.blpop('{blk}none', 0.2), null);
      } finally {
        await migration.finish();
      }
      assert.deepEqual(await r.lrange('{blk}dst', 0, -1), ['z', 'b']);
      assert.equal(r.slots?.shardOf(slot)?.primary.port, to.port);
    } finally {
      r.disconnect();
    }
  });

  it('a transaction enters its node’s queue whole: an argument over maxArgumentLength sends none of it', async () => {
    const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0, maxArgumentLength: 16 });
    try {
      await r.connect();
      const err = await r
        .multi()
        .set('{txw}a', '1')
        .set('{txw}b', 'x'.repeat(100))
        .exec()
        .then(
          (v) => v,
          (e: unknown) => e,
        );
      assert.ok(err instanceof DataError, `exec() rejects with DataError, not ${String(err)}`);
      const owner = await cluster.ownerOf(keySlot('{txw}'));
      assert.equal(await owner.command('EXISTS', '{txw}a'), 0, 'nothing of the block ran');
    } finally {
      r.disconnect();
    }
  });

  it('a transaction beyond maxQueued is refused whole: no MULTI is left open on the shared connection', async () => {
    const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0, maxQueued: 3 });
    try {
      await r.connect();
      await r.set('{txq}k', 'before');
      // MULTI, SET, SET, EXEC: four commands for a queue bound of three.
      const err = await r
        .multi()
        .set('{txq}a', '1')
        .set('{txq}b', '2')
        .exec()
        .then(
          (v) => v,
          (e: unknown) => e,
        );
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_QUEUE_FULL');
      // The next caller on that node's shared connection gets its own reply, not QUEUED.
      assert.equal(await r.get('{txq}k'), 'before');
      assert.equal(await r.get('{txq}a'), null);
    } finally {
      r.disconnect();
    }
  });
});
