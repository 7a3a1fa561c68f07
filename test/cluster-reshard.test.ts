/**
 * RedisCluster data paths during a live slot migration, on a real 3-primary cluster (no replicas:
 * it starts in about 2 s): blocking commands met by ASK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCluster, keySlot } from '../src/index.js';
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
});
