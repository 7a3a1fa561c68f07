/**
 * Error codes (`ERR_WREDIS_*`), error classes built from a message alone, and `instanceof`
 * across two copies of the built package. Codes of real failures come from real servers (a
 * scripted server only for the protocol violation a real one will not produce).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  AskError,
  ClusterDownError,
  CommandNotSupportedError,
  CommandSyntaxError,
  ConnectionError,
  DataError,
  ErrorCodes,
  ExponentialBackoff,
  InvalidResponse,
  ModuleCommandNotSupportedError,
  MovedError,
  PersistenceError,
  Redis,
  RedisError,
  ReplicationError,
  ResponseError,
  Retry,
  TimeoutError,
  errors,
} from '../src/index.js';
import { refusedPort, startRedis, waitUntil, type RedisServerHandle } from './support/redis-server.js';
import { HELLO3, startScriptedServer } from './support/scripted-server.js';

const ROOT = new URL('..', import.meta.url).pathname;
const fastRetry = (retries = 3): Retry =>
  new Retry({ retries, backoff: new ExponentialBackoff({ base: 5, cap: 20 }) });

/** The rejection of `p` (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<RedisError> {
  const outcome = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  assert.equal(outcome.ok, false, 'expected a rejection');
  assert.ok(!outcome.ok && outcome.e instanceof RedisError, String(!outcome.ok && outcome.e));
  return outcome.e;
}

/** Each class built from a message alone, and the code it must carry. */
const FROM_MESSAGE: Array<[name: keyof typeof errors, message: string, code: string]> = [
  ['RedisError', 'something', 'ERR_WREDIS_UNKNOWN'],
  ['ConnectionError', 'socket reset', 'ERR_WREDIS_CONNECTION_FAILED'],
  ['TimeoutError', 'timed out', 'ERR_WREDIS_TIMEOUT'],
  ['BusyLoadingError', 'LOADING Redis is loading the dataset in memory', 'LOADING'],
  ['PrimaryNotFoundError', 'no primary', 'ERR_WREDIS_PRIMARY_NOT_FOUND'],
  ['ReplicaNotFoundError', 'no replica', 'ERR_WREDIS_REPLICA_NOT_FOUND'],
  ['ResponseError', 'WRONGTYPE Operation against a key holding the wrong kind of value', 'WRONGTYPE'],
  ['AuthenticationError', 'WRONGPASS invalid username-password pair', 'WRONGPASS'],
  ['AuthenticationFailureError', 'WRONGPASS invalid username-password pair', 'WRONGPASS'],
  ['AuthenticationRequiredError', 'NOAUTH Authentication required.', 'NOAUTH'],
  ['AuthorizationError', 'NOPERM this user has no permissions', 'NOPERM'],
  ['NoScriptError', 'NOSCRIPT No matching script.', 'NOSCRIPT'],
  ['FunctionError', 'ERR Function not found', 'ERR'],
  ['NotBusyError', 'NOTBUSY No scripts in execution right now.', 'NOTBUSY'],
  ['ExecAbortError', 'EXECABORT Transaction discarded', 'EXECABORT'],
  ['ReadOnlyError', "READONLY You can't write against a read only replica.", 'READONLY'],
  ['UnblockedError', 'UNBLOCKED client unblocked via CLIENT UNBLOCK', 'UNBLOCKED'],
  ['NoKeyError', 'ERR no such key', 'ERR'],
  ['StreamDuplicateConsumerGroupError', 'BUSYGROUP Consumer Group name already exists', 'BUSYGROUP'],
  ['MovedError', 'MOVED 3999 127.0.0.1:6380', 'MOVED'],
  ['AskError', 'ASK 3999 127.0.0.1:6380', 'ASK'],
  ['TryAgainError', 'TRYAGAIN Multiple keys request during rehashing of slot', 'TRYAGAIN'],
  ['ClusterCrossSlotError', "CROSSSLOT Keys in request don't hash to the same slot", 'CROSSSLOT'],
  ['InvalidResponse', 'Protocol error', 'ERR_WREDIS_PROTOCOL'],
  ['DataError', 'bad argument', 'ERR_WREDIS_INVALID_ARGUMENT'],
  ['CommandSyntaxError', 'set() takes only one of ex, px', 'ERR_WREDIS_COMMAND_SYNTAX'],
  ['CommandNotSupportedError', 'GETEX needs server 6.2.0', 'ERR_WREDIS_COMMAND_NOT_SUPPORTED'],
  [
    'ModuleCommandNotSupportedError',
    'FT.SEARCH needs module search',
    'ERR_WREDIS_MODULE_COMMAND_NOT_SUPPORTED',
  ],
  ['PubSubError', 'misuse', 'ERR_WREDIS_PUBSUB'],
  ['WatchError', 'Transaction aborted', 'ERR_WREDIS_WATCHED_KEY_CHANGED'],
  ['LockError', 'not held', 'ERR_WREDIS_LOCK_NOT_HELD'],
  ['ReplicationError', 'WAIT acknowledged 0 of 1', 'ERR_WREDIS_REPLICATION'],
  ['PersistenceError', 'WAITAOF acknowledged 0 of 1', 'ERR_WREDIS_PERSISTENCE'],
  ['StreamConsumerInitializationError', 'bad options', 'ERR_WREDIS_INVALID_ARGUMENT'],
  ['RedisClusterException', 'cluster', 'ERR_WREDIS_CLUSTER'],
  ['ClusterRoutingError', 'slot 1 is not served', 'ERR_WREDIS_CLUSTER_ROUTING'],
  ['ClusterResponseError', 'cannot merge', 'ERR_WREDIS_CLUSTER_RESPONSE'],
  ['ClusterError', 'redirection budget spent', 'ERR_WREDIS_CLUSTER_REDIRECTIONS'],
  ['ClusterDownError', 'CLUSTERDOWN The cluster is down', 'CLUSTERDOWN'],
  ['ClusterTransactionError', 'keys in several slots', 'ERR_WREDIS_CLUSTER_TRANSACTION'],
];

