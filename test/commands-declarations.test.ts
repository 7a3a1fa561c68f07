/**
 * Commands declared once: the run-time shape checks of typed methods (for
 * plain-JavaScript callers), call() classified like the typed methods, the
 * `cacheable` declarations, under RESP2 and RESP3 against a real server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DataError, type Redis } from '../src/index.js';
import { CACHEABLE_COMMANDS, DECLARATIONS, isCacheable } from '../src/commands/methods/index.js';
import { perProtocol } from './commands-setup.js';

/** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats. */
async function commandCalls(r: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await r.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    out.set(m[1] as string, Number(m[2]));
  return out;
}

/** Untyped view for calling typed methods the way plain JavaScript may. */
type Loose = Record<string, (...a: unknown[]) => Promise<unknown>>;

perProtocol('typed methods check their call shape', (ctx) => {
  it('ioredis-style calls reject with DataError naming the method and the expected call; nothing is sent', async () => {
    const r = ctx.r;
    const loose = r as unknown as Loose;
    await r.configResetstat();
    const misuses: Array<[string, unknown[], RegExp]> = [
      ['set', ['k', 'v', 'EX', 60], /^set\(\): .*expected set\(key, value, \{ ex: 60 \}\)/],
      [
        'set',
        ['k', 'v', 'NX'],
        /argument 3 must be an options object, got a string.*set\(key, value, \{ ex: 60 \}\)/,
      ],
      ['get', ['k', 'extra'], /^get\(\): 2 arguments given, at most 1 expected; expected get\(key\)/],
      ['zrange', ['z', 0, -1, 'WITHSCORES'], /zrangeWithScores\(key, start, stop\)/],
      ['eval', ['return 1', 1, 'k'], /eval\(script, \{ keys: \[key\], args: \[arg\] \}\)/],
      ['getex', ['k', 'EX', 10], /getex\(key, \{ ex: 60 \}\)/],
      ['hgetall', ['h', 'x'], /hgetall\(key\)/],
      ['incr', ['n', 1], /incr\(key\)/],
      // A value of the wrong shape where the builder reads an object or a list (was a TypeError
      // quoting the value): the expected call, never the value.
      [
        'geosearch',
        ['g', { member: 'm' }, 60],
        /^geosearch\(\): the arguments are not of the expected shape/,
      ],
      ['xadd', ['s', '*', 60], /^xadd\(\): the arguments are not of the expected shape/],
    ];
    for (const [method, args, message] of misuses) {
      await assert.rejects(
        (loose[method] as (...a: unknown[]) => Promise<unknown>).apply(r, args),
        (e: unknown) => e instanceof DataError && message.test(e.message) && !e.message.includes('60,'),
        `${method}(${args.map((a) => typeof a).join(', ')})`,
      );
    }
    const calls = await commandCalls(r);
    for (const c of ['set', 'get', 'zrange', 'eval', 'getex', 'hgetall', 'incr', 'geosearch', 'xadd'])
      assert.equal(calls.get(c), undefined, `${c} reached the server`);
    assert.equal(await r.set('k', 'v', { ex: 60 }), 'OK');
    assert.ok((await r.ttl('k')) > 50);
    // withConnection's callback: checked before a connection is lent.
    await assert.rejects(
      r.withConnection(60 as never),
      (e: unknown) => e instanceof DataError && /fn must be a function/.test(e.message),
    );
  });

  it('an option the method does not take (node-redis { NX: true, PX: 30000 }) rejects with DataError; nothing is sent', async () => {
    const r = ctx.r;
    const loose = r as unknown as Loose;
    await r.call('ZADD', 'z', 1, 'a', 5, 'b', 50, 'c');
    await r.set('held', 'other-owner');
    await r.configResetstat();
    // Each ran as if its options were absent: the lock SET overwrote another owner's token with
    // no expiry, ZRANGE answered ranks 0..10 instead of scores, EVAL ran with no keys.
    const misuses: Array<[string, unknown[], RegExp]> = [
      [
        'set',
        ['held', 'me', { NX: true, PX: 30000 }],
        /unknown option 'NX' .*'nx'.*set\(key, value, \{ ex: 60 \}\)/,
      ],
      ['set', ['k', 'v', { ex: 60, EX: 60 }], /unknown option 'EX' .*'ex'/],
      [
        'set',
        ['k', 'v', { expiration: { type: 'EX', value: 60 }, condition: 'NX' }],
        /options: ex, px, exat/,
      ],
      ['getex', ['held', { EX: 10 }], /unknown option 'EX'/],
      ['zrange', ['z', 0, 10, { BY: 'SCORE' }], /unknown option 'BY' .*'by'/],
      ['zrange', ['z', 0, 10, { by: 'SCORE' }], /^zrange\(\): option 'by' must be 'score' or 'lex'$/],
      ['eval', ['return #KEYS', { KEYS: ['held'] }], /unknown option 'KEYS' .*'keys'/],
      ['scan', [0, { MATCH: 'h*' }], /unknown option 'MATCH'/],
      ['xadd', ['s', '*', { f: 'v' }, { MAXLEN: 10 }], /unknown option 'MAXLEN' .*'maxlen'/],
      ['zadd', ['z', [{ score: 9, member: 'a' }], { NX: true }], /unknown option 'NX' .*'nx'/],
      ['zadd', ['z', { score: 9, member: 'a' }, 'NX'], /argument 3 must be an options object/],
      ['xtrim', ['s', { MAXLEN: 0 }], /unknown option 'MAXLEN'/],
      // A key that is no option in any case is not named: it may be the caller's data.
      [
        'hgetex',
        ['h', ['f'], { 'secret-field': 1 }],
        /^hgetex\(\): argument 3 has an option it does not take/,
      ],
    ];
    for (const [method, args, message] of misuses) {
      await assert.rejects(
        (loose[method] as (...a: unknown[]) => Promise<unknown>).apply(r, args),
        (e: unknown) =>
          e instanceof DataError &&
          e.command === method.toUpperCase() &&
          message.test(e.message) &&
          !/30000|SCORE|secret|other-owner/.test(e.message),
        `${method}(${args.map((a) => typeof a).join(', ')})`,
      );
    }
    // In a pipeline the misuse takes its slot; in multi() it fails the whole transaction.
    const p = r.pipeline().set('p1', '1');
    void (p as unknown as Loose).set?.call(p, 'p2', '2', { EX: 60 });
    const res: unknown[] = await p.get('p1').exec();
    assert.equal(res[0], 'OK');
    assert.ok(res[1] instanceof DataError);
    assert.equal(res[2], '1');
    const m = r.multi().set('m1', '1');
    void (m as unknown as Loose).set?.call(m, 'm2', '2', { NX: true });
    await assert.rejects(m.exec(), DataError);
    const calls = await commandCalls(r);
    assert.equal(calls.get('set'), 1, "only the pipeline's good SET reached the server");
    for (const c of ['multi', 'getex', 'zrange', 'eval', 'scan', 'xadd', 'hgetex', 'zadd', 'xtrim'])
      assert.equal(calls.get(c), undefined, `${c} reached the server`);
    assert.equal(await r.get('held'), 'other-owner');
    assert.equal(await r.ttl('held'), -1);
    // Known options still go, undefined ones included; an inherited key is not the caller's.
    assert.equal(await r.set('k', 'v', { ex: 60, nx: undefined }), 'OK');
    assert.ok((await r.ttl('k')) > 50);
    assert.equal(await r.set('k2', 'v', Object.create({ ex: 60 }) as { ex: number }), 'OK');
    assert.ok((await r.ttl('k2')) > 50);
    assert.deepEqual(await r.zrange('z', 0, 10, { by: 'score' }), ['a', 'b']);
  });

  it('in a pipeline the misuse takes its slot; in multi() it fails the transaction, nothing sent', async () => {
    const r = ctx.r;
    await r.configResetstat();
    const p = r.pipeline().set('a', '1');
    void (p as unknown as Loose).set?.call(p, 'b', '2', 'EX', 1);
    const res: unknown[] = await p.get('a').exec();
    assert.equal(res[0], 'OK');
    assert.ok(res[1] instanceof DataError);
    assert.equal(res[2], '1');
    const m = r.multi().set('c', '1');
    void (m as unknown as Loose).get?.call(m, 'c', 'extra');
    await assert.rejects(m.exec(), DataError);
    const calls = await commandCalls(r);
    assert.equal(calls.get('set'), 1);
    assert.equal(calls.get('multi'), undefined);
    assert.equal(await r.exists('c'), 0);
  });

  it('call() is classified like the typed method (SET NX not idempotent, XREAD BLOCK on a dedicated connection)', async () => {
    const r = ctx.r;
    const { commandFlags } = await import('../src/shared/command-flags.js');
    assert.equal(commandFlags('SET', ['k', 'v']).safe, true);
    assert.equal(commandFlags('SET', ['k', 'v', 'NX']).safe, false);
    assert.equal(commandFlags('set', ['k', 'v', 'get']).safe, false);
    assert.equal(commandFlags('XREAD', ['BLOCK', 10, 'STREAMS', 's', '$']).blocking, true);
    assert.equal(commandFlags('XREAD', ['COUNT', 1, 'STREAMS', 's', '0']).blocking, false);
    // A blocking XREAD through call() does not hold up the shared connection.
    const blocked = r.call('XREAD', 'BLOCK', 200, 'STREAMS', 's', '$');
    assert.equal(await r.call('SET', 'k', 'v', 'NX'), 'OK');
    assert.equal(await r.call('SET', 'k', 'v', 'NX'), null);
    assert.equal(await blocked, null);
  });
});

