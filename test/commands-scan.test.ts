/** scanIterator, hscanIterator, sscanIterator, zscanIterator: items (not pages), one page at a time, stop on break. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { perProtocol } from './commands-setup.js';

perProtocol('scan iterators', (ctx) => {
  const N = 1000;

  it('scanIterator yields every key once per item, with match, count and type', async () => {
    const r = ctx.r;
    await r.mset(Object.fromEntries(Array.from({ length: N }, (_, i) => [`key:${i}`, i])));
    await r.hset('hash:1', { a: '1' });
    const seen = new Set<string>();
    for await (const key of r.scanIterator({ count: 100 })) seen.add(key);
    assert.equal(seen.size, N + 1);
    const matched: string[] = [];
    for await (const key of r.scanIterator({ match: 'key:1??', count: 50 })) matched.push(key);
    assert.equal(new Set(matched).size, 100);
    const hashes: string[] = [];
    for await (const key of r.scanIterator({ type: 'hash' })) hashes.push(key);
    assert.deepEqual(hashes, ['hash:1']);
    const none: string[] = [];
    for await (const key of r.scanIterator({ match: 'nothing:*' })) none.push(key);
    assert.deepEqual(none, []);
  });

  it('stops sending SCAN when the loop breaks', async () => {
    const r = ctx.r;
    await r.mset(Object.fromEntries(Array.from({ length: N }, (_, i) => [`k${i}`, i])));
    const calls = async (): Promise<number> =>
      Number((await r.infoObject('commandstats')).cmdstat_scan?.match(/calls=(\d+)/)?.[1] ?? 0);
    const before = await calls();
    let n = 0;
    for await (const _ of r.scanIterator({ count: 100 })) {
      if (++n === 5) break;
    }
    assert.equal(n, 5);
    assert.equal((await calls()) - before, 1, 'one page fetched for five keys');
  });

  it('hscanIterator yields { field, value } for every field', async () => {
    const r = ctx.r;
    const fields = Object.fromEntries(Array.from({ length: N }, (_, i) => [`f${i}`, `v${i}`]));
    await r.hset('h', fields);
    const got: Record<string, string> = {};
    for await (const { field, value } of r.hscanIterator('h', { count: 100 })) got[field] = value;
    assert.deepEqual(got, fields);
    const small: Array<{ field: string; value: string }> = [];
    await r.hset('small', { a: '1' });
    for await (const fv of r.hscanIterator('small')) small.push(fv);
    assert.deepEqual(small, [{ field: 'a', value: '1' }]);
  });

  it('sscanIterator yields members; zscanIterator yields { member, score }', async () => {
    const r = ctx.r;
    const members = Array.from({ length: N }, (_, i) => `m${i}`);
    await r.sadd('s', ...members);
    const seen = new Set<string>();
    for await (const m of r.sscanIterator('s', { match: 'm*' })) seen.add(m);
    assert.equal(seen.size, N);
    await r.zadd(
      'z',
      members.map((member, i) => ({ member, score: i / 2 })),
    );
    const scores = new Map<string, number>();
    for await (const { member, score } of r.zscanIterator('z', { count: 200 })) scores.set(member, score);
    assert.equal(scores.size, N);
    assert.equal(scores.get('m3'), 1.5);
    const empty: unknown[] = [];
    for await (const x of r.zscanIterator('none')) empty.push(x);
    assert.deepEqual(empty, []);
  });

  it('under withBuffers() and on a lent connection', async () => {
    await ctx.r.sadd('s', 'a');
    const bytes: Uint8Array[] = [];
    for await (const m of ctx.r.withBuffers().sscanIterator('s')) bytes.push(m);
    assert.ok(bytes[0] instanceof Uint8Array);
    const keys = await ctx.r.withConnection(async (conn) => {
      const out: string[] = [];
      for await (const k of conn.scanIterator()) out.push(k);
      return out;
    });
    assert.deepEqual(keys, ['s']);
  });
});
