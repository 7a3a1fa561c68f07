/**
 * Scripts, locks, stream consumers and functions on a real 3-primary + 3-replica cluster: each
 * runs on the node of its keys through the cluster's `call`, scripts are loaded per node on
 * NOSCRIPT (each node has its own cache), also inside cluster pipelines and transactions, and
 * XREADGROUP BLOCK waits on a blocking connection of the stream's node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AskError,
  ClusterCrossSlotError,
  Lock,
  LockError,
  MovedError,
  NoScriptError,
  RedisCluster,
  TimeoutError,
  keySlot,
} from '../src/index.js';
import { startCluster, type ClusterNode, type RedisClusterHandle } from './support/cluster.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { startHoldProxy } from './support/hold-proxy.js';
import { abortWhileEnding, pipeClosed } from './support/lent-abort.js';
import { waitUntil } from './support/redis-server.js';

const INCR_BY = `
local v = redis.call('incrby', KEYS[1], ARGV[1])
return {KEYS[1], v}`;

/** Keys whose slots are owned by different primaries (one per primary). */
async function keyPerPrimary(
  cluster: RedisClusterHandle,
  prefix: string,
): Promise<Array<{ key: string; node: ClusterNode }>> {
  const out: Array<{ key: string; node: ClusterNode }> = [];
  for (const node of cluster.primaries) {
    for (let i = 0; i < 10_000; i++) {
      const key = `${prefix}:${node.port}:${i}`;
      if ((await cluster.ownerOf(keySlot(key))) === node) {
        out.push({ key, node });
        break;
      }
    }
  }
  assert.equal(out.length, cluster.primaries.length);
  return out;
}

async function scriptExists(node: ClusterNode, sha: string): Promise<boolean> {
  return Number(((await node.command('SCRIPT', 'EXISTS', sha)) as unknown[])[0]) === 1;
}

