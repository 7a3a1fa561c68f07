/**
 * ensureReplication (WAIT) against a real primary with one replica, ensurePersistence
 * (WAITAOF) against the installed Redis 7.0 (CommandNotSupportedError), and WAITAOF's replies
 * from a scripted server standing in for Redis 7.2+ (which is not installed here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CommandNotSupportedError,
  ConnectionError,
  DataError,
  PersistenceError,
  Redis,
  ReplicationError,
} from '../src/index.js';
import { ensurePersistence, ensureReplication } from '../src/features/guarantees.js';
import { parseInfo } from './support/raw-client.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';
import { HELLO3, startScriptedServer } from './support/scripted-server.js';

const delay = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

describe('ensureReplication / ensurePersistence on a primary with one replica', () => {
  let primary: RedisServerHandle;
  let replica: RedisServerHandle;
  let r: Redis;
  before(async () => {
    primary = await startRedis();
    replica = await startRedis({ args: ['--replicaof', primary.host, String(primary.port)] });
    let up = false;
    for (let i = 0; i < 250 && !up; i++) {
      const info = parseInfo(await replica.command('INFO', 'replication'));
      up = info.master_link_status === 'up' && info.master_sync_in_progress === '0';
      if (!up) await delay(20);
    }
    assert.ok(up, 'replica in sync');
    r = new Redis({ host: primary.host, port: primary.port });
  });
  after(async () => {
    await r.close();
    await replica.stop();
    await primary.stop();
  });

  it('runs fn on a dedicated connection, then WAIT, and resolves with fn’s result', async () => {
    const sharedId = await r.call('CLIENT', 'ID');
    let lentId: unknown;
    const result = await ensureReplication(r, 1, 5000, async (conn) => {
      lentId = await conn.call('CLIENT', 'ID');
      await conn.call('SET', 'replicated', 'yes');
      return 'done';
    });
    assert.equal(result, 'done');
    assert.notEqual(lentId, sharedId);
    assert.equal(await replica.command('GET', 'replicated'), 'yes', 'the replica acknowledged the write');
  });

  it('sends WAIT on the connection fn wrote on', async () => {
    // A stopped replica acknowledges nothing, so WAIT stays blocked where it was sent.
    process.kill(replica.pid, 'SIGSTOP');
    let stopped = true;
    try {
      let lentId: unknown;
      const running = ensureReplication(r, 1, 20_000, async (conn) => {
        lentId = await conn.call('CLIENT', 'ID');
        return conn.call('SET', 'stalled', '1');
      });
      let waiting: string | undefined;
      for (let i = 0; i < 250 && waiting === undefined; i++) {
        const list = String(await primary.command('CLIENT', 'LIST'));
        waiting = list.split('\n').find((l) => l.includes(' cmd=wait '));
        if (waiting === undefined) await delay(20);
      }
      assert.ok(waiting !== undefined, 'a client is blocked in WAIT');
      assert.match(waiting, new RegExp(`^id=${String(lentId)} `));
      process.kill(replica.pid, 'SIGCONT');
      stopped = false;
      assert.equal(await running, 'OK');
    } finally {
      if (stopped) process.kill(replica.pid, 'SIGCONT');
    }
  });

  it('rejects ReplicationError with command, replicas, timeout and acknowledged when too few acknowledge', async () => {
    const err = await ensureReplication(r, 2, 100, async (conn) => {
      await conn.call('SET', 'k', 'v');
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ReplicationError, String(err));
    assert.equal(err.command, 'WAIT');
    assert.equal(err.replicas, 2);
    assert.equal(err.timeout, 100);
    assert.equal(err.acknowledged, 1);
    assert.equal(await r.get('k'), 'v', 'the write is not undone');
  });

  it('passes fn’s rejection through without waiting', async () => {
    await assert.rejects(
      ensureReplication(r, 1, 0, () => Promise.reject(new Error('boom'))),
      /boom/,
    );
  });

  it('rejects bad arguments with DataError before running fn', async () => {
    let ran = false;
    const fn = async (): Promise<void> => {
      ran = true;
    };
    await assert.rejects(ensureReplication(r, -1, 100, fn), DataError);
    await assert.rejects(ensureReplication(r, 1, 1.5, fn), DataError);
    await assert.rejects(ensurePersistence(r, 2, 0, 100, fn), DataError);
    assert.equal(ran, false);
  });

  it('ensurePersistence on Redis 7.0: CommandNotSupportedError, without running fn', async () => {
    let ran = false;
    const err = await ensurePersistence(r, 1, 0, 100, async (conn) => {
      ran = true;
      await conn.call('SET', 'aof', '1');
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof CommandNotSupportedError, String(err));
    assert.equal(err.command, 'WAITAOF');
    const version = parseInfo(await primary.command('INFO', 'server')).redis_version;
    assert.equal(err.currentVersion, version);
    assert.equal(ran, false);
    assert.equal(await r.exists('aof'), 0);
  });
});

describe('ensurePersistence against a server that has WAITAOF (scripted: Redis 7.2 is not installed)', () => {
  it('probes once, runs fn, then WAITAOF on the same connection; PersistenceError when too few fsyncs', async () => {
    const byConnection = new Map<object, string[]>();
    const srv = await startScriptedServer((cmd, socket) => {
      const seen = byConnection.get(socket) ?? [];
      byConnection.set(socket, seen);
      seen.push(cmd.join(' '));
      if (cmd[0] === 'hello') return HELLO3.replace('7.0.0', '7.2.0');
      if (cmd[0] === 'set') return '+OK\r\n';
      // One local fsync, no replica.
      if (cmd[0] === 'waitaof') return '*2\r\n:1\r\n:0\r\n';
      return '-ERR unexpected\r\n';
    });
    const r = new Redis({ port: srv.port });
    try {
      assert.equal(await ensurePersistence(r, 1, 0, 100, async (conn) => conn.call('SET', 'k', 'v')), 'OK');
      const err = await ensurePersistence(r, 1, 1, 100, async (conn) => conn.call('SET', 'k', 'v')).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof PersistenceError, String(err));
      assert.equal(err.command, 'WAITAOF');
      assert.equal(err.local, 1);
      assert.equal(err.replicas, 1);
      assert.equal(err.timeout, 100);
      assert.deepEqual(err.acknowledged, [1, 0]);
      const lent = [...byConnection.values()].find((cmds) => cmds.some((c) => c.startsWith('set')));
      // withConnection clears watches (UNWATCH) when fn settles.
      assert.deepEqual(
        lent?.filter((c) => !c.startsWith('hello') && c !== 'unwatch'),
        ['waitaof 0 0 0', 'set k v', 'waitaof 1 0 100', 'set k v', 'waitaof 1 1 100'],
      );
    } finally {
      r.disconnect();
      await srv.close();
    }
  });
});

describe('WAIT / WAITAOF after the dedicated socket was lost (scripted: Redis 7.2+ counts per socket)', () => {
  it('reject with ConnectionError instead of confirming, on a new socket, writes made on the old one', async () => {
    // Redis 7.2+ (and Valkey) remember a connection's offset only when it writes: WAIT / WAITAOF on a
    // socket that wrote nothing answer at once, as if everything were acknowledged. A socket that
    // wrote waits in vain here (the replica and the fsync are stalled).
    const wrote = new Set<object>();
    const srv = await startScriptedServer((cmd, socket) => {
      if (cmd[0] === 'hello') return HELLO3.replace('7.0.0', '7.2.0');
      if (cmd[0] === 'set') {
        wrote.add(socket);
        return '+OK\r\n';
      }
      // The socket that wrote drops; the read, sent again on a new one, is answered there.
      if (cmd[0] === 'get') return wrote.has(socket) ? 'destroy' : '$-1\r\n';
      if (cmd[0] === 'wait') return wrote.has(socket) ? ':0\r\n' : ':1\r\n';
      if (cmd[0] === 'waitaof') return wrote.has(socket) ? '*2\r\n:0\r\n:0\r\n' : '*2\r\n:1\r\n:1\r\n';
      return '-ERR unexpected\r\n';
    });
    const r = new Redis({ port: srv.port });
    r.on('error', () => undefined);
    const fn = async (conn: {
      call(name: string, ...args: unknown[]): Promise<unknown>;
    }): Promise<string> => {
      await conn.call('SET', 'k', 'v');
      // A read goes again on a new socket: there WAIT / WAITAOF would count nothing of this call.
      await conn.call('GET', 'k').catch(() => undefined);
      return 'confirmed';
    };
    try {
      for (const outcome of [
        await ensureReplication(r, 1, 100, fn).catch((e: unknown) => e),
        await ensurePersistence(r, 1, 1, 100, fn).catch((e: unknown) => e),
      ]) {
        assert.ok(outcome instanceof ConnectionError, String(outcome));
        assert.equal(outcome.code, 'ERR_WREDIS_CONNECTION_LOST');
      }
    } finally {
      r.disconnect();
      await srv.close();
    }
  });
});
