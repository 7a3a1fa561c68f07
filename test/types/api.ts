/**
 * Type-level checks of the command API: this file must compile (`npm run typecheck`,
 * and test/commands-types.test.ts). It is never run. Files under ./fail must not compile.
 */
import type {
  DedicatedConnection,
  Pipeline,
  Redis,
  RedisBuffers,
  RedisError,
  Transaction,
} from '../../src/index.js';
import type {
  FieldValue,
  GeoPosition,
  GeoSearchResult,
  GroupStreamEntry,
  LibraryInfo,
  ListPop,
  ScanPage,
  ScoredMember,
  StreamEntry,
  StreamRead,
  XAutoClaimResult,
  XInfoStream,
  XPendingSummary,
  ZKeyedMember,
  ZPop,
} from '../../src/commands/methods/index.js';

/** True when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
function check<T extends true>(): T | void {}
/** Compiles only when `value`'s type is exactly T. */
function exact<T>() {
  return <V>(value: V & (Equal<V, T> extends true ? unknown : never)): V => value;
}

export async function strings(r: Redis, b: RedisBuffers): Promise<void> {
  exact<string | null>()(await r.get('k'));
  exact<Uint8Array | null>()(await b.get('k'));
  exact<'OK' | string | null>()(await r.set('k', 'v', { ex: 10, nx: true, get: true }));
  await r.set(Buffer.from('k'), 1, { pxat: 1, xx: true });
  await r.set('k', new Uint8Array([1]), { keepttl: true });
  exact<Array<string | null>>()(await r.mget('a', ['b', 'c']));
  exact<'OK'>()(await r.mset({ a: 1, b: 'x' }));
  exact<'OK'>()(await r.mset('a', 1, 'b', 2));
  exact<number>()(await r.incrbyfloat('n', 0.5));
  exact<boolean>()(await r.setnx('k', 'v'));
  exact<string | null>()(await r.getex('k', { persist: true }));
}

export async function generic(r: Redis): Promise<void> {
  exact<number>()(await r.del('a', ['b']));
  exact<boolean>()(await r.expire('k', 10, 'NX'));
  exact<string>()(await r.type('k'));
  exact<string | null>()(await r.objectEncoding('k'));
  exact<Array<string | null>>()(
    await r.sort('l', { by: 'w_*', limit: { offset: 0, count: 10 }, get: ['#'], order: 'DESC', alpha: true }),
  );
  exact<ScanPage<string>>()(await r.scan('0', { match: 'a*', count: 10, type: 'hash' }));
  exact<[number, number]>()(await r.waitaof(1, 0, 100));
}

export async function hashes(r: Redis, b: RedisBuffers): Promise<void> {
  exact<number>()(await r.hset('h', { a: 1 }));
  exact<number>()(await r.hset('h', 'a', 1, 'b', 2));
  exact<Record<string, string>>()(await r.hgetall('h'));
  exact<Record<string, Uint8Array>>()(await b.hgetall('h'));
  exact<Array<FieldValue<string>>>()(await r.hrandfieldWithValues('h', 2));
  exact<ScanPage<FieldValue<string>>>()(await r.hscan('h', 0));
  exact<number[]>()(await r.hexpire('h', 10, ['a'], 'GT'));
  exact<boolean>()(await r.hsetex('h', { a: '1' }, { fnx: true, ex: 10 }));
}

export async function lists(r: Redis): Promise<void> {
  exact<[string, string] | null>()(await r.blpop(['a', 'b'], 1));
  exact<ListPop<string> | null>()(await r.lmpop(['a'], 'LEFT', 2));
  exact<ListPop<string> | null>()(await r.blmpop(1, 'a', 'RIGHT'));
  exact<string | null>()(await r.blmove('a', 'b', 'LEFT', 'RIGHT', 1));
  exact<number | null>()(await r.lpos('l', 'x', { rank: 1, maxlen: 10 }));
  exact<number[]>()(await r.lposCount('l', 'x', 0));
  exact<string[] | null>()(await r.lpopCount('l', 2));
}

