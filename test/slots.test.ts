import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadNodeCore } from '../src/core/wasm-node.js';
import { DataError } from '../src/errors/index.js';
import { commonSlot, crc16, keySlot, keySlots, type KeyInput } from '../src/core/slots.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

loadNodeCore();

// ---- An independent reference: bit-by-bit CRC16-XMODEM, tag rule on bytes. ----

function refCrc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** What the command encoder puts on the wire for a key. */
function keyBytes(key: KeyInput): Uint8Array {
  if (typeof key === 'string') return Buffer.from(key, 'utf8');
  if (typeof key === 'number')
    return Buffer.from(key === Infinity ? '+inf' : key === -Infinity ? '-inf' : String(key), 'utf8');
  return key;
}

function refSlot(key: KeyInput): number {
  const b = keyBytes(key);
  const open = b.indexOf(0x7b);
  if (open !== -1) {
    const close = b.indexOf(0x7d, open + 1);
    if (close > open + 1) return refCrc16(b, open + 1, close) & 16383;
  }
  return refCrc16(b) & 16383;
}

// ---- Key generators: braces, non-ASCII, lone surrogates, raw bytes, numbers. ----

const braceString = fc.string({
  unit: fc.constantFrom('{', '}', 'a', 'b', 'z', '0', ':', 'é', '€', '😀', '\u0000'),
  maxLength: 24,
});
const codeUnitString = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 16 })
  .map((units) => String.fromCharCode(...units));
const braceBytes = fc
  .array(fc.oneof(fc.constantFrom(0x7b, 0x7d), fc.integer({ min: 0, max: 255 })), { maxLength: 40 })
  .map((a) => Uint8Array.from(a));
const taggedString = fc.tuple(braceString, braceString, braceString).map(([a, b, c]) => `${a}{${b}}${c}`);
const anyKey: fc.Arbitrary<KeyInput> = fc.oneof(
  fc.string({ maxLength: 16 }),
  // around the char-loop / encodeInto switch (64 units) and beyond
  fc.string({ minLength: 56, maxLength: 200, size: 'max' }),
  fc.string({ unit: 'grapheme', minLength: 20, maxLength: 120, size: 'max' }),
  taggedString,
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  braceString,
  codeUnitString,
  fc.uint8Array({ maxLength: 100 }),
  braceBytes,
  fc.integer(),
  fc.double({ noNaN: true }),
);

// ---- Fixed vectors. ----

