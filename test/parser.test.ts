/**
 * RESP2/RESP3 parser fixtures: every type whole, byte by byte and split at every boundary;
 * attributes, push, nesting, errors, limits, malformed streams, large bulks, reset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser, ProtocolErrorCode, protocolErrorMessage } from '../src/core/parser.js';
import { holdsDecodedText } from '../src/core/decoded-names.js';
import { recorder, run, type Event } from './support/parser-harness.js';
import {
  bytes,
  concat,
  cut,
  encode,
  expectedDelivery,
  ReplyErr,
  type RespValue,
} from './support/resp-reference.js';

const b = bytes;
const noop = (): void => undefined;
const bulk = (s: string): RespValue => ({ t: 'bulk', v: b(s) });
const simple = (v: string): RespValue => ({ t: 'simple', v });
const int = (v: bigint | number): RespValue => ({ t: 'int', v: BigInt(v) });

/** Feeds `data` whole, byte by byte and split once at every offset; each must give `want`. */
function checkSplits(data: Uint8Array, want: Event[], returnBuffers = false): void {
  assert.deepStrictEqual(run([data], {}, returnBuffers), want, 'whole');
  assert.deepStrictEqual(run(cut(data, [...data.keys()]), {}, returnBuffers), want, 'byte by byte');
  for (let i = 1; i < data.length; i++) {
    assert.deepStrictEqual(run(cut(data, [i]), {}, returnBuffers), want, `split at ${i}`);
  }
}

function checkValue(v: RespValue, returnBuffers = false): void {
  checkSplits(encode(v), [expectedDelivery(v, { returnBuffers })], returnBuffers);
}

const reply = (value: unknown): Event => ({ kind: 'reply', value });
const protocol = (code: number): Event => ({ kind: 'protocol', code });

