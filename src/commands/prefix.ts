/**
 * The `keyPrefix` option (ioredis' namespace): prepended to every key position
 * the table's key specs know (commands, pipelines, transactions, EVAL/FCALL
 * keys — so cluster routing sees the prefixed key, hash tags in the prefix
 * included), to KEYS and SCAN MATCH patterns (SCAN without MATCH gets
 * `MATCH <prefix>*`), and taken off the keys in replies that name keys: KEYS,
 * SCAN, BLPOP/BRPOP/BZPOPMIN/BZPOPMAX, LMPOP/BLMPOP/ZMPOP/BZMPOP, XREAD/XREADGROUP
 * stream names. Pub/Sub channels and SORT BY/GET patterns are not prefixed
 * (they are not keys).
 */
import { numberText } from '../protocol/encoder.js';
import { isToken, keyIndexes } from './keys.js';
import { newRecord, sealRecord } from './methods/transforms.js';
import { lookupCommand } from './table.js';

const encoder = new TextEncoder();

/** A prefix in the two forms keys come in. */
export interface KeyPrefix {
  readonly text: string;
  readonly bytes: Uint8Array;
  /** For glob patterns (KEYS, SCAN MATCH): `*?[]\` escaped. */
  readonly pattern: string;
}

export function keyPrefix(text: string | undefined): KeyPrefix | undefined {
  if (text === undefined || text.length === 0) return undefined;
  return { text, bytes: encoder.encode(text), pattern: text.replace(/[*?[\]\\]/g, '\\$&') };
}

/**
 * A key or pattern given as text, a number or a bigint, as the encoder writes it; undefined for
 * anything the encoder refuses (NaN, undefined, null, objects …), which must stay as it came for
 * the argument check to refuse: `String()` made a key of it (`'app:NaN'`, `'app:undefined'`).
 */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

/** One key with the prefix in front (strings, numbers and bytes; anything else as it came). */
export function prefixed(p: KeyPrefix, key: unknown): unknown {
  if (typeof key === 'string') return p.text + key;
  const text = scalarText(key);
  if (text !== undefined) return p.text + text;
  if (key instanceof Uint8Array) {
    const out = new Uint8Array(p.bytes.length + key.length);
    out.set(p.bytes, 0);
    out.set(key, p.bytes.length);
    return out;
  }
  return key; // not a key type: left for the argument check to refuse
}

function prefixedPattern(p: KeyPrefix, pattern: unknown): unknown {
  if (pattern instanceof Uint8Array) return prefixed({ ...p, bytes: encoder.encode(p.pattern) }, pattern);
  const text = scalarText(pattern);
  return text === undefined ? pattern : p.pattern + text;
}

/** Reply keys to strip, by command. */
type Strip = (reply: unknown, p: KeyPrefix) => unknown;

function stripKey(v: unknown, p: KeyPrefix): unknown {
  if (typeof v === 'string') return v.startsWith(p.text) ? v.slice(p.text.length) : v;
  if (v instanceof Uint8Array) {
    const b = p.bytes;
    if (v.length < b.length) return v;
    for (let i = 0; i < b.length; i++) if (v[i] !== b[i]) return v;
    return v.subarray(b.length);
  }
  return v;
}

const stripList: Strip = (r, p) => (Array.isArray(r) ? r.map((k) => stripKey(k, p)) : r);

/** `[key, …]` (BLPOP, BZPOPMIN, LMPOP …): the first element. */
const stripFirst: Strip = (r, p) => {
  if (!Array.isArray(r) || r.length === 0) return r;
  const out = r.slice();
  out[0] = stripKey(r[0], p);
  return out;
};

/** `[cursor, keys]`. */
const stripScan: Strip = (r, p) => {
  if (!Array.isArray(r) || r.length < 2) return r;
  return [r[0], stripList(r[1], p)];
};

/** XREAD: RESP2 `[[stream, entries], …]`, RESP3 `{ stream: entries }`. */
const stripStreams: Strip = (r, p) => {
  if (r === null || typeof r !== 'object') return r;
  if (Array.isArray(r)) return r.map((s) => stripFirst(s, p));
  const src = r as Record<string, unknown>;
  const out = newRecord<unknown>();
  for (const k of Object.keys(src)) out[stripKey(k, p) as string] = src[k];
  return sealRecord(out);
};

const STRIP: ReadonlyMap<string, Strip> = new Map([
  ['keys', stripList],
  ['scan', stripScan],
  ['blpop', stripFirst],
  ['brpop', stripFirst],
  ['bzpopmin', stripFirst],
  ['bzpopmax', stripFirst],
  ['lmpop', stripFirst],
  ['blmpop', stripFirst],
  ['zmpop', stripFirst],
  ['bzmpop', stripFirst],
  ['xread', stripStreams],
  ['xreadgroup', stripStreams],
]);

/**
 * The call with `p` applied: key positions prefixed in `args` (changed in
 * place: every caller passes a fresh array), patterns prefixed, and the reply
 * transform preceded by the stripping of reply keys.
 */
export function applyPrefix(
  p: KeyPrefix,
  name: string,
  args: unknown[],
  transform: ((reply: unknown) => unknown) | undefined,
): ((reply: unknown) => unknown) | undefined {
  const spec = lookupCommand(name, args);
  if (spec === undefined) return transform;
  const command = spec.name;
  // SORT's BY/GET patterns are not key positions of its key specs: they stay as written.
  for (const i of keyIndexes(spec, args)) args[i] = prefixed(p, args[i]);
  if (command === 'keys' && args.length > 0) args[0] = prefixedPattern(p, args[0]);
  else if (command === 'scan') {
    let matched = false;
    for (let i = 1; i + 1 < args.length; i++) {
      if (isToken(args[i], 'MATCH')) {
        args[i + 1] = prefixedPattern(p, args[i + 1]);
        matched = true;
        i++;
      }
    }
    if (!matched) args.push('MATCH', `${p.pattern}*`);
  }
  const strip = STRIP.get(command);
  if (strip === undefined) return transform;
  return transform === undefined ? (r) => strip(r, p) : (r) => transform(strip(r, p));
}
