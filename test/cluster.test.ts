/**
 * RedisCluster against a real 3-primary + 3-replica cluster (cluster-node-timeout
 * 1000 ms) the test starts, plus scripted nodes for what a real cluster will not
 * do on demand (an unserved slot, a MOVED without host, endless TRYAGAIN).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ClusterCrossSlotError,
  ClusterDownError,
  ClusterError,
  ClusterRoutingError,
  ClusterTransactionError,
  CommandNotSupportedError,
  ConnectionError,
  ConstantBackoff,
  ErrorCodes,
  ModuleCommandNotSupportedError,
  RedisCluster,
  ResponseError,
  Retry,
  TryAgainError,
  keySlot,
} from '../src/index.js';
import { createServer } from 'node:net';
import { startCluster, type ClusterNode, type RedisClusterHandle } from './support/cluster.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { startScriptedServer, HELLO3 } from './support/scripted-server.js';
import { registerSecondRoundCases } from './cluster/cases.js';
import { registerScriptedCases } from './cluster/scripted-cases.js';

function slotsReply(ranges: Array<[number, number, number]>): string {
  let out = `*${ranges.length}\r\n`;
  for (const [start, end, port] of ranges) {
    out += `*3\r\n:${start}\r\n:${end}\r\n*3\r\n$9\r\n127.0.0.1\r\n:${port}\r\n$40\r\n${'a'.repeat(40)}\r\n`;
  }
  return out;
}

/**
 * A bounded load of writes then reads of its own keys; counts each outcome. Each key is written
 * once, with a value of its own, so the read after the acknowledged write can answer that value
 * or nothing, never another value:
 * - `ok`: the key's own value;
 * - `wrong`: any other value, which only a reply handed to the wrong caller can be (a client bug);
 * - `missing` (the keys' numbers): nothing. Redis itself answers so during a failover, with no
 *   client at fault: a demoted primary serves reads from its own data until it learns that its
 *   replica took over (a stale read: the write is on the new primary; a client that sent the
 *   write to the new primary can still send the read to the old one, e.g. after a slot-map
 *   refresh that asked nodes not yet aware of the promotion), or an acknowledged write had not
 *   reached the replica when the primary died (asynchronous replication). See `recheck`;
 * - `failed`: the write or the read rejected (`errors`).
 */
async function runLoad(r: RedisCluster, prefix: string, count: number, deadlineMs: number) {
  const stats = { ok: 0, failed: 0, wrong: 0, missing: [] as number[], errors: [] as unknown[] };
  const deadline = Date.now() + deadlineMs;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const key = `${prefix}:${i}`;
    inFlight.push(
      r.set(key, `v${i}`).then(
        () =>
          r.get(key).then(
            (v) => {
              if (v === `v${i}`) stats.ok++;
              else if (v === null) stats.missing.push(i);
              else stats.wrong++;
            },
            (e: unknown) => {
              stats.failed++;
              stats.errors.push(e);
            },
          ),
        (e: unknown) => {
          stats.failed++;
          stats.errors.push(e);
        },
      ),
    );
    if (i % 50 === 49) {
      await Promise.all(inFlight.splice(0));
    }
  }
  await Promise.all(inFlight);
  return stats;
}

/**
 * Once the cluster has settled, reads again each key a `runLoad` read found missing: its value
 * now means the read was stale (served by a demoted primary), nothing means the acknowledged write
 * was lost by Redis. Any other value is a misattributed reply (`wrong`), as in `runLoad`.
 */
async function recheck(r: RedisCluster, prefix: string, missing: readonly number[]) {
  const out = { stale: 0, lost: 0, wrong: 0 };
  for (const i of missing) {
    const v = await r.get(`${prefix}:${i}`);
    if (v === `v${i}`) out.stale++;
    else if (v === null) out.lost++;
    else out.wrong++;
  }
  return out;
}