export async function sets(r: Redis): Promise<void> {
  exact<boolean>()(await r.sismember('s', 'a'));
  exact<boolean[]>()(await r.smismember('s', 'a', 'b'));
  exact<string[]>()(await r.sinter('a', ['b']));
  exact<number>()(await r.sintercard(['a', 'b'], 10));
}

export async function sortedSets(r: Redis, b: RedisBuffers): Promise<void> {
  exact<number>()(await r.zadd('z', [{ score: 1, member: 'a' }], { gt: true, ch: true }));
  exact<number>()(await r.zadd('z', 1, 'a', 2, 'b'));
  exact<number | null>()(await r.zaddIncr('z', 1, 'a', { xx: true }));
  exact<number | null>()(await r.zscore('z', 'a'));
  exact<string[]>()(
    await r.zrange('z', '(1', '+inf', { by: 'score', rev: true, limit: { offset: 0, count: 5 } }),
  );
  exact<Array<ScoredMember<string>>>()(await r.zrangeWithScores('z', 0, -1));
  exact<Array<ScoredMember<Uint8Array>>>()(await b.zrangeWithScores('z', 0, -1));
  exact<ScoredMember<string> | null>()(await r.zpopmin('z'));
  exact<ZKeyedMember<string> | null>()(await r.bzpopmax(['z'], 1));
  exact<ZPop<string> | null>()(await r.bzmpop(1, ['z'], 'MIN', 2));
  exact<string[]>()(await r.zunion(['a', 'b'], { weights: [1, 2], aggregate: 'MAX' }));
}

export async function streams(r: Redis, b: RedisBuffers): Promise<void> {
  exact<string | null>()(await r.xadd('s', '*', { a: 1 }, { maxlen: 100, approx: true, nomkstream: true }));
  exact<Array<StreamEntry<string>>>()(await r.xrange('s', '-', '+', 10));
  exact<Array<StreamRead<StreamEntry<string>>> | null>()(
    await r.xread([{ key: 's', id: '$' }], { block: 1000, count: 10 }),
  );
  exact<Array<StreamRead<StreamEntry<Uint8Array>>> | null>()(await b.xread({ key: 's', id: '0' }));
  exact<Array<StreamRead<GroupStreamEntry<string>>> | null>()(
    await r.xreadgroup('g', 'c', { key: 's', id: '>' }, { noack: true }),
  );
  exact<XPendingSummary>()(await r.xpending('s', 'g'));
  exact<XAutoClaimResult<StreamEntry<string>>>()(await r.xautoclaim('s', 'g', 'c', 0, '0-0', 10));
  exact<XInfoStream<string>>()(await r.xinfoStream('s'));
  const read = await r.xread({ key: 's', id: '0' });
  if (read !== null) {
    for (const { stream, entries } of read) {
      exact<string>()(stream);
      for (const { id, fields } of entries) {
        exact<string>()(id);
        exact<Record<string, string>>()(fields);
      }
    }
  }
}

export async function geoBitsHll(r: Redis): Promise<void> {
  exact<number>()(await r.geoadd('g', [{ longitude: 1, latitude: 2, member: 'm' }], { ch: true }));
  exact<Array<GeoPosition | null>>()(await r.geopos('g', 'm'));
  exact<string[]>()(
    await r.geosearch('g', { member: 'm' }, { radius: 10, unit: 'km' }, { count: 5, any: true }),
  );
  exact<Array<GeoSearchResult<string>>>()(
    await r.geosearchWith(
      'g',
      { longitude: 1, latitude: 2 },
      { width: 1, height: 2, unit: 'm' },
      { withDist: true },
    ),
  );
  exact<Array<number | null>>()(
    await r.bitfield('b', [
      { op: 'OVERFLOW', behavior: 'SAT' },
      { op: 'INCRBY', type: 'i5', offset: '#2', increment: 1 },
    ]),
  );
  exact<number>()(await r.bitcount('b', { start: 0, end: 7, unit: 'BIT' }));
  exact<boolean>()(await r.pfadd('h', 'a'));
}