it('every typed method with an options object declares its option names', () => {
  const missing = Object.entries(DECLARATIONS)
    .filter(([, d]) => d.params.some((p) => p.startsWith('{')) && d.options === undefined)
    .map(([name]) => name);
  assert.deepEqual(missing, []);
});

it('cacheable declarations: the read-only, deterministic, key-based commands', () => {
  const expected = [
    'exists',
    'get',
    'getrange',
    'hexists',
    'hget',
    'hgetall',
    'hkeys',
    'hlen',
    'hmget',
    'hstrlen',
    'hvals',
    'json.get', // a module command: declared by its rule (the module is not needed to say so)
    'lindex',
    'llen',
    'lrange',
    'mget',
    'scard',
    'sismember',
    'smembers',
    'smismember',
    'strlen',
    'type',
    'zcard',
    'zcount',
    'zlexcount',
    'zmscore',
    'zrange',
    'zrangebylex', // the ZRANGE family: the untyped older forms by their rules
    'zrangebyscore',
    'zrank',
    'zrevrange',
    'zrevrangebylex',
    'zrevrangebyscore',
    'zrevrank',
    'zscore',
  ];
  assert.deepEqual([...CACHEABLE_COMMANDS].sort(), expected);
  // Never a write, a random or a blocking command, whatever the lists above become.
  for (const name of ['zrangestore', 'zrandmember', 'srandmember', 'hrandfield', 'bzpopmin', 'json.set'])
    assert.equal(isCacheable(name), false, name);
  assert.equal(isCacheable('json.get'), true);
});