describe('parser: every RESP type', () => {
  const fixtures: Array<[string, string, Event[]]> = [
    ['simple string', '+OK\r\n', [reply('OK')]],
    ['empty simple string', '+\r\n', [reply('')]],
    [
      'simple error',
      '-ERR unknown command\r\n',
      [{ kind: 'error', value: new ReplyErr('ERR unknown command') }],
    ],
    ['integer', ':1000\r\n', [reply(1000)]],
    ['negative integer', ':-42\r\n', [reply(-42)]],
    ['plus-signed integer', ':+7\r\n', [reply(7)]],
    ['bulk string', '$5\r\nhello\r\n', [reply('hello')]],
    ['empty bulk string', '$0\r\n\r\n', [reply('')]],
    ['null bulk string', '$-1\r\n', [reply(null)]],
    ['null array', '*-1\r\n', [reply(null)]],
    ['RESP3 null', '_\r\n', [reply(null)]],
    ['array', '*3\r\n:1\r\n$3\r\nfoo\r\n+bar\r\n', [reply([1, 'foo', 'bar'])]],
    ['empty array', '*0\r\n', [reply([])]],
    ['double', ',3.14159\r\n', [reply(3.14159)]],
    ['double exponent', ',1.5e-10\r\n', [reply(1.5e-10)]],
    ['double inf', ',inf\r\n', [reply(Infinity)]],
    ['double -inf', ',-inf\r\n', [reply(-Infinity)]],
    ['double nan', ',nan\r\n', [reply(NaN)]],
    ['boolean true', '#t\r\n', [reply(true)]],
    ['boolean false', '#f\r\n', [reply(false)]],
    [
      'blob error',
      '!21\r\nSYNTAX invalid syntax\r\n',
      [{ kind: 'error', value: new ReplyErr('SYNTAX invalid syntax') }],
    ],
    ['verbatim string', '=15\r\ntxt:Some string\r\n', [reply('Some string')]],
    ['empty verbatim string', '=4\r\nmkd:\r\n', [reply('')]],
    [
      'big number',
      '(3492890328409238509324850943850943825024385\r\n',
      [reply(3492890328409238509324850943850943825024385n)],
    ],
    ['negative big number', '(-12\r\n', [reply(-12n)]],
    ['map', '%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n:2\r\n', [reply({ first: 1, second: 2 })]],
    ['empty map', '%0\r\n', [reply({})]],
    ['set', '~3\r\n+orange\r\n+apple\r\n#t\r\n', [reply(['orange', 'apple', true])]],
    [
      'attribute before a reply',
      '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2039123\r\n',
      [reply([2039123])],
    ],
    ['attribute before a nested value', '*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n', [reply([1, 2])]],
    ['empty attribute', '|0\r\n+x\r\n', [reply('x')]],
    ['attribute inside attribute', '|1\r\n|1\r\n+a\r\n+b\r\n+c\r\n*1\r\n+d\r\n+value\r\n', [reply('value')]],
    [
      'attribute still open when the previous reply is compacted away',
      '+A\r\n*2\r\n|1\r\n+k\r\n$1\r\nv\r\n:1\r\n:2\r\n',
      [reply('A'), reply([1, 2])],
    ],
    [
      'push',
      '>3\r\n+message\r\n+chan\r\n$5\r\nhello\r\n',
      [{ kind: 'push', value: ['message', 'chan', 'hello'] }],
    ],
    ['attribute before a push', '|1\r\n+a\r\n+b\r\n>1\r\n+p\r\n', [{ kind: 'push', value: ['p'] }]],
    [
      'errors nested in an array (EXEC)',
      '*3\r\n+OK\r\n-WRONGTYPE Operation against a key\r\n!3\r\nbad\r\n',
      [reply(['OK', new ReplyErr('WRONGTYPE Operation against a key'), new ReplyErr('bad')])],
    ],
    [
      'nested aggregates',
      '*2\r\n*2\r\n%1\r\n+k\r\n~1\r\n_\r\n*0\r\n*1\r\n*1\r\n:5\r\n',
      [reply([[{ k: [null] }, []], [[5]]])],
    ],
    ['several replies', '+A\r\n:1\r\n$1\r\nB\r\n', [reply('A'), reply(1), reply('B')]],
    ['utf-8', '$6\r\n€uro\r\n', [reply('€uro')]],
  ];
  for (const [name, wire, want] of fixtures) {
    it(`${name}: whole, byte by byte, every split`, () => checkSplits(b(wire), want));
  }

  it('binary-safe bulk strings (CR, LF, NUL inside) as strings and Buffers', () => {
    const payload = new Uint8Array([0, 13, 10, 13, 13, 10, 10, 0, 255, 36, 50, 13, 10]);
    checkValue({ t: 'bulk', v: payload }, false);
    checkValue({ t: 'bulk', v: payload }, true);
    checkValue(
      {
        t: 'array',
        v: [{ t: 'bulk', v: payload }, simple('x'), { t: 'verbatim', format: 'txt', v: payload }],
      },
      true,
    );
  });

  it('integers: i32, 2^53 and i64 boundaries; beyond 2^53 as exact text', () => {
    const cases: Array<[string, unknown]> = [
      ['2147483647', 2147483647],
      ['-2147483648', -2147483648],
      ['2147483648', 2147483648],
      ['-2147483649', -2147483649],
      ['9007199254740991', 9007199254740991],
      ['-9007199254740991', -9007199254740991],
      ['9007199254740992', 9007199254740992],
      ['9007199254740993', '9007199254740993'],
      ['-9007199254740993', '-9007199254740993'],
      ['9223372036854775807', '9223372036854775807'],
      ['-9223372036854775808', '-9223372036854775808'],
      ['+0009007199254740993', '9007199254740993'],
      ['0', 0],
      ['-0', 0],
      ['007', 7],
    ];
    // every digit count across the 8-digit single-step conversion, signs, leading zeros
    for (let n = 1; n <= 12; n++) {
      for (const text of [
        '123456789012'.slice(0, n),
        '9'.repeat(n),
        '1' + '0'.repeat(n - 1),
        '0'.repeat(n - 1) + '7',
      ]) {
        cases.push([text, Number(text)], [`-${text}`, -Number(text) || 0]);
      }
    }
    for (const [text, want] of cases) {
      assert.deepStrictEqual(run([b(`:${text}\r\n`)]), [reply(want)], text);
      assert.deepStrictEqual(run([b(`*2\r\n:${text}\r\n:${text}\r\n`)]), [reply([want, want])], text);
    }
    assert.deepStrictEqual(run([b(':1234x\r\n')]), [protocol(ProtocolErrorCode.BadInteger)]);
    assert.deepStrictEqual(run([b(':-\r\n')]), [protocol(ProtocolErrorCode.BadInteger)]);
  });

  it('runs of top-level integers (the core takes them in one loop): every length, sign, neighbour, split', () => {
    // 1..12 digits (the run takes up to 8, unsigned; the rest leave it), signs, leading zeros,
    // the i32 edge, other replies in between, a run ending exactly at the chunk's end
    const texts = ['0', '7', '42', '12345678', '99999999', '123456789', '2147483647', '2147483648'];
    texts.push('-1', '-12345678', '+5', '00000007', '000000007', '9'.repeat(12), '-0');
    const wire = texts.map((x) => `:${x}\r\n`);
    const want = texts.map((x) => reply(Number(x) || 0));
    wire.splice(4, 0, '+OK\r\n', '$1\r\nx\r\n');
    want.splice(4, 0, reply('OK'), reply('x'));
    wire.push('*2\r\n:1\r\n:2\r\n', ':3\r\n');
    want.push(reply([1, 2]), reply(3));
    checkSplits(b(wire.join('')), want);
    // a malformed integer in a run: the ones before it are delivered, none after
    assert.deepStrictEqual(run([b(':1\r\n:22\r\n:3x\r\n:4\r\n')]), [
      reply(1),
      reply(22),
      protocol(ProtocolErrorCode.BadInteger),
    ]);
    assert.deepStrictEqual(run([b(':1\r\n:22\r\r:4\r\n')]), [reply(1), protocol(ProtocolErrorCode.BadCrlf)]);
  });

  it("same-length integer runs (the core guesses the next one's length): changes, breaks, arrays, split", () => {
    // runs of equal length interrupted by every kind of change: another length, a sign, a
    // non-digit where the guessed CRLF should be, a 9-digit number, another type, the end
    const texts: string[] = [];
    for (let i = 0; i < 40; i++) texts.push(String(100 + i)); // 3 digits
    texts.push('1000', '999', '-123', '12x', '124', '12345678', '87654321', '123456789', '87654321');
    for (let i = 0; i < 40; i++) texts.push(String(10 ** (1 + (i % 5)) + i)); // a new length each time
    const ok = (x: string): boolean => /^-?\d+$/.test(x);
    const good = texts.filter(ok);
    const wire = good.map((x) => `:${x}\r\n`).join('') + ':7\r\n+OK\r\n:55\r\n:56\r\n';
    const want = [...good.map((x) => reply(Number(x))), reply(7), reply('OK'), reply(55), reply(56)];
    checkSplits(b(wire), want);
    // the same integers as elements: an array, a set, a map's values, nested, an attribute's
    const ints = good.slice(0, 60);
    const arr = `*${ints.length}\r\n${ints.map((x) => `:${x}\r\n`).join('')}`;
    const nested = `*3\r\n*2\r\n:11\r\n:12\r\n~3\r\n:21\r\n:22\r\n:23\r\n:31\r\n`;
    const map = `%2\r\n+a\r\n:100\r\n+b\r\n:101\r\n`;
    const attr = `|1\r\n+k\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n:4\r\n:5\r\n`;
    checkSplits(b(arr + nested + map + attr + ':9\r\n'), [
      reply(ints.map(Number)),
      reply([[11, 12], [21, 22, 23], 31]),
      reply({ a: 100, b: 101 }),
      reply([4, 5]),
      reply(9),
    ]);
    // a malformed integer inside a same-length run, top level and in an array
    const run3 = Array.from({ length: 10 }, (_, i) => `:${200 + i}\r\n`).join('');
    assert.deepStrictEqual(run([b(run3 + ':21x\r\n:222\r\n')]), [
      ...Array.from({ length: 10 }, (_, i) => reply(200 + i)),
      protocol(ProtocolErrorCode.BadInteger),
    ]);
    assert.deepStrictEqual(run([b(`*12\r\n${run3}:201\r\r:1\r\n`)]), [protocol(ProtocolErrorCode.BadCrlf)]);
  });

  it('doubles: exact fast path and correctly rounded fallback', () => {
    const texts = [
      '0',
      '-0',
      '1',
      '-1',
      '0.1',
      '0.3',
      '1.7976931348623157e308',
      '5e-324',
      '2.2250738585072014e-308',
      '123456789012345678',
      '1e22',
      '1e23',
      '9007199254740993',
      '0.000001',
      '1E5',
      '1e+5',
      '+2.5',
      '3.',
      '.5',
      '-.5e1',
      '17.000000000000000000001',
      '4.35',
      '0.1e-30',
      '1e400',
      '-1e400',
      '1e-400',
      '00012.5000',
      '+inf',
      '-nan',
    ];
    for (const text of texts) {
      const events = run([b(`,${text}\r\n`)]);
      const want = text === '+inf' ? Infinity : text === '-nan' ? NaN : Number(text);
      assert.deepStrictEqual(events, [reply(want)], text);
    }
    // -0 keeps its sign
    const [ev] = run([b(',-0\r\n')]);
    assert.ok(ev!.kind === 'reply' && Object.is(ev!.value, -0));
  });

  it('maps: keys are strings, __proto__ stays an own key, later duplicates win', () => {
    const [ev] = run([b('%4\r\n:1\r\n+one\r\n$9\r\n__proto__\r\n+polluted\r\n#t\r\n+yes\r\n:1\r\n+uno\r\n')]);
    assert.equal(ev!.kind, 'reply');
    const o = ev!.value as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(o), ['1', '__proto__', 'true']);
    assert.equal(o['1'], 'uno');
    assert.equal(Object.getOwnPropertyDescriptor(o, '__proto__')!.value, 'polluted');
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('map keys that are not UTF-8 and decode to the same text fail that reply alone; others are kept', () => {
    // [ff 61] and [fe 61] both decode to "\uFFFD" + "a"; small and large (> 32 keys) maps alike.
    const filler = Array.from({ length: 40 }, (_, i) => `+f${i}\r\n:${i}\r\n`).join('');
    const lossy = concat([
      b('$2\r\n'),
      new Uint8Array([0xff, 0x61]),
      b('\r\n:1\r\n$2\r\n'),
      new Uint8Array([0xfe, 0x61]),
    ]);
    for (const [n, rest] of [
      [2, ''],
      [42, filler],
    ] as const) {
      const wire = concat([
        b(`%${n}\r\n${rest}`),
        lossy,
        b('\r\n:2\r\n+next\r\n%2\r\n$2\r\né\r\n:1\r\n$2\r\nè\r\n:2\r\n'),
      ]);
      for (const chunks of [[wire], cut(wire, [...wire.keys()])]) {
        const events = run(chunks);
        assert.equal(events.length, 3);
        assert.equal(events[0]!.kind, 'error');
        assert.match((events[0] as { value: Error }).value.message, /decode to the same text/);
        assert.deepStrictEqual(events.slice(1), [reply('next'), reply({ é: 1, è: 2 })]);
      }
    }
  });

  it('a map that repeats a non-ASCII name fails that reply too, and its message names the repeat', () => {
    const events = run([b('%2\r\n$2\r\né\r\n:1\r\n$2\r\né\r\n:2\r\n+next\r\n')]);
    assert.equal(events[0]!.kind, 'error');
    assert.match((events[0] as { value: Error }).value.message, /repeats a name/);
    assert.deepStrictEqual(events.slice(1), [reply('next')]);
  });

  it('a map with such keys nested in an array (an EXEC reply) is an error in its slot; the other slots are kept', () => {
    const wire = concat([
      b('*3\r\n+before\r\n%2\r\n$2\r\n'),
      new Uint8Array([0xff, 0x61]),
      b('\r\n:1\r\n$2\r\n'),
      new Uint8Array([0xfe, 0x61]),
      b('\r\n:2\r\n+after\r\n+next\r\n'),
    ]);
    for (const chunks of [[wire], cut(wire, [...wire.keys()])]) {
      const events = run(chunks);
      assert.equal(events.length, 2);
      const [exec, next] = events as [{ kind: string; value: unknown[] }, Event];
      assert.equal(exec.kind, 'reply');
      assert.equal(exec.value[0], 'before');
      assert.ok(exec.value[1] instanceof Error && /decode to the same text/.test(exec.value[1].message));
      assert.equal(exec.value[2], 'after');
      assert.deepStrictEqual(next, reply('next'));
    }
  });

  it('a push that cannot be decoded goes to onUndecodablePush, never to onError (which the command in front would get)', () => {
    // An error nested in the push whose class cannot be built (makeError throws): the push fails whole.
    const wire = b('>2\r\n+message\r\n-ERR nested\r\n+OK\r\n');
    for (const chunks of [[wire], cut(wire, [...wire.keys()])]) {
      const events: unknown[] = [];
      const pushErrors: Error[] = [];
      const parser = new Parser(
        {
          onReply: (v) => events.push(v),
          onError: (e) => events.push(e),
          onPush: (v) => events.push(v),
          onProtocolError: (code) => events.push(code),
          onUndecodablePush: (e) => pushErrors.push(e),
        },
        {
          makeError: () => {
            throw new Error('cannot build');
          },
        },
      );
      for (const c of chunks) parser.feed(c);
      assert.deepStrictEqual(events, ['OK']);
      assert.equal(pushErrors.length, 1);
      assert.match(pushErrors[0]!.message, /cannot build/);
    }
  });

  it('a protocol error inside a push says so (inPush), so the command in front is not blamed for it', () => {
    const big = 'x'.repeat(100);
    const cases: Array<[string, Uint8Array, boolean]> = [
      ['a push element past maxBulkLength', b(`>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$100\r\n${big}\r\n`), true],
      ['a push element with an unknown type byte', b('>2\r\n$7\r\nmessage\r\n!x\r\n'), true],
      ['a push inside a push', b('>2\r\n$7\r\nmessage\r\n>1\r\n:1\r\n'), true],
      ['a reply past maxBulkLength', b(`$100\r\n${big}\r\n`), false],
      ['a push inside a reply', b('*2\r\n:1\r\n>1\r\n:1\r\n'), false],
      ['an unknown type byte after a whole push', b('>1\r\n:1\r\n!x\r\n'), false],
      // The payload (past the 64 KiB slice) is collected by the host; its CRLF is then wrong.
      [
        'a large push element whose CRLF is wrong',
        b(`>2\r\n$7\r\nmessage\r\n$70000\r\n${'y'.repeat(70000)}!!`),
        true,
      ],
    ];
    for (const [what, wire, inPush] of cases) {
      for (const chunks of [[wire], cut(wire, [4, 12, 20, 30])]) {
        const failures: Array<[number, boolean | undefined]> = [];
        const parser = new Parser(
          {
            onReply: noop,
            onError: noop,
            onPush: noop,
            onProtocolError: (code, _message, flag) => failures.push([code, flag]),
          },
          { maxBulkLength: what.includes('large') ? 80_000 : 64 },
        );
        for (const c of chunks) parser.feed(c);
        assert.equal(failures.length, 1, what);
        assert.equal(failures[0]![1], inPush, what);
        parser.reset();
      }
    }
  });

  it('arrays holding text decoded from non-ASCII bytes are marked (for folding into objects), ASCII ones are not', () => {
    const values: unknown[] = [];
    const p = new Parser({
      onReply: (v) => values.push(v),
      onError: () => assert.fail('no error'),
      onPush: () => assert.fail('no push'),
      onProtocolError: () => assert.fail('no protocol error'),
    });
    p.feed(b('*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n*1\r\n$2\r\né\r\n*1\r\n+x\r\n*1\r\n:1\r\n'));
    const [ascii, nested, ints] = values as [unknown[], unknown[][], unknown[]];
    assert.equal(holdsDecodedText(ascii), false);
    assert.equal(holdsDecodedText(nested), true);
    assert.equal(holdsDecodedText(nested[0]!), true);
    assert.equal(holdsDecodedText(nested[1]!), false);
    assert.equal(holdsDecodedText(ints), false);
  });

  it('map keys stay strings when returning buffers', () => {
    const [ev] = run([b('%1\r\n$1\r\nk\r\n$1\r\nv\r\n')], {}, true);
    assert.deepStrictEqual(ev, reply({ k: Buffer.from('v') }));
  });
});

describe('parser: the core tags ASCII strings', () => {
  it('a byte >= 0x80 at any position of strings of 1..40 bytes is seen (8-byte steps, overlapping tail)', () => {
    // a missed high byte would decode as latin1 instead of UTF-8
    const values: RespValue[] = [];
    for (let n = 1; n <= 40; n++) {
      const plain = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD'.slice(0, n);
      values.push(bulk(plain), simple(plain));
      for (let j = 0; j < n; j++) {
        const v = b(plain);
        v[j] = 0xff;
        values.push({ t: 'bulk', v }, { t: 'bulk', v: b(plain.slice(0, j) + 'é' + plain.slice(j + 1)) });
      }
    }
    const data = concat(values.map((v) => encode(v)));
    assert.deepStrictEqual(
      run([data]),
      values.map((v) => expectedDelivery(v, {})),
    );
  });
});

describe('parser: runs of ASCII strings decoded together', () => {
  // Strings longer than the short path are cut from one decode of a run of neighbours: a run
  // must never take bytes of a header, a UTF-8 string, another reply or stale memory.
  const ascii = (n: number, i: number): string => (`${i}:` + 'abcdefghij'.repeat(1 + n / 10)).slice(0, n);
  const sizes = [25, 26, 100, 300, 5000, 16_000, 16_384, 17_000, 40];

  it('arrays, maps and pipelined replies mixing ASCII runs, UTF-8, numbers and nesting', () => {
    const items: RespValue[] = [];
    for (let i = 0; i < 400; i++) {
      const n = sizes[i % sizes.length]!;
      if (i % 37 === 5) items.push({ t: 'bulk', v: b('é' + ascii(n, i)) });
      else if (i % 41 === 7) items.push(int(i));
      else if (i % 43 === 9) items.push({ t: 'array', v: [bulk(ascii(n, i)), bulk(ascii(30, i))] });
      else items.push(i % 2 === 0 ? bulk(ascii(n, i)) : simple(ascii(n, i)));
    }
    const values: RespValue[] = [
      { t: 'array', v: items },
      { t: 'map', v: items.slice(0, 200).map((v, k) => [bulk(`k${k}`), v] as [RespValue, RespValue]) },
      ...items.slice(0, 60),
    ];
    const data = concat(values.map((v) => encode(v)));
    const want = values.map((v) => expectedDelivery(v, {}));
    assert.deepStrictEqual(run([data]), want, 'whole');
    for (const size of [1, 7, 100, 4096, 65536]) {
      assert.deepStrictEqual(run(chunked(data, size)), want, `chunks of ${size}`);
    }
  });
});

describe('parser: returnBuffers', () => {
  it('is read per top-level reply; a handler may flip it for the next one', () => {
    const seen: unknown[] = [];
    const parser = new Parser({
      onReply(v) {
        seen.push(v);
        parser.returnBuffers = !parser.returnBuffers;
      },
      onError(e) {
        seen.push(e.message);
        parser.returnBuffers = !parser.returnBuffers;
      },
      onPush() {},
      onProtocolError() {},
    });
    parser.feed(b('$1\r\na\r\n+b\r\n*2\r\n$1\r\nc\r\n+d\r\n-err\r\n$1\r\ne\r\n'));
    assert.deepStrictEqual(seen, ['a', Buffer.from('b'), ['c', 'd'], 'err', 'e']);
  });

  it('pushes follow pushBuffers, replies follow returnBuffers, independently', () => {
    const r = recorder();
    r.parser.returnBuffers = true;
    r.parser.pushBuffers = false;
    r.parser.feed(b('>2\r\n$7\r\nmessage\r\n$2\r\nhi\r\n$2\r\nyo\r\n'));
    r.parser.returnBuffers = false;
    r.parser.pushBuffers = true;
    r.parser.feed(b('>1\r\n$2\r\nby\r\n$2\r\nok\r\n'));
    assert.deepStrictEqual(r.events, [
      { kind: 'push', value: ['message', 'hi'] },
      { kind: 'reply', value: Buffer.from('yo') },
      { kind: 'push', value: [Buffer.from('by')] },
      { kind: 'reply', value: 'ok' },
    ]);
  });

  it("'uint8array' mode returns plain Uint8Arrays", () => {
    const events = run([b('*2\r\n$2\r\nab\r\n+c\r\n')], { binary: 'uint8array' }, true);
    const v = (events[0] as { value: Uint8Array[] }).value;
    assert.equal(Object.getPrototypeOf(v[0]), Uint8Array.prototype);
    assert.deepStrictEqual(v, [new Uint8Array([97, 98]), new Uint8Array([99])]);
    assert.deepStrictEqual(run([b('$2\r\nab\r\n')], { binary: 'uint8array' }), [reply('ab')]);
  });

  it('returned Buffers are copies, not views into parser memory', () => {
    const r = recorder();
    r.parser.returnBuffers = true;
    r.parser.feed(b('$3\r\nabc\r\n'));
    r.parser.feed(b('$3\r\nxyz\r\n')); // lands where the first payload was
    assert.deepStrictEqual(r.events, [reply(Buffer.from('abc')), reply(Buffer.from('xyz'))]);
  });
});

describe('parser: malformed streams', () => {
  const E = ProtocolErrorCode;
  const corpus: Array<[string, string, number]> = [
    ['unknown type byte', '?\r\n', E.UnknownType],
    ['streamed string chunk type', ';4\r\nabcd\r\n', E.UnknownType],
    ['inline command text', 'PING\r\n', E.UnknownType],
    ['non-digit length', '$abc\r\n', E.BadLength],
    ['empty length', '$\r\n', E.BadLength],
    ['negative length', '$-2\r\n', E.BadLength],
    ['negative count', '*-2\r\n', E.BadLength],
    ['null map', '%-1\r\n', E.BadLength],
    ['null blob error', '!-1\r\n', E.BadLength],
    ['length with sign', '$+1\r\na\r\n', E.BadLength],
    ['length too long', '*00000000000000000001\r\n', E.BadLength],
    ['CR without LF', '+OK\rX\r\n', E.BadCrlf],
    ['bulk without CRLF', '$3\r\nabcXY', E.BadCrlf],
    ['bulk with LF only', '$3\r\nabc\n\r', E.BadCrlf],
    ['non-digit integer', ':12a\r\n', E.BadInteger],
    ['empty integer', ':\r\n', E.BadInteger],
    ['sign only integer', ':-\r\n', E.BadInteger],
    ['20-digit integer', ':99999999999999999999\r\n', E.BadInteger],
    ['integer above i64', ':9223372036854775808\r\n', E.BadInteger],
    ['integer below i64', ':-9223372036854775809\r\n', E.BadInteger],
    ['two dots', ',1.2.3\r\n', E.BadDouble],
    ['word double', ',abc\r\n', E.BadDouble],
    ['empty double', ',\r\n', E.BadDouble],
    ['dangling exponent', ',1e\r\n', E.BadDouble],
    ['lone dot', ',.\r\n', E.BadDouble],
    ['exponent without mantissa', ',e5\r\n', E.BadDouble],
    ['big number with letter', '(12a\r\n', E.BadBigNumber],
    ['empty big number', '(\r\n', E.BadBigNumber],
    ['bad boolean', '#x\r\n', E.BadBoolean],
    ['long boolean', '#tt\r\n', E.BadBoolean],
    ['null with data', '_x\r\n', E.BadNull],
    ['verbatim without prefix', '=3\r\nabc\r\n', E.BadVerbatim],
    ['verbatim without colon', '=5\r\ntxtab\r\n', E.BadVerbatim],
    ['huge bulk length', '$999999999999\r\n', E.BulkTooLong],
    ['bulk above 512 MiB', '$536870913\r\n', E.BulkTooLong],
    ['streamed string', '$?\r\n;4\r\nabcd\r\n;0\r\n', E.StreamedUnsupported],
    ['streamed aggregate', '*?\r\n:1\r\n.\r\n', E.StreamedUnsupported],
    ['bad element inside array', '*2\r\n+ok\r\n&\r\n', E.UnknownType],
    ['bad element inside attribute', '|1\r\n+a\r\n:x\r\n+v\r\n', E.BadInteger],
    // RESP3 sends push data only at the top level; inside a reply it would reach the command's caller.
    ['push inside an array', '*2\r\n+a\r\n>2\r\n+message\r\n+x\r\n', E.NestedPush],
    ['empty push inside an array', '*1\r\n>0\r\n', E.NestedPush],
    ['push as a map value', '%1\r\n+k\r\n>1\r\n+p\r\n', E.NestedPush],
    ['push inside a set', '~1\r\n>1\r\n:1\r\n', E.NestedPush],
    ['push inside a push', '>2\r\n+message\r\n>1\r\n+p\r\n', E.NestedPush],
    ['push inside an attribute', '|1\r\n+k\r\n>1\r\n+p\r\n+v\r\n', E.NestedPush],
    ['push deep in nested arrays', '*1\r\n*1\r\n*2\r\n:1\r\n>1\r\n+p\r\n', E.NestedPush],
  ];

  for (const [name, wire, code] of corpus) {
    it(`${name} -> code ${code}, whole and byte by byte`, () => {
      const data = b(wire);
      assert.deepStrictEqual(run([data]), [protocol(code)], 'whole');
      assert.deepStrictEqual(run(cut(data, [...data.keys()])), [protocol(code)], 'byte by byte');
    });
  }

  it('replies before the bad one are delivered, none after; the parser stays failed', () => {
    const r = recorder();
    r.parser.feed(b('+A\r\n:1\r\n?junk\r\n+B\r\n'));
    assert.deepStrictEqual(r.events, [reply('A'), reply(1), protocol(E.UnknownType)]);
    assert.equal(r.parser.failed, true);
    r.parser.feed(b('+C\r\n'));
    assert.equal(r.events.length, 3, 'ignored while failed');
  });

  it('reset() recovers after a protocol error', () => {
    const r = recorder();
    r.parser.feed(b('*2\r\n+A\r\n$x'));
    assert.deepStrictEqual(r.events, [protocol(E.BadLength)]);
    r.parser.reset();
    assert.equal(r.parser.failed, false);
    r.parser.feed(b('*2\r\n+A\r\n:2\r\n'));
    assert.deepStrictEqual(r.events, [protocol(E.BadLength), reply(['A', 2])]);
  });

  it('a huge length header fails before its CRLF or payload arrives', () => {
    assert.deepStrictEqual(run([b('$99999999999')]), [protocol(E.BulkTooLong)]);
    assert.deepStrictEqual(run([b('$11')], { maxBulkLength: 10 }), [protocol(E.BulkTooLong)]);
    assert.deepStrictEqual(run([b('*2'), b('0')], { maxElements: 10 }), [protocol(E.TooManyElements)]);
    assert.deepStrictEqual(run([b(':' + '1'.repeat(21))]), [protocol(E.BadInteger)]);
    assert.deepStrictEqual(run([b('$1x')]), [protocol(E.BadLength)]);
    assert.deepStrictEqual(run([b('#q')]), [protocol(E.BadBoolean)]);
  });

  it('maxBulkLength bounds bulk strings and text lines without buffering them', () => {
    const o = { maxBulkLength: 10 };
    assert.deepStrictEqual(run([b('$10\r\n0123456789\r\n')], o), [reply('0123456789')]);
    assert.deepStrictEqual(run([b('$11\r\n')], o), [protocol(E.BulkTooLong)]);
    assert.deepStrictEqual(run([b('+0123456789\r\n')], o), [reply('0123456789')]);
    assert.deepStrictEqual(run([b('+01234567890')], o), [protocol(E.LineTooLong)]);
    assert.deepStrictEqual(run([b('-01234567890\r\n')], o), [protocol(E.LineTooLong)]);
    // a line with no CRLF is refused once it passes the bound, whatever the chunking
    const r = recorder({ maxBulkLength: 1000 });
    for (let i = 0; i < 100 && !r.parser.failed; i++)
      r.parser.feed(b(i === 0 ? '+' : 'aaaaaaaaaaaaaaaaaaaa'));
    assert.deepStrictEqual(r.events, [protocol(E.LineTooLong)]);
  });

  it('maxDepth and maxElements', () => {
    const nest = (n: number): string => '*1\r\n'.repeat(n) + ':1\r\n';
    // The default is the most the decoder takes (it recurses once per level), split anywhere.
    const deepest = b(nest(1024));
    assert.equal(run([deepest]).length, 1);
    assert.equal(run(cut(deepest, [1, 2000, 4000])).length, 1);
    assert.deepStrictEqual(run([b(nest(1025))]), [protocol(E.TooDeep)]);
    assert.throws(() => recorder({ maxDepth: 1025 }), RangeError);
    assert.deepStrictEqual(run([b(nest(3))], { maxDepth: 2 }), [protocol(E.TooDeep)]);
    assert.deepStrictEqual(run([b('|1\r\n*1\r\n:1\r\n:1\r\n:2\r\n')], { maxDepth: 1 }), [
      protocol(E.TooDeep),
    ]);
    assert.deepStrictEqual(run([b('*3\r\n:1\r\n:2\r\n:3\r\n')], { maxElements: 2 }), [
      protocol(E.TooManyElements),
    ]);
    assert.deepStrictEqual(run([b('%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n')], { maxElements: 1 }), [
      protocol(E.TooManyElements),
    ]);
    assert.deepStrictEqual(run([b('*2\r\n:1\r\n:2\r\n')], { maxElements: 2 }), [reply([1, 2])]);
  });

  it('invalid options are refused', () => {
    assert.throws(() => recorder({ maxBulkLength: -1 }), RangeError);
    assert.throws(() => recorder({ maxDepth: 0 }), RangeError);
    assert.throws(() => recorder({ maxElements: 1.5 }), RangeError);
  });

  it('every code has a value-free message', () => {
    for (const code of Object.values(E)) {
      const m = protocolErrorMessage(code);
      assert.match(m, /^Protocol error: /);
      assert.doesNotMatch(m, /code \d/);
    }
  });
});

/** Deterministic bytes including CR, LF and NUL. */
function binaryPayload(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const r = x >>> 24;
    out[i] = r < 16 ? [0, 13, 10, 13][r & 3]! : r;
  }
  return out;
}

