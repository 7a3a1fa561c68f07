/**
 * Map keys come from a process-wide cache of earlier keys and from each parser's keys of the last
 * large map by position (src/core/key-cache.ts): a key must be exactly its own bytes however many other keys share its cache set, came before it, or
 * were evicted, and whatever its length (packed, short, long, past the cached length).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedKey, KEY_MAX } from '../src/core/key-cache.js';
import { recorder } from './support/parser-harness.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** Deterministic pseudo-random generator (mulberry32): the same keys on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ASCII keys of 1..KEY_MAX + 16 bytes, many differing in a single byte from another. */
function keys(count: number, seed: number): string[] {
  const rnd = random(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const len = 1 + Math.floor(rnd() * (KEY_MAX + 16));
    let k = '';
    for (let i = 0; i < len; i++) k += String.fromCharCode(32 + Math.floor(rnd() * 95));
    if (/^\d+$/.test(k)) continue; // index-like keys enumerate first: keep Object.keys() in stream order
    out.add(k);
    // a near twin: same length, last byte changed
    const last = k.charCodeAt(len - 1);
    const twin = k.slice(0, -1) + String.fromCharCode(last === 126 ? 32 : last + 1);
    if (!/^\d+$/.test(twin)) out.add(twin);
  }
  return [...out].slice(0, count);
}

function mapReply(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.from(`%${pairs.length}\r\n${pairs.map(([k, v]) => bulk(k) + bulk(v)).join('')}`, 'utf8');
}

describe('map keys through the key cache', () => {
  it('are their own bytes across more keys than the cache holds, repeated in shuffled orders', () => {
    const all = keys(12_000, 7);
    const rnd = random(11);
    const r = recorder();
    for (let round = 0; round < 6; round++) {
      // a working set that repeats (rounds 0-5 share the first 1500 keys) plus fresh keys
      const pick = [...all.slice(0, 1500), ...all.slice(1500 + round * 1500, 3000 + round * 1500)];
      for (let i = pick.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [pick[i], pick[j]] = [pick[j]!, pick[i]!];
      }
      const pairs = pick.map((k, i) => [k, `v${i}`] as const);
      r.events.length = 0;
      r.parser.feed(mapReply(pairs));
      assert.equal(r.events.length, 1);
      const got = r.events[0]!;
      assert.equal(got.kind, 'reply');
      const o = got.value as Record<string, string>;
      assert.deepEqual(Object.keys(o), pick, `round ${round}: keys in order`);
      for (const [k, v] of pairs) assert.equal(o[k], v);
    }
  });

  it('are their own bytes when a repeated map changes one key in place, or nests maps', () => {
    const r = recorder();
    const base = Array.from({ length: 1200 }, (_, i) => `field:${i}`);
    const decode = (buf: Buffer): Record<string, unknown> => {
      r.events.length = 0;
      r.parser.feed(buf);
      assert.equal(r.events.length, 1);
      return (r.events[0] as { value: Record<string, unknown> }).value;
    };
    const variants = [
      base,
      base,
      base.map((k, i) => (i === 500 ? 'field:5O0' : k)), // same length, one byte differs
      base.map((k, i) => (i === 0 ? 'field:0\u00e9' : k)), // not ASCII: never cached
      base.slice(0, 40),
      base.slice(0, 1100).reverse(),
      base,
    ];
    for (const keysNow of variants) {
      const o = decode(mapReply(keysNow.map((k, i) => [k, `v${i}`] as const)));
      assert.deepEqual(Object.keys(o), keysNow);
      keysNow.forEach((k, i) => assert.equal(o[k], `v${i}`));
    }
    // maps inside a map: inner and outer keys take the same positions in turn
    const inner = (tag: string): string =>
      `%40\r\n${Array.from({ length: 40 }, (_, i) => bulk(`${tag}${i}`) + bulk('x')).join('')}`;
    const outer = Array.from(
      { length: 40 },
      (_, i) => bulk(`outer${i}`) + inner(i % 2 === 0 ? 'a' : 'b'),
    ).join('');
    for (let round = 0; round < 3; round++) {
      const o = decode(Buffer.from(`%40\r\n${outer}`, 'latin1'));
      assert.deepEqual(
        Object.keys(o),
        Array.from({ length: 40 }, (_, i) => `outer${i}`),
      );
      for (let i = 0; i < 40; i++) {
        const tag = i % 2 === 0 ? 'a' : 'b';
        assert.deepEqual(
          Object.keys(o[`outer${i}`] as object),
          Array.from({ length: 40 }, (_, j) => `${tag}${j}`),
        );
      }
    }
  });

  it('keeps __proto__ an own key when it comes from the cache', () => {
    const r = recorder();
    for (const n of [2, 40, 2, 40]) {
      const pairs = [
        ['__proto__', 'x'] as const,
        ...Array.from({ length: n - 1 }, (_, i) => [`k${i}`, 'y'] as const),
      ];
      r.events.length = 0;
      r.parser.feed(mapReply(pairs));
      const o = (r.events[0] as { value: Record<string, unknown> }).value;
      assert.equal(Object.getPrototypeOf(o), Object.prototype);
      assert.ok(Object.hasOwn(o, '__proto__'));
      assert.equal(Object.getOwnPropertyDescriptor(o, '__proto__')?.value, 'x');
    }
  });

  it('builds the same strings without a Buffer view', () => {
    for (const k of keys(3000, 3).filter((k) => k.length <= KEY_MAX)) {
      const b = new Uint8Array(Buffer.from(`..${k}..`, 'latin1'));
      assert.equal(cachedKey(b, null, 2, k.length), k);
      assert.equal(cachedKey(b, null, 2, k.length), k); // and from the cache
    }
  });
});
