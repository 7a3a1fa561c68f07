/**
 * Cases registered inside the 3+3 cluster suite of test/cluster.test.ts (they share its cluster
 * start): whole-transaction redirection, lent connections per slot, WAIT/WAITAOF on a key's node,
 * options a cluster refuses, per-node pool limits, CLUSTER SHARDS, and natMap against nodes
 * announcing an endpoint the client cannot reach.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  ClusterCrossSlotError,
  ClusterError,
  CommandNotSupportedError,
  ConnectionError,
  DataError,
  MovedError,
  RedisCluster,
  RedisClusterException,
  WatchError,
  keySlot,
} from '../../src/index.js';
import type { ClusterNode, RedisClusterHandle } from '../support/cluster.js';
import { startRedis, waitUntil } from '../support/redis-server.js';

export interface SuiteState {
  cluster: RedisClusterHandle;
  r: RedisCluster;
}

async function calls(node: ClusterNode, command: string): Promise<number> {
  const info = String(await node.command('INFO', 'commandstats'));
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

/** Another primary than `from`. */
function otherPrimary(cluster: RedisClusterHandle, from: ClusterNode): ClusterNode {
  return cluster.primaries.find((n) => n.port !== from.port) as ClusterNode;
}

export function registerSecondRoundCases(state: () => SuiteState): void {
  it('a transaction whose slot moved is sent again as a whole to the new owner (MOVED), exactly once', async () => {
    const { cluster } = state();
    const stale = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    try {
      await stale.connect();
      const slot = keySlot('{txm}');
      const from = await cluster.ownerOf(slot);
      const to = otherPrimary(cluster, from);
      await cluster.migrateSlot(slot, from, to);
      assert.equal(stale.slots?.shardOf(slot)?.primary.port, from.port, 'the client map is stale');
      await Promise.all([from.command('CONFIG', 'RESETSTAT'), to.command('CONFIG', 'RESETSTAT')]);
      const results = await stale.multi().set('{txm}a', 'v').incr('{txm}n').get('{txm}a').exec();
      assert.deepEqual(results, ['OK', 1, 'v']);
      assert.equal(String(await to.command('GET', '{txm}n')), '1');
      assert.equal(await calls(to, 'exec'), 1);
      assert.equal(stale.slots?.shardOf(slot)?.primary.port, to.port);
    } finally {
      stale.disconnect();
    }
  });

  it('a transaction follows ASK during a migration: ASKING, then the whole block on the importing node', async () => {
    const { cluster, r } = state();
    const slot = keySlot('{txa}');
    const from = await cluster.ownerOf(slot);
    const to = otherPrimary(cluster, from);
    await r.set('{txa}k', '10');
    const migration = await cluster.beginSlotMigration(slot, from, to);
    try {
      await migration.moveKeys();
      assert.equal(await migration.keysLeft(), 0);
      // The key is on the target; the source answers the queued command with ASK.
      const results = await r.multi().incr('{txa}k').get('{txa}k').exec();
      assert.deepEqual(results, [11, '11']);
      assert.equal(r.slots?.shardOf(slot)?.primary.port, from.port, 'ASK does not change the map');
    } finally {
      await migration.finish();
    }
    assert.equal(String(await to.command('GET', '{txa}k')), '11');
  });

  it('withConnection(key): WATCH/MULTI/EXEC on the key’s primary; WatchError when a watched key changed', async () => {
    const { cluster, r } = state();
    const owner = await cluster.ownerOf(keySlot('{lend}'));
    await r.set('{lend}a', '1');
    const result = await r.withConnection('{lend}a', async (c) => {
      await c.watch('{lend}a', '{lend}b');
      const v = Number(await c.get('{lend}a'));
      return c
        .multi()
        .set('{lend}a', String(v + 1))
        .set('{lend}b', 'x')
        .exec();
    });
    assert.deepEqual(result, ['OK', 'OK']);
    assert.equal(String(await owner.command('GET', '{lend}a')), '2');
    await assert.rejects(
      r.withConnection('{lend}a', async (c) => {
        await c.watch('{lend}a');
        await r.set('{lend}a', 'changed elsewhere');
        return c.multi().set('{lend}a', 'mine').exec();
      }),
      WatchError,
    );
    assert.equal(await r.get('{lend}a'), 'changed elsewhere');
  });

  it('withConnection(key): keys of other slots reject with ClusterCrossSlotError before anything is sent', async () => {
    const { cluster, r } = state();
    const owner = await cluster.ownerOf(keySlot('{lend2}'));
    await owner.command('CONFIG', 'RESETSTAT');
    await r.withConnection('{lend2}', async (c) => {
      await assert.rejects(c.get('not-the-slot'), ClusterCrossSlotError);
      await assert.rejects(c.watch('{lend2}a', 'not-the-slot'), ClusterCrossSlotError);
      await assert.rejects(
        c.multi().set('{lend2}a', '1').set('elsewhere', '2').exec(),
        ClusterCrossSlotError,
      );
      // Keyless commands and keys of the slot are fine.
      assert.equal(await c.ping(), 'PONG');
      assert.equal(await c.set('{lend2}a', '1'), 'OK');
    });
    assert.equal(await calls(owner, 'watch'), 0);
    assert.equal(await calls(owner, 'multi'), 0);
    assert.equal(await calls(owner, 'get'), 0);
  });

  it('withConnection(key): a MOVED inside rejects (WatchError while watching, else ClusterError), never runs elsewhere', async () => {
    const { cluster, r } = state();
    const slot = keySlot('{lend3}');
    const from = await cluster.ownerOf(slot);
    const to = otherPrimary(cluster, from);
    await r.set('{lend3}a', '1');
    await Promise.all([from.command('CONFIG', 'RESETSTAT'), to.command('CONFIG', 'RESETSTAT')]);
    const watched = await r
      .withConnection('{lend3}a', async (c) => {
        await c.watch('{lend3}a');
        await cluster.migrateSlot(slot, from, to);
        return c.multi().set('{lend3}a', 'lent').exec();
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(watched instanceof WatchError, String(watched));
    // The slot is gone: a plain command on the lent connection meets MOVED.
    const plain = await r
      .withConnection('{lend3}a', async (c) => {
        await cluster.migrateSlot(slot, to, from);
        return c.set('{lend3}a', 'lent');
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(plain instanceof ClusterError, String(plain));
    assert.ok((plain as Error).cause instanceof MovedError);
    assert.equal(await r.get('{lend3}a'), '1', 'nothing ran on another node');
    assert.equal(await calls(to, 'exec'), 0);
  });

  it('ensureReplication(key) runs WAIT on the key’s primary; ensurePersistence rejects on Redis 7.0 before running fn', async () => {
    const { r } = state();
    const got = await r.ensureReplication('{dur}a', 1, 2000, async (c) => c.set('{dur}a', 'v'));
    assert.equal(got, 'OK');
    let ran = false;
    const err = await r
      .ensurePersistence('{dur}b', 1, 0, 100, async (c) => {
        ran = true;
        return c.set('{dur}b', 'v');
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof CommandNotSupportedError, String(err));
    assert.equal(ran, false);
    assert.equal(await r.get('{dur}b'), null);
  });

  it('refuses a db other than 0 (RedisClusterException) and connection-state commands on shared connections', async () => {
    const { cluster, r } = state();
    assert.throws(() => new RedisCluster({ nodes: cluster.startupNodes(), db: 1 }), RedisClusterException);
    assert.throws(
      () => new RedisCluster({ nodes: cluster.startupNodes(), url: 'redis://127.0.0.1:1/2' }),
      RedisClusterException,
    );
    for (const args of [['SELECT', 1], ['MULTI'], ['WATCH', 'k'], ['READWRITE'], ['ASKING']] as const)
      await assert.rejects(r.call(...(args as unknown as [string])), DataError);
  });

  it('maxBlockingConnections / blockingConnectionTimeout apply per node: the caller beyond the limit gets ERR_WREDIS_POOL_TIMEOUT', async () => {
    const { cluster } = state();
    const c = new RedisCluster({
      nodes: cluster.startupNodes(),
      maxBlockingConnections: 1,
      blockingConnectionTimeout: 150,
    });
    try {
      await c.connect();
      // Two keys on two different primaries: one blocking connection each, so both run.
      const a = '{pool-a}';
      let b = '{pool-b0}';
      for (
        let i = 0;
        i < 100 && c.slots?.shardOf(keySlot(b))?.primary.key === c.slots?.shardOf(keySlot(a))?.primary.key;
        i++
      )
        b = `{pool-b${i}}`;
      const first = c.blpop(a, 0);
      const otherNode = c.blpop(b, 0.2);
      // Same node as the first: waits for its one connection, then gives up.
      const err = await c.blpop(`${a}x`, 0.1).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConnectionError, String(err));
      assert.equal(err.code, 'ERR_WREDIS_POOL_TIMEOUT');
      assert.equal(await otherNode, null);
      await c.rpush(a, 'x');
      assert.deepEqual(await first, [a, 'x']);
    } finally {
      c.disconnect();
    }
  });

  it('reads the topology with CLUSTER SHARDS on Redis 7', async () => {
    const { cluster, r } = state();
    await Promise.all(cluster.nodes.filter((n) => n.alive).map((n) => n.command('CONFIG', 'RESETSTAT')));
    await r.refresh();
    let shards = 0;
    let slots = 0;
    for (const n of cluster.nodes.filter((x) => x.alive)) {
      shards += await calls(n, 'cluster\\|shards');
      slots += await calls(n, 'cluster\\|slots');
    }
    assert.ok(shards >= 1, `CLUSTER SHARDS calls: ${shards}`);
    assert.equal(slots, 0);
    assert.equal(r.slots?.nodes().length, cluster.nodes.filter((n) => n.alive).length);
  });

  it('natMap: nodes announcing an endpoint nobody listens on are reached through the map (MOVED too)', async () => {
    const { cluster } = state();
    const live = cluster.nodes.filter((n) => n.alive);
    // The nodes keep talking to each other over 127.0.0.1 (the bus); clients are told 127.0.0.2,
    // where nothing listens (servers bind 127.0.0.1 only).
    const announce = async (type: 'ip' | 'hostname'): Promise<void> => {
      for (const n of live) {
        await n.command('CONFIG', 'SET', 'cluster-announce-hostname', type === 'ip' ? '' : '127.0.0.2');
        await n.command('CONFIG', 'SET', 'cluster-preferred-endpoint-type', type);
      }
      const want = type === 'ip' ? '127.0.0.1' : '127.0.0.2';
      await waitUntil(`endpoints announced as ${want}`, 10_000, async () => {
        for (const n of live) {
          const reply = (await n.command('CLUSTER', 'SLOTS')) as unknown[][];
          for (const range of reply)
            for (const node of range.slice(2) as unknown[][])
              if (String(node[0]) !== want) return `${n.port} still names ${String(node[0])}`;
        }
        return undefined;
      });
    };
    await announce('hostname');
    const table: Record<string, { host: string; port: number }> = {};
    for (const n of live) table[`127.0.0.2:${n.port}`] = { host: '127.0.0.1', port: n.port };
    const blind = new RedisCluster({
      nodes: [cluster.startupNodes()[0] as { host: string; port: number }],
      maxRedirections: 1,
      connectTimeout: 500,
    });
    const mapped = new RedisCluster({
      nodes: [cluster.startupNodes()[0] as { host: string; port: number }],
      natMap: table,
      refreshInterval: 0,
    });
    let translated = 0;
    const byFunction = new RedisCluster({
      nodes: [cluster.startupNodes()[0] as { host: string; port: number }],
      natMap: ({ host, port }) => {
        translated++;
        return host === '127.0.0.2' ? { host: '127.0.0.1', port } : undefined;
      },
    });
    blind.on('error', () => undefined);
    try {
      await blind.connect();
      assert.ok(blind.slots?.nodes().every((n) => n.host === '127.0.0.2'));
      // A key not owned by the seed goes to an announced address: unreachable.
      const seedPort = cluster.startupNodes()[0]?.port;
      let key = 'nat:0';
      for (let i = 0; i < 1000 && blind.slots?.shardOf(keySlot(key))?.primary.port === seedPort; i++)
        key = `nat:${i}`;
      const unreachable = await blind.get(key).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(
        unreachable instanceof ClusterError && unreachable.cause instanceof ConnectionError,
        String(unreachable),
      );

      await mapped.connect();
      assert.ok(mapped.slots?.nodes().every((n) => n.host === '127.0.0.1'));
      for (let i = 0; i < 20; i++) assert.equal(await mapped.set(`nat:${i}`, String(i)), 'OK');
      for (let i = 0; i < 20; i++) assert.equal(await byFunction.get(`nat:${i}`), String(i));
      assert.ok(translated > 0);
      // MOVED names 127.0.0.2 too: migrate a slot behind the mapped client's back.
      const slot = keySlot('nat:0');
      const from = await cluster.ownerOf(slot);
      const to = otherPrimary(cluster, from);
      await cluster.migrateSlot(slot, from, to);
      assert.equal(await mapped.get('nat:0'), '0');
      assert.equal(mapped.slots?.shardOf(slot)?.primary.key, `127.0.0.1:${to.port}`);
    } finally {
      blind.disconnect();
      mapped.disconnect();
      byFunction.disconnect();
      await announce('ip');
    }
  });
  it('a seed that has not joined the cluster yet (no slots, empty map) does not replace the map the others agree on', async () => {
    const { cluster } = state();
    // A fresh cluster-enabled node, never met: CLUSTER SHARDS names no slot, CLUSTER SLOTS is [].
    const fresh = await startRedis({
      args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
      clusterBus: true,
    });
    const seed = cluster.startupNodes()[0] as { host: string; port: number };
    const c = new RedisCluster({ nodes: [{ host: fresh.host, port: fresh.port }, seed], refreshInterval: 0 });
    try {
      await c.connect();
      assert.equal(c.slots?.primaries().length, cluster.primaries.length);
      await c.set('{fresh-seed}', 'v');
      assert.equal(await c.get('{fresh-seed}'), 'v');
      // A later refresh asks the fresh seed again: the map still stands.
      await c.refresh();
      assert.equal(c.slots?.primaries().length, cluster.primaries.length);
    } finally {
      c.disconnect();
      await fresh.stop();
    }
  });
}