describe('RedisCluster on a real 3+3 cluster', () => {
  let cluster: RedisClusterHandle;
  let r: RedisCluster;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
    // One seed is enough: the rest is discovered.
    r = new RedisCluster({
      nodes: [cluster.startupNodes()[0] as { host: string; port: number }],
      maxRedirections: 16,
    });
    await r.connect();
  });
  after(async () => {
    r.disconnect();
    await cluster.stop();
  });

  it('discovers every primary and replica from a single seed', () => {
    const map = r.slots;
    assert.ok(map);
    assert.equal(map.primaries().length, 3);
    assert.equal(map.nodes().length, 6);
    for (const slot of [0, 5000, 10000, 16383]) assert.ok(map.shardOf(slot));
  });

  it('routes each key to the primary that owns its slot', async () => {
    for (let i = 0; i < 30; i++) {
      const key = `route:${i}`;
      await r.set(key, String(i));
      const owner = await cluster.ownerOf(keySlot(key));
      const onOwner = await owner.command('GET', key);
      assert.equal(String(onOwner), String(i));
    }
  });

  it('splits MGET/MSET/DEL/EXISTS/TOUCH/UNLINK per slot and merges in caller order', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `split:${i}`);
    assert.equal(await r.mset(...keys.flatMap((k, i) => [k, `v${i}`])), 'OK');
    assert.deepEqual(await r.mget(...keys, 'split:missing'), [...keys.map((_, i) => `v${i}`), null]);
    assert.equal(await r.exists(...keys, 'split:missing'), 20);
    assert.equal(await r.touch(...keys), 20);
    assert.equal(await r.del(...keys.slice(0, 10)), 10);
    assert.equal(await r.unlink(...keys.slice(10)), 10);
    assert.equal(await r.exists(...keys), 0);
  });

  it('rejects other cross-slot commands with ClusterCrossSlotError before sending', async () => {
    await r.set('cross:a', '1');
    const err = await r.rename('cross:a', 'cross:b').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ClusterCrossSlotError, String(err));
    assert.equal(err.command, 'RENAME');
    assert.equal(await r.get('cross:a'), '1');
    // Same hash tag: one slot, allowed.
    await r.set('{tag}a', '1');
    assert.equal(await r.rename('{tag}a', '{tag}b'), 'OK');
  });

  it('fans keyless commands out by routing tips and merges replies', async () => {
    const before = await r.dbsize();
    const perNode = await Promise.all(cluster.primaries.map(async (n) => Number(await n.command('DBSIZE'))));
    assert.equal(
      before,
      perNode.reduce((a, b) => a + b, 0),
    );
    const keys = await r.keys('split:*');
    assert.ok(Array.isArray(keys));
    await r.set('fan:1', 'x');
    assert.ok((await r.keys('fan:*')).includes('fan:1'));
    assert.equal(await r.ping(), 'PONG');
  });

  it('RANDOMKEY answers a key of one shard when every shard has keys; LATENCY LATEST agrees when every node says []', async () => {
    // One key on each primary: every shard answers its own random key, so the replies differ by design.
    const mine = new Set<string>();
    for (const node of cluster.primaries)
      for (let i = 0; i < 10_000; i++) {
        const key = `rk:${i}`;
        if ((await cluster.ownerOf(keySlot(key))).port === node.port) {
          await r.set(key, 'x');
          mine.add(key);
          break;
        }
      }
    assert.equal(mine.size, cluster.primaries.length);
    for (let i = 0; i < 5; i++) {
      const key = await r.randomkey();
      assert.equal(typeof key, 'string');
      assert.equal(await r.exists(key as string), 1, `${String(key)} exists`);
    }
    // The latency monitor is off on these nodes: each answers an empty array, which agree.
    assert.deepEqual(await r.call('LATENCY', 'LATEST'), []);
    await r.del(...mine);
  });

  it('scans every primary with scanIterator', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `scan:${i}`);
    await r.mset(...keys.flatMap((k) => [k, '1']));
    const seen = new Set<string>();
    for await (const k of r.scanIterator({ match: 'scan:*', count: 7 })) seen.add(k);
    assert.deepEqual([...seen].sort(), [...keys].sort());
  });

  it('rejects commands newer than the servers with CommandNotSupportedError before sending', async () => {
    const err = await r.call('HEXPIRE', 'h', 10, 'FIELDS', 1, 'f').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CommandNotSupportedError, String(err));
    assert.equal(
      err.currentVersion,
      String(await cluster.primaries[0]?.command('INFO', 'server')).match(/redis_version:([\d.]+)/)?.[1],
    );
    const mod = await r.call('JSON.GET', 'k').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(mod instanceof ModuleCommandNotSupportedError, String(mod));
  });

  it('a command checked against the servers keeps its place: later commands wait while the facts are fetched', async () => {
    // RESP2 has no HELLO: the version comes from INFO, asked on the first checked command (GETDEL,
    // 6.2), and the commands issued after it must not overtake it meanwhile.
    const fresh = (): RedisCluster => new RedisCluster({ nodes: cluster.startupNodes(), protocol: 2 });
    const c1 = fresh();
    const c2 = fresh();
    try {
      await c1.connect();
      const k = 'checked:piped';
      const piped = await c1.pipeline().set(k, 'old').getdel(k).set(k, 'new').get(k).exec();
      assert.deepEqual(piped, ['OK', 'old', 'OK', 'new']);
      assert.equal(await c1.get(k), 'new');

      await c2.connect();
      const k2 = 'checked:single';
      const issued = [c2.set(k2, 'old'), c2.getdel(k2), c2.set(k2, 'new'), c2.get(k2)];
      assert.deepEqual(await Promise.all(issued), ['OK', 'old', 'OK', 'new']);
      assert.equal(await c2.get(k2), 'new');
    } finally {
      c1.disconnect();
      c2.disconnect();
    }
  });

  it('runs single-slot transactions and refuses cross-slot ones, naming the command upper-case', async () => {
    assert.deepEqual(await r.multi().set('{tx}a', '1').incr('{tx}a').exec(), ['OK', 2]);
    // The message names the command whose keys left the slot (never a key: keys may be user data).
    const slotA = keySlot('tx:a');
    const slotB = keySlot('tx:b');
    await assert.rejects(r.multi().set('tx:a', '1').set('tx:b', '2').exec(), (e: unknown) => {
      assert.ok(e instanceof ClusterTransactionError, String(e));
      assert.equal(e.command, 'MULTI');
      assert.equal(
        e.message,
        `A cluster transaction needs every key in one slot: SET is for slot ${slotB}, the commands before it for slot ${slotA}`,
      );
      assert.doesNotMatch(e.message, /tx:/);
      return true;
    });
    // One multi-key command whose keys span slots: named too (as spelt through call(), upper-cased).
    await assert.rejects(r.multi().call('mset', 'tx:a', '1', 'tx:b', '2').exec(), {
      name: 'ClusterTransactionError',
      message: 'A cluster transaction needs every key in one slot: the keys of MSET hash to several slots',
    });
    // A queued command's error in EXEC's reply names its command upper-case as well.
    const [ok, wrong] = await r.multi().set('{tx}s', 'x').incr('{tx}s').exec();
    assert.equal(ok, 'OK');
    assert.ok(wrong instanceof ResponseError, String(wrong));
    assert.equal(wrong.command, 'INCR');
  });

  it('follows ASK during a migration and retries TRYAGAIN within the budget', async () => {
    const slot = keySlot('{mig}');
    const from = await cluster.ownerOf(slot);
    const to = cluster.primaries.find((n) => n.port !== from.port) as ClusterNode;
    await r.mset('{mig}a', '1', '{mig}b', '2');
    const migration = await cluster.beginSlotMigration(slot, from, to);
    try {
      assert.equal(await migration.moveKeys(1), 1);
      // One key is on the target now: single-key reads of either key still succeed (ASK for the moved one).
      assert.equal(await r.get('{mig}a'), '1');
      assert.equal(await r.get('{mig}b'), '2');
      // A multi-key command across moved and unmoved keys gets TRYAGAIN until the budget is spent.
      const tight = new RedisCluster({ nodes: cluster.startupNodes(), maxRedirections: 2 });
      try {
        const err = await tight.mget('{mig}a', '{mig}b').then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof ClusterError, String(err));
        assert.ok((err as Error).cause instanceof TryAgainError);
      } finally {
        tight.disconnect();
      }
      // With budget to spare it succeeds once the migration finishes.
      const pending = r.mget('{mig}a', '{mig}b');
      await migration.finish();
      assert.deepEqual(await pending, ['1', '2']);
    } finally {
      await migration.finish().catch(() => undefined);
    }
    // The map learnt the new owner (MOVED or refresh).
    assert.equal(await r.get('{mig}a'), '1');
    assert.equal(r.slots?.shardOf(slot)?.primary.port, to.port);
  });

  it('reshards live under a bounded load: zero lost, zero misattributed', async () => {
    const slots = [keySlot('load:1'), keySlot('load:2'), keySlot('load:3')];
    const load = runLoad(r, 'load', 3000, 30_000);
    for (const slot of slots) {
      const from = await cluster.ownerOf(slot);
      const to = cluster.primaries.find((n) => n.port !== from.port) as ClusterNode;
      await cluster.migrateSlot(slot, from, to);
    }
    const stats = await load;
    assert.equal(stats.wrong, 0);
    // No failover: a migration moves each key whole (ASK covers the keys in transit), so a read
    // never finds its key missing.
    assert.deepEqual(stats.missing, []);
    assert.equal(stats.failed, 0, `failures: ${stats.errors.map(String).slice(0, 3).join('; ')}`);
    assert.ok(stats.ok > 0);
  });

  it('retries only the redirected commands of a pipeline after a slot moved', async () => {
    const stale = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    try {
      await stale.connect();
      const slot = keySlot('{pipe}');
      const from = await cluster.ownerOf(slot);
      const to = cluster.primaries.find((n) => n.port !== from.port) as ClusterNode;
      await stale.set('{pipe}k', 'before');
      await stale.set('pipe-other', 'x');
      await cluster.migrateSlot(slot, from, to);
      // The client's map still names the old owner: its command gets MOVED, the others do not.
      await to.command('CONFIG', 'RESETSTAT');
      const results = await stale
        .pipeline()
        .set('{pipe}k', 'after')
        .get('{pipe}k')
        .get('pipe-other')
        .incr('{pipe}n')
        .exec();
      assert.deepEqual(results, ['OK', 'after', 'x', 1]);
      assert.equal(stale.slots?.shardOf(slot)?.primary.port, to.port);
      // INCR ran exactly once on the new owner: a redirected command is retried, never duplicated.
      assert.equal(String(await to.command('GET', '{pipe}n')), '1');
    } finally {
      stale.disconnect();
    }
  });

  it('prefers replicas for reads with readFrom: preferReplica, writes still go to primaries', async () => {
    const pr = new RedisCluster({ nodes: cluster.startupNodes(), readFrom: 'preferReplica' });
    try {
      await pr.set('prefer:key', 'pv');
      const owner = await cluster.ownerOf(keySlot('prefer:key'));
      await owner.command('WAIT', 1, 2000);
      await Promise.all(cluster.replicas.map((n) => n.command('CONFIG', 'RESETSTAT')));
      for (let i = 0; i < 4; i++) assert.equal(await pr.get('prefer:key'), 'pv');
      const gets = await Promise.all(
        cluster.replicas.map(async (n) =>
          Number(/cmdstat_get:calls=(\d+)/.exec(String(await n.command('INFO', 'commandstats')))?.[1] ?? 0),
        ),
      );
      assert.equal(
        gets.reduce((a, b) => a + b, 0),
        4,
      );
    } finally {
      pr.disconnect();
    }
  });

  it('reads from replicas with readFrom: replica', async () => {
    await r.set('replica:key', 'rv');
    const slot = keySlot('replica:key');
    const owner = await cluster.ownerOf(slot);
    const replicas = cluster.replicas;
    let replica: ClusterNode | undefined;
    for (const node of replicas) if ((await cluster.primaryOf(node)).port === owner.port) replica = node;
    assert.ok(replica);
    await replica.command('WAIT', 0, 0).catch(() => undefined);
    await owner.command('WAIT', 1, 2000);
    const rr = new RedisCluster({ nodes: cluster.startupNodes(), readFrom: 'replica' });
    try {
      await replica.command('CONFIG', 'RESETSTAT');
      for (let i = 0; i < 5; i++) assert.equal(await rr.get('replica:key'), 'rv');
      const stats = String(await replica.command('INFO', 'commandstats'));
      assert.match(stats, /cmdstat_get:calls=5/);
    } finally {
      rr.disconnect();
    }
  });

  registerSecondRoundCases(() => ({ cluster, r }));

  /** INFO commandstats calls of `command` on `node`. */
  async function calls(node: ClusterNode, command: string): Promise<number> {
    const info = String(await node.command('INFO', 'commandstats'));
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  }

  it('a write whose node cannot be connected to was never sent: it refreshes and retries, and rejects with ClusterError only when the budget is spent', async () => {
    const key = '{unreach}n';
    const slot = keySlot(key);
    const owner = await cluster.ownerOf(slot);
    await owner.command('DEL', key);
    // The owner is reached through a proxy (natMap) that accepts connections and passes no byte
    // while paused: every connect attempt times out in the handshake.
    const proxy = await startFaultProxy(owner.port);
    // And through a listener that closes each connection on its first bytes: lost in the handshake.
    const slammer = createServer((s) => s.once('data', () => s.destroy()));
    await new Promise<void>((resolve) => slammer.listen(0, '127.0.0.1', resolve));
    const slamPort = (slammer.address() as { port: number }).port;
    const client = (port: number): RedisCluster =>
      new RedisCluster({
        // Seeds are used as given (not translated): the map comes from the other nodes.
        nodes: cluster.startupNodes().filter((n) => n.port !== owner.port),
        natMap: { [`127.0.0.1:${owner.port}`]: { host: '127.0.0.1', port } },
        connectTimeout: 200,
        maxRedirections: 8,
        retry: new Retry({ backoff: new ConstantBackoff(20) }),
        refreshInterval: 0,
      });
    const viaProxy = client(proxy.port);
    const viaSlammer = client(slamPort);
    try {
      // Paused before the client opens any connection through it (connect() asks the seeds only).
      proxy.pause();
      await viaProxy.connect();
      assert.equal(viaProxy.slots?.shardOf(slot)?.primary.port, proxy.port);
      await owner.command('CONFIG', 'RESETSTAT');
      for (const attempt of [() => viaProxy.incr(key), () => viaProxy.get(key)]) {
        const err = await attempt().then(
          (v) => v,
          (e: unknown) => e,
        );
        assert.ok(err instanceof ClusterError, String(err));
        assert.equal(err.code, ErrorCodes.CLUSTER_REDIRECTIONS);
        const cause = err.cause;
        assert.ok(cause instanceof ConnectionError, String(cause));
        // The handshake timed out, or the executor refused to send to the node it knows is down.
        assert.ok(
          [ErrorCodes.CONNECT_TIMEOUT, ErrorCodes.CONNECTION_REFUSED].some((c) => c === cause.code),
          cause.code,
        );
      }
      // A transaction alike: retried as a whole while its node is unreachable, then rejected.
      const txErr = await viaProxy
        .multi()
        .incr(key)
        .exec()
        .then(
          (v) => v,
          (e: unknown) => e,
        );
      assert.ok(txErr instanceof ClusterError, String(txErr));
      assert.ok(txErr.cause instanceof ConnectionError, String(txErr.cause));
      assert.equal(await calls(owner, 'incr'), 0, 'the write never reached the owner');
      assert.equal(await calls(owner, 'multi'), 0);
      assert.equal(await owner.command('GET', key), null);

      // The lost-in-the-handshake variant: same decision (retried, never sent).
      await viaSlammer.connect();
      const err = await viaSlammer.incr(key).then(
        (v) => v,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ClusterError, String(err));
      const slamCause = err.cause;
      assert.ok(slamCause instanceof ConnectionError, String(slamCause));
      assert.ok(
        [ErrorCodes.HANDSHAKE_FAILED, ErrorCodes.CONNECTION_REFUSED].some((c) => c === slamCause.code),
        slamCause.code,
      );
      assert.equal(await calls(owner, 'incr'), 0);

      // Once the path is back, the same client's write runs, once.
      proxy.resume();
      assert.equal(await viaProxy.incr(key), 1);
      assert.equal(await calls(owner, 'incr'), 1);
    } finally {
      viaProxy.disconnect();
      viaSlammer.disconnect();
      proxy.resume();
      await proxy.close();
      await new Promise<void>((resolve) => slammer.close(() => resolve()));
    }
  });

  it('a write to a frozen primary (its connect times out) waits for the failover and runs once on the promoted replica', async () => {
    const key = '{frozen}n';
    const slot = keySlot(key);
    const owner = await cluster.ownerOf(slot);
    let replica: ClusterNode | undefined;
    for (const n of cluster.replicas) if ((await cluster.primaryOf(n)).port === owner.port) replica = n;
    assert.ok(replica, 'the owner has a replica');
    await owner.command('DEL', key);
    // No connection to the owner yet: the client learns the map from the other nodes.
    const c = new RedisCluster({
      nodes: cluster.startupNodes().filter((n) => n.port !== owner.port),
      connectTimeout: 300,
      // Enough for a failover (cluster-node-timeout 1000 ms), bounded: 200 x (50 ms + a refresh).
      maxRedirections: 200,
      retry: new Retry({ backoff: new ConstantBackoff(50) }),
      refreshInterval: 0,
    });
    let frozen = false;
    try {
      await c.connect();
      assert.equal(c.slots?.shardOf(slot)?.primary.port, owner.port, 'the map names the primary to freeze');
      // SIGSTOP: the kernel still accepts its connections, nothing answers (a frozen host).
      process.kill(owner.pid, 'SIGSTOP');
      frozen = true;
      assert.equal(await c.incr(key), 1);
      assert.equal(c.slots?.shardOf(slot)?.primary.port, replica.port);
    } finally {
      if (frozen) process.kill(owner.pid, 'SIGCONT');
      c.disconnect();
    }
    assert.equal(String(await replica.command('GET', key)), '1');
    // The old primary rejoins as a replica; the suite's later tests see the settled cluster.
    await cluster.waitForClusterOk({ timeoutMs: 30_000 });
    await cluster.refreshRoles();
    assert.equal(String(await (await cluster.ownerOf(slot)).command('GET', key)), '1', 'ran once');
  });

  it('survives CLUSTER FAILOVER under load: errors only in the window, no reply misattributed, then recovery', async (t) => {
    const replica = cluster.replicas[0] as ClusterNode;
    const load = runLoad(r, 'fo', 3000, 30_000);
    await cluster.failover(replica);
    const stats = await load;
    assert.equal(stats.wrong, 0);
    for (const e of stats.errors)
      assert.ok(e instanceof ConnectionError || e instanceof ClusterError, String(e));
    // A key read as missing in the window is Redis' doing (see runLoad), not counted as wrong;
    // what it holds now must still be its own value or nothing.
    const missing = await recheck(r, 'fo', stats.missing);
    assert.equal(missing.wrong, 0);
    t.diagnostic(
      `failover window: ${stats.ok} ok, ${stats.failed} failed, ${missing.stale} stale reads, ${missing.lost} acknowledged writes lost`,
    );
    const after = await runLoad(r, 'fo-after', 300, 20_000);
    assert.equal(after.failed, 0);
    assert.equal(after.wrong, 0);
    assert.deepEqual(after.missing, []);
  });

  it('survives kill -9 of a primary under load, no reply misattributed, then recovers on the promoted replica', async (t) => {
    const victim = cluster.primaries[0] as ClusterNode;
    const load = runLoad(r, 'kill', 2000, 30_000);
    await victim.kill();
    await cluster.waitForClusterOk({ timeoutMs: 20_000 });
    const stats = await load;
    assert.equal(stats.wrong, 0);
    for (const e of stats.errors)
      assert.ok(e instanceof ConnectionError || e instanceof ClusterError, String(e));
    const missing = await recheck(r, 'kill', stats.missing);
    assert.equal(missing.wrong, 0);
    t.diagnostic(
      `kill window: ${stats.ok} ok, ${stats.failed} failed, ${missing.stale} stale reads, ${missing.lost} acknowledged writes lost`,
    );
    const afterKill = await runLoad(r, 'kill-after', 300, 20_000);
    assert.equal(afterKill.wrong, 0);
    assert.deepEqual(afterKill.missing, []);
    assert.equal(afterKill.failed, 0, afterKill.errors.map(String).slice(0, 3).join('; '));
  });
});

