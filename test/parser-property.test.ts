/**
 * Property tests: random RESP2/RESP3 values (binary strings with CR/LF/NUL, nesting up to 8,
 * maps, sets, doubles incl. inf/nan, big numbers, booleans, nulls, attributes, push) encoded by
 * the independent reference encoder, concatenated, cut into random chunks, and decoded equal
 * to the expected JS values. Also: arbitrary bytes never throw or hang, and chunking never
 * changes the outcome.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { joinPieces, piecesText, sliceView, utf8 } from '../src/core/bytes.js';
import { run, type Event } from './support/parser-harness.js';
import {
  bytes,
  concat,
  cut,
  doubleText,
  encode,
  expectedDelivery,
  type RespValue,
} from './support/resp-reference.js';

const NUM_RUNS = 250;

/** Bytes biased towards the ones a parser can trip on. */
const tricky = fc
  .uint8Array({ maxLength: 24 })
  .chain((raw) =>
    fc
      .array(fc.constantFrom(0, 13, 10, 36, 42, 43, 45, 58, 0xe2, 0x82, 0xac, 0xff, 0x80), { maxLength: 12 })
      .map((extra) => concat([raw, new Uint8Array(extra)])),
  );
const payload = fc.oneof(tricky, fc.string({ maxLength: 30, unit: 'grapheme' }).map(bytes));
const line = fc.string({ maxLength: 20, unit: 'grapheme' }).map((s) => s.replace(/[\r\n]/g, ''));

const finiteDoubleText = fc
  .double({ noNaN: true, noDefaultInfinity: true })
  .chain((v) =>
    fc.constantFrom(doubleText(v), v.toExponential(), v.toPrecision(17), v.toExponential(3).toUpperCase()),
  );
const double: fc.Arbitrary<RespValue> = fc.oneof(
  fc.double().map((v) => ({ t: 'double', v }) as const),
  finiteDoubleText.map((text) => ({ t: 'double', v: Number(text), text }) as const),
  fc.integer({ min: -1000, max: 1000 }).map((v) => ({ t: 'double', v }) as const),
  fc
    .constantFrom('inf', '-inf', 'nan', '+inf', '0.1', '-0.0', '1e22', '1e23', '123.456e-7')
    .map((text) => ({ t: 'double', v: 0, text }) as const),
);

const scalar: fc.Arbitrary<RespValue> = fc.oneof(
  line.map((v) => ({ t: 'simple', v }) as const),
  payload.map((v) => ({ t: 'bulk', v }) as const),
  fc
    .tuple(fc.constantFrom('txt', 'mkd'), payload)
    .map(([format, v]) => ({ t: 'verbatim', format, v }) as const),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ t: 'int', v }) as const),
  fc.integer({ min: -70000, max: 70000 }).map((v) => ({ t: 'int', v: BigInt(v) }) as const),
  double,
  fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }).map((v) => ({ t: 'bignum', v }) as const),
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- without it the value does not type as RespValue
  fc.constantFrom('_', '$', '*').map((form) => ({ t: 'null', form: form as '_' | '$' | '*' }) as const),
  fc.boolean().map((v) => ({ t: 'bool', v }) as const),
);
const nestedError: fc.Arbitrary<RespValue> = fc.oneof(
  line.map((v) => ({ t: 'error', v }) as const),
  payload.map((v) => ({ t: 'blobError', v }) as const),
);
const mapKey: fc.Arbitrary<RespValue> = fc.oneof(
  line.map((v) => ({ t: 'simple', v }) as const),
  payload.map((v) => ({ t: 'bulk', v }) as const),
  fc.integer().map((v) => ({ t: 'int', v: BigInt(v) }) as const),
  fc.constantFrom('__proto__', 'constructor', 'toString', '0', '1').map((v) => ({ t: 'simple', v }) as const),
);

