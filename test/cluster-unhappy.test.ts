/**
 * Unhappy paths of RedisCluster not covered elsewhere, on a real 3+3 cluster (cluster-node-timeout
 * 1000 ms): a write fanned out to every primary (FLUSHALL, FUNCTION FLUSH) after a failover the
 * client was not told of; scanIterator of a withOptions() view aborted or meeting a frozen node, and
 * scanIterator while a slot moves between the scans of two nodes; a node whose MOVED names itself
 * (another node announcing its port); a frozen first primary under the RESP2 support check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClusterRoutingError, MovedError, RedisCluster, TimeoutError, keySlot } from '../src/index.js';
import { waitUntil } from './support/redis-server.js';
import { startCluster, type ClusterNode, type RedisClusterHandle } from './support/cluster.js';
import { migrationTargets } from '../src/cluster/scan.js';
import { nodeAddress } from '../src/cluster/slot-map.js';

describe('RedisCluster unhappy paths on a real 3+3 cluster', () => {
  let cluster: RedisClusterHandle;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
  });
  after(async () => {
    await cluster.stop();
  });

  it('scanIterator with keyPrefix stays in the namespace and yields keys without the prefix, as on a standalone client', async () => {
    const plain = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    const app = new RedisCluster({ nodes: cluster.startupNodes(), keyPrefix: 'app:', refreshInterval: 0 });
    try {
      await plain.mset('app:k1', '1', 'app:k2', '2', 'app:x', '3', 'other:k1', '4', 'k9', '5');
      const all: string[] = [];
      for await (const k of app.scanIterator({ count: 100 })) all.push(k);
      assert.deepEqual(all.sort(), ['k1', 'k2', 'x']);
      const matched: string[] = [];
      for await (const k of app.scanIterator({ match: 'k*' })) matched.push(k);
      assert.deepEqual(matched.sort(), ['k1', 'k2']);
      await plain.del('app:k1', 'app:k2', 'app:x', 'other:k1', 'k9');
    } finally {
      plain.disconnect();
      app.disconnect();
    }
  });

  it('scanIterator of a withOptions() view: an abort mid-scan and a frozen node (SIGSTOP) end the loop with the error', async () => {
    const c = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    const keys = Array.from({ length: 300 }, (_, i) => `scan:${i}`);
    let frozen: ClusterNode | undefined;
    try {
      await c.mset(...keys.flatMap((k) => [k, '1']));
      // Aborted after the first keys: the next page rejects with the reason, not every key yielded.
      const ac = new AbortController();
      const reason = new Error('caller gave up');
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const k of c.withOptions({ signal: ac.signal }).scanIterator({ count: 10 })) {
            seen.push(k);
            if (seen.length === 5) ac.abort(reason);
          }
        })(),
        (e: unknown) => e === reason,
      );
      assert.ok(seen.length < keys.length, `${seen.length} keys yielded after the abort`);
      // The node scanned last freezes after the first keys: its page times out like any command of
      // the view. Bounded: before the fix the loop waited for the frozen node for good.
      const last = c.slots?.primaries().at(-1)?.port;
      const victim = cluster.primaries.find((p) => p.port === last) as ClusterNode;
      let count = 0;
      const scan = (async () => {
        for await (const _ of c.withOptions({ timeout: 300 }).scanIterator({ count: 10 })) {
          if (++count === 5) {
            process.kill(victim.pid, 'SIGSTOP');
            frozen = victim;
          }
        }
        return 'every key';
      })().catch((e: unknown) => e);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        scan,
        new Promise((resolve) => {
          timer = setTimeout(resolve, 15_000, 'still waiting for the frozen node');
        }),
      ]);
      clearTimeout(timer);
      assert.ok(outcome instanceof TimeoutError, String(outcome));
      assert.equal(outcome.code, 'ERR_WREDIS_COMMAND_TIMEOUT');
    } finally {
      if (frozen !== undefined) process.kill(frozen.pid, 'SIGCONT');
      c.disconnect();
    }
  });

  describe('scanIterator while a slot moves between two nodes’ scans: every key is yielded', () => {
    // The node scanned first receives a slot of the node scanned last once the first node's
    // keys are all out (the second node's first key shows it): a SCAN of each node in turn saw
    // neither copy of the moved keys, and the loop ended as if the cluster had no more.
    const scanAcross = async (
      move: (slot: number, from: ClusterNode, to: ClusterNode) => Promise<() => Promise<void>>,
    ): Promise<void> => {
      const c = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
      let undo: (() => Promise<void>) | undefined;
      try {
        await c.connect();
        const order = (c.slots?.primaries() ?? []).map((a) => a.port);
        const [first, second, last] = order.map((port) => cluster.primaries.find((p) => p.port === port));
        assert.ok(first !== undefined && second !== undefined && last !== undefined, 'three primaries');
        const ownerPort = (slot: number): number | undefined => c.slots?.shardOf(slot)?.primary.port;
        let tag = 0;
        while (ownerPort(keySlot(`{mv${tag}}`)) !== last.port) tag++;
        const slot = keySlot(`{mv${tag}}`);
        const moving = Array.from({ length: 50 }, (_, i) => `{mv${tag}}:${i}`);
        const spread = Array.from({ length: 150 }, (_, i) => `sp:${i}`);
        await c.mset(...[...moving, ...spread].flatMap((k) => [k, '1']));
        const seen = new Set<string>();
        for await (const k of c.scanIterator({ count: 20 })) {
          if (undo === undefined && ownerPort(keySlot(k)) === second.port)
            undo = await move(slot, last, first);
          seen.add(k);
        }
        assert.ok(undo !== undefined, 'the slot moved during the scan');
        const missing = [...moving, ...spread].filter((k) => !seen.has(k));
        assert.deepEqual(missing, [], `${missing.length} keys never yielded`);
        await c.del(...moving, ...spread);
      } finally {
        await undo?.();
        c.disconnect();
      }
    };

    it('a completed migration (CLUSTER SETSLOT NODE)', async () => {
      await scanAcross(async (slot, from, to) => {
        await cluster.migrateSlot(slot, from, to);
        return () => cluster.migrateSlot(slot, to, from);
      });
    });

    it('a migration still under way (keys moved, slot IMPORTING / MIGRATING)', async () => {
      await scanAcross(async (slot, from, to) => {
        const m = await cluster.beginSlotMigration(slot, from, to);
        await m.moveKeys();
        return async () => {
          await m.finish();
          await cluster.migrateSlot(slot, to, from);
        };
      });
    });
  });

  it('a MOVED naming the node that answered (a node announcing its address) reads the map again, then rejects with ClusterRoutingError', async () => {
    // B announces A's port: every node, and the maps they give, name A's address for B's slots,
    // and A answers a command for one of them with a MOVED naming A itself. Before the fix the
    // caller got that MOVED as is and the map was never read again.
    const c = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0, lazyConnect: true });
    const [a, b] = cluster.primaries as [ClusterNode, ClusterNode];
    let key = 'self:0';
    for (let i = 0; i < 10_000 && (await cluster.ownerOf(keySlot(key))).port !== b.port; i++)
      key = `self:${i}`;
    const slot = keySlot(key);
    const announced = (want: number) =>
      waitUntil(`every node names port ${want} for slot ${slot}`, 10_000, async () => {
        for (const n of cluster.nodes.filter((x) => x.alive)) {
          const ranges = (await n.command('CLUSTER', 'SLOTS')) as unknown[][];
          const range = ranges.find((r) => Number(r[0]) <= slot && slot <= Number(r[1]));
          const port = Number((range?.[2] as unknown[] | undefined)?.[1]);
          if (port !== want) return `${n.port} names ${port}`;
        }
        return undefined;
      });
    try {
      await b.command('CONFIG', 'SET', 'cluster-announce-port', String(a.port));
      await announced(a.port);
      await c.connect();
      assert.equal(c.slots?.shardOf(slot)?.primary.port, a.port, 'the map names A for the slot');
      await a.command('CONFIG', 'RESETSTAT');
      const before = c.refreshCount;
      const e = await c.get(key).catch((x: unknown) => x);
      assert.ok(e instanceof ClusterRoutingError, String(e));
      assert.equal(e.command, 'GET');
      assert.ok(e.cause instanceof MovedError, String(e.cause));
      assert.equal(e.cause.port, a.port);
      assert.ok(c.refreshCount > before, 'the map was read again');
      // Sent once more after the refresh, not until the redirection budget (16) was spent (a
      // redirected call counts as rejected).
      const stats = String(await a.command('INFO', 'commandstats'));
      assert.equal(Number(/cmdstat_get:.*rejected_calls=(\d+)/.exec(stats)?.[1]), 2);
    } finally {
      await b.command('CONFIG', 'SET', 'cluster-announce-port', '0');
      await announced(b.port);
      c.disconnect();
    }
  });

  it('a fan-out write refused with READONLY by a primary demoted behind the map goes to the shard’s new primary', async () => {
    // No interval refresh: only the client's own reaction to the failure may fix the map.
    const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    try {
      await r.connect();
      const keys = Array.from({ length: 30 }, (_, i) => `fan:${i}`);
      await r.mset(...keys.flatMap((k) => [k, '1']));
      await r.call(
        'FUNCTION',
        'LOAD',
        "#!lua name=unhappy\nredis.register_function('f', function() return 1 end)",
      );
      const replica = cluster.replicas[0] as ClusterNode;
      const old = await cluster.primaryOf(replica);
      // CLUSTER FAILOVER: the old primary becomes a replica; its connection stays up, and a keyless
      // command meets no MOVED, so nothing tells the client.
      await cluster.failover(replica);
      const before = r.refreshCount;
      assert.equal(await r.flushall(), 'OK');
      assert.equal(await r.call('FUNCTION', 'FLUSH'), 'OK');
      assert.ok(r.refreshCount > before, 'the map was read again');
      // Every primary, the promoted one included, ran FLUSHALL and FUNCTION FLUSH.
      for (const p of cluster.primaries) {
        assert.equal(Number(await p.command('DBSIZE')), 0, `DBSIZE on ${p.port}`);
        assert.deepEqual(await p.command('FUNCTION', 'LIST'), [], `FUNCTION LIST on ${p.port}`);
      }
      assert.ok(
        cluster.primaries.some((p) => p.port === replica.port),
        'the replica was promoted',
      );
      assert.ok(!cluster.primaries.some((p) => p.port === old.port), 'the old primary was demoted');
      assert.equal(await r.dbsize(), 0);
    } finally {
      r.disconnect();
    }
  });

  it('a frozen primary (SIGSTOP, socket open) does not hold the slot-map refresh: writes reach the promoted replica', async () => {
    // connectTimeout also bounds how long a refresh waits for one node's view of the map.
    const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0, connectTimeout: 1000 });
    const key = 'frozen';
    const slot = keySlot(key);
    const victim = await cluster.ownerOf(slot);
    const other = cluster.primaries.find((p) => p !== victim) as ClusterNode;
    let frozen = false;
    let inflight: Promise<unknown> | undefined;
    try {
      await r.set(key, '0');
      process.kill(victim.pid, 'SIGSTOP');
      frozen = true;
      // Written to the frozen node: its outcome is decided only when the node runs again.
      inflight = r.set(key, '1').then(
        (v) => v,
        (e: unknown) => e,
      );
      await waitUntil('the replica of the frozen primary is promoted', 20_000, async () => {
        const text = String(await other.command('CLUSTER', 'NODES'));
        return text.split('\n').some((l) => l.split(' ')[3] === victim.id) ? 'not yet' : undefined;
      });
      // The frozen node is among the nodes asked for the map (its connection is up): before the
      // fix this never settled, nor did any refresh after it.
      await r.refresh();
      assert.notEqual(
        r.slots?.shardOf(slot)?.primary.port,
        victim.port,
        'the map names the promoted replica',
      );
      assert.equal(await r.set(key, '2'), 'OK');
      assert.equal(await r.get(key), '2');
    } finally {
      if (frozen) process.kill(victim.pid, 'SIGCONT');
    }
    try {
      // Once the node runs again the write in flight settles one way or the other (bounded wait).
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = await Promise.race([
        inflight,
        new Promise((resolve) => {
          timer = setTimeout(resolve, 20_000, 'still pending');
        }),
      ]);
      clearTimeout(timer);
      assert.notEqual(settled, 'still pending');
      assert.ok(settled === 'OK' || settled instanceof Error, String(settled));
    } finally {
      r.disconnect();
    }
  });

  it('a frozen first primary (SIGSTOP) does not hold the RESP2 support check: commands for the other shards go, in issue order', async () => {
    // RESP2 has no HELLO: GETDEL (6.2) waits for INFO, asked of the first primary, and the
    // commands issued after it wait behind it. That primary frozen with its socket open, INFO
    // was never answered: every command of the client, for every shard, waited for good.
    const fresh = (): RedisCluster =>
      new RedisCluster({
        nodes: cluster.startupNodes(),
        protocol: 2,
        refreshInterval: 0,
        connectTimeout: 1000,
      });
    // One client for single commands, one for a pipeline (checked as a whole): each checks afresh.
    const c = fresh();
    const p = fresh();
    let frozen: ClusterNode | undefined;
    try {
      await Promise.all([c.connect(), p.connect()]);
      const keyOn = (port: number): string => {
        for (let i = 0; i < 10_000; i++)
          if (c.slots?.shardOf(keySlot(`frz:${i}`))?.primary.port === port) return `frz:${i}`;
        throw new Error(`no key for ${port}`);
      };
      const [first, other] = (c.slots?.primaries() ?? []).map((a) => a.port);
      assert.equal(p.slots?.primaries()[0]?.port, first);
      const victim = cluster.nodes.find((n) => n.port === first) as ClusterNode;
      // The first primary's connection is up (a frozen node, not one that refuses connections).
      assert.equal(await c.set(keyOn(victim.port), 'x'), 'OK');
      assert.equal(await p.set(keyOn(victim.port), 'x'), 'OK');
      const k = keyOn(other as number);
      const kp = `{${k}}:piped`;
      process.kill(victim.pid, 'SIGSTOP');
      frozen = victim;
      const issued = Promise.all([
        Promise.all([c.set(k, 'old'), c.getdel(k), c.set(k, 'new'), c.get(k)]),
        p.pipeline().set(kp, 'old').getdel(kp).set(kp, 'new').get(kp).exec(),
      ]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        issued.catch((e: unknown) => e),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 15_000, 'still held behind the frozen node');
        }),
      ]);
      clearTimeout(timer);
      assert.deepEqual(outcome, [
        ['OK', 'old', 'OK', 'new'],
        ['OK', 'old', 'OK', 'new'],
      ]);
    } finally {
      if (frozen !== undefined) process.kill(frozen.pid, 'SIGCONT');
      c.disconnect();
      p.disconnect();
    }
  });
});

describe('scanIterator: the nodes a CLUSTER NODES reply names as taking in a slot', () => {
  it('itself when importing; the target of each slot it migrates, a node with no slot yet and an unknown ip included', () => {
    const self = nodeAddress('10.0.0.1', 30001);
    const id = (c: string): string => c.repeat(40);
    const text = [
      `${id('b')} 10.0.0.2:30002@31002,host-2 master - 0 1 2 connected 5461-10922`,
      `${id('c')} :30005@31005 master - 0 1 5 connected`,
      `${id('d')} 10.0.0.4:30004@31004 slave ${id('a')} 0 1 4 connected`,
      `${id('a')} 10.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [93->-${id('c')}] [77-<-${id('b')}]`,
      '',
    ].join('\n');
    const resolve = (host: string, port: number) => nodeAddress(host === '' ? self.host : host, port);
    assert.deepEqual(
      migrationTargets(text, self, resolve).map((a) => a.key),
      ['10.0.0.1:30005', '10.0.0.1:30001'],
    );
    const settled = text.replace(/ \[[^\]]+\]/g, '');
    assert.deepEqual(migrationTargets(settled, self, resolve), []);
  });
});