describe('keySlot: known values', () => {
  it('CRC16-XMODEM check value of "123456789" is 0x31C3', () => {
    assert.equal(crc16('123456789'), 0x31c3);
    assert.equal(crc16(Buffer.from('123456789')), 0x31c3);
    assert.equal(keySlot('123456789'), 0x31c3 & 16383);
    assert.equal(keySlot('123456789'), 12739);
  });

  it('computes the right CRC for every byte value at every position of an 8-byte word', () => {
    // touches each entry of the eight lookup tables, then the byte-at-a-time tail
    for (let pos = 0; pos < 8; pos++) {
      for (let b = 0; b < 256; b++) {
        const key = new Uint8Array(11).fill(0x31);
        key[pos] = b;
        key[8 + (pos % 3)] = b;
        assert.equal(crc16(key), refCrc16(key), `byte ${b} at ${pos}`);
      }
    }
  });

  it('matches the slots documented by Redis', () => {
    assert.equal(keySlot('foo'), 12182);
    assert.equal(keySlot('bar'), 5061);
    assert.equal(keySlot(''), 0);
  });

  it('hashes only the tag when there is one', () => {
    assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'));
    assert.equal(keySlot('{user1000}.following'), keySlot('user1000'));
    assert.equal(keySlot('x{foo}y'), keySlot('foo'));
    // only the first '{' and the first '}' after it count
    assert.equal(keySlot('a{b}c{d}'), keySlot('b'));
  });

  it('hashes the whole key when the first tag is empty or unclosed', () => {
    assert.equal(keySlot('foo{}{bar}'), refCrc16(Buffer.from('foo{}{bar}')) & 16383);
    assert.notEqual(keySlot('foo{}{bar}'), keySlot('bar'));
    assert.notEqual(keySlot('foo{}{bar}'), keySlot('{bar'));
    assert.equal(keySlot('foo{bar'), refCrc16(Buffer.from('foo{bar')) & 16383);
    assert.equal(keySlot('foo}bar{'), refCrc16(Buffer.from('foo}bar{')) & 16383);
    assert.equal(keySlot('{}'), refCrc16(Buffer.from('{}')) & 16383);
  });

  it('takes "{bar" as the tag of foo{{bar}}zap', () => {
    assert.equal(keySlot('foo{{bar}}zap'), keySlot('{bar'));
    assert.equal(keySlot('foo{{bar}}zap'), refCrc16(Buffer.from('{bar')) & 16383);
  });

  it('hashes strings as UTF-8 bytes', () => {
    for (const s of ['é', 'ключ', '键', '😀', 'a😀b{é}c', '{😀}x', 'x'.repeat(70) + 'é']) {
      assert.equal(keySlot(s), refSlot(s), s);
      assert.equal(keySlot(s), keySlot(Buffer.from(s, 'utf8')), s);
    }
    // a lone surrogate is sent as U+FFFD, so it hashes as EF BF BD
    assert.equal(keySlot('a\ud800b'), keySlot(Buffer.from([0x61, 0xef, 0xbf, 0xbd, 0x62])));
  });

  it('hashes Buffer and Uint8Array keys byte for byte', () => {
    const bytes = [0x00, 0xff, 0x7b, 0x80, 0x7d, 0xc3, 0x28, 0xfe];
    assert.equal(keySlot(Buffer.from(bytes)), refSlot(Uint8Array.from(bytes)));
    assert.equal(keySlot(Uint8Array.from(bytes)), keySlot(Buffer.from(bytes)));
    // tag {\x80} is hashed, not re-encoded
    assert.equal(keySlot(Buffer.from([0x61, 0x7b, 0x80, 0x7d])), keySlot(Buffer.from([0x80])));
    // a view at an offset into a bigger buffer
    const big = Buffer.from('xxxfooyyy');
    assert.equal(keySlot(big.subarray(3, 6)), 12182);
  });

  it('hashes numbers as their decimal text', () => {
    assert.equal(keySlot(123), keySlot('123'));
    assert.equal(keySlot(-7), keySlot('-7'));
    assert.equal(keySlot(1.5), keySlot('1.5'));
    assert.equal(keySlot(0), keySlot('0'));
    assert.equal(keySlot(-0), keySlot('0'));
    assert.equal(keySlot(1e21), keySlot('1e+21'));
    // the infinities go out as +inf / -inf; NaN is refused, as by the encoder
    assert.equal(keySlot(Infinity), keySlot('+inf'));
    assert.equal(keySlot(-Infinity), keySlot('-inf'));
    assert.deepEqual(
      [...keySlots([Infinity, 'x', -Infinity])],
      [keySlot('+inf'), keySlot('x'), keySlot('-inf')],
    );
    assert.throws(() => keySlot(NaN), DataError);
    assert.throws(() => keySlots(['a', NaN]), DataError);
  });

  it('follows a re-registered core module', () => {
    assert.equal(keySlot('foo'), 12182);
    loadNodeCore(); // a fresh shared instance with its own memory
    assert.equal(keySlot('foo'), 12182);
    assert.deepEqual([...keySlots(['foo', 'bar'])], [12182, 5061]);
    assert.equal(keySlot(Buffer.from('bar')), 5061);
  });

  it('handles keys larger than the scratch region (growth keeps working)', () => {
    const long = 'k'.repeat(5000) + '{tag}';
    assert.equal(keySlot(long), keySlot('tag'));
    const wide = 'é'.repeat(70_000); // counted exactly rather than reserved at 3 bytes a unit
    assert.equal(keySlot(wide), refSlot(wide));
    const bin = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
    assert.equal(keySlot(bin), refSlot(bin));
    // short keys still right after the regions moved
    assert.equal(keySlot('foo'), 12182);
    assert.deepEqual([...keySlots(['foo', long, 'bar', bin])], [12182, keySlot('tag'), 5061, refSlot(bin)]);
  });

  it('keySlots and commonSlot on edge inputs', () => {
    assert.deepEqual(keySlots([]), new Uint16Array(0));
    assert.ok(keySlots(['foo']) instanceof Uint16Array);
    assert.deepEqual([...keySlots(['foo', 'bar', '', 42])], [12182, 5061, 0, keySlot('42')]);
    assert.equal(commonSlot([]), -1);
    assert.equal(commonSlot(['foo']), 12182);
    assert.equal(commonSlot(['{u}a', '{u}b', Buffer.from('{u}c')]), keySlot('u'));
    assert.equal(commonSlot(['foo', 'bar']), -1);
    // a surrogate pair must not form across two keys of a batch
    for (const ks of [
      ['a\ud800', '\udc00b'],
      ['a\ud800', '', '\udc00b'],
      ['\ud83d', '\ude00', '😀'],
    ]) {
      assert.deepEqual(
        [...keySlots(ks)],
        ks.map((k) => refSlot(k)),
        JSON.stringify(ks),
      );
    }
    // strings and numbers only (one encode for the batch), with and without non-ASCII
    assert.deepEqual([...keySlots(['foo', 7, 'bar'])], [12182, keySlot('7'), 5061]);
    assert.deepEqual([...keySlots(['é', '{€}x', 'ключ', 3.25])], ['é', '{€}x', 'ключ', 3.25].map(refSlot));
    // a batch much larger than the initial table
    const many = Array.from({ length: 5000 }, (_, i) => `key:${i}`);
    assert.deepEqual([...keySlots(many)], many.map(refSlot));
  });

  it('rejects values that are not keys', () => {
    assert.throws(() => keySlot({} as unknown as KeyInput), DataError);
    assert.throws(() => keySlots(['a', null as unknown as KeyInput]), DataError);
    assert.throws(() => keySlots([Buffer.from('a'), 1n as unknown as KeyInput]), DataError);
    assert.throws(() => commonSlot([true as unknown as KeyInput]), DataError);
    // still usable afterwards
    assert.equal(keySlot('foo'), 12182);
  });
});