export async function scriptsAndServer(r: Redis): Promise<void> {
  exact<unknown>()(await r.eval('return 1', { keys: ['k'], args: [1] }));
  exact<string>()(await r.scriptLoad('return 1'));
  exact<boolean[]>()(await r.scriptExists('a', 'b'));
  exact<unknown>()(await r.fcall('fn', { keys: ['k'] }));
  exact<LibraryInfo[]>()(await r.functionList({ withCode: true }));
  exact<Record<string, number>>()(await r.pubsubNumsub('a'));
  exact<number>()(await r.publish('ch', 'msg'));
  exact<number>()(await r.clientId());
  exact<Record<string, string>>()(await r.infoObject('server'));
  exact<string>()(await r.info());
  exact<Record<string, string>>()(await r.configGet('maxmemory'));
  exact<boolean>()(await r.clientUnblock(1, 'ERROR'));
}

export async function untyped(r: Redis): Promise<void> {
  exact<unknown>()(await r.lolwut());
  exact<unknown>()(await r.config('GET', 'x'));
  exact<unknown>()(await r.jsonGet('k', '$'));
  exact<unknown>()(await r.clusterMeet('127.0.0.1', 7000));
  check<
    Equal<Redis['xinfoHelp'], (...args: Array<string | number | bigint | Uint8Array>) => Promise<unknown>>
  >();
}

export async function batches(r: Redis, p: Pipeline, t: Transaction): Promise<void> {
  // exec() resolves with a tuple built up call by call; each slot may hold its command's error.
  const chained = p.get('k').set('k', 'v', { ex: 1 }).zadd('z', 1, 'm').lolwut().call('PING');
  exact<[string | null | RedisError, string | null | RedisError, number | RedisError, unknown, unknown]>()(
    await chained.exec(),
  );
  const tx = t.incr('n').hgetall('h');
  exact<[number | RedisError, Record<string, string> | RedisError]>()(await tx.exec());
  exact<[string | null | RedisError, string | null | RedisError, number | RedisError]>()(
    await r.multi().set('k', 'v').get('k').incr('n').exec(),
  );
  exact<[]>()(await r.pipeline().exec());
  const [got, counted] = await r.pipeline().get('k').incr('n').exec();
  exact<string | null | RedisError>()(got);
  exact<number | RedisError>()(counted);
  const scripted = r.script('return 1').runIn(r.pipeline().get('k'));
  exact<[string | null | RedisError, unknown]>()(await scripted.exec());
  const loop: Pipeline<unknown[]> = r.pipeline();
  for (let i = 0; i < 3; i++) loop.incr('n');
  exact<unknown[]>()(await loop.exec());
  const typedAsTransaction: Transaction = t;
  void typedAsTransaction;
  await r.withConnection(async (conn: DedicatedConnection) => {
    exact<'OK'>()(await conn.watch('a', ['b']));
    exact<string | null>()(await conn.get('a'));
    return conn.multi().set('a', '1').exec();
  });
}

export async function iterators(r: Redis, b: RedisBuffers, c: DedicatedConnection): Promise<void> {
  for await (const key of r.scanIterator({ match: 'a*', type: 'string' })) exact<string>()(key);
  for await (const key of b.scanIterator()) exact<Uint8Array>()(key);
  for await (const fv of r.hscanIterator('h')) exact<FieldValue<string>>()(fv);
  for await (const m of r.sscanIterator('s', { count: 10 })) exact<string>()(m);
  for await (const m of b.zscanIterator('z')) exact<ScoredMember<Uint8Array>>()(m);
  for await (const key of c.scanIterator()) exact<string>()(key);
}
