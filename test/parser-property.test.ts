/**
 * Property tests: random RESP2/RESP3 values (binary strings with CR/LF/NUL, nesting up to 8,
 * maps, sets, doubles incl. inf/nan, big numbers, booleans, nulls, attributes, push) encoded by
 * the independent reference encoder, concatenated, cut into random chunks, and decoded equal
 * to the expected JS values. Also: arbitrary bytes never throw or hang, and chunking never
 * changes the outcome.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { joinPieces, piecesText, sliceView, utf8 } from '../src/core/bytes.js';
import { Parser } from '../src/core/parser.js';
import { ProtocolErrorCode } from '../src/core/parser-codes.js';
import { run, type Event } from './support/parser-harness.js';
import {
  bytes,
  concat,
  cut,
  doubleText,
  encode,
  expectedDelivery,
  ReplyErr,
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
    // No push here: it is valid only at the top level (topLevel below); nested, it is a protocol error.
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

type Drawn = [{ values: RespValue[]; data: Uint8Array; cuts: number[] }, boolean, 'buffer' | 'uint8array'];
const drawn = (values: RespValue[], cuts: number[], returnBuffers: boolean, binary: Drawn[2]): Drawn => [
  { values, data: concat(values.map(encode)), cuts },
  returnBuffers,
  binary,
];

/** Streams a seed once drew, kept so every run checks them (CI failed on the first, seed 1730450807). */
const seen: Drawn[] = [
  // two names that are not UTF-8 decode to the same text inside a push, then an empty map under an attribute
  drawn(
    [
      {
        t: 'push',
        v: [
          {
            t: 'map',
            v: [
              [
                { t: 'bulk', v: Uint8Array.from([237, 255]) },
                { t: 'map', v: [] },
              ],
              [
                { t: 'bulk', v: Uint8Array.from([178, 162]) },
                { t: 'set', v: [] },
              ],
            ],
          },
        ],
      },
      { t: 'attr', attrs: [], value: { t: 'map', v: [] } },
    ],
    [3],
    false,
    'buffer',
  ),
];

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
      { numRuns: NUM_RUNS, examples: seen },
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

  it('a push anywhere below the top level is a protocol error (NestedPush): earlier replies arrive, nothing after', () => {
    const key = (i: number): RespValue => ({ t: 'simple', v: `k${i}` });
    const wrapper = fc.record({
      kind: fc.constantFrom('array', 'set', 'push', 'map', 'attr'),
      before: fc.array(value, { maxLength: 2 }),
    });
    const bad = fc
      .tuple(fc.array(value, { maxLength: 3 }), fc.array(wrapper, { minLength: 1, maxLength: 3 }))
      .map(([pushed, wrappers]) => {
        let v: RespValue = { t: 'push', v: pushed };
        for (const w of wrappers) {
          if (w.kind === 'map')
            v = {
              t: 'map',
              v: [...w.before.map((b, i) => [key(i), b] as [RespValue, RespValue]), [key(9), v]],
            };
          else if (w.kind === 'attr') v = { t: 'attr', attrs: [[key(0), v]], value: { t: 'simple', v: 'x' } };
          else v = { t: w.kind, v: [...w.before, v] };
        }
        return v;
      });
    fc.assert(
      fc.property(
        fc.array(topLevel, { maxLength: 3 }),
        bad,
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (earlier, reply, sizes) => {
          const data = concat([...earlier.map(encode), encode(reply), bytes('+after\r\n')]);
          const cuts: number[] = [];
          for (let at = 0, k = 0; at < data.length; k++) cuts.push((at += sizes[k % sizes.length]!));
          const want: Event[] = [
            ...earlier.map((v) => expectedDelivery(v)),
            { kind: 'protocol', code: ProtocolErrorCode.NestedPush },
          ];
          assert.deepStrictEqual(run([data]), want, 'whole');
          assert.deepStrictEqual(run(cut(data, cuts)), want, 'cut');
        },
      ),
      { numRuns: NUM_RUNS },
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

describe('parser properties: large payloads collected in their storage (readInto, transient reads)', () => {
  const P = 65536;
  const WHOLE = 2 * 1024 * 1024;
  /** Lengths around 64 KiB multiples, WHOLE_MIN and a little past it (no bias to small ones). */
  const length = fc.noBias(
    fc.oneof(
      fc.constantFrom(P - 1, P, P + 1, 2 * P, WHOLE - 1, WHOLE, WHOLE + 1, WHOLE + P, 2_300_000),
      fc.tuple(fc.integer({ min: 1, max: 33 }), fc.integer({ min: -4, max: 4 })).map(([k, d]) => k * P + d),
      fc.integer({ min: P, max: 2_300_000 }),
    ),
  );
  /** Non-ASCII byte runs: whole characters, and strays, truncated or invalid sequences. */
  const special = fc.constantFrom(
    [0xc3, 0xa9],
    [0xe2, 0x82, 0xac],
    [0xf0, 0x9f, 0x98, 0x80],
    [0x80],
    [0xff],
    [0xe2, 0x82],
    [0xf0],
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
  );
  /** Where a special goes: near a piece boundary (piece k, -4 .. +3 bytes), near the end, or anywhere. */
  const place = fc.oneof(
    fc.record({ k: fc.nat({ max: 40 }), d: fc.integer({ min: -4, max: 3 }) }),
    fc.record({ end: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ any: fc.nat() }),
  );
  /** A payload described (built in the property, so a counterexample prints short). */
  const big = fc.record({
    n: length,
    specials: fc.oneof(fc.constant([]), fc.array(fc.tuple(place, special), { minLength: 1, maxLength: 3 })),
    crlf: fc.array(fc.nat(), { maxLength: 3 }), // CR LF inside the payload
  });
  type Big = typeof big extends fc.Arbitrary<infer T> ? T : never;
  const build = ({ n, specials, crlf }: Big): RespValue => {
    const v = Buffer.alloc(n, 'abcdefghijklmnopqrstuvwxyz0123456789');
    for (const at of crlf) v.set([13, 10], at % (n - 1));
    for (const [where, seq] of specials) {
      const at =
        'k' in where
          ? (where.k % (Math.floor(n / P) + 1)) * P + where.d
          : 'end' in where
            ? n - where.end
            : where.any % n;
      const a = Math.min(n - 1, Math.max(0, at));
      v.set(seq.slice(0, n - a), a);
    }
    return { t: 'bulk', v };
  };
  const str = (v: string): RespValue => ({ t: 'simple', v });
  /** A large payload at the top level, two in an array, as a map key and value, in a push, in an attribute. */
  const item = fc.oneof(
    { arbitrary: fc.record({ shape: fc.constant('top' as const), a: big }), weight: 3 },
    {
      arbitrary: fc.record({ shape: fc.constantFrom('array' as const, 'map' as const), a: big, c: big }),
      weight: 2,
    },
    { arbitrary: fc.record({ shape: fc.constantFrom('push' as const, 'attr' as const), a: big }), weight: 3 },
    { arbitrary: fc.record({ shape: fc.constant('small' as const) }), weight: 1 },
  );
  type Item = typeof item extends fc.Arbitrary<infer T> ? T : never;
  const respValue = (it: Item): RespValue => {
    switch (it.shape) {
      case 'top':
        return build(it.a);
      case 'array':
        return { t: 'array', v: [build(it.a), str('x'), build(it.c)] };
      case 'map':
        return { t: 'map', v: [[build(it.a), build(it.c)]] };
      case 'push':
        return { t: 'push', v: [str('message'), str('ch'), build(it.a)] };
      case 'attr':
        return { t: 'attr', attrs: [[str('k'), build(it.a)]], value: str('attributed') };
      case 'small':
        return str('small');
    }
  };
  /** One read: its size, how it lands, and string modes set before it (undefined: left as they are). */
  const step = fc.record({
    size: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 64 }), weight: 1 },
      { arbitrary: fc.constantFrom(P - 1, P, P + 1, 2 * P), weight: 2 },
      { arbitrary: fc.integer({ min: 65, max: 600_000 }), weight: 4 },
    ),
    how: fc.constantFrom('into', 'into', 'into-stable', 'transient', 'transient', 'stable'),
    rb: fc.constantFrom(undefined, undefined, undefined, true, false),
    pb: fc.constantFrom(undefined, undefined, true, false),
  });

  /** A delivery in short: strings and bytes by kind and length. */
  const brief = (x: unknown): string =>
    JSON.stringify(x, function (this: unknown, key, v: unknown) {
      const raw = (this as Record<string, unknown>)[key]; // before Buffer's toJSON
      if (typeof raw === 'string') return `text(${raw.length})`;
      if (raw instanceof Uint8Array) return `bytes(${raw.length})`;
      if (raw instanceof Error) return `error(${raw.message.length})`;
      return v;
    });

  it('text or bytes equal to the payload, whatever the reads, string modes flipped between reads, reset mid-payload', () => {
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 4 }),
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.nat({ max: 3 * P }),
        (items, steps, abandoned) => {
          const values = items.map(respValue);
          // each delivery with the string mode it was decoded in (set by the reads before it)
          const got: Array<{ e: Event; mode: boolean }> = [];
          const p = new Parser(
            {
              onReply: (value) => got.push({ e: { kind: 'reply', value }, mode: p.returnBuffers }),
              onError: (value) => got.push({ e: { kind: 'error', value }, mode: p.returnBuffers }),
              onPush: (value) => got.push({ e: { kind: 'push', value }, mode: p.pushBuffers }),
              onProtocolError: (code) => got.push({ e: { kind: 'protocol', code }, mode: false }),
            },
            { makeError: (m) => new ReplyErr(m) },
          );
          const scratch = Buffer.alloc(600_000);
          const feed = (wire: Uint8Array, k0: number): void => {
            let feeds = 0;
            for (let at = 0, k = k0; at < wire.length; k++) {
              assert.ok(++feeds < 20_000, 'bounded');
              const s = steps[k % steps.length]!;
              if (s.rb !== undefined) p.returnBuffers = s.rb;
              if (s.pb !== undefined) p.pushBuffers = s.pb;
              // after a couple of rounds tiny reads grow, so a run stays short
              const size = feeds > 2 * steps.length ? Math.max(s.size, 50_000) : s.size;
              const window = s.how.startsWith('into') ? p.readInto() : null;
              const into = window ?? scratch;
              const n = Math.min(into.length, size, wire.length - at);
              if (s.how === 'stable' && window === null) {
                p.feed(wire.slice(at, at + n)); // a chunk of its own, kept as a view
              } else {
                into.set(wire.subarray(at, at + n));
                p.feed(into.subarray(0, n), s.how !== 'into-stable' || window === null);
              }
              at += n;
              scratch.fill(0x21, 0, n); // a transient read's memory is reused
            }
          };
          // a large payload cut off part way (a dropped connection), then reset
          const cutOff = encode({ t: 'bulk', v: Buffer.alloc(3 * P + 5, 'z') });
          feed(cutOff.subarray(0, Math.min(cutOff.length - 3, 10 + abandoned)), steps.length >> 1);
          assert.equal(got.length, 0, 'nothing from the abandoned payload');
          p.reset();
          feed(concat(values.map(encode)), 0);
          // compared after the whole stream: bytes handed out early must not have been reused since
          assert.equal(got.length, values.length);
          values.forEach((v, k) => {
            const want = expectedDelivery(v, { returnBuffers: got[k]!.mode });
            const e = got[k]!.e;
            if (isDeepStrictEqual(e, want)) return;
            assert.fail(
              `delivery ${k} (${items[k]!.shape}, mode ${got[k]!.mode}): ${brief(e)} != ${brief(want)}`,
            );
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
