/**
 * RedisCluster data paths during a live slot migration and a failover, on a real 3+3 cluster (it
 * starts in about 2 s): blocking commands met by ASK or by a failover, transactions that must
 * enter a node's queue whole, and a command in its TRYAGAIN backoff when the client is disconnected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConnectionError,
  ConstantBackoff,
  DataError,
  RedisCluster,
  Retry,
  TryAgainError,
  UnblockedError,
  keySlot,
} from '../src/index.js';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { waitUntil } from './support/redis-server.js';
import { startCluster, type ClusterNode, type RedisClusterHandle } from './support/cluster.js';
import { startFaultProxy } from './support/fault-proxy.js';

describe('RedisCluster during a live slot migration or failover (3+3)', () => {
  let cluster: RedisClusterHandle;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
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

  it('a command in its TRYAGAIN backoff when disconnect() is called rejects and opens no connection after it', async () => {
    const name = 'reshard-after-disconnect';
    const r = new RedisCluster({
      nodes: cluster.startupNodes(),
      refreshInterval: 0,
      clientName: name,
      // A long backoff: disconnect() finds the MGET waiting in it.
      retry: new Retry({ backoff: new ConstantBackoff(60_000) }),
    });
    const slot = keySlot('{cls}');
    const from = await cluster.ownerOf(slot);
    await r.mset('{cls}a', '1', '{cls}b', '2');
    const migration = await cluster.beginSlotMigration(slot, from, other(from));
    try {
      // One of the two keys moved: MGET of both gets TRYAGAIN until the migration ends.
      await migration.moveKeys(1);
      await from.command('CONFIG', 'RESETSTAT');
      const pending = r.mget('{cls}a', '{cls}b').then(
        (v) => v,
        (e: unknown) => e,
      );
      await waitUntil('MGET answered TRYAGAIN', 5000, async () =>
        /errorstat_TRYAGAIN:count=\d/.test(String(await from.command('INFO', 'errorstats')))
          ? undefined
          : 'not yet',
      );
      r.disconnect();
      const err = await pending;
      assert.ok(err instanceof ConnectionError, String(err));
      // No connection of this client is left on any node (a new one kept the process alive).
      await waitUntil('no connection of the disconnected client', 2000, async () => {
        let left = 0;
        for (const n of cluster.primaries)
          left += String(await n.command('CLIENT', 'LIST')).split(`name=${name} `).length - 1;
        return left === 0 ? undefined : `${left} left`;
      });
    } finally {
      await migration.finish();
    }
  });

  describe('a pipeline keeps per-key order across retries during a migration', () => {
    /**
     * MSET of two keys of one slot, one moved and one not, gets TRYAGAIN until the migration ends;
     * a SET after it of one of its keys (`which`) is sent with it. Resolves the pipeline's results
     * and that key's value once the migration has ended.
     */
    async function msetThenSet(tag: string, which: 'moved' | 'stayed'): Promise<[unknown, unknown]> {
      const r = new RedisCluster({
        nodes: cluster.startupNodes(),
        refreshInterval: 0,
        maxRedirections: 200,
        retry: new Retry({ backoff: new ConstantBackoff(20) }),
      });
      const [a, b] = [`{${tag}}a`, `{${tag}}b`];
      const slot = keySlot(a);
      const from = await cluster.ownerOf(slot);
      await r.mset(a, 'old', b, 'old');
      const migration = await cluster.beginSlotMigration(slot, from, other(from));
      let pending: Promise<unknown> | undefined;
      let settled = false;
      let key = '';
      try {
        await migration.moveKeys(1);
        const [stayed] = (await from.command('CLUSTER', 'GETKEYSINSLOT', slot, 10)) as string[];
        const moved = stayed === a ? b : a;
        key = which === 'moved' ? moved : (stayed as string);
        await from.command('CONFIG', 'RESETSTAT');
        pending = r
          .pipeline()
          .mset(moved, 'first', stayed as string, 'first')
          .set(key, 'second')
          .exec()
          .then(
            (v) => v,
            (e: unknown) => e,
          )
          .finally(() => (settled = true));
        await waitUntil('MSET retried after TRYAGAIN (or the pipeline settled)', 5000, async () => {
          if (settled) return undefined;
          const m = /errorstat_TRYAGAIN:count=(\d+)/.exec(String(await from.command('INFO', 'errorstats')));
          return m !== null && Number(m[1]) >= 3 ? undefined : 'not yet';
        });
      } finally {
        await migration.finish();
      }
      try {
        return [await pending, await r.get(key)];
      } finally {
        r.disconnect();
      }
    }

    it('a later SET of the moved key (ASK) waits for the MSET in its TRYAGAIN backoff', async () => {
      // Resent at once after ASK, the SET ran on the importing node first and the MSET's later run
      // overwrote it: the caller's order reversed, every result 'OK'.
      assert.deepEqual(await msetThenSet('ordm', 'moved'), [['OK', 'OK'], 'second']);
    });

    it('a later SET of the key still on the source runs there at once: the MSET it overtook rejects with TRYAGAIN', async () => {
      // The SET is not refused (its key is on the source), so it runs before the held MSET; run
      // after the migration, the MSET overwrote it, every result 'OK'.
      const [results, value] = await msetThenSet('ords', 'stayed');
      const [mset, set] = results as unknown[];
      assert.ok(mset instanceof TryAgainError, String(mset));
      assert.equal(set, 'OK');
      assert.equal(value, 'second');
    });
  });

  describe('a command given up on during an ASK detour leaves no ASKING behind on the importing node', () => {
    // ASKING alone on a shared connection lets the next command on it, another caller's, into
    // the slot the node is importing. The probe is such a command: a script on a key of the
    // importing node's own slots that reads the migrating key undeclared, which that node serves
    // only right after an ASKING.
    const PROBE = `#!lua flags=allow-cross-slot-keys
return redis.call('GET', ARGV[1])`;
    const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';
    const asked = async (node: ClusterNode): Promise<number> =>
      Number(/cmdstat_asking:calls=(\d+)/.exec(String(await node.command('INFO', 'commandstats')))?.[1] ?? 0);

    /**
     * Nothing was let into the importing slot: `own` (served by `to`) is read with the migrating
     * `key` undeclared, which `to` serves only right after an ASKING; and `to` counted no ASKING.
     */
    async function assertNoAskingLeft(
      r: RedisCluster,
      to: ClusterNode,
      own: string,
      key: string,
    ): Promise<void> {
      const probe = await r.eval(PROBE, { keys: [own], args: [key] }).then(
        (v) => `read ${String(v)}`,
        (e: unknown) => `refused: ${(e as Error).message}`,
      );
      assert.match(probe, /^refused: .*non local key/);
      assert.equal(await asked(to), 0);
    }

    /** A key whose slot `node` serves. */
    async function keyOn(node: ClusterNode, prefix: string): Promise<string> {
      for (let i = 0; i < 10_000; i++) {
        const key = `${prefix}:${i}`;
        if ((await cluster.ownerOf(keySlot(key))).port === node.port) return key;
      }
      throw new Error(`no key of ${prefix} on ${node.port}`);
    }

    /**
     * `tag`'s slot migrating, its key `{tag}k` already on the importing node (so the source
     * answers ASK for it); `run` gets both nodes and the key, and the migration ends after it.
     */
    async function migrating(
      tag: string,
      run: (from: ClusterNode, to: ClusterNode, key: string) => Promise<void>,
    ): Promise<void> {
      const slot = keySlot(`{${tag}}`);
      const from = await cluster.ownerOf(slot);
      const to = other(from);
      const key = `{${tag}}k`;
      await from.command('SET', key, 'moved');
      const migration = await cluster.beginSlotMigration(slot, from, to);
      try {
        await migration.moveKeys();
        await run(from, to, key);
      } finally {
        await migration.finish();
      }
    }

    /** Runs `fn` with `onAsk` called on each ASK the client follows (wredis:cluster:redirect). */
    async function onAsk(onAsk: () => void, fn: () => Promise<void>): Promise<void> {
      const listener = (m: unknown): void => {
        if ((m as { kind: string }).kind === 'ASK') onAsk();
      };
      subscribe('wredis:cluster:redirect', listener);
      try {
        await fn();
      } finally {
        unsubscribe('wredis:cluster:redirect', listener);
      }
    }

    it('given up on while the source answers ASK: neither ASKING nor the command goes', async () => {
      const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
      try {
        await r.connect();
        await migrating('askgone', async (_from, to, key) => {
          const own = await keyOn(to, 'askgone-probe');
          await to.command('CONFIG', 'RESETSTAT');
          const ac = new AbortController();
          // Given up on between the source's ASK and the detour (a signal or timeout firing while
          // the command was out): the detour is not made.
          await onAsk(
            () => ac.abort(),
            () => assert.rejects(r.withOptions({ signal: ac.signal }).get(key), isAbort),
          );
          await assertNoAskingLeft(r, to, own, key);
        });
      } finally {
        r.disconnect();
      }
    });

    it('withdrawn unwritten with its ASKING (the importing node not reached yet): neither is written', async () => {
      await migrating('askwait', async (from, to, key) => {
        // The importing node behind a paused proxy: the detour waits unwritten for its connection.
        const proxy = await startFaultProxy(to.port);
        const r = new RedisCluster({
          nodes: [{ host: '127.0.0.1', port: from.port }],
          refreshInterval: 0,
          natMap: { [`127.0.0.1:${to.port}`]: { host: '127.0.0.1', port: proxy.port } },
        });
        try {
          await r.connect();
          const own = await keyOn(to, 'askwait-probe');
          await to.command('CONFIG', 'RESETSTAT');
          proxy.pause();
          const ac = new AbortController();
          // Aborted once ASKING and the command wait in the importing node's queue.
          await onAsk(
            () => setImmediate(() => ac.abort()),
            () => assert.rejects(r.withOptions({ signal: ac.signal }).get(key), isAbort),
          );
          proxy.resume();
          await assertNoAskingLeft(r, to, own, key);
        } finally {
          r.disconnect();
          await proxy.close();
        }
      });
    });
  });

  it("a stream consumer blocked in XREADGROUP while its stream's slot migrates goes on at the importing node", async () => {
    const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    const stream = '{scm}orders';
    const slot = keySlot(stream);
    const from = await cluster.ownerOf(slot);
    const to = other(from);
    const consumer = r.streamConsumer({
      streams: stream,
      group: 'g',
      consumer: 'w',
      startId: '0',
      block: 5000,
    });
    try {
      const first = String(await r.xadd(stream, '*', { n: '1' }));
      assert.equal((await consumer.next()).value?.id, first);
      const next = consumer.next().then(
        (v) => v,
        (e: unknown) => e,
      );
      await waitUntil('XREADGROUP blocked on the source', 5000, async () =>
        / flags=b .*cmd=xreadgroup /.test(String(await from.command('CLIENT', 'LIST'))) ? undefined : 'no',
      );
      const migration = await cluster.beginSlotMigration(slot, from, to);
      try {
        // MIGRATE deletes the stream on the source: Redis ends the blocked XREADGROUP with
        // "UNBLOCKED the stream key no longer exists". It read nothing; the stream (and its group)
        // lives on at the importing node, where the read belongs now.
        await migration.moveKeys();
        const second = String(await r.xadd(stream, '*', { n: '2' }));
        const got = await next;
        assert.ok(!(got instanceof Error), `the consumer ended with ${String(got)}`);
        assert.equal((got as IteratorResult<{ id: string }>).value?.id, second);
      } finally {
        await migration.finish();
      }
      const third = String(await r.xadd(stream, '*', { n: '3' }));
      assert.equal((await consumer.next()).value?.id, third);
      await consumer.return();
      // The group moved with the stream: acked there, all but the entry handed out last (return()).
      const pending = (await to.command('XPENDING', stream, 'g')) as unknown[];
      assert.deepEqual([Number(pending[0]), pending[1]], [1, third]);
    } finally {
      r.disconnect();
    }
  });

  it('a blocking command on a primary demoted by CLUSTER FAILOVER (UNBLOCKED) goes again to the promoted replica', async () => {
    const r = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
    try {
      await r.connect();
      const slot = keySlot('{fo}');
      const owner = await cluster.ownerOf(slot);
      let replica: ClusterNode | undefined;
      for (const n of cluster.replicas) if ((await cluster.primaryOf(n)).port === owner.port) replica = n;
      assert.ok(replica);
      const blockedOn = async (node: ClusterNode): Promise<string[]> =>
        String(await node.command('CLIENT', 'LIST'))
          .split('\n')
          .filter((l) => / cmd=blpop /.test(l))
          .map((l) => /^id=(\d+)/.exec(l)?.[1] as string);
      // CLIENT UNBLOCK … ERROR is the caller's own doing: it still rejects with UnblockedError.
      const unblocked = r.blpop('{fo}u', 10).then(
        (v) => v,
        (e: unknown) => e,
      );
      await waitUntil('BLPOP blocked', 5000, async () =>
        (await blockedOn(owner)).length > 0 ? undefined : 'no',
      );
      await owner.command('CLIENT', 'UNBLOCK', (await blockedOn(owner))[0] as string, 'ERROR');
      assert.ok((await unblocked) instanceof UnblockedError);
      // A failover ends the wait with UNBLOCKED too (the old primary turned replica): the command
      // did not run, so it goes again to the shard's new primary, as after READONLY.
      const popped = r.blpop('{fo}q', 10);
      await waitUntil('BLPOP blocked', 5000, async () =>
        (await blockedOn(owner)).length > 0 ? undefined : 'no',
      );
      await cluster.failover(replica);
      await r.rpush('{fo}q', 'v');
      assert.deepEqual(await popped, ['{fo}q', 'v']);
    } finally {
      r.disconnect();
    }
  });
});