// ---- Properties. ----

describe('keySlot: properties', () => {
  it('agrees with the reference on 100k random keys', () => {
    fc.assert(
      fc.property(anyKey, (key) => keySlot(key) === refSlot(key)),
      { numRuns: 100_000 },
    );
  });

  it('keySlots(keys) equals keys.map(keySlot), and commonSlot agrees', () => {
    fc.assert(
      fc.property(fc.array(anyKey, { maxLength: 120, size: 'max' }), (keys) => {
        const batch = keySlots(keys);
        const single = keys.map((k) => keySlot(k));
        assert.deepEqual([...batch], single);
        const common = single.length > 0 && single.every((s) => s === single[0]) ? single[0] : -1;
        assert.equal(commonSlot(keys), common);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keySlots on all-string batches (the one-encode path) equals the reference', () => {
    const stringKey = fc.oneof(
      fc.string({ maxLength: 20 }),
      braceString,
      codeUnitString,
      taggedString,
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.integer(),
    );
    fc.assert(
      fc.property(fc.array(stringKey, { maxLength: 150, size: 'max' }), (keys) => {
        assert.deepEqual([...keySlots(keys)], keys.map(refSlot));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keys sharing a tag share a slot', () => {
    fc.assert(
      fc.property(
        braceString,
        fc.string({ minLength: 1, maxLength: 10 }).filter((t) => !t.includes('}')),
        braceString,
        (pre, tag, post) => {
          fc.pre(!pre.includes('{'));
          return keySlot(`${pre}{${tag}}${post}`) === keySlot(tag);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

// ---- Against a real server's CLUSTER KEYSLOT. ----

/** Sends CLUSTER KEYSLOT for every key in one pipelined write and collects the integer replies. */
async function serverSlots(port: number, keys: readonly KeyInput[]): Promise<number[]> {
  const parts: Buffer[] = [];
  for (const key of keys) {
    const b = Buffer.from(keyBytes(key));
    parts.push(
      Buffer.from(`*3\r\n$7\r\nCLUSTER\r\n$7\r\nKEYSLOT\r\n$${b.length}\r\n`),
      b,
      Buffer.from('\r\n'),
    );
  }
  const socket: Socket = connect({ host: '127.0.0.1', port });
  try {
    return await new Promise<number[]>((resolve, reject) => {
      const slots: number[] = [];
      let pending = '';
      const timer = setTimeout(() => reject(new Error(`timed out after ${slots.length} replies`)), 10_000);
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.on('data', (chunk) => {
        pending += chunk.toString('latin1');
        let nl: number;
        while ((nl = pending.indexOf('\r\n')) !== -1) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 2);
          if (line[0] !== ':') {
            clearTimeout(timer);
            reject(new Error(`unexpected reply ${JSON.stringify(line)}`));
            return;
          }
          slots.push(Number(line.slice(1)));
        }
        if (slots.length === keys.length) {
          clearTimeout(timer);
          resolve(slots);
        }
      });
      socket.write(Buffer.concat(parts));
    });
  } finally {
    socket.destroy();
  }
}

describe('keySlot: against CLUSTER KEYSLOT', () => {
  let server: RedisServerHandle | undefined;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wredis-slots-'));
    server = await startRedis({
      args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
    });
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('agrees on the fixed vectors', async () => {
    const keys: KeyInput[] = [
      '123456789',
      'foo',
      'bar',
      '',
      'foo{}{bar}',
      'foo{{bar}}zap',
      '{user1000}.following',
      'a{b}c{d}',
      'foo{bar',
      '😀{é}',
      'é',
      Buffer.from([0x00, 0xff, 0x7b, 0x80, 0x7d]),
      12345,
      -1.5,
      Infinity,
    ];
    assert.deepEqual(
      await serverSlots(server!.port, keys),
      keys.map((k) => keySlot(k)),
    );
  });

  it('agrees on 1,000 random keys (strings, braces, non-ASCII, binary)', async () => {
    const seed = Date.now() | 0;
    const keys = fc.sample(anyKey, { numRuns: 1000, seed });
    const expected = await serverSlots(server!.port, keys);
    assert.deepEqual([...keySlots(keys)], expected, `seed ${seed}`);
    assert.deepEqual(
      keys.map((k) => keySlot(k)),
      expected,
      `seed ${seed}`,
    );
  });
});