const { value } = fc.letrec<{ value: RespValue; attrs: Array<[RespValue, RespValue]> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 8 },
    { arbitrary: scalar, weight: 6 },
    { arbitrary: nestedError, weight: 1 },
    {
      arbitrary: fc.array(tie('value'), { maxLength: 5 }).map((v) => ({ t: 'array', v }) as const),
      weight: 2,
    },
    { arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((v) => ({ t: 'set', v }) as const), weight: 1 },
    {
      arbitrary: fc.array(tie('value'), { maxLength: 3 }).map((v) => ({ t: 'push', v }) as const),
      weight: 1,
    },
    {
      arbitrary: fc
        .array(fc.tuple(mapKey, tie('value')), { maxLength: 4 })
        .map((v) => ({ t: 'map', v }) as const),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(tie('attrs'), tie('value'))
        .map(([attrs, v]) => ({ t: 'attr', attrs, value: v }) as const),
      weight: 1,
    },
  ),
  attrs: fc.array(fc.tuple(mapKey, tie('value')), { maxLength: 3 }),
}));

/** Top-level values: anything, plus pushes and errors on their own. */
const topLevel = fc.oneof(
  { arbitrary: value, weight: 8 },
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- widens the literal to RespValue for fc.oneof
  { arbitrary: fc.array(value, { maxLength: 4 }).map((v) => ({ t: 'push', v }) as RespValue), weight: 1 },
  { arbitrary: nestedError, weight: 1 },
);

/** A stream and random cut points into it. */
const stream = fc.array(topLevel, { minLength: 1, maxLength: 12 }).chain((values) => {
  const data = concat(values.map(encode));
  return fc.record({
    values: fc.constant(values),
    data: fc.constant(data),
    cuts: fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, data.length - 1) }), { maxLength: 30 })
      .map((c) => c.sort((a, b) => a - b)),
  });
});

