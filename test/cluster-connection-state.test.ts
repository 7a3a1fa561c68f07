/**
 * Connection state across a cluster's nodes (issue #11), on a 3-primary cluster with an ACL user:
 * `reauthenticate()` sends AUTH with fresh credentials on every live connection of every node
 * (shared, dedicated, Pub/Sub), counted by the nodes' INFO commandstats; CLIENT SETNAME names
 * every node's shared connection and is set again after reconnects, seen in CLIENT LIST.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCluster } from '../src/index.js';
import { startCluster, type RedisClusterHandle } from './support/cluster.js';
import { parseInfo } from './support/raw-client.js';

const authCalls = async (cluster: RedisClusterHandle): Promise<number[]> =>
  Promise.all(
    cluster.primaries.map(async (n) => {
      const stats = parseInfo(await n.command('INFO', 'commandstats'));
      return Number(/calls=(\d+)/.exec(stats.cmdstat_auth ?? '')?.[1] ?? 0);
    }),
  );

describe('RedisCluster connection state', () => {
  let cluster: RedisClusterHandle;
  before(async () => {
    cluster = await startCluster({
      primaries: 3,
      replicasPerPrimary: 0,
      users: [{ name: 'app', password: 'one' }],
    });
  });
  after(async () => {
    await cluster.stop();
  });

  it('sends AUTH with fresh credentials from the provider on every live connection of every node', async () => {
    let password = 'one';
    let calls = 0;
    const c = new RedisCluster({
      nodes: cluster.startupNodes(),
      refreshInterval: 0,
      credentials: async () => {
        calls++;
        return { username: 'app', password };
      },
    });
    try {
      // A key on every primary (the shared connections), a blocking command (a dedicated one).
      for (let i = 0; i < 30; i++) await c.set(`k${i}`, 'v');
      assert.equal(await c.blpop('reauth:list', 0.01), null);
      await Promise.all(
        cluster.primaries.map((n) => n.command('ACL', 'SETUSER', 'app', 'resetpass', '>two')),
      );
      await Promise.all(cluster.primaries.map((n) => n.command('CONFIG', 'RESETSTAT')));
      password = 'two';
      const before = calls;
      await c.reauthenticate();
      const auths = await authCalls(cluster);
      assert.ok(
        auths.every((n) => n >= 1),
        `AUTH reached every primary: ${auths.join(', ')}`,
      );
      assert.ok(auths.reduce((a, b) => a + b, 0) >= 4, `the dedicated connection too: ${auths.join(', ')}`);
      assert.ok(calls - before >= 4, `provider called per connection (${calls - before})`);
      assert.equal(await c.get('k1'), 'v');
    } finally {
      await Promise.all(
        cluster.primaries.map((n) => n.command('ACL', 'SETUSER', 'app', 'resetpass', '>one')),
      );
      c.disconnect();
    }
  });
  it('CLIENT SETNAME names the shared connection of every node, again after the sockets were killed', async () => {
    const c = new RedisCluster({
      nodes: cluster.startupNodes(),
      refreshInterval: 0,
      username: 'app',
      password: 'one',
    });
    const named = async (): Promise<number[]> =>
      Promise.all(
        cluster.primaries.map(async (n) => {
          const list = String(await n.command('CLIENT', 'LIST', 'TYPE', 'normal'));
          return list.split('\n').filter((l) => / name=labelled /.test(l)).length;
        }),
      );
    const touchAll = async (): Promise<void> => {
      // Every primary serves some of these keys; a command that met the killed socket may fail once.
      for (let i = 0; i < 30; i++) await c.set(`n${i}`, 'v').catch(() => c.set(`n${i}`, 'v'));
    };
    try {
      await touchAll();
      assert.equal(await c.call('CLIENT', 'SETNAME', 'labelled'), 'OK');
      assert.deepEqual(await named(), [1, 1, 1]);
      await Promise.all(cluster.primaries.map((n) => n.command('CLIENT', 'KILL', 'USER', 'app')));
      await touchAll();
      assert.deepEqual(await named(), [1, 1, 1], 'the new sockets carry the name');
    } finally {
      c.disconnect();
    }
  });
});
