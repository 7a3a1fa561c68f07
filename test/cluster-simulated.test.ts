/**
 * The cluster client against a simulated 1,000-shard topology (a scripted server answering
 * CLUSTER SHARDS and CLUSTER SLOTS; see test/support/simulated-cluster.ts): the map it builds has
 * every shard, and the routing decision for 100,000 keys matches an independent CRC16. Timing and
 * memory figures come from bench/cluster-topology.ts (bench/RESULTS.md), not from this test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCluster } from '../src/index.js';
import { route } from '../src/cluster/router.js';
import { lookupCommand } from '../src/commands/table.js';
import { startSimulatedCluster, type SimulatedCluster } from './support/simulated-cluster.js';
import { slotOf } from './support/slots.js';

describe('RedisCluster against a simulated 1,000-shard topology', () => {
  let sim: SimulatedCluster;
  before(async () => {
    sim = await startSimulatedCluster(1000, 1);
  });
  after(async () => {
    await sim.close();
  });

  for (const source of ['CLUSTER SHARDS', 'CLUSTER SLOTS'] as const) {
    it(`applies the topology from ${source} and routes 100,000 keys as CRC16 says`, async () => {
      const r = new RedisCluster({
        nodes: [{ host: '127.0.0.1', port: sim.server.port }],
        refreshInterval: 0,
        connectTimeout: 10_000,
        lazyConnect: true,
      });
      sim.refuseShards = source === 'CLUSTER SLOTS';
      r.on('error', () => undefined);
      try {
        const before = sim.server.received.length;
        await r.connect();
        const asked = sim.server.received.slice(before).filter((c) => c[0] === 'cluster');
        assert.deepEqual(
          asked.map((c) => c[1]?.toUpperCase()),
          source === 'CLUSTER SHARDS' ? ['SHARDS'] : ['SHARDS', 'SLOTS'],
        );
        const map = r.slots;
        assert.ok(map);
        assert.equal(map.primaries().length, 1000);
        assert.equal(map.nodes().length, 2000);
        let wrong = 0;
        const get = lookupCommand('get', ['k']);
        for (let i = 0; i < 100_000; i++) {
          const key = `user:${i}:profile`;
          const decision = route(get, 'get', [key]);
          assert.equal(decision.kind, 'slot');
          const slot = (decision as { slot: number }).slot;
          if (slot !== slotOf(key) || map.shardOf(slot)?.primary.key !== sim.primaryOf(slotOf(key))) wrong++;
        }
        assert.equal(wrong, 0);
      } finally {
        r.disconnect();
      }
    });
  }
});
