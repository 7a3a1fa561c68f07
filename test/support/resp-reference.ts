/**
 * An independent model of RESP2/RESP3 values for parser tests: a tagged value type, an encoder
 * to wire bytes, and the JS value the parser must produce for it (CONTRACT.md "Reply values").
 * Written from the RESP3 spec, sharing no code with src/core (only the text of one error message).
 */
import { SAME_TEXT_NAMES } from '../../src/core/decoded-names.js';

export type Bytes = Uint8Array;

export type RespValue =
  | { t: 'simple'; v: string } // no CR or LF
  | { t: 'bulk'; v: Bytes }
  | { t: 'verbatim'; format: string; v: Bytes } // format: exactly 3 bytes
  | { t: 'error'; v: string } // simple error, no CR or LF
  | { t: 'blobError'; v: Bytes }
  | { t: 'int'; v: bigint } // signed 64-bit
  | { t: 'double'; v: number; text?: string } // text overrides the written form
  | { t: 'bignum'; v: bigint }
  | { t: 'null'; form: '_' | '$' | '*' }
  | { t: 'bool'; v: boolean }
  | { t: 'array'; v: RespValue[] }
  | { t: 'set'; v: RespValue[] }
  | { t: 'push'; v: RespValue[] }
  | { t: 'map'; v: Array<[RespValue, RespValue]> }
  | { t: 'attr'; attrs: Array<[RespValue, RespValue]>; value: RespValue }; // attribute, then the value

const enc = new TextEncoder();
// U+FEFF at the start of a value is part of the value (a BOM is not stripped from a reply)
const dec = new TextDecoder('utf-8', { ignoreBOM: true });

export const bytes = (s: string): Bytes => enc.encode(s);

