/**
 * The request encoder's bytes against an independent serialisation (Buffer.from per argument,
 * test/support/raw-client.ts): strings on both sides of the char-loop / native-write split,
 * header widths that change between the UTF-16 length and the UTF-8 length, lone surrogates,
 * slab boundaries, and rollback after a bad argument. Also without Buffer (edge runtimes), in a
 * child process whose global Buffer is removed before the encoder loads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DataError } from '../src/errors/index.js';
import { RequestEncoder } from '../src/protocol/encoder.js';
import { encodeCommand } from './support/raw-client.js';

const joined = (chunks: readonly Uint8Array[]): Buffer => Buffer.concat(chunks.map((c) => Buffer.from(c)));

/** Strings whose UTF-8 length differs from their UTF-16 length in every way that matters. */
function samples(): string[] {
  const out: string[] = ['', 'a', 'GET', 'key:1'];
  for (const n of [
    9, 10, 31, 32, 33, 34, 64, 65, 99, 100, 101, 333, 334, 999, 1000, 5000, 16383, 16384, 20000,
  ])
    out.push('x'.repeat(n));
  // non-ASCII at the start, in the middle and at the end of short and long strings
  for (const n of [1, 5, 31, 32, 33, 40, 100, 3333]) {
    out.push('é' + 'a'.repeat(n), 'a'.repeat(n) + '€', 'a'.repeat(n >> 1) + '😀' + 'b'.repeat(n >> 1));
  }
  // the header grows by a digit from the UTF-16 length to the UTF-8 length (9 -> 18, 34 -> 102)
  out.push('é'.repeat(9), '€'.repeat(34), '€'.repeat(3334), 'é'.repeat(5000));
  // lone surrogates become U+FFFD, as Buffer.from does
  out.push('\ud800', 'a\udc00b', 'x'.repeat(40) + '\ud83d');
  return out;
}

