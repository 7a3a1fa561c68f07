/**
 * Diagnostics channels of a real cluster: a MOVED after a slot migration (redirect message,
 * one command trace with 2 attempts ending on the new owner, a refresh message), and an ASK
 * during a migration.
 */
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { DIAGNOSTICS_CHANNELS, RedisCluster, keySlot } from '../src/index.js';
import { startPrimariesOnlyCluster, type RedisClusterHandle } from './support/cluster.js';
import { waitUntil } from './support/redis-server.js';

function record(name: string) {
  const seen: Array<Record<string, unknown>> = [];
  const on = (m: unknown): void => void seen.push({ ...(m as Record<string, unknown>) });
  dc.subscribe(name, on);
  return { seen, stop: () => dc.unsubscribe(name, on) };
}

describe('diagnostics channels on a cluster', () => {
  let cluster: RedisClusterHandle;
  before(async () => {
    cluster = await startPrimariesOnlyCluster({ primaries: 3 });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('MOVED: redirect message, one command trace over 2 attempts ending on the new owner, a refresh', async () => {
    const c = new RedisCluster({ nodes: cluster.startupNodes() });
    const key = 'diag:moved';
    const slot = keySlot(key);
    const ends: Array<Record<string, unknown>> = [];
    const starts: Array<Record<string, unknown>> = [];
    const commands = dc.tracingChannel(DIAGNOSTICS_CHANNELS.command);
    const handlers = {
      start: (m: unknown) => void starts.push({ ...(m as Record<string, unknown>) }),
      asyncEnd: (m: unknown) => void ends.push({ ...(m as Record<string, unknown>) }),
    };
    const redirects = record(DIAGNOSTICS_CHANNELS.clusterRedirect);
    const refreshes = record(DIAGNOSTICS_CHANNELS.clusterRefresh);
    try {
      await c.set(key, 'v');
      const from = await cluster.ownerOf(slot);
      const to = cluster.primaries.find((n) => n.port !== from.port)!;
      await cluster.migrateSlot(slot, from, to);
      commands.subscribe(handlers as never);
      assert.equal(await c.get(key), 'v');
      commands.unsubscribe(handlers as never);
      assert.deepEqual(redirects.seen, [
        { kind: 'MOVED', slot, from: `127.0.0.1:${from.port}`, to: `127.0.0.1:${to.port}` },
      ]);
      assert.equal(starts.length, 1);
      assert.equal(starts[0]?.['command'], 'GET');
      assert.equal(ends.length, 1);
      assert.equal(ends[0]?.['attempts'], 2);
      assert.equal(ends[0]?.['serverPort'], to.port);
      assert.equal(ends[0]?.['result'], 'v');
      await waitUntil('refresh published', 5000, () =>
        Promise.resolve(refreshes.seen.some((r) => r['reason'] === 'MOVED') ? undefined : 'none yet'),
      );
      const refresh = refreshes.seen.find((r) => r['reason'] === 'MOVED') as { nodes: string[] };
      assert.deepEqual([...refresh.nodes].sort(), cluster.primaries.map((n) => `127.0.0.1:${n.port}`).sort());
    } finally {
      redirects.stop();
      refreshes.stop();
      await c.close();
    }
  });

  it('ASK during a migration: a redirect message of kind ASK', async () => {
    const c = new RedisCluster({ nodes: cluster.startupNodes() });
    const key = 'diag:ask';
    const slot = keySlot(key);
    const redirects = record(DIAGNOSTICS_CHANNELS.clusterRedirect);
    try {
      await c.set(key, 'v');
      const from = await cluster.ownerOf(slot);
      const to = cluster.primaries.find((n) => n.port !== from.port)!;
      const migration = await cluster.beginSlotMigration(slot, from, to);
      await migration.moveKeys();
      assert.equal(await c.get(key), 'v');
      await migration.finish();
      assert.deepEqual(redirects.seen[0], {
        kind: 'ASK',
        slot,
        from: `127.0.0.1:${from.port}`,
        to: `127.0.0.1:${to.port}`,
      });
    } finally {
      redirects.stop();
      await c.close();
    }
  });
});