/** Concatenates byte arrays. */
export function concat(parts: readonly Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** How a double is written when no explicit text is given. */
export function doubleText(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return String(v); // JS shortest round-trip form, e.g. 1e+21, 5e-324, 0.1
}

/** Wire bytes of one value (attributes first when present). */
export function encode(value: RespValue): Bytes {
  const out: Bytes[] = [];
  write(value, out);
  return concat(out);
}

function line(prefix: string, body: string, out: Bytes[]): void {
  out.push(bytes(`${prefix}${body}\r\n`));
}

function blob(prefix: string, payload: Bytes, out: Bytes[]): void {
  out.push(bytes(`${prefix}${payload.length}\r\n`), payload, bytes('\r\n'));
}

function write(value: RespValue, out: Bytes[]): void {
  switch (value.t) {
    case 'simple':
      return line('+', value.v, out);
    case 'error':
      return line('-', value.v, out);
    case 'bulk':
      return blob('$', value.v, out);
    case 'blobError':
      return blob('!', value.v, out);
    case 'verbatim':
      return blob('=', concat([bytes(`${value.format}:`), value.v]), out);
    case 'int':
      return line(':', value.v.toString(), out);
    case 'double':
      return line(',', value.text ?? doubleText(value.v), out);
    case 'bignum':
      return line('(', value.v.toString(), out);
    case 'null':
      return void out.push(bytes(value.form === '_' ? '_\r\n' : `${value.form}-1\r\n`));
    case 'bool':
      return line('#', value.v ? 't' : 'f', out);
    case 'array':
    case 'set':
    case 'push': {
      line(value.t === 'array' ? '*' : value.t === 'set' ? '~' : '>', String(value.v.length), out);
      for (const v of value.v) write(v, out);
      return;
    }
    case 'map': {
      line('%', String(value.v.length), out);
      for (const [k, v] of value.v) {
        write(k, out);
        write(v, out);
      }
      return;
    }
    case 'attr': {
      line('|', String(value.attrs.length), out);
      for (const [k, v] of value.attrs) {
        write(k, out);
        write(v, out);
      }
      return write(value.value, out);
    }
  }
}

/** A decoded error as the tests' makeError builds it. */
export class ReplyErr extends Error {
  override name = 'ReplyErr';
}

export interface ExpectOptions {
  returnBuffers?: boolean;
  /** Binary values are Node Buffers (default) or plain Uint8Arrays. */
  binary?: 'buffer' | 'uint8array';
}

/** Where the parser must deliver a top-level value. */
export type Delivery =
  { kind: 'reply'; value: unknown } | { kind: 'error'; value: Error } | { kind: 'push'; value: unknown[] };

/** The handler call a top-level value must produce. */
export function expectedDelivery(value: RespValue, opts: ExpectOptions = {}): Delivery {
  const v = unwrapAttr(value);
  if (v.t === 'error' || v.t === 'blobError') return { kind: 'error', value: expected(v, opts) as ReplyErr };
  if (v.t === 'push') return { kind: 'push', value: expected(v, opts) as unknown[] };
  const out = expected(v, opts);
  // a map that lost a name is the reply's error at the top (nested, it stays in its slot)
  if (v.t === 'map' && out instanceof Error) return { kind: 'error', value: out };
  return { kind: 'reply', value: out };
}

function unwrapAttr(value: RespValue): RespValue {
  while (value.t === 'attr') value = value.value;
  return value;
}

function binary(b: Bytes, opts: ExpectOptions): unknown {
  return (opts.binary ?? 'buffer') === 'buffer' ? Buffer.from(b) : new Uint8Array(b);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The JS value the parser must build (CONTRACT.md "Reply values of call()"). */
export function expected(value: RespValue, opts: ExpectOptions = {}): unknown {
  switch (value.t) {
    case 'simple':
      return opts.returnBuffers ? binary(bytes(value.v), opts) : value.v;
    case 'bulk':
    case 'verbatim':
      return opts.returnBuffers ? binary(value.v, opts) : dec.decode(value.v);
    case 'error':
      return new ReplyErr(value.v);
    case 'blobError':
      return new ReplyErr(dec.decode(value.v));
    case 'int':
      // exact: beyond 2^53 the decimal text, never a rounded number
      return value.v <= MAX_SAFE && value.v >= -MAX_SAFE ? Number(value.v) : value.v.toString();
    case 'double':
      return value.text !== undefined ? parseDoubleText(value.text) : value.v;
    case 'bignum':
      return value.v;
    case 'null':
      return null;
    case 'bool':
      return value.v;
    case 'array':
    case 'set':
    case 'push':
      return value.v.map((v) => expected(v, opts));
    case 'map': {
      const o: Record<string, unknown> = {};
      const decoded = new Set<string>();
      for (const [k, v] of value.v) {
        const key = keyString(k);
        if (notAscii(k)) {
          // Bytes that are not UTF-8 decode to U+FFFD, so two names can come out as one text: the
          // map is an error in its place rather than an object that silently lost a field.
          if (decoded.has(key)) return new Error(SAME_TEXT_NAMES);
          decoded.add(key);
        }
        Object.defineProperty(o, key, {
          value: expected(v, opts),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
      return o;
    }
    case 'attr':
      return expected(value.value, opts);
  }
}

/** A text key with a byte of 0x80 or more: only such a key can decode to the text of another. */
function notAscii(k: RespValue): boolean {
  const v = unwrapAttr(k);
  if (v.t === 'simple') return /[^\x00-\x7f]/.test(v.v);
  return (v.t === 'bulk' || v.t === 'verbatim') && v.v.some((b) => b >= 0x80);
}

/** Map keys are strings: text as UTF-8, anything else through String(). */
function keyString(k: RespValue): string {
  const v = unwrapAttr(k);
  if (v.t === 'simple') return v.v;
  if (v.t === 'bulk' || v.t === 'verbatim') return dec.decode(v.v);
  return String(expected(v, {}));
}

function parseDoubleText(text: string): number {
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan' || t === '-nan' || t === '+nan') return NaN;
  return Number(text);
}

/** Cuts `data` at the given sorted offsets. */
export function cut(data: Bytes, at: readonly number[]): Bytes[] {
  const parts: Bytes[] = [];
  let prev = 0;
  for (const a of at) {
    if (a > prev && a < data.length) {
      parts.push(data.subarray(prev, a));
      prev = a;
    }
  }
  parts.push(data.subarray(prev));
  return parts;
}