describe('RequestEncoder', () => {
  it('encodes every sample string as Buffer.from would, alone and among other arguments', () => {
    const e = new RequestEncoder();
    for (const s of samples()) {
      e.encode('SET', [s, 7]);
      assert.deepEqual(joined(e.take()), encodeCommand(['SET', s, 7]), `length ${s.length}`);
      e.encode('MSET', ['k', s, s, 'v', 1234567, s]);
      assert.deepEqual(joined(e.take()), encodeCommand(['MSET', 'k', s, s, 'v', 1234567, s]));
    }
  });

  it('keeps the bytes of many commands across slab boundaries', () => {
    const e = new RequestEncoder();
    const list = samples();
    const expected: Buffer[] = [];
    const got: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const s = list[i % list.length] as string;
      e.encode('set', [`k${i}`, s]);
      expected.push(encodeCommand(['set', `k${i}`, s]));
      if (i % 997 === 0) got.push(...e.take());
    }
    got.push(...e.take());
    assert.deepEqual(joined(got), Buffer.concat(expected));
  });

  it('rewind() starts the slab over only when everything encoded was taken', () => {
    const e = new RequestEncoder();
    e.encode('SET', ['a', '1']);
    const [first] = e.take() as [Uint8Array];
    e.encode('SET', ['b', '2']);
    e.rewind(); // 'b' is not taken yet: its bytes stay where they are
    const [second] = e.take() as [Uint8Array];
    assert.equal(second.byteOffset, first.byteOffset + first.length);
    assert.deepEqual(Buffer.from(second), encodeCommand(['SET', 'b', '2']));
    e.rewind();
    e.encode('GET', ['c']);
    const [third] = e.take() as [Uint8Array];
    assert.equal(third.buffer, first.buffer);
    assert.equal(third.byteOffset, first.byteOffset);
    assert.deepEqual(Buffer.from(third), encodeCommand(['GET', 'c']));
  });

  it("Node's transport vouches for its writes on Node only, never on a runtime emulating node:net", () => {
    const script = `
      import { createServer } from 'node:net';
      if (process.argv[1] === 'bun') Object.defineProperty(process.versions, 'bun', { value: '1.0.0' });
      const { nodeTransport } = await import(${JSON.stringify(new URL('../src/transport/node.ts', import.meta.url).href)});
      const server = createServer((s) => s.resume());
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const t = await nodeTransport({ host: '127.0.0.1', port: server.address().port, connectTimeout: 5000 });
      t.onData(() => undefined);
      t.write(new Uint8Array(100));
      console.log(JSON.stringify(t.flushed()));
      t.destroy();
      server.close();
    `;
    const run = (runtime: string): unknown => {
      const res = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script, runtime],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(res.status, 0, res.stderr);
      return JSON.parse(res.stdout) as unknown;
    };
    assert.equal(run('node'), true);
    assert.equal(run('bun'), false);
  });

  it('numbers, bigints and bytes', () => {
    const e = new RequestEncoder();
    const bin = Buffer.from([0, 255, 13, 10]);
    const big = Buffer.alloc(20000, 7);
    e.encode('x', [0, 9, 10, 99, 100, 2147483647, 2147483648, -1, 1.5, Infinity, -Infinity, 12n, bin, big]);
    assert.deepEqual(
      joined(e.take()),
      encodeCommand([
        'x',
        0,
        9,
        10,
        99,
        100,
        2147483647,
        2147483648,
        -1,
        1.5,
        '+inf',
        '-inf',
        '12',
        bin,
        big,
      ]),
    );
  });

  it('a bad argument leaves nothing of its command, even after a slab switch', () => {
    const e = new RequestEncoder();
    e.encode('a', ['1']);
    // The first argument fills the slab past its end (a new slab), the second is refused.
    assert.throws(() =>
      e.encode('b', ['y'.repeat(15000), 'z'.repeat(15000), 'w'.repeat(15000), 'v'.repeat(15000), {}]),
    );
    assert.throws(() => e.encode('c', ['x', NaN]));
    e.encode('d', ['é'.repeat(40)]);
    assert.deepEqual(
      joined(e.take()),
      Buffer.concat([encodeCommand(['a', '1']), encodeCommand(['d', 'é'.repeat(40)])]),
    );
  });

  it('refuses an argument of more than maxArgumentLength bytes whatever its length or kind', () => {
    const e = new RequestEncoder(100);
    e.encode('a', ['x'.repeat(100), 'é'.repeat(50), '€'.repeat(33) + 'x', Buffer.alloc(100), 12345]);
    const fits = joined(e.take());
    assert.deepEqual(
      fits,
      encodeCommand(['a', 'x'.repeat(100), 'é'.repeat(50), '€'.repeat(33) + 'x', Buffer.alloc(100), 12345]),
    );
    // Just over, below and above the char-loop / native-write split, ASCII or not, and non-strings.
    for (const bad of [
      'x'.repeat(101),
      'é'.repeat(51),
      '€'.repeat(34),
      'x'.repeat(99) + '😀',
      'x'.repeat(5000),
      'x'.repeat(20000),
      Buffer.alloc(101),
      10n ** 101n,
    ]) {
      assert.throws(
        () => e.encode('SET', ['k', bad]),
        (err: unknown) => err instanceof DataError && /exceeds maxArgumentLength \(100\)/.test(err.message),
        typeof bad === 'string' ? `string of ${bad.length}` : typeof bad,
      );
      assert.equal(e.pending, false, 'nothing of the refused command stays');
    }
    const short = new RequestEncoder(3);
    assert.throws(() => short.encode('GET', ['abcd']), DataError);
    assert.throws(() => short.encode('GET', [12345]), DataError);
    assert.throws(() => short.encode('GET', [1.5e300]), DataError);
    short.encode('GET', ['abc', 999]);
    assert.deepEqual(joined(short.take()), encodeCommand(['GET', 'abc', 999]));
  });

  it('encodes the same bytes without Buffer (TextEncoder.encodeInto)', () => {
    const script = `
      delete globalThis.Buffer;
      const { RequestEncoder } = await import(${JSON.stringify(new URL('../src/protocol/encoder.ts', import.meta.url).href)});
      const e = new RequestEncoder();
      const strings = ${JSON.stringify(samples())};
      const out = [];
      for (const s of strings) {
        e.encode('SET', [s, 7]);
        const parts = e.take();
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) { all.set(p, at); at += p.length; }
        out.push(Array.from(all));
      }
      console.log(JSON.stringify(out));
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(res.status, 0, res.stderr);
    const got = JSON.parse(res.stdout) as number[][];
    const list = samples();
    assert.equal(got.length, list.length);
    got.forEach((bytes, i) =>
      assert.deepEqual(Buffer.from(bytes), encodeCommand(['SET', list[i] as string, 7])),
    );
  });
});
