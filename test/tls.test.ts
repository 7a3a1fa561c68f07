/**
 * TLS against real redis-servers that speak only TLS, with certificates from a throwaway
 * test CA (test/support/tls.ts) that the system does not trust. What must hold: the
 * certificate and the host name are verified unless the caller turns verification off,
 * every TLS failure is a ConnectionError that never hangs and never shows the password,
 * and TLS settings follow every connection a client opens (reconnects, blocking commands,
 * cluster nodes).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  AuthenticationFailureError,
  ConnectionError,
  ExponentialBackoff,
  Redis,
  RedisCluster,
  RedisError,
  Retry,
  type RedisOptions,
  type TlsOptions,
} from '../src/index.js';
import { startCluster, type RedisClusterHandle } from './support/cluster.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';
import { startTlsRedis, type TlsMaterial, type TlsRedisHandle } from './support/tls.js';

/** Fails fast: one connect attempt per command, short waits between reconnects. */
const noRetry = (): Retry => new Retry({ retries: 0, backoff: new ExponentialBackoff({ base: 5, cap: 20 }) });

/** Rejects if `p` has not settled after `ms` (a bound on the test, not a timing assertion). */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

/** The rejection of `p` (bounded); fails the test if `p` resolves. */
async function rejection(p: Promise<unknown>, what: string, ms = 10_000): Promise<Error> {
  const outcome = await within(
    ms,
    p.then(
      () => undefined,
      (e: unknown) => e,
    ),
    what,
  );
  assert.ok(outcome instanceof Error, `${what}: expected a rejection, got success`);
  return outcome;
}

/** Connects a lazy client and expects a ConnectionError from `connect()` and from a command. */
async function expectConnectionFailure(options: RedisOptions, what: string): Promise<Error[]> {
  const r = new Redis({ lazyConnect: true, connectTimeout: 5_000, retry: noRetry(), ...options });
  try {
    const onConnect = await rejection(r.connect(), `${what}: connect()`);
    assert.ok(onConnect instanceof ConnectionError, `${what}: connect() rejected with ${inspect(onConnect)}`);
    const onCommand = await rejection(r.call('PING'), `${what}: PING`);
    assert.ok(onCommand instanceof ConnectionError, `${what}: ping() rejected with ${inspect(onCommand)}`);
    return [onConnect, onCommand];
  } finally {
    r.disconnect();
  }
}

/** Everything an error could show in a log: message, stack, cause chain, own fields. */
function rendered(e: unknown): string {
  return `${String(e)}\n${inspect(e, { depth: 8, showHidden: true })}`;
}

/** The TLS failure reason node:tls reported, found along the cause chain. */
function causeText(e: Error): string {
  let out = e.message;
  for (let c: unknown = e.cause, i = 0; c instanceof Error && i < 5; c = c.cause, i++)
    out += ` | ${c.message}`;
  return out;
}