perProtocol('variadic methods take an array as well as spread arguments', (ctx) => {
  it('rpush, sadd, zrem, hdel, zmscore, hmget, smismember with arrays and spread', async () => {
    const r = ctx.r;
    assert.equal(await r.rpush('l', ['a', 'b']), 2);
    assert.equal(await r.rpush('l', 'c', 'd'), 4);
    assert.equal(await r.lpush('l', ['z']), 5);
    assert.deepEqual(await r.lrange('l', 0, -1), ['z', 'a', 'b', 'c', 'd']);
    assert.equal(await r.sadd('s', ['a', 'b', 'c']), 3);
    assert.deepEqual(await r.smismember('s', ['a', 'x']), [true, false]);
    assert.equal(await r.srem('s', ['a', 'b']), 2);
    await r.zadd('z', [
      { score: 1, member: 'a' },
      { score: 2, member: 'b' },
      { score: 3, member: 'c' },
    ]);
    assert.deepEqual(await r.zmscore('z', ['a', 'x', 'c']), [1, null, 3]);
    assert.equal(await r.zrem('z', ['a', 'b']), 2);
    assert.equal(await r.zrem('z', 'c'), 1);
    await r.hset('h', { f1: '1', f2: '2', f3: '3' });
    assert.deepEqual(await r.hmget('h', ['f1', 'nope']), ['1', null]);
    assert.equal(await r.hdel('h', ['f1', 'f2']), 2);
    assert.equal(await r.hdel('h', 'f3'), 1);
    assert.equal(await r.pfadd('hll', ['a', 'b']), true);
    assert.equal(await r.xack('st', 'g', ['0-1', '0-2']), 0);
  });

  // The wire path is the same under both protocols: the big case runs once (RESP3), for time.
  if (ctx.protocol === 3)
    it('one array of 1M elements: rpush, sadd, and srem in a pipeline (no spread into a call anywhere)', async () => {
      const r = ctx.r;
      const n = 1_000_000;
      const values: number[] = new Array<number>(n);
      for (let i = 0; i < n; i++) values[i] = i;
      assert.equal(await r.rpush('big-l', values), n);
      assert.equal(await r.lindex('big-l', n - 1), String(n - 1));
      assert.equal(await r.sadd('big-s', values), n);
      assert.equal(await r.scard('big-s'), n);
      assert.equal(
        await r
          .pipeline()
          .srem('big-s', values)
          .exec()
          .then((x) => x[0]),
        n,
      );
    });
});

it('command names spelled in mixed case (a proxy passing its callers’ input to call()) do not grow a process-wide table', () => {
  // Every spelling met was remembered: 2^20 case variants of GEORADIUSBYMEMBER_RO alone, and
  // any run of spaces in `CLIENT  SETNAME`, each kept for the life of the process.
  const entry = pathToFileURL(new URL('../src/shared/command-flags.ts', import.meta.url).pathname).href;
  const code = `
    const { commandFlags } = await import(${JSON.stringify(entry)});
    const name = 'georadiusbymember_ro';
    const spell = (bits) => [...name].map((c, i) => (bits >> i) & 1 ? c.toUpperCase() : c).join('');
    for (let i = 0; i < 1000; i++) commandFlags(spell(i), []);
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 1000; i < 201000; i++) {
      commandFlags(spell(i), []);
      commandFlags('client' + ' '.repeat(i % 5000 + 1) + 'setname', ['x']);
    }
    globalThis.gc();
    console.log(process.memoryUsage().heapUsed - before);
  `;
  const res = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', code],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(res.status, 0, res.stderr);
  // Remembered, the 200,000 spellings hold ~14 MB; a generous bound, well below that.
  const grown = Number(res.stdout.trim());
  assert.ok(grown < 5_000_000, `heap grew by ${grown} bytes`);
});
