/** Hash, list and set commands under RESP2 and RESP3. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CommandNotSupportedError, DataError, ErrorCodes } from '../src/index.js';
import { perProtocol } from './commands-setup.js';

perProtocol('hash commands', (ctx) => {
  it('hset both spellings, hget, hmget, hgetall as a plain object', async () => {
    const r = ctx.r;
    assert.equal(await r.hset('h', { a: '1', b: 2 }), 2);
    assert.equal(await r.hset('h', 'c', '3', 'a', 'one'), 1);
    assert.equal(await r.hget('h', 'a'), 'one');
    assert.equal(await r.hget('h', 'zz'), null);
    assert.deepEqual(await r.hmget('h', 'a', 'zz', 'c'), ['one', null, '3']);
    const all = await r.hgetall('h');
    assert.deepEqual(all, { a: 'one', b: '2', c: '3' });
    assert.equal(Object.getPrototypeOf(all), Object.prototype);
    assert.deepEqual(await r.hgetall('missing'), {});
  });

  it('a field named __proto__ is an own property, never the prototype', async () => {
    await ctx.r.hset('h', { ['__proto__']: 'x', ok: 'y' } as Record<string, string>);
    const all = await ctx.r.hgetall('h');
    assert.equal(Object.getPrototypeOf(all), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(all, '__proto__')?.value, 'x');
  });

  it('hsetnx, hdel, hexists, hincrby, hincrbyfloat, hlen, hkeys, hvals, hstrlen', async () => {
    const r = ctx.r;
    assert.equal(await r.hsetnx('h', 'f', 'v'), true);
    assert.equal(await r.hsetnx('h', 'f', 'w'), false);
    assert.equal(await r.hexists('h', 'f'), true);
    assert.equal(await r.hexists('h', 'g'), false);
    assert.equal(await r.hincrby('h', 'n', 5), 5);
    assert.equal(await r.hincrbyfloat('h', 'n', 1.5), 6.5);
    assert.equal(await r.hlen('h'), 2);
    assert.deepEqual((await r.hkeys('h')).sort(), ['f', 'n']);
    assert.deepEqual((await r.hvals('h')).sort(), ['6.5', 'v']);
    assert.equal(await r.hstrlen('h', 'n'), 3);
    assert.equal(await r.hdel('h', 'f', 'zz'), 1);
  });

  it('hrandfield in its three forms', async () => {
    const r = ctx.r;
    assert.equal(await r.hrandfield('none'), null);
    assert.deepEqual(await r.hrandfieldCount('none', 2), []);
    await r.hset('h', { a: '1', b: '2' });
    assert.ok(['a', 'b'].includes((await r.hrandfield('h')) as string));
    assert.deepEqual((await r.hrandfieldCount('h', 5)).sort(), ['a', 'b']);
    assert.equal((await r.hrandfieldCount('h', -5)).length, 5);
    const withValues = await r.hrandfieldWithValues('h', 2);
    assert.deepEqual(
      withValues.sort((x, y) => x.field.localeCompare(y.field)),
      [
        { field: 'a', value: '1' },
        { field: 'b', value: '2' },
      ],
    );
  });

  it('hscan pages as { field, value }', async () => {
    await ctx.r.hset('h', { a: '1', b: '2' });
    const page = await ctx.r.hscan('h', 0);
    assert.equal(page.cursor, '0');
    assert.deepEqual(page.items, [
      { field: 'a', value: '1' },
      { field: 'b', value: '2' },
    ]);
    const matched = await ctx.r.hscan('h', '0', { match: 'b*', count: 10 });
    assert.deepEqual(matched.items, [{ field: 'b', value: '2' }]);
  });

  it('field expiration (7.4) rejects with CommandNotSupportedError on this server', async () => {
    await ctx.r.hset('h', { a: '1' });
    await assert.rejects(
      ctx.r.hexpire('h', 10, ['a']),
      (e: unknown) => e instanceof CommandNotSupportedError && e.command === 'HEXPIRE',
    );
    await assert.rejects(ctx.r.httl('h', ['a']), CommandNotSupportedError);
    await assert.rejects(
      ctx.r.hgetdel('h', ['a']),
      (e: unknown) => e instanceof CommandNotSupportedError && e.command === 'HGETDEL',
    );
    await assert.rejects(ctx.r.hsetex('h', { a: '2' }, { ex: 10 }), CommandNotSupportedError);
    assert.deepEqual(await ctx.r.hgetall('h'), { a: '1' });
  });

  it('hgetall under withBuffers() gives bytes values and string field names', async () => {
    await ctx.r.hset('h', { f: Buffer.from([1, 2, 255]) });
    const all = await ctx.r.withBuffers().hgetall('h');
    assert.deepEqual(Object.keys(all), ['f']);
    assert.ok(all.f instanceof Uint8Array);
    assert.deepEqual(Buffer.from(all.f), Buffer.from([1, 2, 255]));
  });

  it('a name opening with U+FEFF keeps it under withBuffers(), as without', async () => {
    const r = ctx.r;
    // A byte order mark is text like any other here: a decoder that strips it turns '\uFEFFa' into 'a'.
    await r.hset('h', { '\uFEFFa': '1', a: '2' });
    await r.xadd('\uFEFFs', '1-1', { '\uFEFFf': 'v' });
    for (const c of [r, r.withBuffers()]) {
      assert.deepEqual(Object.keys(await c.hgetall('h')).sort(), ['\uFEFFa', 'a'].sort());
      const [read] = (await c.xread({ key: '\uFEFFs', id: '0' })) ?? [];
      assert.equal(read?.stream, '\uFEFFs');
      assert.deepEqual(Object.keys(read?.entries[0]?.fields ?? {}), ['\uFEFFf']);
    }
  });

  it('field names that decode to the same text (not valid UTF-8) reject with DataError, never a field silently dropped', async () => {
    const r = ctx.r;
    // 0xff and 0xfe are never UTF-8: both names decode to "\uFFFD" + "a"; so does the valid U+FFFD.
    const lossy = [Buffer.from([0xff, 0x61]), Buffer.from([0xfe, 0x61]), Buffer.from('\uFFFDa')];
    for (const [a, b] of [
      [lossy[0]!, lossy[1]!],
      [lossy[2]!, lossy[0]!],
    ] as const) {
      await r.del('hb');
      await r.hset('hb', a, '1', b, '2', 'plain', '3');
      for (const [how, read] of [
        ['hgetall', () => r.hgetall('hb')],
        ['withBuffers().hgetall', () => r.withBuffers().hgetall('hb')],
        [
          'pipeline',
          () =>
            r
              .pipeline()
              .hgetall('hb')
              .exec()
              .then((v) => (v[0] instanceof Error ? Promise.reject(v[0]) : v)),
        ],
      ] as const) {
        await assert.rejects(read(), (e: unknown) => {
          assert.ok(e instanceof DataError, `${how}: ${String(e)}`);
          assert.equal(e.code, ErrorCodes.UNEXPECTED_REPLY);
          assert.ok(!e.message.includes('plain'), 'no reply data in the message');
          return true;
        });
      }
      // The reply was read whole: the connection goes on with the next command's own reply.
      assert.equal(await r.hget('hb', 'plain'), '3');
    }
    // In a transaction the hash's slot holds the error, as a server's error would be there: the
    // other results are kept, and the caller knows the transaction ran.
    await r.set('kb', 'v');
    const results = await r.multi().hgetall('hb').get('kb').exec();
    assert.ok(results[0] instanceof DataError, String(results[0]));
    assert.equal(results[1], 'v');
    // The ways the message names read such names as bytes, each name whole.
    const names = (await r.withBuffers().hkeys('hb')).map((b) => Buffer.from(b).toString('hex')).sort();
    assert.deepEqual(names, ['efbfbd61', 'ff61', '706c61696e'].sort());
    await r.del('sb');
    await r.call('XADD', 'sb', '2-1', lossy[0]!, '1', lossy[1]!, '2');
    await assert.rejects(r.xrange('sb', '-', '+'), DataError);
    await assert.rejects(r.withBuffers().xrange('sb', '-', '+'), DataError);
    const raw = (await r.withBuffers().call('XRANGE', 'sb', '2-1', '2-1')) as [[Uint8Array, Uint8Array[]]];
    assert.deepEqual(
      raw[0][1].map((b) => Buffer.from(b).toString('hex')),
      ['ff61', '31', 'fe61', '32'],
    );
    // Distinct names that are not ASCII (valid UTF-8), and one lossy name alone, are all kept.
    await r.del('hb');
    await r.hset('hb', 'é', '1', 'è', '2', lossy[0]!, '3');
    assert.deepEqual(await r.hgetall('hb'), { é: '1', è: '2', '\uFFFDa': '3' });
    assert.equal(Object.keys(await r.withBuffers().hgetall('hb')).length, 3);
  });
});

perProtocol('list commands', (ctx) => {
  it('push/pop in all forms', async () => {
    const r = ctx.r;
    assert.equal(await r.lpushx('l', 'x'), 0);
    assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
    assert.equal(await r.lpush('l', 'z'), 4);
    assert.equal(await r.rpushx('l', 'd'), 5);
    assert.equal(await r.llen('l'), 5);
    assert.equal(await r.lpop('l'), 'z');
    assert.equal(await r.rpop('l'), 'd');
    assert.deepEqual(await r.lpopCount('l', 2), ['a', 'b']);
    assert.deepEqual(await r.rpopCount('l', 5), ['c']);
    assert.equal(await r.lpop('l'), null);
    assert.equal(await r.lpopCount('l', 2), null);
    assert.equal(await r.rpopCount('l', 2), null);
  });

  it('lrange, lindex, linsert, lrem, lset, ltrim, lpos', async () => {
    const r = ctx.r;
    await r.rpush('l', 'a', 'b', 'a', 'c', 'a');
    assert.deepEqual(await r.lrange('l', 0, -1), ['a', 'b', 'a', 'c', 'a']);
    assert.equal(await r.lindex('l', 1), 'b');
    assert.equal(await r.lindex('l', 99), null);
    assert.equal(await r.lpos('l', 'a'), 0);
    assert.equal(await r.lpos('l', 'a', { rank: 2 }), 2);
    assert.equal(await r.lpos('l', 'a', { rank: -1 }), 4);
    assert.equal(await r.lpos('l', 'a', { rank: 1, maxlen: 1 }), 0);
    assert.equal(await r.lpos('l', 'zz'), null);
    assert.deepEqual(await r.lposCount('l', 'a', 0), [0, 2, 4]);
    assert.deepEqual(await r.lposCount('l', 'a', 2, { rank: -1 }), [4, 2]);
    assert.deepEqual(await r.lposCount('l', 'zz', 0), []);
    assert.equal(await r.linsert('l', 'BEFORE', 'c', 'x'), 6);
    assert.equal(await r.linsert('l', 'AFTER', 'nope', 'x'), -1);
    assert.equal(await r.lrem('l', -2, 'a'), 2);
    assert.deepEqual(await r.lrange('l', 0, -1), ['a', 'b', 'x', 'c']);
    assert.equal(await r.lset('l', 1, 'B'), 'OK');
    assert.equal(await r.ltrim('l', 1, 2), 'OK');
    assert.deepEqual(await r.lrange('l', 0, -1), ['B', 'x']);
  });

  it('lmove, rpoplpush, lmpop', async () => {
    const r = ctx.r;
    await r.rpush('src', '1', '2', '3');
    assert.equal(await r.lmove('src', 'dst', 'LEFT', 'RIGHT'), '1');
    assert.equal(await r.rpoplpush('src', 'dst'), '3');
    assert.deepEqual(await r.lrange('dst', 0, -1), ['3', '1']);
    assert.equal(await r.lmove('none', 'dst', 'LEFT', 'LEFT'), null);
    assert.deepEqual(await r.lmpop(['none', 'dst'], 'LEFT', 5), { key: 'dst', elements: ['3', '1'] });
    assert.deepEqual(await r.lmpop('src', 'RIGHT'), { key: 'src', elements: ['2'] });
    assert.equal(await r.lmpop(['src', 'dst'], 'LEFT'), null);
  });

  it('blocking pops resolve at once when data is there, null on timeout', async () => {
    const r = ctx.r;
    await r.rpush('q', 'a', 'b', 'c', 'd', 'e');
    assert.deepEqual(await r.blpop('q', 1), ['q', 'a']);
    assert.deepEqual(await r.brpop(['none', 'q'], 1), ['q', 'e']);
    assert.equal(await r.blmove('q', 'q2', 'LEFT', 'LEFT', 1), 'b');
    assert.equal(await r.brpoplpush('q', 'q2', 1), 'd');
    assert.deepEqual(await r.blmpop(1, ['none', 'q'], 'LEFT', 10), { key: 'q', elements: ['c'] });
    assert.equal(await r.blpop('q', 0.05), null);
    assert.equal(await r.blmpop(0.05, 'q', 'LEFT'), null);
    assert.equal(await r.blmove('q', 'q2', 'LEFT', 'LEFT', 0.05), null);
  });
});

perProtocol('set commands', (ctx) => {
  it('sadd, srem, smembers, sismember, smismember, scard', async () => {
    const r = ctx.r;
    assert.equal(await r.sadd('s', 'a', 'b', 'c', 'a'), 3);
    assert.equal(await r.srem('s', 'c', 'zz'), 1);
    assert.deepEqual((await r.smembers('s')).sort(), ['a', 'b']);
    assert.deepEqual(await r.smembers('none'), []);
    assert.equal(await r.sismember('s', 'a'), true);
    assert.equal(await r.sismember('s', 'z'), false);
    assert.deepEqual(await r.smismember('s', 'a', 'z', 'b'), [true, false, true]);
    assert.equal(await r.scard('s'), 2);
  });

  it('spop, srandmember, smove', async () => {
    const r = ctx.r;
    assert.equal(await r.spop('none'), null);
    assert.deepEqual(await r.spopCount('none', 2), []);
    assert.equal(await r.srandmember('none'), null);
    assert.deepEqual(await r.srandmemberCount('none', 3), []);
    await r.sadd('s', 'a', 'b', 'c');
    assert.equal((await r.srandmemberCount('s', -7)).length, 7);
    assert.deepEqual((await r.srandmemberCount('s', 10)).sort(), ['a', 'b', 'c']);
    assert.ok(['a', 'b', 'c'].includes((await r.srandmember('s')) as string));
    const popped = await r.spopCount('s', 2);
    assert.equal(popped.length, 2);
    const last = (await r.spop('s')) as string;
    assert.deepEqual([...popped, last].sort(), ['a', 'b', 'c']);
    await r.sadd('x', '1');
    assert.equal(await r.smove('x', 'y', '1'), true);
    assert.equal(await r.smove('x', 'y', '1'), false);
  });

  it('set algebra and stores, sintercard', async () => {
    const r = ctx.r;
    await r.sadd('a', '1', '2', '3');
    await r.sadd('b', '2', '3', '4');
    assert.deepEqual((await r.sinter('a', 'b')).sort(), ['2', '3']);
    assert.deepEqual((await r.sunion(['a', 'b'])).sort(), ['1', '2', '3', '4']);
    assert.deepEqual(await r.sdiff('a', 'b'), ['1']);
    assert.equal(await r.sinterstore('i', 'a', 'b'), 2);
    assert.equal(await r.sunionstore('u', 'a', 'b'), 4);
    assert.equal(await r.sdiffstore('d', 'b', 'a'), 1);
    assert.deepEqual(await r.smembers('d'), ['4']);
    assert.equal(await r.sintercard(['a', 'b']), 2);
    assert.equal(await r.sintercard(['a', 'b'], 1), 1);
  });

  it('sscan pages', async () => {
    await ctx.r.sadd('s', 'a', 'b');
    const page = await ctx.r.sscan('s', 0, { match: '*' });
    assert.equal(page.cursor, '0');
    assert.deepEqual(page.items.sort(), ['a', 'b']);
  });
});
