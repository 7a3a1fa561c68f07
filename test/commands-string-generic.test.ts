/** String, generic (keyspace), bitmap and HyperLogLog commands under RESP2 and RESP3. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CommandSyntaxError, ResponseError } from '../src/index.js';
import { perProtocol } from './commands-setup.js';

perProtocol('string commands', (ctx) => {
  it('set with options, get, getex, getdel, getset', async () => {
    const r = ctx.r;
    assert.equal(await r.set('k', 'v1'), 'OK');
    assert.equal(await r.set('k', 'v2', { nx: true }), null);
    assert.equal(await r.set('k', 'v2', { xx: true, get: true }), 'v1');
    assert.equal(await r.set('k', 'v3', { ex: 100 }), 'OK');
    assert.ok((await r.ttl('k')) > 90);
    assert.equal(await r.set('k', 'v4', { keepttl: true }), 'OK');
    assert.ok((await r.ttl('k')) > 90);
    assert.equal(await r.set('k', 'v5', { pxat: Date.now() + 100_000 }), 'OK');
    assert.ok((await r.pttl('k')) > 90_000);
    assert.equal(await r.getex('k', { persist: true }), 'v5');
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await r.getex('k', { px: 50_000 }), 'v5');
    assert.ok((await r.pttl('k')) > 40_000);
    assert.equal(await r.getex('missing'), null);
    assert.equal(await r.getset('k', 'v6'), 'v5');
    assert.equal(await r.getdel('k'), 'v6');
    assert.equal(await r.get('k'), null);
  });

  it('exclusive options reject with CommandSyntaxError naming them, before sending', async () => {
    const r = ctx.r;
    await assert.rejects(
      // A compile error in TypeScript; plain JavaScript gets the CommandSyntaxError.
      r.set('k', 'v', { ex: 1, keepttl: true } as never),
      (e: unknown) => e instanceof CommandSyntaxError && [...e.arguments].sort().join() === 'ex,keepttl',
    );
    await assert.rejects(r.getex('k', { ex: 1, persist: true } as never), CommandSyntaxError);
    assert.equal(await r.exists('k'), 0);
  });

  it('setex, psetex, setnx, mset/mget/msetnx in both spellings', async () => {
    const r = ctx.r;
    assert.equal(await r.setex('a', 100, '1'), 'OK');
    assert.equal(await r.psetex('b', 100_000, '2'), 'OK');
    assert.equal(await r.setnx('a', 'x'), false);
    assert.equal(await r.setnx('c', '3'), true);
    assert.equal(await r.mset({ d: 4, e: 'five' }), 'OK');
    assert.equal(await r.mset('f', '6', 'g', 7), 'OK');
    assert.deepEqual(await r.mget('a', 'b', 'c', 'nope'), ['1', '2', '3', null]);
    assert.deepEqual(await r.mget(['d', 'e'], 'f', ['g']), ['4', 'five', '6', '7']);
    assert.equal(await r.msetnx({ h: 1, a: 2 }), false);
    assert.equal(await r.msetnx('h', 1, 'i', 2), true);
  });

  it('counters, append, ranges and lcs', async () => {
    const r = ctx.r;
    assert.equal(await r.incr('n'), 1);
    assert.equal(await r.incrby('n', 9), 10);
    assert.equal(await r.decr('n'), 9);
    assert.equal(await r.decrby('n', 4), 5);
    assert.equal(await r.incrbyfloat('n', 0.25), 5.25);
    assert.equal(await r.append('s', 'hello'), 5);
    assert.equal(await r.append('s', ' world'), 11);
    assert.equal(await r.strlen('s'), 11);
    assert.equal(await r.getrange('s', 0, 4), 'hello');
    assert.equal(await r.getrange('s', -5, -1), 'world');
    assert.equal(await r.setrange('s', 6, 'there'), 11);
    assert.equal(await r.get('s'), 'hello there');
    await r.mset({ l1: 'ohmytext', l2: 'mynewtext' });
    assert.equal(await r.lcs('l1', 'l2'), 'mytext');
    assert.equal(await r.lcsLength('l1', 'l2'), 6);
  });

  it('keeps binary values intact under withBuffers()', async () => {
    const bytes = Buffer.from([0, 255, 13, 10, 128]);
    await ctx.r.set('bin', bytes);
    const b = ctx.r.withBuffers();
    const back = await b.get('bin');
    assert.ok(back instanceof Uint8Array);
    assert.deepEqual(Buffer.from(back), bytes);
    assert.deepEqual(
      (await b.mget('bin', 'none')).map((v) => (v === null ? null : Buffer.from(v))),
      [bytes, null],
    );
  });
});

perProtocol('generic commands', (ctx) => {
  it('del/unlink/exists/touch take keys one by one or as arrays', async () => {
    const r = ctx.r;
    await r.mset({ a: 1, b: 2, c: 3, d: 4 });
    assert.equal(await r.exists('a', 'b', 'zz'), 2);
    assert.equal(await r.exists(['a', 'a']), 2);
    assert.equal(await r.touch(['a', 'b'], 'zz'), 2);
    assert.equal(await r.del(['a', 'b']), 2);
    assert.equal(await r.unlink('c', 'd', 'zz'), 2);
  });

  it('expiry commands with modes, expiretime, persist', async () => {
    const r = ctx.r;
    await r.set('k', 'v');
    assert.equal(await r.expire('k', 100), true);
    assert.equal(await r.expire('k', 50, 'GT'), false);
    assert.equal(await r.expire('k', 200, 'GT'), true);
    assert.equal(await r.expire('k', 300, 'NX'), false);
    assert.equal(await r.pexpire('k', 150_000, 'LT'), true);
    const at = Math.floor(Date.now() / 1000) + 1000;
    assert.equal(await r.expireat('k', at), true);
    assert.equal(await r.expiretime('k'), at);
    assert.equal(await r.pexpireat('k', at * 1000 + 5), true);
    assert.equal(await r.pexpiretime('k'), at * 1000 + 5);
    assert.equal(await r.persist('k'), true);
    assert.equal(await r.persist('k'), false);
    assert.equal(await r.ttl('k'), -1);
    assert.equal(await r.ttl('missing'), -2);
    assert.equal(await r.expire('missing', 10), false);
  });

  it('type, rename, renamenx, copy, move, randomkey, keys', async () => {
    const r = ctx.r;
    assert.equal(await r.randomkey(), null);
    await r.set('s', 'v');
    await r.rpush('l', 'x');
    assert.equal(await r.type('s'), 'string');
    assert.equal(await r.type('l'), 'list');
    assert.equal(await r.type('none'), 'none');
    assert.equal(await r.rename('s', 's2'), 'OK');
    assert.equal(await r.renamenx('s2', 'l'), false);
    assert.equal(await r.copy('s2', 's3'), true);
    assert.equal(await r.copy('s2', 's3'), false);
    assert.equal(await r.copy('s2', 's3', { replace: true }), true);
    assert.equal(await r.copy('s2', 's3', { db: 1 }), true);
    assert.equal(await r.move('s3', 1), false);
    assert.equal(await r.move('l', 2), true);
    assert.deepEqual((await r.keys('s*')).sort(), ['s2', 's3']);
    assert.ok(['s2', 's3'].includes((await r.randomkey()) as string));
    await assert.rejects(r.rename('none', 'x'), ResponseError);
  });

  it('dump and restore through withBuffers()', async () => {
    await ctx.r.hset('h', { a: '1', b: '2' });
    const b = ctx.r.withBuffers();
    const payload = await b.dump('h');
    assert.ok(payload instanceof Uint8Array);
    assert.equal(await ctx.r.restore('h2', 0, payload), 'OK');
    assert.deepEqual(await ctx.r.hgetall('h2'), { a: '1', b: '2' });
    await assert.rejects(ctx.r.restore('h2', 0, payload), ResponseError);
    assert.equal(await ctx.r.restore('h2', 10_000, payload, { replace: true }), 'OK');
    assert.ok((await ctx.r.pttl('h2')) > 5000);
    assert.equal(await b.dump('missing'), null);
  });

  it('object subcommands', async () => {
    const r = ctx.r;
    await r.set('n', 12345);
    assert.equal(await r.objectEncoding('n'), 'int');
    assert.equal(await r.objectEncoding('missing'), null);
    assert.equal(typeof (await r.objectIdletime('n')), 'number');
    assert.equal(await r.objectIdletime('missing'), null);
    assert.equal(typeof (await r.objectRefcount('n')), 'number');
  });

  it('sort, sortStore, sortRo', async () => {
    const r = ctx.r;
    await r.rpush('l', '3', '1', '2');
    await r.mset({ w_1: 30, w_2: 20, w_3: 10, o_1: 'one', o_2: 'two', o_3: 'three' });
    assert.deepEqual(await r.sort('l'), ['1', '2', '3']);
    assert.deepEqual(await r.sort('l', { order: 'DESC', limit: { offset: 0, count: 2 } }), ['3', '2']);
    assert.deepEqual(await r.sort('l', { by: 'w_*', get: ['#', 'o_*'] }), [
      '3',
      'three',
      '2',
      'two',
      '1',
      'one',
    ]);
    assert.deepEqual(await r.sortRo('l', { alpha: true, get: ['o_*', 'missing_*'] }), [
      'one',
      null,
      'two',
      null,
      'three',
      null,
    ]);
    assert.equal(await r.sortStore('l', 'dst', { order: 'DESC' }), 3);
    assert.deepEqual(await r.lrange('dst', 0, -1), ['3', '2', '1']);
  });

  it('wait resolves with the acknowledging replica count', async () => {
    assert.equal(await ctx.r.wait(0, 100), 0);
  });
});

perProtocol('bitmap commands', (ctx) => {
  it('setbit, getbit, bitcount (byte and bit ranges), bitpos, bitop', async () => {
    const r = ctx.r;
    assert.equal(await r.setbit('b', 7, 1), 0);
    assert.equal(await r.setbit('b', 7, 1), 1);
    assert.equal(await r.getbit('b', 7), 1);
    assert.equal(await r.getbit('b', 100), 0);
    await r.set('s', 'foobar');
    assert.equal(await r.bitcount('s'), 26);
    assert.equal(await r.bitcount('s', { start: 1, end: 1 }), 6);
    assert.equal(await r.bitcount('s', { start: 5, end: 30, unit: 'BIT' }), 17);
    await r.set('z', Buffer.from([0xff, 0xf0, 0x00]));
    assert.equal(await r.bitpos('z', 0), 12);
    assert.equal(await r.bitpos('z', 1, { start: 1 }), 8);
    assert.equal(await r.bitpos('z', 1, { start: 2, end: -1 }), -1);
    await r.set('x', Buffer.from([0b1100]));
    await r.set('y', Buffer.from([0b1010]));
    assert.equal(await r.bitop('AND', 'dst', 'x', 'y'), 1);
    assert.deepEqual(Buffer.from((await r.withBuffers().get('dst')) as Uint8Array), Buffer.from([0b1000]));
  });

  it('bitfield operations in order, overflow, bitfield_ro', async () => {
    const r = ctx.r;
    const replies = await r.bitfield('bf', [
      { op: 'SET', type: 'u8', offset: 0, value: 255 },
      { op: 'GET', type: 'u8', offset: 0 },
      { op: 'INCRBY', type: 'u8', offset: 0, increment: 10 },
      { op: 'OVERFLOW', behavior: 'FAIL' },
      { op: 'INCRBY', type: 'u8', offset: 0, increment: 250 },
      { op: 'SET', type: 'i8', offset: '#1', value: -5 },
    ]);
    assert.deepEqual(replies, [0, 255, 9, null, 0]);
    assert.deepEqual(
      await r.bitfieldRo('bf', [
        { type: 'u8', offset: 0 },
        { type: 'i8', offset: 8 },
      ]),
      [9, -5],
    );
  });

  it('bitfield i64 beyond 2^53: the exact decimal string, as call() gives it, never a rounded number', async () => {
    const r = ctx.r;
    // 2^53 + 1 is not a double: Number() would give 9007199254740992.
    assert.deepEqual(
      await r.bitfield('bf64', [
        { op: 'SET', type: 'i64', offset: 0, value: '9007199254740993' as unknown as number },
        { op: 'GET', type: 'i64', offset: 0 },
        { op: 'INCRBY', type: 'i64', offset: 0, increment: -2 },
      ]),
      [0, '9007199254740993', 9007199254740991],
    );
    await r.call('bitfield', 'bf64', 'SET', 'i64', 0, '-9007199254740995');
    assert.deepEqual(await r.bitfieldRo('bf64', [{ type: 'i64', offset: 0 }]), ['-9007199254740995']);
    assert.deepEqual(await r.call('bitfield_ro', 'bf64', 'GET', 'i64', 0), ['-9007199254740995']);
  });
});

perProtocol('hyperloglog commands', (ctx) => {
  it('pfadd, pfcount (one and several keys), pfmerge', async () => {
    const r = ctx.r;
    assert.equal(await r.pfadd('h1', 'a', 'b', 'c'), true);
    assert.equal(await r.pfadd('h1', 'a'), false);
    assert.equal(await r.pfadd('h2', 'c', 'd'), true);
    assert.equal(await r.pfcount('h1'), 3);
    assert.equal(await r.pfcount(['h1', 'h2']), 4);
    assert.equal(await r.pfmerge('h3', 'h1', 'h2'), 'OK');
    assert.equal(await r.pfcount('h3'), 4);
  });
});