describe('error codes', () => {
  it('every class is built from a message alone and carries its code', () => {
    assert.deepEqual(FROM_MESSAGE.map(([n]) => n).sort(), Object.keys(errors).sort());
    for (const [name, message, code] of FROM_MESSAGE) {
      const Cls = errors[name] as unknown as new (message: string) => RedisError;
      const e = new Cls(message);
      assert.equal(e.name, name);
      assert.equal(e.message, message);
      assert.equal(e.code, code, name);
      assert.ok(Object.hasOwn(e, 'code'), `${name}: code is an own property (shows in logs)`);
    }
  });

  it('a code given to the constructor wins over the class default', () => {
    const e = new ConnectionError('gone', { code: ErrorCodes.CONNECTION_LOST });
    assert.equal(e.code, 'ERR_WREDIS_CONNECTION_LOST');
    assert.equal(
      new ClusterDownError('x', { code: ErrorCodes.CLUSTER_REDIRECTIONS }).code,
      'ERR_WREDIS_CLUSTER_REDIRECTIONS',
    );
  });

  it('codes are unique, ERR_WREDIS_ prefixed, and each is listed in the README table', () => {
    const values = Object.values(ErrorCodes);
    assert.equal(new Set(values).size, values.length);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const v of values) {
      assert.match(v, /^ERR_WREDIS_[A-Z_]+$/);
      assert.ok(readme.includes(`| \`${v}\``), `README lists ${v}`);
    }
  });

  it('MovedError / AskError parse slot, host and port from the message', () => {
    const m = new MovedError('MOVED 3999 127.0.0.1:6380');
    assert.deepEqual([m.slot, m.host, m.port, m.code], [3999, '127.0.0.1', 6380, 'MOVED']);
    const a = new AskError('ASK 16383 ::1:7000');
    assert.deepEqual([a.slot, a.host, a.port, a.code], [16383, '::1', 7000, 'ASK']);
    const same = new MovedError('MOVED 0 :6380');
    assert.deepEqual([same.slot, same.host, same.port], [0, '', 6380]);
    // Explicit fields win over the message (the reply table passes them parsed once).
    const given = new MovedError('MOVED 1 h:2', { slot: 5, host: 'x', port: 9 });
    assert.deepEqual([given.slot, given.host, given.port], [5, 'x', 9]);
    assert.throws(() => new MovedError('MOVED nowhere'), TypeError);
    assert.throws(() => new AskError('ASK 16384 h:1'), TypeError);
  });

  it('classes whose options used to be required have empty fields when built from a message', () => {
    assert.deepEqual(new CommandSyntaxError('m').arguments, new Set());
    assert.equal(new CommandNotSupportedError('m').currentVersion, undefined);
    assert.equal(new ModuleCommandNotSupportedError('m').module, undefined);
    const r = new ReplicationError('m');
    assert.deepEqual(Object.keys(r), ['code']);
    assert.equal(r.replicas, undefined);
    assert.equal(new PersistenceError('m').local, undefined);
  });

  it('instanceof: a user subclass without a brand uses the prototype chain', () => {
    class MyError extends ResponseError {}
    const mine = new MyError('ERR mine');
    assert.ok(mine instanceof MyError);
    assert.ok(mine instanceof ResponseError);
    assert.ok(mine instanceof RedisError);
    assert.equal(new ResponseError('ERR x') instanceof MyError, false);
    for (const v of [null, undefined, 1, 'x', {}, new Error('x')])
      assert.equal(v instanceof RedisError, false);
  });
});

