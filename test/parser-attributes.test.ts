/**
 * RESP3 attributes (`|`): handed to a handler that has onAttribute, right before the reply they
 * belong to, at any nesting and any chunking; dropped without a trace (the core records nothing)
 * when the handler has no onAttribute.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser, type ReplyHandler } from '../src/core/parser.js';
import { loadNodeCore } from '../src/core/wasm-node.js';

loadNodeCore();

type Event =
  ['attr', unknown] | ['reply', unknown] | ['error', string] | ['push', unknown] | ['protocol', number];

function recorder(withAttributes: boolean): { handler: ReplyHandler; events: Event[] } {
  const events: Event[] = [];
  const handler: ReplyHandler = {
    onReply: (v) => events.push(['reply', v]),
    onError: (e) => events.push(['error', e.message]),
    onPush: (v) => events.push(['push', v]),
    onProtocolError: (code) => events.push(['protocol', code]),
  };
  if (withAttributes) handler.onAttribute = (a) => events.push(['attr', a]);
  return { handler, events };
}

/** Parses `wire` fed whole, then split at every byte boundary (two chunks): the same events each time. */
function parseAllWays(wire: string, withAttributes: boolean): Event[] {
  const bytes = Buffer.from(wire);
  const whole = recorder(withAttributes);
  new Parser(whole.handler).feed(bytes);
  for (let cut = 1; cut < bytes.length; cut++) {
    const r = recorder(withAttributes);
    const p = new Parser(r.handler);
    p.feed(Buffer.from(bytes.subarray(0, cut)));
    p.feed(Buffer.from(bytes.subarray(cut)));
    assert.deepEqual(r.events, whole.events, `split at ${cut}`);
  }
  return whole.events;
}

const TOP = '|1\r\n+ttl\r\n:3600\r\n$5\r\nhello\r\n';
const NESTED = '*3\r\n:1\r\n|2\r\n+a\r\n*2\r\n:1\r\n:2\r\n+b\r\n%1\r\n+k\r\n+v\r\n:2\r\n:3\r\n';
const BEFORE_ERROR = '|1\r\n+why\r\n+because\r\n-ERR no\r\n';
const BEFORE_PUSH = '|1\r\n+x\r\n:1\r\n>2\r\n+message\r\n+hi\r\n';
const EMPTY_AND_REPEATED = '|0\r\n|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n:9\r\n';
const ATTR_OF_ATTR = '|1\r\n|1\r\n+inner\r\n:0\r\n+outer\r\n:1\r\n+value\r\n';

