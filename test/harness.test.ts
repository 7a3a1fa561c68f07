/**
 * The test harness itself: each topology is started once and checked against the real
 * server, and nothing it started may outlive the file.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RawClient,
  RespError,
  parseInfo,
  parseReply,
  encodeCommand,
  type RespValue,
} from './support/raw-client.js';
import {
  RedisStartError,
  freePort,
  livePids,
  pidAlive,
  startRedis,
  waitForPort,
  type RedisServerHandle,
} from './support/redis-server.js';
import { startTlsRedis, tlsMaterial, type TlsRedisHandle } from './support/tls.js';
import { startCluster, startPrimariesOnlyCluster, type RedisClusterHandle } from './support/cluster.js';
import { startSentinel, type SentinelTopology } from './support/sentinel.js';
import { keyInSlot, slotOf } from './support/slots.js';

/** Every PID any harness handle reported, checked at the end. */
const seenPids = new Set<number>();
const remember = (pid: number) => seenPids.add(pid);

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

async function listenOn(port: number): Promise<Server> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve());
  });
  return srv;
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !pidAlive(pid);
}

describe('raw RESP2 client', () => {
  const fixtures: [string, RespValue][] = [
    ['+OK\r\n', 'OK'],
    [':-42\r\n', -42],
    ['$5\r\nhe\r\nl\r\n', 'he\r\nl'],
    ['$0\r\n\r\n', ''],
    ['$-1\r\n', null],
    ['*-1\r\n', null],
    ['*0\r\n', []],
    ['*3\r\n:1\r\n*1\r\n+a\r\n$1\r\nb\r\n', [1, ['a'], 'b']],
  ];

  test('parses each reply type whole and reports incomplete prefixes', () => {
    for (const [wire, value] of fixtures) {
      const buf = Buffer.from(wire);
      assert.deepEqual(parseReply(buf, 0), { value, next: buf.length }, wire);
      for (let cut = 0; cut < buf.length; cut++)
        assert.equal(parseReply(buf.subarray(0, cut), 0), undefined, `${wire} cut at ${cut}`);
    }
  });

  test('error replies become RespError with their code; garbage throws', () => {
    const r = parseReply(Buffer.from('-WRONGTYPE Operation\r\n'), 0);
    assert.ok(r?.value instanceof RespError);
    assert.equal(r.value.code, 'WRONGTYPE');
    assert.throws(() => parseReply(Buffer.from('?x\r\n'), 0));
    assert.throws(() => parseReply(Buffer.from('$3\r\nabcd\r\n'), 0));
  });

  test('encodes commands as arrays of bulk strings', () => {
    assert.equal(encodeCommand(['SET', 'k', 12]).toString(), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n');
  });
});

describe('standalone server', () => {
  let plain: RedisServerHandle;
  let secured: RedisServerHandle;

  before(async () => {
    [plain, secured] = await Promise.all([
      startRedis({ unixSocket: true }),
      startRedis({
        requirepass: 'def-pass',
        users: [
          { name: 'alice', password: 'alice-pass' },
          { name: 'reader', password: 'reader-pass', rules: ['~*', '+get', '+ping'] },
        ],
      }),
    ]);
    remember(plain.pid);
    remember(secured.pid);
  });
  after(async () => {
    await Promise.all([plain.stop(), secured.stop()]);
  });

  test('answers PING on TCP and on its unix socket, and is the process we spawned', async () => {
    assert.equal(await plain.command('PING'), 'PONG');
    assert.equal(Number(parseInfo(await plain.command('INFO', 'server')).process_id), plain.pid);
    assert.ok(plain.socketPath !== undefined);
    const c = await RawClient.connect({ path: plain.socketPath });
    try {
      assert.equal(await c.command('PING'), 'PONG');
      assert.deepEqual(await c.command('MSET', 'a', '1', 'b', '2'), 'OK');
      assert.deepEqual(await c.command('MGET', 'a', 'b', 'nope'), ['1', '2', null]);
    } finally {
      c.close();
    }
    await waitForPort(plain.port, 1000);
  });

  test('ACL users can authenticate; the default user cannot without its password', async () => {
    const alice = await RawClient.connect({ port: secured.port, username: 'alice', password: 'alice-pass' });
    assert.equal(await alice.command('ACL', 'WHOAMI'), 'alice');
    alice.close();
    const anon = await RawClient.connect({ port: secured.port });
    const noauth = await rejection(anon.command('PING'));
    assert.ok(noauth instanceof RespError);
    assert.equal(noauth.code, 'NOAUTH');
    anon.close();
    const wrong = await rejection(
      RawClient.connect({ port: secured.port, username: 'alice', password: 'nope' }),
    );
    assert.equal((wrong as RespError).code, 'WRONGPASS');
    const reader = await RawClient.connect({
      port: secured.port,
      username: 'reader',
      password: 'reader-pass',
    });
    assert.equal(await reader.command('GET', 'x'), null);
    assert.equal(((await rejection(reader.command('SET', 'x', '1'))) as RespError).code, 'NOPERM');
    reader.close();
    assert.equal(await secured.command('ACL', 'WHOAMI'), 'default');
  });

  test('a server that dies during start-up rejects with its log tail', async () => {
    const e = await rejection(startRedis({ args: ['--no-such-directive', 'x'] }));
    assert.ok(e instanceof RedisStartError);
    assert.match(e.message, /Bad directive/);
    assert.equal(e.portTaken, false);
  });

  test('a fixed port that is taken fails fast; a chosen one is retried on a new port', async () => {
    const port = await freePort();
    const blocker = await listenOn(port);
    try {
      const e = await rejection(startRedis({ port }));
      assert.ok(e instanceof RedisStartError);
      assert.equal(e.portTaken, true);
      const candidates = [port];
      const s = await startRedis({ portSource: async () => candidates.shift() ?? freePort() });
      remember(s.pid);
      assert.notEqual(s.port, port);
      assert.equal(await s.command('PING'), 'PONG');
      await s.stop();
    } finally {
      blocker.close();
    }
  });

  test('kill, restart on the same port, idempotent stop', async () => {
    const s = await startRedis({ users: [{ name: 'bob', password: 'b' }] });
    const { port, pid } = s;
    remember(pid);
    await s.kill();
    assert.equal(s.alive, false);
    assert.equal(pidAlive(pid), false);
    await s.restart();
    remember(s.pid);
    assert.equal(s.port, port);
    assert.notEqual(s.pid, pid);
    const bob = await RawClient.connect({ port, username: 'bob', password: 'b' });
    assert.equal(await bob.command('PING'), 'PONG');
    bob.close();
    await Promise.all([s.stop(), s.stop()]);
    await s.stop();
    assert.equal(pidAlive(s.pid), false);
  });

  test('servers of a process that exits or is SIGKILLed without stop() die with it', async () => {
    const support = fileURLToPath(new URL('./support/redis-server.ts', import.meta.url));
    const script = `const { startRedis } = await import(${JSON.stringify(support)});
      const s = await startRedis(); console.log(s.pid);
      if (process.argv[1] === 'hang') setInterval(() => {}, 1000);`;
    const run = (mode: string) =>
      new Promise<number>((resolve, reject) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script, mode],
          { timeout: 20_000 },
        );
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(\d+)\n/.exec(out);
          if (m !== null) {
            if (mode === 'hang') child.kill('SIGKILL');
            resolve(Number(m[1]));
          }
        });
        child.on('exit', () => reject(new Error(`child exited before printing a PID: ${out}`)));
      });
    const forgotten = await run('forget');
    assert.ok(await waitGone(forgotten), `PID ${forgotten} survived its parent's exit`);
    const orphan = await run('hang');
    assert.ok(await waitGone(orphan), `PID ${orphan} survived its parent's SIGKILL`);
  });
});

