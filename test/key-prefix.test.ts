/**
 * The keyPrefix option against real servers: standalone under RESP2 and RESP3 (commands,
 * pipelines, transactions, EVAL keys, WATCH, KEYS/SCAN patterns, reply keys stripped) and
 * a 3+3 cluster (routing by the prefixed key, hash tag in the prefix, pipelines, transactions).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataError, keySlot, RedisCluster, type Redis } from '../src/index.js';
import { parseInfo } from './support/raw-client.js';
import { perProtocol } from './commands-setup.js';
import { startCluster, type RedisClusterHandle } from './support/cluster.js';

perProtocol('keyPrefix', (ctx) => {
  let p: Redis;
  const prefixed = (): Redis => (p ??= ctx.client({ keyPrefix: 'app:' }));

  it('commands, pipelines, transactions and EVAL keys act on prefixed keys', async () => {
    const r = ctx.r;
    const c = prefixed();
    assert.equal(await c.set('k', 'v'), 'OK');
    assert.equal(await r.get('app:k'), 'v');
    assert.equal(await r.get('k'), null);
    assert.equal(await c.get('k'), 'v');
    await c.mset({ a: '1', b: '2' });
    assert.deepEqual(await r.mget('app:a', 'app:b'), ['1', '2']);
    assert.equal(await c.call('GET', 'a'), '1');
    assert.equal(await c.rpush('l', ['x', 'y']), 2);
    assert.deepEqual(await r.lrange('app:l', 0, -1), ['x', 'y']);
    const piped = await c.pipeline().set('p', '1').incr('p').get('p').exec();
    assert.deepEqual(piped, ['OK', 2, '2']);
    assert.equal(await r.get('app:p'), '2');
    const tx = await c.multi().set('t', 'a').append('t', 'b').exec();
    assert.deepEqual(tx, ['OK', 2]);
    assert.equal(await r.get('app:t'), 'ab');
    assert.equal(await c.eval("return redis.call('GET', KEYS[1])", { keys: ['t'] }), 'ab');
    assert.equal(await c.script("return redis.call('INCR', KEYS[1])").run({ keys: ['n'] }), 1);
    assert.equal(await r.get('app:n'), '1');
    await c.withConnection(async (conn) => {
      await conn.watch('t');
      await r.set('app:t', 'changed');
      await assert.rejects(
        conn.multi().set('t', 'x').exec(),
        (e: unknown) => (e as Error).name === 'WatchError',
      );
      assert.equal(await conn.get('t'), 'changed');
    });
  });

  it('KEYS and SCAN patterns get the prefix; reply keys come back without it', async () => {
    const r = ctx.r;
    const c = prefixed();
    await r.mset({ 'app:k1': '1', 'app:k2': '2', other: '3', 'app:x': '4' });
    assert.deepEqual((await c.keys('k*')).sort(), ['k1', 'k2']);
    const seen: string[] = [];
    for await (const k of c.scanIterator({ match: 'k*', count: 2 })) seen.push(k);
    assert.deepEqual(seen.sort(), ['k1', 'k2']);
    const all: string[] = [];
    for await (const k of c.scanIterator()) all.push(k);
    assert.deepEqual(all.sort(), ['k1', 'k2', 'x'], 'SCAN without MATCH stays in the namespace');
    // MATCH given as bytes is the same token: its pattern is prefixed, no second MATCH added after it.
    const raw: unknown[] = [];
    let cursor = '0';
    for (let i = 0; i < 100; i++) {
      const [next, keys] = (await c.call('SCAN', cursor, Buffer.from('match'), 'k*', 'COUNT', '1000')) as [
        string,
        unknown[],
      ];
      raw.push(...keys);
      cursor = String(next);
      if (cursor === '0') break;
    }
    assert.deepEqual(raw.map(String).sort(), ['k1', 'k2']);
    await r.rpush('app:q', 'v');
    assert.deepEqual(await c.blpop(['none', 'q'], 1), ['q', 'v']);
    await r.rpush('app:q', 'w');
    assert.deepEqual(await c.lmpop(['q'], 'LEFT'), { key: 'q', elements: ['w'] });
    await r.zadd('app:z', [{ score: 1, member: 'm' }]);
    assert.deepEqual(await c.zmpop('z', 'MIN'), { key: 'z', members: [{ member: 'm', score: 1 }] });
    await r.xadd('app:s', '1-1', { f: 'v' });
    const read = await c.xread({ key: 's', id: '0' });
    assert.equal(read?.[0]?.stream, 's');
    assert.equal(await c.exists('k1', 'other'), 1);
  });

  it('a key or pattern that is not a key type is refused with DataError, unsent, as without a prefix', async () => {
    const c = prefixed() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const r = ctx.r;
    const calls = async (): Promise<string> => {
      const info = parseInfo(await ctx.server.command('INFO', 'commandstats'));
      return ['get', 'set', 'keys', 'scan'].map((n) => `${n}:${info[`cmdstat_${n}`] ?? ''}`).join(' ');
    };
    const before = await calls();
    // Unprefixed, each is a DataError before sending; the prefix turned them into keys and
    // patterns of their own ('app:NaN', 'app:undefined', 'app:[object Object]', MATCH 'app:null').
    const misuse: Array<[string, () => Promise<unknown>]> = [
      ['get(NaN)', () => c.get!(Number.NaN)],
      ['set(NaN, v)', () => c.set!(Number.NaN, 'v')],
      ['keys(undefined)', () => c.keys!(undefined)],
      ['keys({})', () => c.keys!({})],
      ['keys(null)', () => c.keys!(null)],
      ['keys(NaN)', () => c.keys!(Number.NaN)],
      ['scan(0, { match: null })', () => c.scan!(0, { match: null })],
      ["call('SCAN', 0, 'MATCH', undefined)", () => c.call!('SCAN', 0, 'MATCH', undefined)],
    ];
    for (const [what, run] of misuse) await assert.rejects(run(), DataError, what);
    assert.equal(await calls(), before, 'nothing reached the server');
    // A number key is the same text with and without the prefix: Infinity is '+inf' either way.
    await c.set!(Infinity, 'up');
    await c.set!(-Infinity, 'down');
    assert.equal(await r.get('app:+inf'), 'up');
    assert.equal(await r.get('app:-inf'), 'down');
    assert.equal(await c.get!(Infinity), 'up');
  });

  it('pub/sub channels are not prefixed', async () => {
    const c = prefixed();
    const r = ctx.r;
    const got: string[] = [];
    await r.subscribe('news', (message: string) => got.push(message));
    assert.equal(await c.publish('news', 'hi'), 1);
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.deepEqual(got, ['hi']);
    await r.unsubscribe('news');
  });
});

describe('keyPrefix on a 3+3 cluster', () => {
  let cluster: RedisClusterHandle;
  let c: RedisCluster;
  let plain: RedisCluster;
  before(async () => {
    cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1 });
    c = new RedisCluster({ nodes: cluster.startupNodes(), keyPrefix: '{tenant7}:', refreshInterval: 0 });
    plain = new RedisCluster({ nodes: cluster.startupNodes(), refreshInterval: 0 });
  });
  after(async () => {
    await Promise.all([c.close(), plain.close()]);
    await cluster.stop();
  });

  it('routes by the prefixed key (hash tag in the prefix), in commands, pipelines, transactions and EVAL', async () => {
    const slot = keySlot('{tenant7}:a');
    assert.notEqual(keySlot('a'), keySlot('b'));
    assert.equal(await c.set('a', '1'), 'OK');
    assert.equal(await plain.get('{tenant7}:a'), '1');
    // a and b hash to different slots unprefixed; with the tag they share one: MSET/multi need no split.
    await c.mset({ a: '2', b: '3' });
    assert.deepEqual(await c.mget('a', 'b'), ['2', '3']);
    assert.deepEqual(await c.multi().incr('n').incr('m').exec(), [1, 1]);
    assert.deepEqual(await c.pipeline().get('a').get('n').exec(), ['2', '1']);
    assert.equal(await c.eval("return redis.call('GET', KEYS[1])", { keys: ['b'] }), '3');
    const owner = await cluster.ownerOf(slot);
    assert.equal(await owner.command('GET', '{tenant7}:b'), '3');
    await plain.rpush('{tenant7}:q', 'v');
    assert.deepEqual(await c.blpop('q', 1), ['q', 'v']);
  });

  it('withConnection(key): the node of the prefixed key; WATCH, commands and MULTI/EXEC prefixed and slot-checked', async () => {
    // Unprefixed, 'x' and 'y' lie in different slots: only the tag of the prefix puts them on one connection.
    assert.notEqual(keySlot('x'), keySlot('y'));
    await plain.set('{tenant7}:x', '10');
    const replies = await c.withConnection('x', async (conn) => {
      assert.equal(conn.slot, keySlot('{tenant7}:x'));
      await conn.watch('x', 'y');
      const seen = await conn.get('x');
      const tx = await conn.multi().set('x', '11').set('y', String(seen)).exec();
      return { seen, tx };
    });
    assert.deepEqual(replies, { seen: '10', tx: ['OK', 'OK'] });
    assert.equal(await plain.get('{tenant7}:x'), '11');
    assert.equal(await plain.get('{tenant7}:y'), '10');
    assert.equal(await plain.exists('x', 'y'), 0, 'nothing written under the bare keys');
    // A prefix without a hash tag: the lent connection is the node of 'app:x', and 'y' (as 'app:y', another
    // slot) is refused before sending.
    const app = new RedisCluster({ nodes: cluster.startupNodes(), keyPrefix: 'app:', refreshInterval: 0 });
    try {
      assert.notEqual(keySlot('app:x'), keySlot('app:y'));
      await app.withConnection('x', async (conn) => {
        assert.equal(conn.slot, keySlot('app:x'));
        assert.equal(await conn.set('x', 'lent'), 'OK');
        await assert.rejects(
          conn.get('y'),
          (e: unknown) => e instanceof Error && e.name === 'ClusterCrossSlotError',
        );
      });
      assert.equal(await plain.get('app:x'), 'lent');
    } finally {
      await app.close();
    }
  });
});
