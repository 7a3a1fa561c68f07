/** Sorted set commands under RESP2 and RESP3: scores are numbers either way. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CommandSyntaxError } from '../src/index.js';
import { perProtocol } from './commands-setup.js';

perProtocol('sorted set commands', (ctx) => {
  const seed = () =>
    ctx.r.zadd('z', [
      { score: 1, member: 'a' },
      { score: 2.5, member: 'b' },
      { score: 3, member: 'c' },
    ]);

  it('zadd in both spellings and with flags, zaddIncr', async () => {
    const r = ctx.r;
    assert.equal(await r.zadd('z', 1, 'a', 2, 'b'), 2);
    assert.equal(await r.zadd('z', { score: 5, member: 'a' }, { nx: true }), 0);
    assert.equal(
      await r.zadd(
        'z',
        [
          { score: 5, member: 'a' },
          { score: 9, member: 'n' },
        ],
        { xx: true, ch: true },
      ),
      1,
    );
    assert.equal(await r.zadd('z', { score: 1, member: 'a' }, { gt: true, ch: true }), 0);
    assert.equal(await r.zscore('z', 'a'), 5);
    assert.equal(await r.zaddIncr('z', 1.5, 'a'), 6.5);
    assert.equal(await r.zaddIncr('z', 1, 'a', { nx: true }), null);
    assert.equal(await r.zaddIncr('z', -10, 'a', { gt: true }), null);
    // Compile errors in TypeScript; plain JavaScript gets the CommandSyntaxError.
    await assert.rejects(
      r.zadd('z', { score: 1, member: 'x' }, { nx: true, gt: true } as never),
      CommandSyntaxError,
    );
    await assert.rejects(
      r.zadd('z', { score: 1, member: 'x' }, { gt: true, lt: true } as never),
      (e: unknown) => e instanceof CommandSyntaxError && e.arguments.has('lt'),
    );
  });

  it('zscore, zmscore, zincrby with inf and fractions', async () => {
    const r = ctx.r;
    await r.zadd('z', '+inf', 'top', '-inf', 'bottom', 0.1, 'tenth');
    assert.equal(await r.zscore('z', 'top'), Infinity);
    assert.equal(await r.zscore('z', 'bottom'), -Infinity);
    assert.equal(await r.zscore('z', 'none'), null);
    assert.deepEqual(await r.zmscore('z', 'tenth', 'none', 'top'), [0.1, null, Infinity]);
    assert.equal(await r.zincrby('z', 0.2, 'tenth'), 0.30000000000000004);
  });

  it('zcard, zcount, zlexcount, zrank, zrevrank, zrem', async () => {
    const r = ctx.r;
    await seed();
    assert.equal(await r.zcard('z'), 3);
    assert.equal(await r.zcount('z', '(1', '+inf'), 2);
    assert.equal(await r.zcount('z', 1, 2.5), 2);
    await r.zadd('lex', 0, 'a', 0, 'b', 0, 'c');
    assert.equal(await r.zlexcount('lex', '[b', '+'), 2);
    assert.equal(await r.zrank('z', 'c'), 2);
    assert.equal(await r.zrevrank('z', 'c'), 0);
    assert.equal(await r.zrank('z', 'none'), null);
    assert.equal(await r.zrem('z', 'a', 'none'), 1);
  });

  it('zrange by rank, score (with limit) and lex, reversed, with scores', async () => {
    const r = ctx.r;
    await seed();
    assert.deepEqual(await r.zrange('z', 0, -1), ['a', 'b', 'c']);
    assert.deepEqual(await r.zrange('z', 0, 1, { rev: true }), ['c', 'b']);
    assert.deepEqual(await r.zrange('z', '(1', '+inf', { by: 'score' }), ['b', 'c']);
    assert.deepEqual(
      await r.zrange('z', '+inf', '-inf', { by: 'score', rev: true, limit: { offset: 1, count: 1 } }),
      ['b'],
    );
    assert.deepEqual(await r.zrangeWithScores('z', 0, -1), [
      { member: 'a', score: 1 },
      { member: 'b', score: 2.5 },
      { member: 'c', score: 3 },
    ]);
    assert.deepEqual(await r.zrangeWithScores('z', 2, 100, { by: 'score' }), [
      { member: 'b', score: 2.5 },
      { member: 'c', score: 3 },
    ]);
    await r.zadd('lex', 0, 'a', 0, 'b', 0, 'c');
    assert.deepEqual(await r.zrange('lex', '[b', '+', { by: 'lex' }), ['b', 'c']);
    assert.deepEqual(
      await r.zrange('lex', '+', '-', { by: 'lex', rev: true, limit: { offset: 0, count: 2 } }),
      ['c', 'b'],
    );
    assert.equal(await r.zrangestore('dst', 'z', 1, 2), 2);
    assert.deepEqual(await r.zrange('dst', 0, -1), ['b', 'c']);
    assert.deepEqual(await r.zrangeWithScores('none', 0, -1), []);
  });

  it('zremrange by rank, score and lex', async () => {
    const r = ctx.r;
    await seed();
    assert.equal(await r.zremrangebyrank('z', 0, 0), 1);
    assert.equal(await r.zremrangebyscore('z', '(2.5', '+inf'), 1);
    assert.deepEqual(await r.zrange('z', 0, -1), ['b']);
    await r.zadd('lex', 0, 'a', 0, 'b', 0, 'c');
    assert.equal(await r.zremrangebylex('lex', '-', '(c'), 2);
  });

  it('zpopmin/zpopmax with and without count', async () => {
    const r = ctx.r;
    assert.equal(await r.zpopmin('none'), null);
    assert.deepEqual(await r.zpopminCount('none', 2), []);
    await seed();
    assert.deepEqual(await r.zpopmin('z'), { member: 'a', score: 1 });
    assert.deepEqual(await r.zpopmax('z'), { member: 'c', score: 3 });
    assert.deepEqual(await r.zpopminCount('z', 1), [{ member: 'b', score: 2.5 }]);
    await seed();
    assert.deepEqual(await r.zpopmaxCount('z', 2), [
      { member: 'c', score: 3 },
      { member: 'b', score: 2.5 },
    ]);
  });

  it('bzpopmin, bzpopmax, zmpop, bzmpop', async () => {
    const r = ctx.r;
    await seed();
    assert.deepEqual(await r.bzpopmin(['none', 'z'], 1), { key: 'z', member: 'a', score: 1 });
    assert.deepEqual(await r.bzpopmax('z', 1), { key: 'z', member: 'c', score: 3 });
    assert.equal(await r.bzpopmin('none', 0.05), null);
    assert.deepEqual(await r.zmpop(['none', 'z'], 'MIN'), {
      key: 'z',
      members: [{ member: 'b', score: 2.5 }],
    });
    assert.equal(await r.zmpop('z', 'MAX'), null);
    await seed();
    assert.deepEqual(await r.bzmpop(1, 'z', 'MAX', 2), {
      key: 'z',
      members: [
        { member: 'c', score: 3 },
        { member: 'b', score: 2.5 },
      ],
    });
    assert.equal(await r.bzmpop(0.05, 'none', 'MIN'), null);
  });

  it('zrandmember in its three forms', async () => {
    const r = ctx.r;
    assert.equal(await r.zrandmember('none'), null);
    assert.deepEqual(await r.zrandmemberCount('none', 3), []);
    assert.deepEqual(await r.zrandmemberWithScores('none', 3), []);
    await seed();
    assert.ok(['a', 'b', 'c'].includes((await r.zrandmember('z')) as string));
    assert.deepEqual((await r.zrandmemberCount('z', 5)).sort(), ['a', 'b', 'c']);
    const scored = await r.zrandmemberWithScores('z', 3);
    assert.deepEqual(
      scored.sort((x, y) => x.score - y.score),
      [
        { member: 'a', score: 1 },
        { member: 'b', score: 2.5 },
        { member: 'c', score: 3 },
      ],
    );
  });

  it('zunion, zinter, zdiff with weights and aggregates, stores, zintercard', async () => {
    const r = ctx.r;
    await r.zadd('x', 1, 'a', 2, 'b');
    await r.zadd('y', 10, 'b', 20, 'c');
    assert.deepEqual(await r.zunion(['x', 'y']), ['a', 'b', 'c']);
    assert.deepEqual(await r.zunionWithScores(['x', 'y'], { weights: [1, 2] }), [
      { member: 'a', score: 1 },
      { member: 'b', score: 22 },
      { member: 'c', score: 40 },
    ]);
    assert.deepEqual(await r.zinter(['x', 'y']), ['b']);
    assert.deepEqual(await r.zinterWithScores(['x', 'y'], { aggregate: 'MIN' }), [{ member: 'b', score: 2 }]);
    assert.deepEqual(await r.zdiff(['x', 'y']), ['a']);
    assert.deepEqual(await r.zdiffWithScores('x'), [
      { member: 'a', score: 1 },
      { member: 'b', score: 2 },
    ]);
    assert.equal(await r.zunionstore('u', ['x', 'y'], { aggregate: 'MAX' }), 3);
    assert.equal(await r.zscore('u', 'b'), 10);
    assert.equal(await r.zinterstore('i', ['x', 'y']), 1);
    assert.equal(await r.zscore('i', 'b'), 12);
    assert.equal(await r.zdiffstore('d', ['y', 'x']), 1);
    assert.equal(await r.zintercard(['x', 'y']), 1);
    assert.equal(await r.zintercard(['x', 'y'], 1), 1);
  });

  it('zscan pages as { member, score }', async () => {
    await seed();
    const page = await ctx.r.zscan('z', 0);
    assert.equal(page.cursor, '0');
    assert.deepEqual(page.items, [
      { member: 'a', score: 1 },
      { member: 'b', score: 2.5 },
      { member: 'c', score: 3 },
    ]);
  });

  it('members are bytes under withBuffers(), scores stay numbers', async () => {
    await seed();
    const got = await ctx.r.withBuffers().zrangeWithScores('z', 0, 0);
    assert.equal(got.length, 1);
    assert.ok(got[0]?.member instanceof Uint8Array);
    assert.equal(got[0]?.score, 1);
  });
});
