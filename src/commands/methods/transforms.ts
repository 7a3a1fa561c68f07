/**
 * Reply shapers shared by command declarations. Each accepts both RESP2 and RESP3
 * shapes (and Buffer/Uint8Array strings under withBuffers()), so typed replies
 * do not depend on the protocol.
 */
import { DataError, ErrorCodes } from '../../errors/index.js';
import { undecodableReply } from '../../errors/protocol.js';
import { holdsDecodedText, SAME_TEXT_NAMES } from '../../core/decoded-names.js';
import type { ScanPage, ScoredMember } from './types.js';

// ignoreBOM: a name opening with U+FEFF is text like any other; the default strips it, so under
// withBuffers() '\uFEFFa' came back as 'a' (the parser's own decoding keeps it).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function bytesText(v: Uint8Array): string {
  return decoder.decode(v);
}

/** A string from a string, bytes or number reply (ids, cursors, names: always text). */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return bytesText(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new DataError('expected a string in the reply', { code: ErrorCodes.UNEXPECTED_REPLY });
}

export function toTextOrNull(v: unknown): string | null {
  return v === null ? null : toText(v);
}

export function toTextArray(v: unknown): string[] {
  return asArray(v).map(toText);
}

export function toTextOrNullArray(v: unknown): Array<string | null> {
  return asArray(v).map(toTextOrNull);
}

/** Number from an integer, a double, or a string/bytes such as '1.5', 'inf'. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const s = typeof v === 'string' ? v : v instanceof Uint8Array ? bytesText(v) : undefined;
  if (s === undefined)
    throw new DataError('expected a number in the reply', { code: ErrorCodes.UNEXPECTED_REPLY });
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan') return NaN;
  const n = Number(s);
  if (Number.isNaN(n) || s.length === 0)
    throw new DataError('expected a number in the reply', { code: ErrorCodes.UNEXPECTED_REPLY });
  return n;
}

/**
 * An integer reply kept as the decoder gave it: a number, or beyond ±(2^53−1)
 * its exact decimal string (the decoder's rule, README "Reply values"), where
 * {@link toNumber} would silently round it to a different integer (BITFIELD
 * i64, XINFO counters set by XSETID). Not for doubles: those go to toNumber.
 */
export function toInteger(v: unknown): number {
  const exact = typeof v === 'string' ? exactInteger(v) : undefined;
  return exact === undefined ? toNumber(v) : (exact as number);
}

const INTEGER = /^-?[0-9]+$/;