describe('instanceof across two copies of the built package', () => {
  type Api = typeof import('../src/index.js');
  let dir = '';
  let a: Api;
  let b: Api;
  let server: RedisServerHandle;

  /** A copy of the package as npm would install it (dist, wasm, package.json). */
  function copy(name: string): string {
    const to = join(dir, name);
    mkdirSync(join(to, 'build'), { recursive: true });
    cpSync(join(ROOT, 'dist/src'), join(to, 'dist/src'), { recursive: true });
    cpSync(join(ROOT, 'build/core.wasm'), join(to, 'build/core.wasm'));
    cpSync(join(ROOT, 'package.json'), join(to, 'package.json'));
    return to;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wredis-copies-'));
    a = (await import(pathToFileURL(join(copy('a'), 'dist/src/index.js')).href)) as Api;
    b = (await import(pathToFileURL(join(copy('b'), 'dist/src/index.js')).href)) as Api;
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the copies are distinct modules', () => {
    assert.notEqual(a.RedisError, b.RedisError);
    assert.notEqual(a.MovedError, RedisError);
  });

  it('an error of one copy is an instance of the same class and its ancestors in the other, and of nothing else', () => {
    const moved = new a.MovedError('MOVED 1 h:2');
    assert.ok(moved instanceof b.MovedError);
    assert.ok(moved instanceof b.ResponseError);
    assert.ok(moved instanceof b.RedisError);
    assert.ok(moved instanceof MovedError, 'and of the source tree');
    assert.equal(moved instanceof b.AskError, false);
    assert.equal(moved instanceof b.ConnectionError, false);
    const timeout = new b.TimeoutError('t');
    assert.ok(timeout instanceof a.TimeoutError);
    assert.ok(timeout instanceof a.ConnectionError);
    assert.equal(timeout instanceof a.ResponseError, false);
    assert.ok(new a.ClusterDownError('CLUSTERDOWN x') instanceof b.errors.ClusterError);
    assert.equal(new a.ClusterError('x') instanceof b.ClusterDownError, false);
  });

  it('a server error raised through one copy is caught by the classes of the other', async () => {
    const r = new a.Redis({ port: server.port });
    try {
      await r.set('copies:str', 'v');
      const e = await rejection(r.call('LPUSH', 'copies:str', 'x'));
      assert.ok(e instanceof b.ResponseError);
      assert.equal(e.code, 'WRONGTYPE');
      assert.equal(e instanceof b.ConnectionError, false);
    } finally {
      await r.close();
    }
  });
});

