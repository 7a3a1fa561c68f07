/**
 * Map keys seen before, as the very strings handed out last time.
 *
 * A property key must be an internalized string: V8 looks every fresh key string up in its
 * string table (and hashes it) before it can store the property. For HGETALL 1000 that was
 * about 90 ns of the ~140 ns each field cost, while replies of the same hash (or the same
 * schema) repeat their field names call after call. A key found here is already internalized
 * after its first use, and no string is allocated for it (measured in isolation, 1000 keys of
 * 9 bytes: 138 µs fresh, 72 µs from this cache, 34 µs for the insertion alone).
 *
 * Four-way set-associative, shared by every parser of the process (one thread), bounded:
 * SETS × WAYS strings of at most KEY_MAX bytes. Entries hit since their set last missed are
 * kept (second chance): a miss in a set whose entries are all in use clears one mark instead of
 * evicting, so the fifth key of a full set misses alone instead of the five evicting each other
 * in turn (with two ways and round-robin replacement, 95 of HGETALL 1000's keys missed every
 * time). A key that misses costs its hash on top of the usual decode.
 */
import { asciiShort, SHORT_ASCII, type SliceBuffer } from './bytes.js';

/** Longest ASCII key kept (bytes): longer ones are rarely repeated names, and dearer to verify. */
export const KEY_MAX = 64;
const WAYS = 4;
const SETS = 1024; // power of two; 4096 entries
const keys: string[] = new Array<string>(SETS * WAYS).fill('');
/** Per entry: the FNV-1a hash of its bytes (rejects most misses without reading the string). */
const hashes = new Int32Array(SETS * WAYS);
/** Per entry: stored or hit since the set's hand last passed it (1), or free to replace (0). */
const used = new Uint8Array(SETS * WAYS);
/** Per set: the way the next miss looks at first. */
const hand = new Uint8Array(SETS);

/**
 * The ASCII string of `u8[a, a + len)` (len <= KEY_MAX), from the cache when the same bytes
 * were a key before. `view` is a Buffer over `u8` (null without Buffer).
 */
export function cachedKey(u8: Uint8Array, view: SliceBuffer | null, a: number, len: number): string {
  let h = 0x811c9dc5 ^ len;
  const end = a + len;
  for (let j = a; j < end; j++) h = Math.imul(h ^ u8[j]!, 0x01000193);
  const set = (h ^ (h >>> 16)) & (SETS - 1);
  const w = set * WAYS;
  for (let e = w; e < w + WAYS; e++) {
    if (hashes[e] === h) {
      const k = keys[e]!;
      if (same(k, u8, a, len)) {
        used[e] = 1;
        return k;
      }
    }
  }
  // Flat strings only: a substring would keep the larger string it was cut from alive.
  const s =
    len <= SHORT_ASCII ? asciiShort(u8, a, len) : view !== null ? view.latin1Slice(a, end) : slow(u8, a, end);
  const way = hand[set]!;
  hand[set] = (way + 1) & (WAYS - 1);
  const e = w + way;
  if (used[e] === 1) {
    used[e] = 0; // its second chance: kept this time
  } else {
    keys[e] = s;
    hashes[e] = h;
    used[e] = 1; // else the next miss in its set, before its next use, would evict it again
  }
  return s;
}

function same(k: string, u8: Uint8Array, a: number, len: number): boolean {
  if (k.length !== len) return false;
  for (let j = 0; j < len; j++) if (k.charCodeAt(j) !== u8[a + j]) return false;
  return true;
}

function slow(u8: Uint8Array, a: number, end: number): string {
  let s = '';
  for (let j = a; j < end; j++) s += String.fromCharCode(u8[j]!);
  return s;
}

/** Map positions a KeyMemo remembers (HGETALL of up to this many fields hashes nothing). */
const MEMO_MAX = 1024;

/**
 * The keys of the last large map decoded, by position: replies of the same hash come with the
 * same fields in the same order, so the key at position `at` is checked against the one there
 * last time before anything is hashed (HGETALL 1000, decode: 13–21 % less CPU than the shared
 * cache alone, paired). One per parser; it keeps at most MEMO_MAX strings of <= KEY_MAX bytes.
 */
export class KeyMemo {
  private readonly keys: string[] = [];

  /** The ASCII string of `u8[a, a + len)` (len <= KEY_MAX) for the key at position `at` of its map. */
  key(u8: Uint8Array, view: SliceBuffer | null, a: number, len: number, at: number): string {
    const keys = this.keys;
    if (at < keys.length) {
      const m = keys[at]!;
      if (same(m, u8, a, len)) return m;
      return (keys[at] = cachedKey(u8, view, a, len));
    }
    const k = cachedKey(u8, view, a, len);
    if (at === keys.length && at < MEMO_MAX) keys.push(k);
    return k;
  }
}