function chunked(data: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return parts;
}

describe('parser: large bulk strings (>= 64 KiB) outside linear memory', () => {
  const payload = binaryPayload(200_003);
  const wire = encode({ t: 'bulk', v: payload });

  for (const size of [wire.length, 65536, 16384, 1000, 65535, 65537]) {
    it(`binary-safe across chunks of ${size} bytes, as Buffer and as string`, () => {
      assert.deepStrictEqual(run(chunked(wire, size), {}, true), [reply(Buffer.from(payload))]);
      assert.deepStrictEqual(run(chunked(wire, size), {}, false), [
        reply(Buffer.from(payload).toString('utf8')),
      ]);
    });
  }

  it('split at every offset near the header and the trailing CRLF', () => {
    const want = [reply(Buffer.from(payload)), reply(Buffer.from('next'))];
    const data = concat([wire, b('+next\r\n')]);
    const points = [
      1,
      2,
      5,
      8,
      9,
      10,
      11,
      12,
      100,
      65545,
      wire.length - 3,
      wire.length - 2,
      wire.length - 1,
      wire.length,
      wire.length + 1,
    ];
    for (const p of points) assert.deepStrictEqual(run(cut(data, [p]), {}, true), want, `split at ${p}`);
    for (const p of points) {
      for (const q of [p + 1, p + 7, p + 70000]) {
        assert.deepStrictEqual(run(cut(data, [p, q]), {}, true), want, `split at ${p}, ${q}`);
      }
    }
  });

  it('whole inside one stable chunk: handed out without copying the chunk', () => {
    const chunk = Buffer.from(concat([wire, b('+after\r\n')]));
    const events = run([chunk], {}, true);
    const v = (events[0] as { value: Buffer }).value;
    assert.deepStrictEqual(v, Buffer.from(payload));
    assert.equal(v.buffer, chunk.buffer, 'a subarray of the socket chunk');
    assert.deepStrictEqual(events[1], reply(Buffer.from('after')));
  });

  it('transient chunks are not kept: a chunk overwritten after feed does not change the value', () => {
    // A transport may read every chunk into the same memory (net onread with a static buffer).
    const data = concat([wire, b('+after\r\n')]);
    for (const size of [data.length, 65536, 1000]) {
      const { parser: p, events } = recorder();
      p.returnBuffers = true;
      const scratch = Buffer.alloc(size);
      for (let at = 0; at < data.length; at += size) {
        const n = Math.min(size, data.length - at);
        scratch.set(data.subarray(at, at + n));
        p.feed(scratch.subarray(0, n), true);
        scratch.fill(0x21);
      }
      const v = (events[0] as { value: Buffer }).value;
      assert.deepStrictEqual(v, Buffer.from(payload), `chunks of ${size}`);
      assert.notEqual(v.buffer, scratch.buffer);
      assert.deepStrictEqual(events[1], reply(Buffer.from('after')));
    }
  });

  it('values handed out as bytes never share bytes, text in between never overwrites them', () => {
    // Value 1 is stored while bytes are expected and decoded as text: its storage must not be
    // reused for value 2 while value 0, handed out as bytes, may share it.
    const values = [100_000, 100_000, 100_000, 9_000_000, 70_000].map((n, i) => binaryPayload(n, i + 7));
    const data = concat(values.map((v) => encode({ t: 'bulk', v })));
    const { parser: p, events } = recorder();
    for (let at = 0; at < data.length; at += 65536) {
      p.returnBuffers = events.length !== 1;
      p.feed(Buffer.from(data.subarray(at, at + 65536)), true);
    }
    assert.equal(events.length, values.length);
    assert.equal(typeof (events[1] as { value: unknown }).value, 'string');
    for (let i = 0; i < values.length; i++) {
      const v = (events[i] as { value: unknown }).value;
      if (typeof v === 'string') assert.equal(v, Buffer.from(values[i]!).toString('utf8'));
      else assert.ok(Buffer.from(values[i]!).equals(v as Buffer), `value ${i}`);
    }
  });

  it('text above 2 MiB from stable chunks (joined, then one decode), twice', () => {
    const big = 'abc'.repeat(900_000) + 'é';
    const w = encode({ t: 'bulk', v: b(big) });
    assert.deepStrictEqual(run(chunked(concat([w, w]), 65536)), [reply(big), reply(big)]);
    const asciiOnly = 'xy'.repeat(1_200_000);
    const w2 = encode({ t: 'bulk', v: b(asciiOnly) });
    assert.deepStrictEqual(run(chunked(concat([w2, w2]), 30_000)), [reply(asciiOnly), reply(asciiOnly)]);
  });

  it('stable chunks first, then transient ones and readInto(): one value, text and bytes', () => {
    const data = concat([wire, wire, b('+after\r\n')]);
    for (const asBytes of [true, false]) {
      const { parser: p, events } = recorder();
      p.returnBuffers = asBytes;
      const scratch = Buffer.alloc(5000);
      let at = 0;
      for (let k = 0; at < data.length; k++) {
        // stable copies for the first reads of each value, then the reading transport's way
        const stable = k % 40 < 3;
        const into = stable ? Buffer.alloc(5000) : (p.readInto() ?? scratch);
        const n = Math.min(into.length, 5000, data.length - at);
        into.set(data.subarray(at, at + n));
        at += n;
        p.feed(into.subarray(0, n), !stable);
        if (into === scratch) scratch.fill(0x21);
      }
      const want = asBytes ? Buffer.from(payload) : Buffer.from(payload).toString('utf8');
      assert.deepStrictEqual(
        events.map((e) => (e as { value: unknown }).value),
        [want, want, asBytes ? Buffer.from('after') : 'after'],
      );
    }
  });

  it('readInto(): the payload read straight into the value, then fed as that window', () => {
    const data = concat([wire, b('+after\r\n')]);
    const { parser: p, events } = recorder();
    p.returnBuffers = true;
    let at = 0;
    let direct = 0;
    const scratch = Buffer.alloc(4096);
    while (at < data.length) {
      // what a reading transport does: the parser's window when it has one, else its own buffer
      const into = p.readInto() ?? scratch;
      if (into !== scratch) direct++;
      const n = Math.min(into.length, 30_000, data.length - at);
      into.set(data.subarray(at, at + n));
      at += n;
      p.feed(into.subarray(0, n), true);
      if (into === scratch) scratch.fill(0x21);
    }
    assert.ok(direct > 0, 'the parser offered its window');
    const v = (events[0] as { value: Buffer }).value;
    assert.deepStrictEqual(v, Buffer.from(payload));
    assert.deepStrictEqual(events[1], reply(Buffer.from('after')));
    assert.equal(p.readInto(), null, 'no window between replies');
  });

  it('text decoded ahead as a large payload lands (readInto, transient reads): ASCII, UTF-8 from any piece on', () => {
    const P = 65536;
    const texts = [
      'a'.repeat(3 * P), // whole pieces, no tail
      'b'.repeat(3 * P + 17), // a tail after them
      'c'.repeat(2 * P) + 'é' + 'd'.repeat(P), // not ASCII from the third piece on
      'e'.repeat(P - 1) + '€' + 'f'.repeat(P), // a character across the first piece boundary
      '€'.repeat(40_000), // not ASCII from the first byte
      'g'.repeat(2 * P) + '😀', // not ASCII in the tail only
    ];
    for (const text of texts) {
      const data = concat([encode({ t: 'bulk', v: b(text) }), b('+after\r\n')]);
      for (const size of [1000, P, 100_000]) {
        const { parser: p, events } = recorder();
        const scratch = Buffer.alloc(size);
        for (let at = 0; at < data.length;) {
          const into = p.readInto() ?? scratch;
          const n = Math.min(into.length, size, data.length - at);
          into.set(data.subarray(at, at + n));
          at += n;
          p.feed(into.subarray(0, n), true);
          scratch.fill(0x21);
        }
        const got = events.map((e) => (e as { value: unknown }).value);
        assert.equal(got.length, 2, `${text.length} chars in reads of ${size}`);
        assert.ok(got[0] === text, `${text.length} chars in reads of ${size}`);
        assert.equal(got[1], 'after');
      }
    }
  });

  it('a payload decoded ahead as text is still bytes for a push that wants bytes', () => {
    const payload = 'p'.repeat(200_000);
    const data = b(`>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$${payload.length}\r\n${payload}\r\n$2\r\nok\r\n`);
    const { parser: p, events } = recorder();
    p.returnBuffers = false; // what the header sees: the reply it expects wants text
    p.pushBuffers = true;
    for (const c of chunked(data, 30_000)) p.feed(Buffer.from(c), true);
    assert.deepStrictEqual(events, [
      { kind: 'push', value: [Buffer.from('message'), Buffer.from('ch'), Buffer.from(payload)] },
      reply('ok'),
    ]);
  });

  it('a large payload handed out as bytes (a push with pushBuffers) is not decoded as text', () => {
    // Binary (not ASCII from the first piece): before, the whole payload was decoded as UTF-8
    // when it completed, then thrown away (1 MB: about 5 ms per message, bench in the commit).
    const payload = Buffer.alloc(1_000_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 131 + (i >> 5)) & 0xff;
    const data = concat([b(`>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$${payload.length}\r\n`), payload, b('\r\n')]);
    const proto = Buffer.prototype as unknown as Record<
      'utf8Slice' | 'latin1Slice',
      (s: number, e: number) => string
    >;
    const saved = { utf8Slice: proto.utf8Slice, latin1Slice: proto.latin1Slice };
    let decoded = 0;
    for (const name of ['utf8Slice', 'latin1Slice'] as const) {
      const orig = saved[name];
      proto[name] = function (this: Buffer, s: number, e: number): string {
        decoded += e - s;
        return orig.call(this, s, e);
      };
    }
    const { parser: p, events } = recorder();
    p.returnBuffers = false; // what the header sees: the reply it expects wants text
    p.pushBuffers = true;
    try {
      const scratch = Buffer.alloc(65_536);
      for (let at = 0; at < data.length;) {
        const into = p.readInto() ?? scratch;
        const n = Math.min(into.length, 65_536, data.length - at);
        into.set(data.subarray(at, at + n));
        p.feed(into.subarray(0, n), true);
        at += n;
      }
    } finally {
      Object.assign(proto, saved);
    }
    assert.deepStrictEqual(events, [
      { kind: 'push', value: [Buffer.from('message'), Buffer.from('ch'), payload] },
    ]);
    assert.equal(decoded, 0, 'bytes decoded as text');
  });

  it('multi-byte UTF-8 across 64 KiB decode pieces', () => {
    const text = '€'.repeat(70_000) + 'x' + '😀'.repeat(30_000) + 'é'.repeat(40_001);
    const data = encode({ t: 'bulk', v: b(text) });
    assert.deepStrictEqual(run(chunked(data, 65536)), [reply(text)]);
    assert.deepStrictEqual(run(chunked(data, 7777)), [reply(text)]);
    assert.deepStrictEqual(run([data]), [reply(text)]);
  });

  it('inside aggregates, as map keys, inside attributes (skipped), as errors', () => {
    const big = { t: 'bulk', v: payload } as const;
    const value: RespValue = {
      t: 'array',
      v: [
        simple('a'),
        big,
        {
          t: 'map',
          v: [
            [big, int(1)],
            [simple('k'), big],
          ],
        },
        { t: 'attr', attrs: [[simple('meta'), big]], value: int(7) },
        { t: 'blobError', v: b('E'.repeat(70_000)) },
        { t: 'verbatim', format: 'txt', v: b('v'.repeat(70_000)) },
      ],
    };
    const data = encode(value);
    for (const size of [65536, 4096, 99_999]) {
      assert.deepStrictEqual(
        run(chunked(data, size), {}, true),
        [expectedDelivery(value, { returnBuffers: true })],
        `chunks of ${size}`,
      );
      assert.deepStrictEqual(run(chunked(data, size)), [expectedDelivery(value)], `chunks of ${size}`);
    }
  });

  it('bad trailing bytes and the length bound', () => {
    const bad = concat([b(`$${payload.length}\r\n`), payload, b('XY+OK\r\n')]);
    assert.deepStrictEqual(run(chunked(bad, 65536)), [protocol(ProtocolErrorCode.BadCrlf)]);
    const badLf = concat([b(`$${payload.length}\r\n`), payload, b('\rY')]);
    assert.deepStrictEqual(run(chunked(badLf, 50000)), [protocol(ProtocolErrorCode.BadCrlf)]);
    assert.deepStrictEqual(run(chunked(wire, 65536), { maxBulkLength: 200_000 }), [
      protocol(ProtocolErrorCode.BulkTooLong),
    ]);
  });

  it('uint8array mode', () => {
    const events = run(chunked(wire, 30000), { binary: 'uint8array' }, true);
    const v = (events[0] as { value: Uint8Array }).value;
    assert.equal(Object.getPrototypeOf(v), Uint8Array.prototype);
    assert.deepStrictEqual(v, payload);
  });
});

