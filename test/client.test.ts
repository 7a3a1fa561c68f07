import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AuthenticationFailureError,
  AuthenticationRequiredError,
  CommandSyntaxError,
  ConnectionError,
  DataError,
  Redis,
  RedisError,
  ResponseError,
  TimeoutError,
} from '../src/index.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

for (const protocol of [2, 3] as const) {
  describe(`Redis client on a real server (RESP${protocol})`, () => {
    let server: RedisServerHandle;
    let r: Redis;
    before(async () => {
      server = await startRedis({ args: ['--enable-debug-command', 'yes'] });
      r = new Redis({ host: server.host, port: server.port, protocol });
    });
    after(async () => {
      await r.close();
      await server.stop();
    });

    it('connects, sets and gets UTF-8 and binary values', async () => {
      assert.equal(await r.set('k', 'héllo wörld'), 'OK');
      assert.equal(await r.get('k'), 'héllo wörld');
      const bytes = Buffer.from([0, 13, 10, 255, 1]);
      await r.set('bin', bytes);
      const back = await r.withBuffers().get('bin');
      assert.ok(back instanceof Uint8Array);
      assert.deepEqual(Buffer.from(back), bytes);
      assert.equal(await r.get('missing'), null);
    });

    it('large values (read straight into their storage) arrive intact among small replies', async () => {
      // Binary with CR/LF inside, 3 MB and 200 KB, each across many socket reads; a value
      // handed out as bytes must not change when the connection reads the next reply.
      const big = Buffer.alloc(3 * 1024 * 1024 + 7);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251 === 0 ? 13 : (i * 31) & 0xff;
      const mid = Buffer.from('é'.repeat(100_000) + 'x');
      await r.set('big', big);
      await r.set('mid', mid);
      await r.set('small', 'héllo wörld');
      const b = r.withBuffers();
      const [v1, s1, v2, m1, v3] = await Promise.all([
        b.get('big'),
        r.get('small'),
        b.get('big'),
        r.get('mid'),
        b.mget('mid', 'big', 'small'),
      ]);
      assert.ok(Buffer.isBuffer(v1) && Buffer.isBuffer(v2));
      assert.ok(v1.equals(big) && v2.equals(big));
      v1.fill(0);
      assert.ok(v2.equals(big), 'each reply owns its bytes');
      assert.equal(s1, 'héllo wörld');
      assert.equal(m1, mid.toString('utf8'));
      assert.deepEqual(v3, [mid, big, Buffer.from('héllo wörld')]);
      // As text, twice (the second reuses the first one's storage), then as bytes again.
      const ascii = 'a1'.repeat(1_500_000);
      await r.set('ascii', ascii);
      assert.equal(await r.get('ascii'), ascii);
      assert.equal(await r.get('ascii'), ascii);
      const again = await b.get('ascii');
      assert.ok(Buffer.isBuffer(again) && again.toString('latin1') === ascii);
      assert.equal(await r.get('ascii'), ascii);
      assert.ok(again.toString('latin1') === ascii, 'a Buffer handed out is never reused');
    });

    it('shapes typed replies the same under both protocols', async () => {
      await r.del('h', 'z', 'n');
      assert.equal(await r.hset('h', { a: '1', b: '2' }), 2);
      assert.deepEqual({ ...(await r.hgetall('h')) }, { a: '1', b: '2' });
      assert.equal(await r.zadd('z', 1.5, 'm'), 1);
      assert.equal(await r.zscore('z', 'm'), 1.5);
      assert.equal(await r.zscore('z', 'nope'), null);
      assert.equal(await r.incr('n'), 1);
      assert.equal(await r.incrbyfloat('n', 0.5), 1.5);
      assert.equal(await r.expire('n', 100), true);
      assert.deepEqual(await r.zrangeWithScores('z', 0, -1), [{ member: 'm', score: 1.5 }]);
    });

    it('call() returns protocol values and withBuffers() is a view on the same connection', async () => {
      assert.equal(await r.call('SET', 'c', 7), 'OK');
      assert.equal(await r.call('GET', 'c'), '7');
      assert.equal(await r.call('INCR', 'c'), 8);
      const b = r.withBuffers();
      assert.equal(b.status, r.status);
      const v = await b.call('GET', 'c');
      assert.ok(Buffer.isBuffer(v));
      // The view does not change the original.
      assert.equal(await r.call('GET', 'c'), '8');
    });

    it('pipelines many concurrent commands and keeps every reply with its caller', async () => {
      const n = 2000;
      const replies = await Promise.all(Array.from({ length: n }, (_, i) => r.echo(`v${i}`)));
      replies.forEach((v, i) => assert.equal(v, `v${i}`));
    });

    it('rejects (never throws) bad arguments with typed errors', async () => {
      const p1 = r.set('k', 'v', { ex: 10, px: 10 } as never);
      await assert.rejects(p1, (e: unknown) => {
        assert.ok(e instanceof CommandSyntaxError);
        assert.deepEqual([...e.arguments].sort(), ['ex', 'px']);
        return true;
      });
      const p2 = r.call('SET', 'k', { not: 'allowed' });
      await assert.rejects(p2, DataError);
      await assert.rejects(r.call('SET', 'k', NaN), DataError);
      // The connection is intact after a rejected encode.
      assert.equal(await r.echo('still fine'), 'still fine');
    });

    it('maps server errors to ResponseError with code and command, never argument values', async () => {
      await r.set('str', 'x');
      const err = await r.call('LPUSH', 'str', 'secret-value').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ResponseError);
      assert.equal(err.code, 'WRONGTYPE');
      assert.equal(err.command, 'LPUSH');
      assert.ok(!err.message.includes('secret-value'));
      assert.ok(err instanceof RedisError);
    });

    it('times out a slow command and gives the late reply to nobody', async () => {
      const t = new Redis({ host: server.host, port: server.port, protocol, commandTimeout: 150 });
      try {
        await t.connect();
        const slow = t.call('DEBUG', 'SLEEP', '0.4');
        const next = t.echo('after');
        await assert.rejects(slow, TimeoutError);
        // The second command also waited behind the sleep; it is either answered with its own
        // reply or timed out — never with the DEBUG reply.
        const v = await next.then(
          (x) => x,
          (e: unknown) => e,
        );
        assert.ok(v === 'after' || v instanceof TimeoutError, `unexpected ${String(v)}`);
        // Once the server is free again, a later command gets its own reply, not DEBUG's late one.
        // On a loaded machine a try (or the reconnect after the stuck teardown) may itself exceed
        // 150 ms: each try is its own reply or a timeout, never another's, and one gets through.
        await new Promise((res) => setTimeout(res, 400));
        let got: unknown;
        for (let i = 0; i < 20 && got !== 'later'; i++) {
          got = await t.echo('later').catch((e: unknown) => e);
          assert.ok(got === 'later' || got instanceof TimeoutError, `unexpected ${String(got)}`);
        }
        assert.equal(got, 'later');
      } finally {
        await t.close();
      }
    });

    it('close() lets in-flight replies arrive; disconnect() rejects them', async () => {
      const c = new Redis({ host: server.host, port: server.port, protocol });
      const many = Array.from({ length: 100 }, (_, i) => c.echo(String(i)));
      await c.close();
      assert.deepEqual(
        await Promise.all(many),
        many.map((_, i) => String(i)),
      );
      await assert.rejects(c.get('x'), ConnectionError);

      const d = new Redis({ host: server.host, port: server.port, protocol });
      await d.connect();
      const pending = d.call('DEBUG', 'SLEEP', '0.2');
      d.disconnect();
      await assert.rejects(pending, ConnectionError);
    });

    it('selects the database and names the client', async () => {
      const c = new Redis({
        host: server.host,
        port: server.port,
        protocol,
        db: 3,
        clientName: 'wredis-test',
      });
      try {
        await c.set('only-in-3', '1');
        assert.equal(await c.call('CLIENT', 'GETNAME'), 'wredis-test');
        assert.equal(await r.exists('only-in-3'), 0);
        assert.equal(await c.exists('only-in-3'), 1);
      } finally {
        await c.close();
      }
    });
  });
}