async function calls(node: ClusterNode, command: string): Promise<number> {
  const info = String(await node.command('INFO', 'commandstats'));
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

describe('Scripts, locks and stream consumers on a real 3+3 cluster', () => {
  let cluster: RedisClusterHandle;
  let r: RedisCluster;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
    r = new RedisCluster({ nodes: cluster.startupNodes() });
    await r.connect();
  });
  after(async () => {
    await r.close();
    await cluster.stop();
  });

  it("a script's own error reply with a redirection policy's code (TRYAGAIN, CLUSTERDOWN …) is not sent again: it ran", async () => {
    for (const code of ['TRYAGAIN', 'LOADING', 'CLUSTERDOWN', 'MASTERDOWN', 'READONLY', 'BUSY']) {
      const lua = `redis.call('INCR', KEYS[1]) return redis.error_reply('${code} made up by the script')`;
      await assert.rejects(r.script(lua).run({ keys: ['made-up'] }), { code });
      await assert.rejects(r.eval(lua, { keys: ['made-up'] }), { code });
      assert.equal(await r.get('made-up'), '2', `${code}: each call ran once`);
      await r.del('made-up');
    }
  });

  describe('a MOVED / ASK a script returns itself is its reply: it ran once and is not sent again', () => {
    type Redirection = typeof MovedError | typeof AskError;
    /**
     * A key counting the script's runs (each script INCRs it first) and redirections no server
     * would send for it: its own slot and the node that ran it, or another slot and that slot's
     * real owner (so following it is possible).
     */
    async function forgeries(prefix: string): Promise<{
      key: string;
      cases: Array<{ reply: string; cls: Redirection }>;
    }> {
      const [mine, other] = await keyPerPrimary(cluster, prefix);
      const { key, node } = mine as { key: string; node: ClusterNode };
      const elsewhere = other as { key: string; node: ClusterNode };
      await r.del(key);
      const own = `${keySlot(key)} 127.0.0.1:${node.port}`;
      const another = `${keySlot(elsewhere.key)} 127.0.0.1:${elsewhere.node.port}`;
      return {
        key,
        cases: [
          { reply: `MOVED ${own}`, cls: MovedError },
          { reply: `MOVED ${another}`, cls: MovedError },
          { reply: `ASK ${own}`, cls: AskError },
          { reply: `ASK ${another}`, cls: AskError },
        ],
      };
    }
    const forged = (reply: string) => `redis.call('INCR', KEYS[1]) return redis.error_reply('${reply}')`;
    /** What one call did: how often the script ran (the key's count, then reset) and what the caller got. */
    async function outcome(label: string, key: string, call: unknown): Promise<string> {
      const got = await Promise.resolve(call).then(
        (v) => (v instanceof Error ? `${v.name}: ${v.message}` : `resolved ${String(v)}`),
        (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)),
      );
      const runs = await r.get(key);
      await r.del(key);
      return `${label}: ran ${String(runs)} time(s), ${got}`;
    }
    const once = (label: string, cls: Redirection, reply: string) =>
      `${label}: ran 1 time(s), ${cls.name}: ${reply}`;

    it('EVAL and FCALL reject with the MovedError / AskError the script returned', async () => {
      const { key, cases } = await forgeries('forged-call');
      await r.functionLoad(
        `#!lua name=forgelib
redis.register_function('forge', function(keys, args) redis.call('INCR', keys[1]) return redis.error_reply(args[1]) end)`,
        { replace: true },
      );
      const got: string[] = [];
      const want: string[] = [];
      for (const { reply, cls } of cases) {
        got.push(await outcome(`EVAL ${reply}`, key, r.eval(forged(reply), { keys: [key] })));
        want.push(once(`EVAL ${reply}`, cls, reply));
        got.push(await outcome(`FCALL ${reply}`, key, r.fcall('forge', { keys: [key], args: [reply] })));
        want.push(once(`FCALL ${reply}`, cls, reply));
      }
      assert.deepEqual(got, want);
    });

    it('in a pipeline: the error is in its place, the script ran once', async () => {
      const { key, cases } = await forgeries('forged-pipe');
      const got: string[] = [];
      for (const { reply } of cases) {
        const pipe = r.pipeline();
        pipe.eval(forged(reply), { keys: [key] });
        const [error] = (await pipe.exec()) as unknown[];
        got.push(await outcome(reply, key, error));
      }
      assert.deepEqual(
        got,
        cases.map(({ reply, cls }) => once(reply, cls, reply)),
      );
    });

    it('on a lent connection with WATCH: the error as is, not a WatchError (a retry loop would run it again)', async () => {
      const { key, cases } = await forgeries('forged-lent');
      const got: string[] = [];
      for (const { reply } of cases) {
        const lent = r.withConnection(key, async (c) => {
          await c.watch(key);
          return c.eval(forged(reply), { keys: [key] });
        });
        got.push(await outcome(reply, key, lent));
      }
      assert.deepEqual(
        got,
        cases.map(({ reply, cls }) => once(reply, cls, reply)),
      );
    });

    it("its own slot and another primary: followed once, that primary's MOVED back ends it (no ping-pong)", async () => {
      // Such a reply is a real redirection's twin; only the other node's answer tells them apart.
      const key = '{k}c';
      const slot = keySlot(key);
      const owner = await cluster.ownerOf(slot);
      const other = cluster.primaries.find((n) => n !== owner) as ClusterNode;
      await r.del(key);
      await r.functionLoad(
        `#!lua name=pingponglib
redis.register_function('pingpong', function(keys, args) redis.call('INCR', keys[1]) return redis.error_reply(args[1]) end)`,
        { replace: true },
      );
      const got: string[] = [];
      const want: string[] = [];
      for (const cls of [MovedError, AskError]) {
        const reply = `${cls === MovedError ? 'MOVED' : 'ASK'} ${slot} 127.0.0.1:${other.port}`;
        got.push(await outcome(`EVAL ${reply}`, key, r.eval(forged(reply), { keys: [key] })));
        want.push(once(`EVAL ${reply}`, cls, reply));
        got.push(await outcome(`FCALL ${reply}`, key, r.fcall('pingpong', { keys: [key], args: [reply] })));
        want.push(once(`FCALL ${reply}`, cls, reply));
        // A pipeline's command follows redirections through the same loop.
        const pipe = r.pipeline();
        pipe.eval(forged(reply), { keys: [key] });
        const [error] = (await pipe.exec()) as unknown[];
        got.push(await outcome(`pipelined EVAL ${reply}`, key, error));
        want.push(once(`pipelined EVAL ${reply}`, cls, reply));
      }
      assert.deepEqual(got, want);
      // A command that runs no user code still follows MOVED as before (the map may still name
      // the other primary after the followed reply).
      await r.set(key, 'plain');
      assert.equal(String(await owner.command('GET', key)), 'plain');
      assert.equal(await r.get(key), 'plain');
    });

    it('EVAL_RO / FCALL_RO read from a replica: its own slot and another primary, run once there (no ping-pong)', async () => {
      // The replica sends the command to the other primary, which sends it back to the replica's
      // primary, not to the replica: the bounce must be seen there, before that primary runs it again.
      const key = '{ro}c';
      const slot = keySlot(key);
      const owner = await cluster.ownerOf(slot);
      const other = cluster.primaries.find((n) => n !== owner) as ClusterNode;
      await r.functionLoad(
        `#!lua name=forgerolib
redis.register_function{function_name='forge_ro', flags={'no-writes'}, callback=function(keys, args) return redis.error_reply(args[1]) end}
redis.register_function('forge_rw', function(keys, args) return redis.error_reply(args[1]) end)`,
        { replace: true },
      );
      await waitUntil('the library on every node', 5000, async () => {
        for (const n of cluster.nodes) {
          const libs = (await n.command('FUNCTION', 'LIST', 'LIBRARYNAME', 'forgerolib')) as unknown[];
          if (libs.length === 0) return `not yet on ${n.port}`;
        }
        return undefined;
      });
      /** The roles of the nodes that ran `command` since the last RESETSTAT, one per run. */
      const ranOn = async (command: string): Promise<string> => {
        const roles: string[] = [];
        for (const n of cluster.nodes) for (let i = await calls(n, command); i > 0; i--) roles.push(n.role);
        return roles.length === 0 ? 'no node' : roles.sort().join(' and ');
      };
      const said = (e: unknown): string =>
        e instanceof Error ? `${e.name}: ${e.message}` : `resolved ${String(e)}`;
      const ro = new RedisCluster({ nodes: cluster.startupNodes(), readFrom: 'replica' });
      try {
        await ro.connect();
        const got: string[] = [];
        const want: string[] = [];
        for (const cls of [MovedError, AskError]) {
          const reply = `${cls === MovedError ? 'MOVED' : 'ASK'} ${slot} 127.0.0.1:${other.port}`;
          const lua = `return redis.error_reply('${reply}')`;
          const runs: Array<[string, string, () => Promise<unknown>]> = [
            ['EVAL_RO', 'eval_ro', () => ro.evalRo(lua, { keys: [key] })],
            ['FCALL_RO', 'fcall_ro', () => ro.fcallRo('forge_ro', { keys: [key], args: [reply] })],
            [
              'pipelined EVAL_RO',
              'eval_ro',
              async () =>
                (
                  (await ro
                    .pipeline()
                    .evalRo(lua, { keys: [key] })
                    .exec()) as unknown[]
                )[0],
            ],
          ];
          for (const [label, command, run] of runs) {
            for (const n of cluster.nodes) await n.command('CONFIG', 'RESETSTAT');
            const e = await run().catch((x: unknown) => x);
            got.push(`${label} ${reply}: ran on ${await ranOn(command)}, ${said(e)}`);
            want.push(`${label} ${reply}: ran on replica, ${cls.name}: ${reply}`);
          }
        }
        assert.deepEqual(got, want);
        // A replica's own MOVED names its primary (it will not serve FCALL_RO of a function
        // without no-writes): still followed, and the primary refuses the call itself.
        for (const n of cluster.nodes) await n.command('CONFIG', 'RESETSTAT');
        const refused = await ro.fcallRo('forge_rw', { keys: [key], args: ['x'] }).catch((x: unknown) => x);
        assert.ok(refused instanceof Error && !(refused instanceof MovedError), said(refused));
        assert.equal(await ranOn('fcall_ro'), 'primary');
      } finally {
        await ro.close();
      }
    });

    it('a keyless script (EVAL … 0): any MOVED / ASK is its own (no server redirects it), it ran once', async () => {
      // No keys, so no slot: isForgedRedirect cannot check the slot, and the node named may well
      // be another real one. Runs are counted on the servers (commandstats), as the script has no key.
      const evalRuns = async (): Promise<number> => {
        let n = 0;
        for (const p of cluster.primaries) {
          const m = /cmdstat_eval:calls=(\d+)/.exec(String(await p.command('INFO', 'commandstats')));
          n += m === null ? 0 : Number(m[1]);
        }
        return n;
      };
      const got: string[] = [];
      const want: string[] = [];
      for (const { key, node } of await keyPerPrimary(cluster, 'keyless')) {
        for (const kind of ['MOVED', 'ASK']) {
          const reply = `${kind} ${keySlot(key)} 127.0.0.1:${node.port}`;
          for (const p of cluster.primaries) await p.command('CONFIG', 'RESETSTAT');
          const e = await r
            .eval(`return redis.error_reply('${reply}')`, { keys: [] })
            .catch((x: unknown) => x);
          got.push(
            `${reply}: ran ${await evalRuns()} time(s), ${e instanceof Error ? e.message : String(e)}`,
          );
          want.push(`${reply}: ran 1 time(s), ${reply}`);
        }
      }
      assert.deepEqual(got, want);
    });
  });

  it('script(lua).run: EVALSHA on the owner of the keys, loaded per node on NOSCRIPT', async () => {
    const script = r.script(INCR_BY);
    const targets = await keyPerPrimary(cluster, 'script');
    await Promise.all(cluster.primaries.map((n) => n.command('CONFIG', 'RESETSTAT')));
    for (const { key, node } of targets) {
      assert.equal(await scriptExists(node, script.sha), false);
      assert.deepEqual(await script.run({ keys: [key], args: [5] }), [key, 5]);
      // NOSCRIPT there, so EVAL there: that node has it now.
      assert.equal(await scriptExists(node, script.sha), true);
      assert.equal(String(await node.command('GET', key)), '5');
    }
    for (const { node } of targets) {
      assert.equal(await calls(node, 'evalsha'), 1);
      assert.equal(await calls(node, 'eval'), 1);
    }
    // Every node has it: EVALSHA only from now on.
    for (const { key } of targets) assert.deepEqual(await script.run({ keys: [key], args: [1] }), [key, 6]);
    for (const { node } of targets) {
      assert.equal(await calls(node, 'evalsha'), 2);
      assert.equal(await calls(node, 'eval'), 1);
    }
    // Keys of several slots are refused before anything is sent.
    await assert.rejects(script.run({ keys: targets.map((t) => t.key) }), ClusterCrossSlotError);
    // A keyless script runs on some primary.
    assert.equal(await r.script('return 42').run(), 42);
  });

  it('SCRIPT FLUSH / LOAD / EXISTS fan out; run() recovers after a flush; EVALSHA by hand meets NoScriptError', async () => {
    const script = r.script(`return redis.call('get', KEYS[1])`);
    const targets = await keyPerPrimary(cluster, 'load');
    for (const { key } of targets) await r.set(key, key);
    assert.equal(await script.load(), script.sha);
    for (const node of cluster.nodes)
      assert.equal(await scriptExists(node, script.sha), true, `on ${node.port} (${node.role})`);
    assert.equal(await script.exists(), true);
    assert.equal(await r.call('SCRIPT', 'FLUSH'), 'OK');
    for (const node of cluster.nodes) assert.equal(await scriptExists(node, script.sha), false);
    assert.equal(await script.exists(), false);
    await assert.rejects(
      r.call('EVALSHA', script.sha, 1, (targets[0] as { key: string }).key),
      NoScriptError,
    );
    for (const { key } of targets) assert.equal(await script.run({ keys: [key] }), key);
  });

  it('scripts in cluster pipelines (NOSCRIPT slots retried by body) and single-slot transactions', async () => {
    const script = r.script(INCR_BY);
    const targets = await keyPerPrimary(cluster, 'pipe');
    // Known to this Script object (so the pipeline uses EVALSHA), but flushed from every node.
    await script.load();
    await r.call('SCRIPT', 'FLUSH');
    const pipe = r.pipeline();
    for (const { key } of targets) {
      pipe.set(key, 10);
      script.runIn(pipe, { keys: [key], args: [2] });
      pipe.get(key);
    }
    const results = await pipe.exec();
    // A NOSCRIPT slot is run again by body after the rest of the pipeline (so its GET saw 10).
    assert.deepEqual(
      results,
      targets.flatMap(({ key }) => ['OK', [key, 12], '10']),
    );
    for (const { key } of targets) assert.equal(await r.get(key), '12');
    // Loaded everywhere by the retries: EVALSHA succeeds in the next pipeline.
    const again = r.pipeline();
    for (const { key } of targets) script.runIn(again, { keys: [key], args: [1] });
    assert.deepEqual(
      await again.exec(),
      targets.map(({ key }) => [key, 13]),
    );
    const tx = r.multi().set('{tx}n', 1);
    script.runIn(tx, { keys: ['{tx}n'], args: [4] });
    assert.deepEqual(await tx.get('{tx}n').exec(), ['OK', ['{tx}n', 5], '5']);
  });

  it('lock(name): held on the owner of its slot, token-checked release and extend, follows a slot migration', async () => {
    const name = 'lock:orders';
    const a = r.lock(name, { timeout: 10_000 });
    const b = r.lock(name, { timeout: 10_000, blockingTimeout: 0 });
    assert.equal(await a.acquire(), true);
    const owner = await cluster.ownerOf(keySlot(name));
    assert.equal(String(await owner.command('GET', name)), a.token);
    await assert.rejects(b.acquire(), LockError);
    assert.equal(await a.extend(5_000), true);
    const pttl = Number(await owner.command('PTTL', name));
    assert.ok(pttl > 10_000 && pttl <= 15_000, String(pttl));
    // The slot moves; the lock's commands follow (MOVED).
    const to = cluster.primaries.find((n) => n !== owner) as ClusterNode;
    await cluster.migrateSlot(keySlot(name), owner, to);
    assert.equal(await a.owned(), true);
    await a.release();
    assert.equal(await to.command('EXISTS', name), 0);
    assert.equal(await b.acquire(), true);
    await b.release();
    await assert.rejects(a.release(), LockError);
  });

  describe('lock: an acquire given up on while its SET waits unsent is withdrawn (the SET never runs)', () => {
    const name = 'lock:unsent';
    let owner: ClusterNode;
    before(async () => {
      owner = await cluster.ownerOf(keySlot(name));
    });

    /**
     * A client whose connection to the lock's owner goes through a paused proxy (natMap): it
     * opens, and its handshake waits there, so the SET waits in that connection's queue. The slot
     * map comes from the other seeds, or (`seedsVia`) from the owner through the proxy too, so
     * the map itself is still loading and the SET waits for it.
     */
    const offline = async (seedsVia = false): Promise<{ c: RedisCluster; proxy: FaultProxy }> => {
      const proxy = await startFaultProxy(owner.port);
      proxy.pause();
      const c = new RedisCluster({
        nodes: seedsVia
          ? [{ host: '127.0.0.1', port: proxy.port }]
          : cluster.startupNodes().filter((n) => n.port !== owner.port),
        natMap: { [`127.0.0.1:${owner.port}`]: { host: '127.0.0.1', port: proxy.port } },
        refreshInterval: 0,
      });
      c.on('error', () => undefined);
      return { c, proxy };
    };
    /** Once the owner's connection is up, a SET given up on would have run before this GET. */
    const neverRan = async (c: RedisCluster, proxy: FaultProxy, lock: Lock): Promise<void> => {
      proxy.resume();
      assert.equal(await c.get(name), null);
      assert.equal(await calls(owner, 'set'), 0, 'the SET was withdrawn: it never reached the owner');
      assert.equal(await owner.command('EXISTS', name), 0);
      assert.equal(lock.token, undefined);
      await assert.rejects(lock.release(), LockError);
    };

    for (const seedsVia of [false, true]) {
      const where = seedsVia ? 'the slot map still loading' : "the owner's connection in its handshake";
      it(`abort (${where}): rejects LockError ABORTED`, async () => {
        await owner.command('DEL', name);
        await owner.command('CONFIG', 'RESETSTAT');
        const { c, proxy } = await offline(seedsVia);
        try {
          if (!seedsVia) await c.connect(); // the map, from the other seeds: the owner not reached yet
          const lock = c.lock(name, { timeout: 30_000 });
          const controller = new AbortController();
          const waiting = lock.acquire({ signal: controller.signal }).then(
            () => undefined,
            (e: unknown) => e,
          );
          await waitUntil('a connection held by the paused proxy', 5000, () =>
            Promise.resolve(proxy.connections > 0 ? undefined : 'none yet'),
          );
          assert.equal(c.slots === undefined, seedsVia, 'the slot map loading, or loaded');
          controller.abort(new Error('shutting down'));
          const err = await waiting;
          assert.ok(err instanceof LockError, String(err));
          assert.equal(err.code, 'ERR_WREDIS_ABORTED');
          await neverRan(c, proxy, lock);
        } finally {
          proxy.resume();
          await c.close();
          await proxy.close();
        }
      });
    }

    it("blockingTimeout (the owner's connection in its handshake): rejects LockError LOCK_TIMEOUT", async () => {
      await owner.command('DEL', name);
      await owner.command('CONFIG', 'RESETSTAT');
      const { c, proxy } = await offline();
      try {
        await c.connect();
        const lock = c.lock(name, { timeout: 30_000, blockingTimeout: 100, sleep: 10 });
        const err = await lock.acquire().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof LockError, String(err));
        assert.equal(err.code, 'ERR_WREDIS_LOCK_TIMEOUT');
        assert.equal(proxy.connections, 1, 'the handshake was still held');
        await neverRan(c, proxy, lock);
      } finally {
        proxy.resume();
        await c.close();
        await proxy.close();
      }
    });
  });

  it('streamConsumer: XREADGROUP BLOCK on a blocking connection of the stream node, acks, stops on close()', async () => {
    const c = new RedisCluster({ nodes: cluster.startupNodes() });
    const streams = ['{orders}eu', '{orders}us'];
    const consumer = c.streamConsumer({ streams, group: 'billing', consumer: 'w1', block: 5_000, batch: 10 });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const entry of consumer) {
        seen.push(`${entry.stream}:${entry.fields.n}`);
        if (seen.length === 4) break;
      }
    })();
    // The read blocks on the stream's node, on a connection of its own.
    const owner = await cluster.ownerOf(keySlot('{orders}'));
    await waitUntil('XREADGROUP blocked on the owner', 10_000, async () => {
      const list = String(await owner.command('CLIENT', 'LIST'));
      return /flags=b .*cmd=xreadgroup/.test(list) ? undefined : 'not blocked yet';
    });
    // The shared connection is not stalled by the blocked read.
    assert.equal(await c.set('{orders}probe', 'x'), 'OK');
    assert.equal(await c.get('{orders}probe'), 'x');
    for (const [i, s] of [...streams, ...streams].entries()) await c.xadd(s, '*', { n: String(i) });
    await reading;
    assert.deepEqual(seen.sort(), ['{orders}eu:0', '{orders}eu:2', '{orders}us:1', '{orders}us:3']);
    // Acked: nothing pending for the group.
    const pending = (await owner.command('XPENDING', '{orders}eu', 'billing')) as unknown[];
    assert.equal(Number(pending[0]), 0);
    // A consumer blocked in XREADGROUP ends quietly when the client closes.
    const idle = c.streamConsumer({ streams, group: 'billing', consumer: 'w2', block: 10_000 });
    const waiting = idle.next();
    await new Promise((res) => setTimeout(res, 100));
    await c.close();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    // Streams of several slots cannot be read by one XREADGROUP.
    const split = r.streamConsumer({ streams: ['orders:eu', 'orders:us'], group: 'g', consumer: 'c' });
    const err = await split.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ClusterCrossSlotError, String(err));
    assert.equal(err.command, 'XREADGROUP');
  });

  it('withOptions: an abort frees a blocked BLPOP on its node, an unwritten command is withdrawn, timeout rejects', async () => {
    const [a, b] = await keyPerPrimary(cluster, 'opts');
    const { key, node } = a as { key: string; node: ClusterNode };
    const blocked = async (): Promise<string | undefined> =>
      /blocked_clients:(\d+)/.exec(String(await node.command('INFO', 'clients')))?.[1];
    const ac = new AbortController();
    const popped = r.withOptions({ signal: ac.signal }).blpop(key, 0);
    await waitUntil('BLPOP to block', 5000, async () =>
      (await blocked()) === '1' ? undefined : 'not blocked',
    );
    const reason = new Error('gone');
    ac.abort(reason);
    await assert.rejects(popped, (e: unknown) => e === reason);
    await waitUntil('the blocked connection to go', 5000, async () =>
      (await blocked()) === '0' ? undefined : 'still blocked',
    );
    await r.rpush(key, 'x');
    assert.deepEqual(await r.lrange(key, 0, -1), ['x']);
    // Aborted in the tick it was called in: never written, nor sent again.
    const other = b as { key: string; node: ClusterNode };
    await other.node.command('CONFIG', 'RESETSTAT');
    const ac2 = new AbortController();
    const first = r.incr(other.key);
    const dropped = r.withOptions({ signal: ac2.signal }).incr(other.key);
    const last = r.incr(other.key);
    ac2.abort();
    await assert.rejects(dropped, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    assert.deepEqual([await first, await last], [1, 2]);
    assert.equal(await calls(other.node, 'incr'), 2);
    await assert.rejects(r.withOptions({ timeout: 50 }).blpop(`${key}:empty`, 0), TimeoutError);
  });

  it('withOptions: a split MSET / MGET / DEL or a fan-out aborted in the tick it was called in sends no part', async () => {
    // One key per primary: each command goes as one part per node.
    const keys = (await keyPerPrimary(cluster, 'splitabort')).map((k) => k.key);
    const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';
    const ran = async (names: string[]): Promise<string[]> => {
      const out: string[] = [];
      for (const node of cluster.primaries)
        for (const name of names) if ((await calls(node, name)) > 0) out.push(`${name} on ${node.port}`);
      return out;
    };
    for (const p of cluster.primaries) await p.command('CONFIG', 'RESETSTAT');
    const ac = new AbortController();
    const view0 = r.withOptions({ signal: ac.signal });
    const set = view0.mset(Object.fromEntries(keys.map((k) => [k, 'new'])));
    const piped = view0
      .pipeline()
      .mset(Object.fromEntries(keys.map((k) => [k, 'piped'])))
      .exec();
    ac.abort();
    for (const p of [set, piped]) await assert.rejects(p, isAbort);
    // Behind anything the aborted command left on each node's connection: read after it.
    assert.deepEqual(await r.mget(keys), [null, null, null], 'no part of the aborted MSET ran');
    assert.deepEqual(await ran(['mset']), []);

    await r.mset(Object.fromEntries(keys.map((k) => [k, 'kept'])));
    for (const p of cluster.primaries) await p.command('CONFIG', 'RESETSTAT');
    const ac2 = new AbortController();
    const view = r.withOptions({ signal: ac2.signal });
    const given = [view.mget(keys), view.del(keys), view.dbsize()];
    ac2.abort();
    for (const p of given) await assert.rejects(p, isAbort);
    const values = await Promise.all(keys.map((k) => r.get(k)));
    assert.deepEqual(values, ['kept', 'kept', 'kept'], 'no part of the aborted DEL ran');
    assert.deepEqual(await ran(['mget', 'del', 'dbsize']), []);
  });

  describe('withConnection(key, fn, { signal }) as the standalone client: fn never runs, or its connection is dropped', () => {
    const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

    it('an already-aborted signal rejects with its reason; fn never runs', async () => {
      const reason = new Error('gone before');
      let ran = false;
      const lend = (c: { ping(): Promise<string> }): Promise<string> => {
        ran = true;
        return c.ping();
      };
      await assert.rejects(
        r.withConnection('lentsig:a', lend, { signal: AbortSignal.abort(reason) }),
        (e: unknown) => e === reason,
      );
      await assert.rejects(
        r.withOptions({ signal: AbortSignal.abort() }).withConnection('lentsig:a', lend),
        isAbort,
      );
      assert.equal(ran, false);
    });

    /**
     * Lends a connection to `key`'s primary through `lend`, BLPOP 0 on it, aborts once the node
     * counts it blocked: the call must reject with the reason, the node's wait end, and the
     * slot keep serving. Bounded by waitUntil: without the signal the call would stay pending.
     */
    async function abortBlocked(
      key: string,
      lend: (
        signal: AbortSignal,
        fn: (c: { blpop(k: string, t: number): Promise<unknown> }) => Promise<unknown>,
      ) => Promise<unknown>,
    ): Promise<void> {
      const node = await cluster.ownerOf(keySlot(key));
      const blocked = async (): Promise<string | undefined> =>
        /blocked_clients:(\d+)/.exec(String(await node.command('INFO', 'clients')))?.[1];
      const ac = new AbortController();
      let outcome: unknown = 'pending';
      lend(ac.signal, (c) => c.blpop(key, 0)).then(
        () => (outcome = 'resolved'),
        (e: unknown) => (outcome = e),
      );
      await waitUntil('BLPOP to block on the lent connection', 5000, async () =>
        (await blocked()) === '1' ? undefined : 'not blocked',
      );
      const reason = new Error('gone while lent');
      ac.abort(reason);
      try {
        await waitUntil('withConnection to reject after the abort', 5000, async () =>
          outcome === 'pending' ? 'still pending' : undefined,
        );
      } finally {
        // Without the signal the BLPOP would hold the node's connection: let it go.
        if (outcome === 'pending') await r.rpush(key, 'unblock');
      }
      assert.equal(outcome, reason);
      await waitUntil('the lent connection to go', 5000, async () =>
        (await blocked()) === '0' ? undefined : 'still blocked',
      );
      // The slot goes on serving, on the shared connection and on a new lent one.
      assert.equal(await r.set(key, 'after'), 'OK');
      assert.equal(await r.get(key), 'after');
      assert.equal(await r.withConnection(key, async (c) => c.get(key)), 'after');
      await r.del(key);
    }

    it('an abort while fn waits on BLPOP 0 rejects with the reason and drops the lent connection', async () => {
      await abortBlocked('lentsig:b', (signal, fn) => r.withConnection('lentsig:b', fn, { signal }));
    });

    it("a withOptions({ signal }) view's signal does the same", async () => {
      await abortBlocked('lentsig:c', (signal, fn) =>
        r.withOptions({ signal }).withConnection('lentsig:c', fn),
      );
    });

    it("an abort while the lent connection ends (UNWATCH unanswered) leaves fn's outcome; the connection is dropped", async () => {
      // The abort rejected the call although fn had finished, and left the lease waiting on the
      // UNWATCH it had interrupted. The owner's connections go through a hold proxy (natMap).
      const [a, b] = ['{lentend}a', '{lentend}b'];
      const owner = await cluster.ownerOf(keySlot(a));
      const proxy = await startHoldProxy(owner.port);
      const c = new RedisCluster({
        nodes: cluster.startupNodes().filter((n) => n.port !== owner.port),
        natMap: { [`127.0.0.1:${owner.port}`]: { host: '127.0.0.1', port: proxy.port } },
        refreshInterval: 0,
      });
      const reason = new Error('aborted after fn');
      try {
        await c.connect();
        const resolved = await abortWhileEnding(
          proxy.pipes,
          (fn, signal) => c.withConnection(a, fn, { signal }),
          a,
          'up',
          async () => 'done',
          reason,
        );
        assert.deepEqual(resolved.outcome, { value: 'done' });
        await pipeClosed(resolved.lent, 'the interrupted connection to be dropped');
        const own = new Error('fn failed');
        const rejected = await abortWhileEnding(
          proxy.pipes,
          (fn, signal) => c.withOptions({ signal }).withConnection(b, fn),
          b,
          'down',
          () => Promise.reject(own),
          reason,
        );
        assert.deepEqual(rejected.outcome, { error: own });
        await pipeClosed(rejected.lent, 'the interrupted connection to be dropped');
        // The next borrower watches nothing the interrupted lease watched.
        await r.set(a, 'changed');
        assert.deepEqual(await c.withConnection(a, async (x) => x.multi().set(a, 'mine').exec()), ['OK']);
        assert.equal(await r.get(a), 'mine');
        await r.del(a);
      } finally {
        proxy.release();
        await c.close();
        await proxy.close();
      }
    });
  });

  it('functions: FUNCTION LOAD on every primary, FCALL on the owner of the keys', async () => {
    const code = `#!lua name=clusterlib
redis.register_function('getdouble', function(keys) return tonumber(redis.call('get', keys[1])) * 2 end)`;
    assert.equal(await r.functionLoad(code, { replace: true }), 'clusterlib');
    for (const { key } of await keyPerPrimary(cluster, 'fn')) {
      await r.set(key, 21);
      assert.equal(await r.fcall('getdouble', { keys: [key] }), 42);
    }
  });
});