describe('codes of real failures', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
  });

  it('connection refused: ERR_WREDIS_CONNECTION_REFUSED', async () => {
    const port = await refusedPort();
    const r = new Redis({ port, lazyConnect: true, retry: fastRetry(0) });
    try {
      const e = await rejection(r.connect());
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.code, 'ERR_WREDIS_CONNECTION_REFUSED');
    } finally {
      r.disconnect();
    }
  });

  it('commands beyond maxOfflineQueue while offline: ERR_WREDIS_OFFLINE_QUEUE_FULL', async () => {
    const port = await refusedPort();
    const r = new Redis({ port, maxOfflineQueue: 1, retry: fastRetry(50) });
    try {
      const first = r.get('k').catch((e: unknown) => e);
      const e = await rejection(r.get('k'));
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.code, 'ERR_WREDIS_OFFLINE_QUEUE_FULL');
      assert.equal(e.command, 'GET');
      r.disconnect();
      assert.equal(((await first) as RedisError).code, 'ERR_WREDIS_CONNECTION_CLOSED');
    } finally {
      r.disconnect();
    }
  });

  it('a server that accepts but never answers: ERR_WREDIS_CONNECT_TIMEOUT', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const r = new Redis({ port, connectTimeout: 150, lazyConnect: true, retry: fastRetry(0) });
    try {
      const e = await rejection(r.connect());
      assert.ok(e instanceof TimeoutError);
      assert.equal(e.code, 'ERR_WREDIS_CONNECT_TIMEOUT');
    } finally {
      r.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('commandTimeout: ERR_WREDIS_COMMAND_TIMEOUT; closed client: ERR_WREDIS_CONNECTION_CLOSED', async () => {
    const r = new Redis({ port: server.port, commandTimeout: 100 });
    try {
      await r.ping();
      await server.command('CLIENT', 'PAUSE', '600', 'ALL');
      // INCR: a read that timed out on a stuck socket is replayed; a non-idempotent write rejects.
      const e = await rejection(r.incr('codes:n'));
      assert.ok(e instanceof TimeoutError);
      assert.equal(e.code, 'ERR_WREDIS_COMMAND_TIMEOUT');
      assert.equal(e.command, 'INCR');
    } finally {
      await server.command('CLIENT', 'UNPAUSE');
      await r.close();
    }
    const e = await rejection(r.get('k'));
    assert.ok(e instanceof ConnectionError);
    assert.equal(e.code, 'ERR_WREDIS_CONNECTION_CLOSED');
  });

  it('a write in flight when the socket dies: ERR_WREDIS_CONNECTION_LOST', async () => {
    const r = new Redis({ port: server.port });
    try {
      const id = (await r.call('CLIENT', 'ID')) as number;
      // The write waits in the server (paused), so it is surely in flight when the socket dies.
      await server.command('CLIENT', 'PAUSE', '5000', 'WRITE');
      // INCR: not idempotent, so never replayed after a lost socket.
      // The rejection is observed before the kill: the socket may close before KILL's own reply arrives.
      const lost = rejection(r.incr('lost:n'));
      await server.command('CLIENT', 'KILL', 'ID', String(id));
      const e = await lost;
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.code, 'ERR_WREDIS_CONNECTION_LOST');
      assert.equal(e.command, 'INCR');
    } finally {
      await server.command('CLIENT', 'UNPAUSE');
      await r.close();
    }
  });

  it('disconnect() or close({ timeout }) with a write in flight: ERR_WREDIS_CONNECTION_LOST (outcome unknown), not "not sent"; the server runs it', async () => {
    // A server of its own: it is frozen (SIGSTOP), so the INCR sits in its socket, unread.
    const frozen = await startRedis();
    const admin = new Redis({ port: frozen.port });
    try {
      await admin.ping();
      for (const end of ['disconnect()', 'close({ timeout: 50 })'] as const) {
        const key = `frozen:${end}`;
        const r = new Redis({ port: frozen.port });
        r.on('error', () => undefined);
        await r.ping();
        process.kill(frozen.pid, 'SIGSTOP');
        let unsent: Promise<RedisError> | undefined;
        try {
          const written = rejection(r.incr(key));
          // Flushed: the next tick's write is under way, the INCR's bytes have gone to the socket.
          await new Promise((resolve) => setImmediate(resolve));
          if (end === 'disconnect()') {
            // Issued in the same tick as disconnect(): encoded, never written.
            unsent = rejection(r.incr(key));
            r.disconnect();
          } else await r.close({ timeout: 50 });
          const e = await written;
          assert.ok(e instanceof ConnectionError, `${end}: ${String(e)}`);
          assert.equal(e.code, 'ERR_WREDIS_CONNECTION_LOST', `${end}: ${e.message}`);
          assert.match(e.message, /outcome unknown/);
          assert.equal(e.command, 'INCR');
          if (unsent !== undefined) {
            const u = await unsent;
            assert.ok(u instanceof ConnectionError);
            assert.equal(u.code, 'ERR_WREDIS_CONNECTION_CLOSED', u.message);
          }
        } finally {
          process.kill(frozen.pid, 'SIGCONT');
        }
        // The written INCR reached the server, which ran it once it woke; the unsent one never.
        await waitUntil(`${end}: the written INCR ran`, 10_000, async () => {
          const v = await admin.get(key);
          return v === '1' ? undefined : `value ${String(v)}`;
        });
        assert.equal(r.status, 'closed');
      }
    } finally {
      admin.disconnect();
      await frozen.stop();
    }
  });

  it('bad argument: ERR_WREDIS_INVALID_ARGUMENT; server reply keeps its first word', async () => {
    const r = new Redis({ port: server.port });
    try {
      const bad = await rejection(r.set('k', {} as never));
      assert.ok(bad instanceof DataError);
      assert.equal(bad.code, 'ERR_WREDIS_INVALID_ARGUMENT');
      await r.set('codes:str', 'v');
      const wrong = await rejection(r.lpush('codes:str', 'x'));
      assert.ok(wrong instanceof ResponseError);
      assert.equal(wrong.code, 'WRONGTYPE');
    } finally {
      await r.close();
    }
  });

  it('a protocol violation: ERR_WREDIS_PROTOCOL', async () => {
    const srv = await startScriptedServer((cmd) => (cmd[0] === 'hello' ? HELLO3 : '?garbage\r\n'));
    const r = new Redis({ port: srv.port, retry: fastRetry(0) });
    try {
      const e = await rejection(r.get('k'));
      assert.ok(e instanceof InvalidResponse);
      assert.equal(e.code, 'ERR_WREDIS_PROTOCOL');
    } finally {
      r.disconnect();
      await srv.close();
    }
  });
});