describe('parser properties', () => {
  it('random values in random chunks decode to the expected values', () => {
    fc.assert(
      fc.property(
        stream,
        fc.boolean(),
        fc.constantFrom('buffer', 'uint8array'),
        ({ values, data, cuts }, returnBuffers, binary) => {
          const opts = { returnBuffers, binary } as const;
          const want = values.map((v) => expectedDelivery(v, opts));
          assert.deepStrictEqual(run(cut(data, cuts), { binary }, returnBuffers), want);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('byte-by-byte feeding equals whole feeding', () => {
    fc.assert(
      fc.property(fc.array(topLevel, { minLength: 1, maxLength: 4 }), (values) => {
        const data = concat(values.map(encode));
        const want = values.map((v) => expectedDelivery(v));
        assert.deepStrictEqual(run(cut(data, [...data.keys()])), want);
      }),
      { numRuns: 60 },
    );
  });

  it('runs of integers (top level and as elements) in random chunks decode to the expected values', () => {
    // lengths drawn from a few digit counts, so same-length runs and changes both occur
    const int = fc
      .tuple(fc.integer({ min: 1, max: 10 }), fc.nat(), fc.boolean())
      .map(([digits, n, neg]): RespValue => {
        const v = BigInt(n) % 10n ** BigInt(digits);
        return { t: 'int', v: neg && digits === 10 ? -v : v };
      });
    const item = fc.oneof(
      { arbitrary: int, weight: 6 },
      { arbitrary: fc.array(int, { maxLength: 50 }).map((v): RespValue => ({ t: 'array', v })), weight: 2 },
      { arbitrary: value, weight: 1 },
    );
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (values, sizes) => {
          const data = concat(values.map(encode));
          const cuts: number[] = [];
          for (let at = 0, k = 0; at < data.length; k++) cuts.push((at += sizes[k % sizes.length]!));
          const want = values.map((v) => expectedDelivery(v));
          assert.deepStrictEqual(run([data]), want, 'whole');
          assert.deepStrictEqual(run(cut(data, cuts)), want, 'cut');
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('large bulk strings mixed with small replies, any chunking', () => {
    const big = fc
      .record({ n: fc.integer({ min: 65536 - 8, max: 200_000 }), seed: fc.integer({ min: 1, max: 1000 }) })
      .map(({ n, seed }): RespValue => {
        const v = new Uint8Array(n);
        for (let i = 0; i < n; i++) v[i] = (i * seed + (i >> 7)) & 0xff;
        return { t: 'bulk', v };
      });
    const item = fc.oneof(
      { arbitrary: big, weight: 1 },
      { arbitrary: value, weight: 3 },
      { arbitrary: big.map((b): RespValue => ({ t: 'array', v: [{ t: 'simple', v: 'x' }, b] })), weight: 1 },
      {
        arbitrary: big.map((b): RespValue => ({
          t: 'attr',
          attrs: [[{ t: 'simple', v: 'k' }, b]],
          value: { t: 'int', v: 1n },
        })),
        weight: 1,
      },
    );
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        (values, sizes, returnBuffers) => {
          const data = concat(values.map(encode));
          const cuts: number[] = [];
          for (let at = 0, k = 0; at < data.length; k++) cuts.push((at += sizes[k % sizes.length]!));
          const want = values.map((v) => expectedDelivery(v, { returnBuffers }));
          assert.deepStrictEqual(run(cut(data, cuts), {}, returnBuffers), want);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('text of a payload in pieces equals one UTF-8 decode (characters split between pieces)', () => {
    const utf8ish = fc.constantFrom(
      0x41,
      0xc3,
      0xa9,
      0xe2,
      0x82,
      0xac,
      0xf0,
      0x9f,
      0x98,
      0x80,
      0xbf,
      0xff,
      0xc0,
      0xed,
      0xa0,
      0xf4,
      0x90,
    );
    fc.assert(
      fc.property(
        fc.array(utf8ish, { maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (arr, rawCuts) => {
          const data = new Uint8Array(arr);
          const cuts = rawCuts.map((c) => c % (data.length + 1)).sort((a, b) => a - b);
          const parts: Uint8Array[] = [];
          let prev = 0;
          for (const c of [...cuts, data.length]) {
            parts.push(data.subarray(prev, c)); // empty pieces included
            prev = c;
          }
          assert.equal(piecesText(parts), Buffer.from(data).toString('utf8'));
          assert.deepStrictEqual(joinPieces(parts.length ? parts : [data], true), Buffer.from(data));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('long text decoded in 64 KiB pieces equals one UTF-8 decode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 65536 - 4, max: 65536 * 2 + 4 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (n, seed) => {
          const data = new Uint8Array(n);
          const alphabet = [0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff];
          let x = seed;
          for (let i = 0; i < n; i++) {
            x = (x * 1103515245 + 12345) >>> 0;
            data[i] = alphabet[x % alphabet.length]!;
          }
          const buf = Buffer.from(data);
          assert.equal(utf8(data, sliceView(data), 0, n), buf.toString('utf8'));
          assert.equal(utf8(data, null, 0, n), buf.toString('utf8'));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('arbitrary bytes: never throws, at most one protocol error and nothing after it, chunking-invariant', () => {
    const alphabet = fc.constantFrom(
      ...'+-:$*%~>|_,#(!=?;.\r\n0123456789-1tfinaeE.x'.split('').map((c) => c.charCodeAt(0)),
      0,
      255,
    );
    const garbage = fc.oneof(
      fc.array(alphabet, { maxLength: 200 }).map((a) => new Uint8Array(a)),
      fc.array(topLevel, { maxLength: 4 }).chain((values) => {
        const data = concat(values.map(encode));
        return fc.array(fc.tuple(fc.nat(), alphabet), { maxLength: 3 }).map((edits) => {
          const out = data.slice();
          for (const [at, byte] of edits) if (out.length > 0) out[at % out.length] = byte;
          return out;
        });
      }),
    );
    const summary = (events: Event[]): unknown[] =>
      events.map((e) => (e.kind === 'protocol' ? 'protocol' : e));
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 10 }), (data, rawCuts) => {
        const whole = run([data]);
        const p = whole.findIndex((e) => e.kind === 'protocol');
        assert.ok(p === -1 || p === whole.length - 1, 'nothing after a protocol error');
        const cuts = rawCuts
          .map((c) => (data.length > 1 ? 1 + (c % (data.length - 1)) : 1))
          .sort((a, b) => a - b);
        assert.deepStrictEqual(summary(run(cut(data, cuts))), summary(whole));
      }),
      { numRuns: 400 },
    );
  });
});