describe('TLS server', () => {
  let noAuth: TlsRedisHandle;
  let mutual: TlsRedisHandle;

  before(async () => {
    [noAuth, mutual] = await Promise.all([startTlsRedis(), startTlsRedis({ authClients: 'yes' })]);
    remember(noAuth.pid);
    remember(mutual.pid);
  });
  after(async () => {
    await Promise.all([noAuth.stop(), mutual.stop()]);
  });

  test('the handshake verifies with the generated CA and fails without it', async () => {
    const m = await tlsMaterial();
    const ok = await RawClient.connect({ port: noAuth.port, tls: { ca: m.ca } });
    assert.equal(await ok.command('PING'), 'PONG');
    ok.close();
    const untrusted = await rejection(RawClient.connect({ port: noAuth.port, tls: {} }));
    assert.match(untrusted.message, /self-signed|unable to verify/i);
    const wrongCa = await rejection(RawClient.connect({ port: noAuth.port, tls: { ca: m.otherCa } }));
    assert.match(wrongCa.message, /self-signed|unable to verify/i);
    const plainText = await rejection(
      RawClient.connect({ port: noAuth.port, timeoutMs: 1000 }).then((c) => c.command('PING')),
    );
    assert.ok(plainText instanceof Error);
  });

  test('tls-auth-clients yes needs the client certificate', async () => {
    const m = await tlsMaterial();
    const ok = await RawClient.connect({
      port: mutual.port,
      tls: { ca: m.ca, cert: m.clientCert, key: m.clientKey },
    });
    assert.equal(await ok.command('PING'), 'PONG');
    ok.close();
    // Under TLS 1.3 the server rejects the missing certificate after the client's handshake ends.
    const e = await rejection(
      RawClient.connect({ port: mutual.port, tls: { ca: m.ca } }).then(async (c) => {
        try {
          return await c.command('PING');
        } finally {
          c.close();
        }
      }),
    );
    assert.match(e.message, /certificate required|closed|ECONNRESET/i);
  });
});