describe('authentication', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis({ args: ['--requirepass', 'hunter2-secret'] });
  });
  after(() => server.stop());

  for (const protocol of [2, 3] as const) {
    it(`authenticates with the password (RESP${protocol}) and by URL`, async () => {
      const r = new Redis({ host: server.host, port: server.port, password: 'hunter2-secret', protocol });
      assert.equal(await r.ping(), 'PONG');
      await r.close();
      const u = new Redis(`redis://:hunter2-secret@127.0.0.1:${server.port}/2?protocol=${protocol}`);
      assert.equal(await u.set('x', '1'), 'OK');
      await u.close();
    });

    it(`rejects a wrong password with AuthenticationFailureError and never shows it (RESP${protocol})`, async () => {
      const r = new Redis({
        host: server.host,
        port: server.port,
        password: 'wrong-pass-xyz',
        protocol,
        lazyConnect: true,
      });
      const err = await r.get('x').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof AuthenticationFailureError, String(err));
      assert.ok(!String(err).includes('wrong-pass-xyz'));
      assert.ok(!JSON.stringify(err).includes('wrong-pass-xyz'));
      r.disconnect();
    });

    it(`without a password commands reject with AuthenticationRequiredError (RESP${protocol})`, async () => {
      const r = new Redis({ host: server.host, port: server.port, protocol, lazyConnect: true });
      await assert.rejects(r.get('x'), AuthenticationRequiredError);
      r.disconnect();
    });
  }

  it('authenticates an ACL user', async () => {
    const admin = new Redis({ port: server.port, password: 'hunter2-secret' });
    await admin.call('ACL', 'SETUSER', 'app', 'on', '>app-pass', '~app:*', '+@all');
    const app = new Redis({ port: server.port, username: 'app', password: 'app-pass' });
    assert.equal(await app.set('app:1', 'v'), 'OK');
    const denied = await app.set('other', 'v').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(denied instanceof ResponseError && denied.code === 'NOPERM', String(denied));
    await Promise.all([admin.close(), app.close()]);
  });

  for (const protocol of [2, 3] as const) {
    it(`a user name without a password (redis://user@host) logs in as that user (RESP${protocol})`, async () => {
      const admin = new Redis({ port: server.port, password: 'hunter2-secret' });
      await admin.call('ACL', 'SETUSER', 'nopw', 'on', 'nopass', '~*', '+@all');
      const byUrl = new Redis(`redis://nopw@127.0.0.1:${server.port}?protocol=${protocol}`);
      const byOption = new Redis({ port: server.port, username: 'nopw', protocol });
      try {
        assert.equal(await byUrl.call('ACL', 'WHOAMI'), 'nopw');
        assert.equal(await byOption.call('ACL', 'WHOAMI'), 'nopw');
      } finally {
        byUrl.disconnect();
        byOption.disconnect();
        await admin.close();
      }
    });
  }
});

describe('connection failures', () => {
  it('rejects commands with ConnectionError when nothing listens, after its retries', async () => {
    const { refusedPort } = await import('./support/redis-server.js');
    const port = await refusedPort();
    const r = new Redis({ port, lazyConnect: true });
    await assert.rejects(r.get('x'), ConnectionError);
    r.disconnect();
  });

  it('connects over a unix socket', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'wredis-sock-'));
    const path = join(dir, 'redis.sock');
    const server = await startRedis({ args: ['--unixsocket', path, '--unixsocketperm', '700'] });
    try {
      const r = new Redis({ path });
      assert.equal(await r.echo('via unix'), 'via unix');
      await r.close();
      const u = new Redis(`unix://${path}?db=1`);
      assert.equal(await u.set('x', 'y'), 'OK');
      await u.close();
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