describe('RedisCluster against scripted nodes', () => {
  registerScriptedCases();

  it('rejects a slot no node serves with ClusterRoutingError', async () => {
    let port = 0;
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'cluster') return slotsReply([[0, 100, port]]);
      return '+OK\r\n';
    });
    port = srv.port;
    const r = new RedisCluster({ nodes: [{ host: '127.0.0.1', port }], refreshInterval: 0 });
    try {
      await r.connect();
      assert.ok(keySlot('foo') > 100);
      await assert.rejects(r.get('foo'), ClusterRoutingError);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('follows MOVED without a host to the same host, new port', async () => {
    let portA = 0;
    const b = await startScriptedServer((cmd) =>
      cmd[0] === 'hello' ? HELLO3 : cmd[0] === 'get' ? '$4\r\nfrom\r\n' : '+OK\r\n',
    );
    const a = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'cluster') return slotsReply([[0, 16383, portA]]);
      if (cmd[0] === 'get') return `-MOVED ${keySlot('foo')} :${b.port}\r\n`;
      return '+OK\r\n';
    });
    portA = a.port;
    const r = new RedisCluster({ nodes: [{ host: '127.0.0.1', port: portA }], refreshInterval: 0 });
    try {
      assert.equal(await r.get('foo'), 'from');
      assert.equal(r.slots?.shardOf(keySlot('foo'))?.primary.port, b.port);
    } finally {
      r.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('spends the budget on TRYAGAIN / CLUSTERDOWN and reports the last error as cause', async () => {
    let port = 0;
    let mode = 'TRYAGAIN Multiple keys request during rehashing of slot';
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'cluster') return slotsReply([[0, 16383, port]]);
      return `-${mode}\r\n`;
    });
    port = srv.port;
    const r = new RedisCluster({
      nodes: [{ host: '127.0.0.1', port }],
      maxRedirections: 3,
      refreshInterval: 0,
    });
    try {
      const e1 = await r.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(e1 instanceof ClusterError && !(e1 instanceof ClusterDownError), String(e1));
      assert.ok((e1 as Error).cause instanceof TryAgainError);
      const gets = srv.received.filter((c) => c[0] === 'get').length;
      assert.equal(gets, 4); // the first try and three retries
      mode = 'CLUSTERDOWN The cluster is down';
      const e2 = await r.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(e2 instanceof ClusterDownError, String(e2));
      assert.ok((e2 as Error).cause instanceof ClusterDownError);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });
});