/** Integer text `s` as a number, or `s` itself beyond ±(2^53−1); undefined when `s` is not an integer. */
export function exactInteger(s: string): number | string | undefined {
  if (!INTEGER.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

export function toIntegerOrNull(v: unknown): number | null {
  return v === null ? null : toInteger(v);
}

export function toNumberOrNull(v: unknown): number | null {
  return v === null ? null : toNumber(v);
}

export function toNumberArray(v: unknown): number[] {
  return asArray(v).map(toNumber);
}

/** Array of numbers-or-null (e.g. ZMSCORE, BITFIELD). */
export function toNumberOrNullArray(v: unknown): Array<number | null> {
  return asArray(v).map(toNumberOrNull);
}

/** 'OK' -> true (commands whose only success reply is OK). */
export function toOk(v: unknown): 'OK' {
  return v as 'OK';
}

/** 1 / true -> true; 0 / false / null -> false. */
export function toBoolean(v: unknown): boolean {
  return v === 1 || v === true;
}

export function toBooleanArray(v: unknown): boolean[] {
  return asArray(v).map(toBoolean);
}

/** The reply as an array, or a DataError. */
export function asArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw new DataError('expected an array in the reply', { code: ErrorCodes.UNEXPECTED_REPLY });
}

/** Array, or null kept as null. */
export function toArrayOrNull<T>(v: unknown): T[] | null {
  return v === null ? null : (asArray(v) as T[]);
}

function keyText(k: unknown): string {
  return typeof k === 'string' ? k : k instanceof Uint8Array ? bytesText(k) : String(k);
}

/**
 * An empty object to fill with reply keys. Filled without a prototype, so a
 * `__proto__` key stays an ordinary own property, then given Object.prototype
 * by {@link sealRecord}: the same kind of object the parser makes of RESP3 maps.
 */
export function newRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

export function sealRecord<V>(o: Record<string, V>): Record<string, V> {
  return Object.setPrototypeOf(o, Object.prototype) as Record<string, V>;
}

/**
 * One field of {@link toObject}; `check`: names may repeat as text (see decoded-names.ts). Two
 * different byte strings decode to one text only through bytes that are not UTF-8, which leave a
 * U+FFFD in it; a name without one that repeats is the same name twice (PUBSUB NUMSUB of a
 * channel asked twice), whose one value the object keeps, as it does for ASCII names.
 */
function put(out: Record<string, unknown>, check: boolean, name: unknown, value: unknown): void {
  const key = keyText(name);
  if ((check || typeof name !== 'string') && Object.hasOwn(out, key) && key.includes('\uFFFD'))
    throw undecodableReply(new Error(SAME_TEXT_NAMES));
  out[key] = value;
}

const REPEATED_FIELD =
  'a stream entry repeats a field name (XADD keeps both pairs), and an object cannot hold both values; read such entries with call(), where the reply is an array';

/**
 * The fields of a stream entry, `[name, value, …]` under both protocols, as an object. Unlike a
 * hash's, an entry's names may repeat (`XADD s * f 1 f 2`): folding them would keep the last value
 * and drop the others without a word, so a repeat fails the reply instead (a DataError).
 */
export function toEntryFields<V>(v: unknown): Record<string, V> {
  if (!Array.isArray(v)) return toObject<V>(v);
  const out = newRecord<V>();
  for (let i = 0; i + 1 < v.length; i += 2) {
    const key = keyText(v[i]);
    if (key in out)
      throw undecodableReply(new Error(key.includes('\uFFFD') ? SAME_TEXT_NAMES : REPEATED_FIELD));
    out[key] = v[i + 1] as V;
  }
  return sealRecord(out);
}

/** Field/value pairs as an object: a RESP3 map already is one, a RESP2 flat array is folded. */
export function toObject<V>(v: unknown): Record<string, V> {
  if (Array.isArray(v)) {
    const out = newRecord<V>();
    // Names that can be the same text from different bytes (decoded here from bytes, or marked by
    // the parser) are checked for a repeat, which would otherwise drop a field silently.
    const check = holdsDecodedText(v);
    if (v.length > 0 && Array.isArray(v[0])) {
      // RESP3 pairs (HRANDFIELD WITHVALUES and friends).
      for (const pair of v as unknown[][]) put(out, check, pair[0], pair[1]);
    } else {
      for (let i = 0; i + 1 < v.length; i += 2) put(out, check, v[i], v[i + 1]);
    }
    return sealRecord(out);
  }
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return v as Record<string, V>;
  throw new DataError('expected a map in the reply', { code: ErrorCodes.UNEXPECTED_REPLY });
}

/** The same keys with values through `value`. */
export function mapRecord<A, B>(o: Record<string, A>, value: (v: A, key: string) => B): Record<string, B> {
  const out = newRecord<B>();
  for (const k of Object.keys(o)) out[k] = value(o[k] as A, k);
  return sealRecord(out);
}

/** An object whose values are numbers (PUBSUB NUMSUB, …). */
export function toNumberObject(v: unknown): Record<string, number> {
  return mapRecord(toObject<unknown>(v), toNumber);
}

/** Pairs from a flat array [a, b, a, b] or from RESP3 pairs [[a, b], …]. */
export function toPairs(v: unknown): Array<[unknown, unknown]> {
  const a = asArray(v);
  const out: Array<[unknown, unknown]> = [];
  if (a.length > 0 && Array.isArray(a[0])) {
    for (const p of a as unknown[][]) out.push([p[0], p[1]]);
  } else {
    for (let i = 0; i + 1 < a.length; i += 2) out.push([a[i], a[i + 1]]);
  }
  return out;
}

/** Member/score pairs: RESP2 flat [m, s, m, s], RESP3 [[m, s], …]. */
export function toScoredMembers<M>(v: unknown): Array<ScoredMember<M>> {
  const a = asArray(v);
  const out: Array<ScoredMember<M>> = [];
  if (a.length > 0 && Array.isArray(a[0])) {
    for (const pair of a as unknown[][]) out.push({ member: pair[0] as M, score: toNumber(pair[1]) });
  } else {
    for (let i = 0; i + 1 < a.length; i += 2) out.push({ member: a[i] as M, score: toNumber(a[i + 1]) });
  }
  return out;
}

/** One member/score (ZPOPMIN without count): [] or null when empty. RESP3 may nest it once. */
export function toScoredMemberOrNull<M>(v: unknown): ScoredMember<M> | null {
  if (v === null) return null;
  const list = toScoredMembers<M>(v);
  return list.length === 0 ? null : (list[0] as ScoredMember<M>);
}

/** Field/value pairs as `{ field, value }` objects, in reply order. */
export function toFieldValues<S>(v: unknown): Array<{ field: S; value: S }> {
  return toPairs(v).map(([field, value]) => ({ field: field as S, value: value as S }));
}

/**
 * A reply's array of bulk strings as `S`, the string type of the client's
 * mode (string, or bytes under withBuffers()): the decoder chose the form and
 * the types cannot see which, so the S-typed shapers assert it here.
 */
export function asStrings<S>(v: unknown): S[] {
  return asArray(v) as S[];
}

/** {@link asStrings}, with a null reply (a missing key) as an empty array. */
export function asStringsOrEmpty<S>(v: unknown): S[] {
  return v === null ? [] : asStrings<S>(v);
}

/** A bulk string (or null) of the reply as `S`; see {@link asStrings}. */
export function asString<S>(v: unknown): S {
  return v as S;
}

/** `[cursor, items]` of the SCAN family with the items shaped by `items`. */
export function toPage<T>(v: unknown, items: (v: unknown) => T[]): ScanPage<T> {
  const a = asArray(v);
  return { cursor: toText(a[0]), items: items(a[1]) };
}

/** A SCAN page of key names as `S`. */
export function toKeyPage<S>(v: unknown): ScanPage<S> {
  return toPage(v, asStrings<S>);
}

/** A kebab-case or snake_case reply key as camelCase (`last-generated-id` -> `lastGeneratedId`). */
export function camel(key: string): string {
  return key.replace(/[-_ ]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A map or flat array with camelCased keys; values through `value` (identity by default). */
export function toCamelObject(
  v: unknown,
  value: (key: string, v: unknown) => unknown = (_k, x) => x,
): Record<string, unknown> {
  const o = toObject<unknown>(v);
  const out = newRecord<unknown>();
  for (const k of Object.keys(o)) {
    const c = camel(k);
    out[c] = value(c, o[k]);
  }
  return sealRecord(out);
}

/** `key:value` lines (INFO, CLIENT INFO lines are space-separated `k=v`). Comments and blanks are skipped. */
export function parseInfo(text: string): Record<string, string> {
  const out = newRecord<string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return sealRecord(out);
}

/** One CLIENT LIST / CLIENT INFO line: `id=3 addr=… name= …`. */
export function parseClientLine(line: string): Record<string, string> {
  const out = newRecord<string>();
  for (const part of line.trim().split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return sealRecord(out);
}