describe('RESP3 attributes', () => {
  it('top level: the attribute, then the reply', () => {
    assert.deepEqual(parseAllWays(TOP, true), [
      ['attr', { ttl: 3600 }],
      ['reply', 'hello'],
    ]);
  });

  it('nested inside an aggregate: not an element of it, delivered before the reply', () => {
    assert.deepEqual(parseAllWays(NESTED, true), [
      ['attr', { a: [1, 2], b: { k: 'v' } }],
      ['reply', [1, 2, 3]],
    ]);
  });

  it('before an error and before a push', () => {
    assert.deepEqual(parseAllWays(BEFORE_ERROR, true), [
      ['attr', { why: 'because' }],
      ['error', 'ERR no'],
    ]);
    assert.deepEqual(parseAllWays(BEFORE_PUSH, true), [
      ['attr', { x: 1 }],
      ['push', ['message', 'hi']],
    ]);
  });

  it('empty, repeated, and an attribute of an attribute', () => {
    assert.deepEqual(parseAllWays(EMPTY_AND_REPEATED, true), [
      ['attr', {}],
      ['attr', { a: 1 }],
      ['attr', { b: 2 }],
      ['reply', 9],
    ]);
    assert.deepEqual(parseAllWays(ATTR_OF_ATTR, true), [
      ['attr', { inner: 0 }],
      ['attr', { outer: 1 }],
      ['reply', 'value'],
    ]);
  });

  it('without onAttribute the same stream gives the same replies and no attributes', () => {
    for (const wire of [TOP, NESTED, BEFORE_ERROR, BEFORE_PUSH, EMPTY_AND_REPEATED, ATTR_OF_ATTR]) {
      const withA = parseAllWays(wire, true).filter((e) => e[0] !== 'attr');
      assert.deepEqual(parseAllWays(wire, false), withA, wire);
    }
  });

  it('a large bulk (>= 64 KiB, collected outside the core) inside an attribute is kept', () => {
    const big = 'x'.repeat(70_000);
    const wire = `|1\r\n+blob\r\n$${big.length}\r\n${big}\r\n:7\r\n`;
    for (const size of [wire.length, 4096, 65536, 1000]) {
      const r = recorder(true);
      const p = new Parser(r.handler);
      const b = Buffer.from(wire);
      for (let at = 0; at < b.length; at += size) p.feed(b.subarray(at, at + size));
      assert.deepEqual(r.events, [
        ['attr', { blob: big }],
        ['reply', 7],
      ]);
    }
  });

  it('an attribute before a map key: the key is still its text, and two names of the same text still fail', () => {
    const byteByByte = (wire: Buffer, binary: 'buffer' | 'uint8array'): Event[][] =>
      [wire.length, 1].map((size) => {
        const r = recorder(true);
        const p = new Parser(r.handler, { binary });
        p.returnBuffers = true;
        for (let at = 0; at < wire.length; at += size) p.feed(wire.subarray(at, at + size));
        return r.events;
      });
    // Under returnBuffers a key annotated by an attribute was decoded as a value: bytes, then String() of them.
    const keyed = Buffer.from('%1\r\n|1\r\n+ttl\r\n:1\r\n$3\r\nkey\r\n$1\r\nv\r\n');
    for (const binary of ['uint8array', 'buffer'] as const) {
      const v = binary === 'buffer' ? Buffer.from('v') : new Uint8Array([0x76]);
      for (const events of byteByByte(keyed, binary)) {
        assert.deepStrictEqual(events, [
          ['attr', { ttl: 1 }],
          ['reply', { key: v }],
        ]);
      }
    }
    // 0xff 'a' and 0xfe 'a' both decode to '\ufffda': one field was dropped without a word.
    const lossy = Buffer.concat([
      Buffer.from('%2\r\n|0\r\n$2\r\n'),
      Buffer.from([0xff, 0x61]),
      Buffer.from('\r\n:1\r\n|0\r\n$2\r\n'),
      Buffer.from([0xfe, 0x61]),
      Buffer.from('\r\n:2\r\n+next\r\n'),
    ]);
    const r = recorder(true);
    new Parser(r.handler).feed(lossy);
    assert.equal(r.events.length, 2);
    assert.equal(r.events[0]![0], 'error');
    assert.match(String(r.events[0]![1]), /decode to the same text/);
    assert.deepStrictEqual(r.events[1], ['reply', 'next']);
  });

  it('a long run of attributes before one value: every attribute, then the value (no stack overflow)', () => {
    // Attributes in a row are no nesting (maxDepth does not count them), and a server may send any number.
    // Decoded one nested call each, about 10,000 of them overflowed the stack: the reply became a RangeError
    // and its attributes were lost.
    const n = 100_000;
    const wire = Buffer.from(
      `${'|1\r\n+n\r\n:7\r\n'.repeat(n)}*2\r\n${'|0\r\n'.repeat(n)}+a\r\n:1\r\n+next\r\n`,
    );
    for (const size of [wire.length, 65536, 1000]) {
      const events: Event[] = [];
      let withN = 0;
      let empty = 0;
      const p = new Parser({
        onReply: (v) => events.push(['reply', v]),
        onError: (e) => events.push(['error', e.message]),
        onPush: (v) => events.push(['push', v]),
        onProtocolError: (code) => events.push(['protocol', code]),
        onAttribute: (a) => {
          if (Object.keys(a).length === 0) empty++;
          else if (a.n === 7) withN++;
        },
      });
      for (let at = 0; at < wire.length; at += size) p.feed(wire.subarray(at, at + size));
      assert.deepEqual(events, [
        ['reply', ['a', 1]],
        ['reply', 'next'],
      ]);
      assert.equal(withN, n);
      assert.equal(empty, n);
    }
  });

  it('an onAttribute that throws does not lose the reply; the exception surfaces from feed()', () => {
    const events: unknown[] = [];
    const p = new Parser({
      onReply: (v) => events.push(v),
      onError: () => {},
      onPush: () => {},
      onProtocolError: () => {},
      onAttribute: () => {
        throw new Error('hook failed');
      },
    });
    assert.throws(() => p.feed(Buffer.from(`${TOP}:5\r\n`)), /hook failed/);
    assert.deepEqual(events, ['hello', 5]);
  });
});