describe('TLS: standalone client', { timeout: 120_000 }, () => {
  let server: TlsRedisHandle;
  let m: TlsMaterial;

  before(async () => {
    server = await startTlsRedis();
    m = server.material;
  });
  after(async () => {
    await server?.stop();
  });

  it('connects with the CA given and runs commands, large values included', async () => {
    const r = new Redis({ host: '127.0.0.1', port: server.port, tls: { ca: m.ca } });
    try {
      assert.equal(await r.call('PING'), 'PONG');
      assert.equal(await r.set('tls:k', 'v'), 'OK');
      assert.equal(await r.get('tls:k'), 'v');
      // Larger than one TLS record (16 KiB): the reply arrives in many decrypted chunks.
      const big = Buffer.alloc(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      await r.set('tls:big', big);
      const back = await r.withBuffers().get('tls:big');
      assert.ok(back !== null && Buffer.from(back).equals(big));
      // Many commands in one tick: auto-pipelined through the TLS socket, in order.
      const n = 500;
      const replies = await Promise.all(Array.from({ length: n }, () => r.incr('tls:counter')));
      assert.deepEqual(
        replies,
        Array.from({ length: n }, (_, i) => i + 1),
      );
    } finally {
      await r.close();
    }
  });

  it('accepts the CA as bytes and as a list', async () => {
    for (const ca of [Buffer.from(m.ca), new Uint8Array(Buffer.from(m.ca)), [m.otherCa, m.ca]]) {
      const r = new Redis({ port: server.port, tls: { ca } });
      try {
        assert.equal(await r.call('PING'), 'PONG');
      } finally {
        await r.close();
      }
    }
  });

  it('verifies certificates by default: without the CA, connecting fails with ConnectionError', async () => {
    const errors = await expectConnectionFailure({ port: server.port, tls: true }, 'tls: true');
    assert.match(causeText(errors[0]!), /certificate/i);
    // The same with a TLS object that only names the server.
    await expectConnectionFailure(
      { port: server.port, tls: { servername: 'localhost' } },
      'tls: { servername }',
    );
  });

  it('fails with ConnectionError when the certificate is signed by another CA', async () => {
    const errors = await expectConnectionFailure({ port: server.port, tls: { ca: m.otherCa } }, 'other CA');
    assert.match(causeText(errors[0]!), /certificate/i);
    // rejectUnauthorized: true is the default spelled out, not a different mode.
    await expectConnectionFailure(
      { port: server.port, tls: { ca: m.otherCa, rejectUnauthorized: true } },
      'other CA, explicit',
    );
  });

  it('connects without verification only when rejectUnauthorized is false (insecure: anyone can intercept)', async () => {
    for (const tls of [{ rejectUnauthorized: false }, { ca: m.otherCa, rejectUnauthorized: false }]) {
      const r = new Redis({ port: server.port, tls });
      try {
        assert.equal(await r.call('PING'), 'PONG');
      } finally {
        await r.close();
      }
    }
  });

  it("passes Node's other tls.connect() options through (as ioredis does); its own checks still win", async () => {
    // A caller's checkServerIdentity runs: refusing the server fails the connection.
    const refuse = (): Error => new Error('refused by the caller');
    const [onConnect] = await expectConnectionFailure(
      { port: server.port, tls: { ca: m.ca, checkServerIdentity: refuse } as TlsOptions },
      'checkServerIdentity',
    );
    assert.match(causeText(onConnect!), /refused by the caller/);
    // minVersion / maxVersion reach tls.connect: a contradictory pair fails there.
    await expectConnectionFailure(
      { port: server.port, tls: { ca: m.ca, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' } as TlsOptions },
      'minVersion above maxVersion',
    );
    // Verification is not something the extras can switch off: without the CA it still fails.
    await expectConnectionFailure(
      { port: server.port, tls: { host: 'elsewhere', minVersion: 'TLSv1.2' } as TlsOptions },
      'extras without a CA',
    );
    const r = new Redis({ port: server.port, tls: { ca: m.ca, minVersion: 'TLSv1.2' } as TlsOptions });
    try {
      assert.equal(await r.call('PING'), 'PONG');
    } finally {
      await r.close();
    }
  });

  it('checks the host name: 127.0.0.1 and localhost are in the certificate, other names are refused', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = new Redis({ host, port: server.port, tls: { ca: m.ca } });
      try {
        assert.equal(await r.call('PING'), 'PONG', host);
      } finally {
        await r.close();
      }
    }
    // Right CA, wrong name: only the name check can refuse this one.
    const errors = await expectConnectionFailure(
      { port: server.port, tls: { ca: m.ca, servername: 'not-in-the-cert.example' } },
      'wrong servername',
    );
    assert.match(causeText(errors[0]!), /altnames|hostname/i);
    // An explicit servername that the certificate lists works while connecting by IP.
    const r = new Redis({ host: '127.0.0.1', port: server.port, tls: { ca: m.ca, servername: 'localhost' } });
    try {
      assert.equal(await r.call('PING'), 'PONG');
    } finally {
      await r.close();
    }
  });

  it('rediss:// turns TLS on; the tls option supplies the CA', async () => {
    for (const url of [`rediss://127.0.0.1:${server.port}`, `rediss://localhost:${server.port}/2`]) {
      const r = new Redis(url, { tls: { ca: m.ca } });
      try {
        assert.equal(await r.set('tls:url', url), 'OK');
        assert.equal(await r.get('tls:url'), url);
      } finally {
        await r.close();
      }
    }
    // The URL alone means TLS with the system's CAs, which do not include the test CA.
    await expectConnectionFailure({ url: `rediss://127.0.0.1:${server.port}` }, 'rediss:// without CA');
  });

  it('a plaintext client of a TLS server, and a TLS client of a plaintext server, fail with ConnectionError', async () => {
    await expectConnectionFailure({ url: `redis://127.0.0.1:${server.port}` }, 'plaintext to TLS');
    let plain: RedisServerHandle | undefined;
    try {
      plain = await startRedis();
      // The server may wait for a line end that never comes: connectTimeout bounds it (TimeoutError is a ConnectionError).
      await expectConnectionFailure(
        { port: plain.port, tls: { ca: m.ca }, connectTimeout: 1_000 },
        'TLS to plaintext',
      );
    } finally {
      await plain?.stop();
    }
  });

  it('unreadable PEM material rejects with ConnectionError (not a raw Error)', async () => {
    const cases: RedisOptions['tls'][] = [
      { ca: m.ca, cert: 'not a certificate', key: m.clientKey },
      { ca: m.ca, cert: m.clientCert, key: 'not a key' },
      // A well-formed certificate with another certificate's key.
      { ca: m.ca, cert: m.clientCert, key: readFileSync(m.serverKeyFile, 'utf8') },
    ];
    for (const tls of cases) {
      const errors = await expectConnectionFailure({ port: server.port, tls }, 'bad PEM');
      for (const e of errors) assert.ok(e instanceof RedisError);
    }
  });

  it('connectTimeout 0 means no limit (the TLS handshake is never cut short)', async () => {
    for (let i = 0; i < 10; i++) {
      const r = new Redis({
        port: server.port,
        tls: { ca: m.ca },
        connectTimeout: 0,
        lazyConnect: true,
        retry: noRetry(),
      });
      try {
        await within(10_000, r.connect(), 'connect with connectTimeout 0');
      } finally {
        r.disconnect();
      }
    }
  });

  it('reconnects over TLS after the server drops the connection', async () => {
    const r = new Redis({ port: server.port, tls: { ca: m.ca }, clientName: 'tls-reconnect' });
    try {
      assert.equal(await r.call('PING'), 'PONG');
      const ready = new Promise<void>((resolve) => r.once('ready', resolve));
      await server.command('CLIENT', 'KILL', 'TYPE', 'normal');
      await within(10_000, ready, 'ready after CLIENT KILL');
      assert.equal(await r.call('PING'), 'PONG');
      assert.equal(await r.call('CLIENT', 'GETNAME'), 'tls-reconnect');
    } finally {
      await r.close();
    }
  });

  it('blocking commands and lent connections use TLS too', async () => {
    const r = new Redis({ port: server.port, tls: { ca: m.ca } });
    try {
      assert.equal(await r.blpop('tls:nothing', 0.05), null);
      const pushed = r.blpop('tls:queue', 5);
      await r.rpush('tls:queue', 'job');
      assert.deepEqual(await pushed, ['tls:queue', 'job']);
      assert.equal(await r.withConnection(async (c) => c.call('PING')), 'PONG');
    } finally {
      await r.close();
    }
  });
});

describe('TLS: mutual authentication (tls-auth-clients yes)', { timeout: 60_000 }, () => {
  let server: TlsRedisHandle;
  let m: TlsMaterial;

  before(async () => {
    server = await startTlsRedis({ authClients: 'yes' });
    m = server.material;
  });
  after(async () => {
    await server?.stop();
  });

  it('works with the client certificate and key', async () => {
    const r = new Redis({ port: server.port, tls: { ca: m.ca, cert: m.clientCert, key: m.clientKey } });
    try {
      assert.equal(await r.set('mtls:k', '1'), 'OK');
      assert.equal(await r.get('mtls:k'), '1');
    } finally {
      await r.close();
    }
  });

  it('fails with ConnectionError without a client certificate', async () => {
    // TLS 1.3: the handshake completes on the client side before the server refuses the
    // missing certificate, so the failure surfaces as the connection being lost.
    const errors = await expectConnectionFailure({ port: server.port, tls: { ca: m.ca } }, 'no client cert');
    assert.match(causeText(errors[0]!), /certificate|lost|reset|closed/i);
  });
});

describe('TLS: passwords never appear in errors', { timeout: 60_000 }, () => {
  const password = 'tls-s3cret-Pa55word';
  let server: TlsRedisHandle;
  let m: TlsMaterial;

  before(async () => {
    server = await startTlsRedis({ requirepass: password });
    m = server.material;
  });
  after(async () => {
    await server?.stop();
  });

  it('authenticates over TLS with the right password', async () => {
    for (const r of [
      new Redis({ port: server.port, password, tls: { ca: m.ca } }),
      new Redis(`rediss://:${encodeURIComponent(password)}@127.0.0.1:${server.port}`, { tls: { ca: m.ca } }),
    ]) {
      try {
        assert.equal(await r.call('PING'), 'PONG');
      } finally {
        await r.close();
      }
    }
  });

  it('TLS failures (options or URL) show no password in messages, causes, stacks or error events', async () => {
    const cases: RedisOptions[] = [
      { port: server.port, password, tls: true },
      { port: server.port, password, tls: { ca: m.otherCa } },
      { port: server.port, username: 'default', password, tls: { ca: m.ca, servername: 'wrong.example' } },
      { url: `rediss://default:${encodeURIComponent(password)}@127.0.0.1:${server.port}` },
      { url: `rediss://:${encodeURIComponent(password)}@127.0.0.1:${server.port}/0`, tls: { ca: m.otherCa } },
    ];
    for (const options of cases) {
      const r = new Redis({ lazyConnect: true, retry: noRetry(), connectTimeout: 5_000, ...options });
      const events: Error[] = [];
      r.on('error', (e) => events.push(e));
      try {
        const seen = [await rejection(r.connect(), 'connect()'), await rejection(r.get('k'), 'get()')];
        for (const e of seen) assert.ok(e instanceof ConnectionError, inspect(e));
        for (const e of [...seen, ...events]) {
          assert.ok(!rendered(e).includes(password), `password leaked: ${rendered(e)}`);
        }
      } finally {
        r.disconnect();
      }
    }
  });

  it('a wrong password over TLS is an AuthenticationFailureError without the password', async () => {
    const wrong = 'not-the-Pa55word-tls';
    const r = new Redis({
      port: server.port,
      password: wrong,
      tls: { ca: m.ca },
      lazyConnect: true,
      retry: noRetry(),
    });
    try {
      const e = await rejection(r.connect(), 'connect() with a wrong password');
      assert.ok(e instanceof AuthenticationFailureError, inspect(e));
      assert.ok(!rendered(e).includes(wrong));
    } finally {
      r.disconnect();
    }
  });
});

describe('TLS: cluster', { timeout: 120_000 }, () => {
  let cluster: RedisClusterHandle;

  before(async () => {
    cluster = await startCluster({ tls: true, primaries: 3, replicasPerPrimary: 0 });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('discovers the nodes and routes commands over TLS from one seed node', async () => {
    const m = cluster.tls;
    assert.ok(m !== undefined);
    const c = new RedisCluster({ nodes: cluster.startupNodes().slice(0, 1), tls: { ca: m.ca } });
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `tls:cluster:${i}`);
      for (const k of keys) assert.equal(await c.set(k, k), 'OK');
      assert.deepEqual(await c.mget(...keys), keys);
      // Keys spread over every primary: each was reached over TLS.
      let total = 0;
      for (const node of cluster.primaries) total += Number(await node.command('DBSIZE'));
      assert.equal(total, keys.length);
    } finally {
      await c.close();
    }
  });

  it('refuses an untrusted cluster with ConnectionError', async () => {
    const c = new RedisCluster({
      nodes: cluster.startupNodes().slice(0, 1),
      tls: true,
      lazyConnect: true,
      retry: noRetry(),
      connectTimeout: 5_000,
    });
    try {
      const e = await rejection(c.connect(), 'cluster connect() without CA');
      assert.ok(e instanceof ConnectionError, inspect(e));
    } finally {
      c.disconnect();
    }
  });
});
