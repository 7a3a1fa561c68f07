/** Geo, scripting (EVAL/EVALSHA/SCRIPT), functions (FCALL/FUNCTION) and publishing commands under RESP2 and RESP3. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CommandSyntaxError, FunctionError, NoScriptError, NotBusyError } from '../src/index.js';
import { perProtocol } from './commands-setup.js';

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-4;

perProtocol('geo commands', (ctx) => {
  const seed = () =>
    ctx.r.geoadd('g', [
      { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' },
      { longitude: 15.087269, latitude: 37.502669, member: 'Catania' },
    ]);

  it('geoadd with flags, geopos, geodist, geohash', async () => {
    const r = ctx.r;
    assert.equal(await seed(), 2);
    assert.equal(
      await r.geoadd('g', { longitude: 13.5, latitude: 38.1, member: 'Palermo' }, { nx: true }),
      0,
    );
    assert.equal(
      await r.geoadd(
        'g',
        { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' },
        { xx: true, ch: true },
      ),
      0,
    );
    await assert.rejects(
      // A compile error in TypeScript; plain JavaScript gets the CommandSyntaxError.
      r.geoadd('g', { longitude: 1, latitude: 1, member: 'x' }, { nx: true, xx: true } as never),
      CommandSyntaxError,
    );
    const [p, missing] = await r.geopos('g', 'Palermo', 'nope');
    assert.ok(p !== null && p !== undefined && close(p.longitude, 13.361389) && close(p.latitude, 38.115556));
    assert.equal(missing, null);
    assert.equal(await r.geodist('g', 'Palermo', 'Catania', 'km'), 166.2742);
    assert.equal(await r.geodist('g', 'Palermo', 'nope'), null);
    assert.deepEqual(await r.geohash('g', 'Palermo', 'nope'), ['sqc8b49rny0', null]);
  });

  it('geosearch from a member or a position, by radius or box, and geosearchWith', async () => {
    const r = ctx.r;
    await seed();
    assert.deepEqual(
      await r.geosearch('g', { longitude: 15, latitude: 37 }, { radius: 200, unit: 'km' }, { sort: 'ASC' }),
      ['Catania', 'Palermo'],
    );
    assert.deepEqual(
      await r.geosearch(
        'g',
        { member: 'Palermo' },
        { width: 400, height: 400, unit: 'km' },
        { sort: 'DESC', count: 1 },
      ),
      ['Catania'],
    );
    const detailed = await r.geosearchWith(
      'g',
      { longitude: 15, latitude: 37 },
      { radius: 200, unit: 'km' },
      { sort: 'ASC', withDist: true, withCoord: true, withHash: true },
    );
    assert.equal(detailed.length, 2);
    assert.equal(detailed[0]?.member, 'Catania');
    assert.equal(detailed[0]?.distance, 56.4413);
    assert.equal(detailed[0]?.hash, 3479447370796909);
    assert.ok(close(detailed[0]?.coordinates?.longitude ?? 0, 15.087269));
    const distOnly = await r.geosearchWith(
      'g',
      { member: 'Catania' },
      { radius: 100, unit: 'km' },
      { withDist: true },
    );
    assert.deepEqual(distOnly, [{ member: 'Catania', distance: 0 }]);
    await assert.rejects(
      r.geosearch('g', { member: 'Palermo' }, { radius: 1, unit: 'm' }, { any: true }),
      CommandSyntaxError,
    );
    assert.equal(
      await r.geosearchstore(
        'dst',
        'g',
        { longitude: 15, latitude: 37 },
        { radius: 100, unit: 'km' },
        { storedist: true },
      ),
      1,
    );
    assert.ok(close((await r.zscore('dst', 'Catania')) as number, 56.4413));
  });
});

perProtocol('scripting commands', (ctx) => {
  it('eval and evalRo with keys and args; replies as protocol values', async () => {
    const r = ctx.r;
    await r.set('k', 'v');
    assert.deepEqual(await r.eval('return {KEYS[1], ARGV[1], 3}', { keys: ['k'], args: ['a'] }), [
      'k',
      'a',
      3,
    ]);
    assert.equal(await r.evalRo("return redis.call('GET', KEYS[1])", { keys: ['k'] }), 'v');
    assert.equal(await r.eval('return nil'), null);
  });

  it('a script reply nested 1000 deep arrives whole (the server sends what the script builds); the connection carries on', async () => {
    const nested = await ctx.r.eval('local t = {1} for i = 1, 1000 do t = {t} end return t', { keys: [] });
    let depth = 0;
    for (let x: unknown = nested; Array.isArray(x); x = (x as unknown[])[0]) depth++;
    assert.equal(depth, 1001);
    assert.equal(await ctx.r.call('PING'), 'PONG');
  });

  it('scriptLoad, scriptExists, evalsha, evalshaRo, scriptFlush; NoScriptError', async () => {
    const r = ctx.r;
    const sha = await r.scriptLoad('return ARGV[1]');
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.deepEqual(await r.scriptExists(sha, '0'.repeat(40)), [true, false]);
    assert.equal(await r.evalsha(sha, { args: ['x'] }), 'x');
    assert.equal(await r.evalshaRo(sha, { args: ['y'] }), 'y');
    assert.equal(await r.scriptFlush('SYNC'), 'OK');
    await assert.rejects(r.evalsha(sha), NoScriptError);
    await assert.rejects(r.scriptKill(), NotBusyError);
  });
});

perProtocol('function commands', (ctx) => {
  const LIB = [
    '#!lua name=wlib',
    "redis.register_function('echo', function(keys, args) return args[1] end)",
    "redis.register_function{function_name='getk', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads a key'}",
  ].join('\n');

  it('functionLoad, fcall, fcallRo, functionList, functionDump/Restore, functionDelete, functionFlush', async () => {
    const r = ctx.r;
    await r.functionFlush('SYNC');
    assert.equal(await r.functionLoad(LIB), 'wlib');
    await assert.rejects(r.functionLoad(LIB), FunctionError);
    assert.equal(await r.functionLoad(LIB, { replace: true }), 'wlib');
    assert.equal(await r.fcall('echo', { args: ['hi'] }), 'hi');
    await r.set('k', 'v');
    assert.equal(await r.fcallRo('getk', { keys: ['k'] }), 'v');
    const libs = await r.functionList({ withCode: true });
    assert.equal(libs.length, 1);
    assert.equal(libs[0]?.libraryName, 'wlib');
    assert.equal(libs[0]?.engine, 'LUA');
    assert.equal(libs[0]?.libraryCode, LIB);
    assert.deepEqual(
      libs[0]?.functions.sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'echo', description: null, flags: [] },
        { name: 'getk', description: 'reads a key', flags: ['no-writes'] },
      ],
    );
    assert.deepEqual(await r.functionList({ libraryName: 'nomatch*' }), []);
    const dump = await r.withBuffers().functionDump();
    assert.ok(dump instanceof Uint8Array);
    assert.equal(await r.functionDelete('wlib'), 'OK');
    await assert.rejects(r.fcall('echo', { args: ['x'] }), FunctionError);
    assert.equal(await r.functionRestore(dump), 'OK');
    assert.equal(await r.fcall('echo', { args: ['back'] }), 'back');
    await assert.rejects(r.functionKill(), NotBusyError);
    assert.equal(await r.functionFlush(), 'OK');
  });
});

perProtocol('publish commands', (ctx) => {
  it('publish, spublish, pubsubChannels, pubsubNumsub, pubsubNumpat, shard variants', async () => {
    const r = ctx.r;
    assert.equal(await r.publish('nobody', 'hello'), 0);
    assert.equal(await r.spublish('nobody', 'hello'), 0);
    assert.deepEqual(await r.pubsubChannels(), []);
    assert.deepEqual(await r.pubsubNumsub('a', 'b'), { a: 0, b: 0 });
    assert.deepEqual(await r.pubsubNumsub(), {});
    assert.equal(await r.pubsubNumpat(), 0);
    assert.deepEqual(await r.pubsubShardchannels('x*'), []);
    assert.deepEqual(await r.pubsubShardnumsub('s'), { s: 0 });
  });

  it('pubsubNumsub of a channel named twice gives one count, with or without withBuffers()', async () => {
    for (const c of [ctx.r, ctx.r.withBuffers()]) {
      assert.deepEqual(await c.pubsubNumsub('a', 'é', 'a', 'é'), { a: 0, é: 0 });
      assert.deepEqual(await c.pubsubShardnumsub('s', 's'), { s: 0 });
    }
  });

  it('counts a real subscriber', async () => {
    const sub = await ctx.server.client();
    try {
      await sub.command('SUBSCRIBE', 'news');
      assert.deepEqual(await ctx.r.pubsubChannels('n*'), ['news']);
      assert.deepEqual(await ctx.r.pubsubNumsub('news'), { news: 1 });
      assert.equal(await ctx.r.publish('news', 'x'), 1);
    } finally {
      sub.close();
    }
  });
});