describe('cluster', () => {
  let cluster: RedisClusterHandle;
  let bench: RedisClusterHandle;
  let secure: RedisClusterHandle;

  before(async () => {
    // In parallel: each waits ~2 s for Redis' CLUSTER_WRITABLE_DELAY anyway.
    [cluster, bench, secure] = await Promise.all([
      startCluster({ primaries: 3, replicasPerPrimary: 1 }),
      startPrimariesOnlyCluster(),
      startCluster({ primaries: 2, replicasPerPrimary: 1, tls: true, requirepass: 'cluster-pass' }),
    ]);
    for (const n of [...cluster.nodes, ...bench.nodes, ...secure.nodes]) remember(n.pid);
  });
  after(async () => {
    await Promise.all([cluster?.stop(), bench?.stop(), secure?.stop()]);
  });

  test('3 primaries + 3 replicas cover the 16384 slots and agree', async () => {
    assert.equal(cluster.nodes.length, 6);
    assert.equal(cluster.primaries.length, 3);
    assert.equal(cluster.replicas.length, 3);
    for (const n of cluster.nodes) {
      assert.equal(parseInfo(await n.command('CLUSTER', 'INFO')).cluster_state, 'ok');
      const slots = await n.command('CLUSTER', 'SLOTS');
      assert.ok(Array.isArray(slots));
      const covered = slots.reduce<number>(
        (sum, r) => sum + (Array.isArray(r) ? Number(r[1]) - Number(r[0]) + 1 : 0),
        0,
      );
      assert.equal(covered, 16384);
      for (const r of slots) assert.ok(Array.isArray(r) && r.length === 4, 'each range has one replica');
    }
    for (const r of cluster.replicas) assert.ok(cluster.primaries.includes(await cluster.primaryOf(r)));
    assert.equal(bench.nodes.length, 3);
    assert.equal(bench.replicas.length, 0);
    await bench.waitForClusterOk();
  });

  test('the independent slot function matches CLUSTER KEYSLOT', async () => {
    const node = cluster.nodes[0];
    assert.ok(node !== undefined);
    for (const key of [
      'foo',
      '{user1000}.following',
      'foo{}{bar}',
      'foo{{bar}}',
      'ключ',
      '',
      keyInSlot(4242),
    ]) {
      assert.equal(slotOf(key), await node.command('CLUSTER', 'KEYSLOT', key), key);
    }
    assert.equal(slotOf(keyInSlot(4242)), 4242);
  });

  test('a paused slot migration answers ASK and TRYAGAIN, then completes', async () => {
    const slot = 1234;
    const from = await cluster.ownerOf(slot);
    const to = cluster.primaries.find((p) => p !== from);
    assert.ok(to !== undefined);
    const keys = Array.from({ length: 150 }, (_, i) => keyInSlot(slot, `m${i}:`));
    for (const k of keys) await from.command('SET', k, k);
    const m = await cluster.beginSlotMigration(slot, from, to);
    assert.equal(await m.moveKeys(60), 60);
    assert.equal(await m.keysLeft(), 90);
    // Which keys moved: ask the importing target.
    const onTarget: string[] = [];
    const onSource: string[] = [];
    const asking = await RawClient.connect(to.server.connectOptions());
    for (const k of keys) {
      await asking.command('ASKING');
      ((await asking.command('EXISTS', k)) === 1 ? onTarget : onSource).push(k);
    }
    asking.close();
    assert.equal(onTarget.length, 60);
    const ask = await rejection(from.command('GET', onTarget[0] ?? ''));
    assert.equal((ask as RespError).code, 'ASK');
    assert.match(ask.message, new RegExp(`^ASK ${slot} 127\\.0\\.0\\.1:${to.port}$`));
    const tryAgain = await rejection(from.command('MGET', onTarget[0] ?? '', onSource[0] ?? ''));
    assert.equal((tryAgain as RespError).code, 'TRYAGAIN');
    await m.finish();
    assert.equal(await cluster.ownerOf(slot), to);
    assert.equal(await to.command('CLUSTER', 'COUNTKEYSINSLOT', slot), 150);
    const moved = await rejection(from.command('GET', keys[0] ?? ''));
    assert.match(moved.message, new RegExp(`^MOVED ${slot} 127\\.0\\.0\\.1:${to.port}$`));
    // One call migrates a slot end to end.
    await cluster.migrateSlot(slot, to, from);
    assert.equal(await cluster.ownerOf(slot), from);
    assert.equal(await from.command('GET', keys[149] ?? ''), keys[149]);
  });

  test('a TLS cluster with a password replicates, migrates and refuses plaintext', async () => {
    const m = await tlsMaterial();
    assert.equal(secure.primaries.length, 2);
    assert.equal(secure.replicas.length, 2);
    const [a, b] = secure.primaries;
    assert.ok(a !== undefined && b !== undefined);
    const c = await RawClient.connect({ port: a.port, tls: { ca: m.ca }, password: 'cluster-pass' });
    const slots = await c.command('CLUSTER', 'SLOTS');
    c.close();
    const ports = new Set(
      (slots as RespValue[][]).flatMap((r) => r.slice(2).map((n) => Number((n as RespValue[])[1]))),
    );
    assert.deepEqual(ports, new Set(secure.nodes.map((n) => n.port)), 'CLUSTER SLOTS names the TLS ports');
    const slot = (await secure.ownerOf(0)) === a ? 0 : 16383;
    await a.command('SET', keyInSlot(slot), 'v');
    await secure.migrateSlot(slot, a, b);
    assert.equal(await b.command('GET', keyInSlot(slot)), 'v');
    await assert.rejects(RawClient.connect({ port: a.port, timeoutMs: 1000 }).then((p) => p.command('PING')));
  });

  test('a killed primary without replicas takes the cluster down until it restarts', async () => {
    const victim = bench.nodes[1];
    assert.ok(victim !== undefined);
    const { port, id } = victim;
    await victim.kill();
    const survivor = bench.nodes[0];
    assert.ok(survivor !== undefined);
    await bench.waitForClusterOk({ timeoutMs: 500 }).then(
      () => assert.fail('cluster reported ok with a dead primary'),
      (e: Error) => assert.match(e.message, /down|fail/),
    );
    await victim.restart();
    remember(victim.pid);
    assert.equal(victim.port, port);
    assert.equal(victim.id, id);
    await bench.waitForClusterOk();
    assert.equal(parseInfo(await survivor.command('CLUSTER', 'INFO')).cluster_state, 'ok');
  });

  test('failover promotes the replica and demotes its primary', async () => {
    const replica = cluster.replicas[0];
    assert.ok(replica !== undefined);
    const old = await cluster.primaryOf(replica);
    await cluster.failover(replica);
    assert.equal(replica.role, 'primary');
    assert.equal(old.role, 'replica');
    assert.equal(await cluster.primaryOf(old), replica);
    assert.equal(cluster.primaries.length, 3);
    await cluster.waitForClusterOk();
  });
});