describe('parser: feeding discipline', () => {
  it('reset() inside a handler drops the rest of the chunk', () => {
    const seen: unknown[] = [];
    const p: Parser = new Parser({
      onReply(v) {
        seen.push(v);
        if (v === 'A') p.reset();
      },
      onError() {},
      onPush() {},
      onProtocolError() {},
    });
    p.feed(b('+A\r\n+B\r\n+C'));
    p.feed(b('+D\r\n'));
    assert.deepStrictEqual(seen, ['A', 'D']);
  });

  it('a throwing handler does not lose later replies; the first exception is rethrown', () => {
    const seen: unknown[] = [];
    const p = new Parser({
      onReply(v) {
        seen.push(v);
        if (v === 'A' || v === 'B') throw new Error(`boom ${String(v)}`);
      },
      onError() {},
      onPush() {},
      onProtocolError() {},
    });
    assert.throws(() => p.feed(b('+A\r\n+B\r\n+C\r\n')), /boom A/);
    p.feed(b('+D\r\n'));
    assert.deepStrictEqual(seen, ['A', 'B', 'C', 'D']);
  });

  it('in a run of integers, a throwing handler loses no reply and reset() drops the rest', () => {
    const seen: unknown[] = [];
    const p = new Parser({
      onReply(v) {
        seen.push(v);
        if (v === 1 || v === 2) throw new Error(`boom ${String(v)}`);
        if (v === 4) p.reset();
      },
      onError() {},
      onPush() {},
      onProtocolError() {},
    });
    assert.throws(() => p.feed(b(':1\r\n:2\r\n:3\r\n:4\r\n:5\r\n')), /boom 1/);
    p.feed(b(':6\r\n'));
    assert.deepStrictEqual(seen, [1, 2, 3, 4, 6]);
  });

  it('a chunk fed from inside a handler is parsed after the current one', () => {
    const seen: unknown[] = [];
    const p = new Parser({
      onReply(v) {
        seen.push(v);
        if (v === 'A') p.feed(b('D\r\n'));
      },
      onError() {},
      onPush() {},
      onProtocolError() {},
    });
    p.feed(b('+A\r\n+B\r\n+C'));
    assert.deepStrictEqual(seen, ['A', 'B', 'CD']);
  });

  it('a reply that cannot be decoded (makeError threw) becomes onError; the stream continues', () => {
    const big = binaryPayload(70_000);
    const data = concat([
      b('*4\r\n+a\r\n-boom\r\n'),
      encode({ t: 'bulk', v: big }),
      b('%1\r\n+k\r\n-boom\r\n'),
      encode({ t: 'bulk', v: big }),
      b('+after\r\n'),
    ]);
    const kinds: unknown[] = [];
    const p = new Parser(
      {
        onReply: (v) => kinds.push(Buffer.isBuffer(v) ? ['buffer', v.length] : v),
        onError: (e) => kinds.push(['error', e.message]),
        onPush() {},
        onProtocolError: (code) => kinds.push(['protocol', code]),
      },
      {
        makeError(m) {
          if (m === 'boom') throw new Error('makeError failed');
          return new ReplyErr(m);
        },
      },
    );
    p.returnBuffers = true;
    for (const c of chunked(data, 30_000)) p.feed(c);
    assert.deepStrictEqual(kinds, [
      ['error', 'makeError failed'],
      ['buffer', 70_000],
      ['buffer', 5],
    ]);
  });

  it('memory grows for a large reply and a fresh core replaces it afterwards', () => {
    const n = 1_300_000;
    const data = concat([b(`*${n}\r\n`), b('_\r\n'.repeat(n)), b(':5\r\n')]);
    const events = run(chunked(data, 65536));
    assert.equal(events.length, 2);
    const arr = (events[0] as { value: unknown[] }).value;
    assert.equal(arr.length, n);
    assert.equal(arr[n - 1], null);
    assert.deepStrictEqual(events[1], reply(5));
  });

  it('many replies in one chunk and one reply over many chunks', () => {
    const many = b('+OK\r\n'.repeat(20_000));
    const events = run([many]);
    assert.equal(events.length, 20_000);
    const arr = encode({ t: 'array', v: Array.from({ length: 5000 }, (_, i) => bulk(`value-${i}`)) });
    const [ev] = run(chunked(arr, 1000));
    assert.deepStrictEqual((ev as { value: string[] }).value.slice(-2), ['value-4998', 'value-4999']);
  });
});