describe('sentinel', () => {
  let topo: SentinelTopology;

  before(async () => {
    topo = await startSentinel();
    for (const s of [...topo.servers, ...topo.sentinels]) remember(s.pid);
  });
  after(async () => {
    await topo?.stop();
  });

  test('every sentinel reports the primary, two replicas and two peers', async () => {
    assert.equal(topo.sentinels.length, 3);
    for (const s of topo.sentinels) {
      assert.deepEqual(await s.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), [
        '127.0.0.1',
        String(topo.primary.port),
      ]);
      const replicas = await s.command('SENTINEL', 'REPLICAS', 'mymaster');
      assert.ok(Array.isArray(replicas) && replicas.length === 2);
      const peers = await s.command('SENTINEL', 'SENTINELS', 'mymaster');
      assert.ok(Array.isArray(peers) && peers.length === 2);
    }
    assert.equal(((await topo.primary.command('ROLE')) as RespValue[])[0], 'master');
  });

  test('SENTINEL FAILOVER completes with a new writable primary', async () => {
    const original = topo.primary;
    const { from, to } = await topo.failover();
    assert.equal(from, original);
    assert.notEqual(to, original);
    assert.equal(topo.primary, to);
    assert.equal(await to.command('SET', 'after-failover', '1'), 'OK');
    for (const s of topo.sentinels) {
      assert.deepEqual(await s.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), [
        '127.0.0.1',
        String(to.port),
      ]);
    }
    assert.equal(((await from.command('ROLE')) as RespValue[])[0], 'slave');
  });
});

test('no server started here is still running', () => {
  assert.deepEqual(livePids(), []);
  assert.ok(seenPids.size >= 20);
  for (const pid of seenPids) assert.equal(pidAlive(pid), false, `PID ${pid} still alive`);
});
