/**
 * The two kinds of keys the cache uses. A cache id names one reply: the reply
 * form (strings or bytes), the command and its arguments as they go on the wire,
 * each argument typed and length-prefixed so no two different calls share an id.
 * An index key names one Redis key the way the server's invalidations name it,
 * so a string key and the same key as UTF-8 bytes meet; keys that are not valid
 * UTF-8 share one bucket that any such invalidation empties (over-invalidating,
 * never missing one).
 */

import { numberText } from '../protocol/encoder.js';
import { byteString } from '../core/bytes.js';

/** The bucket of every key that is not valid UTF-8. */
export const NON_UTF8 = '\u0000wredis:non-utf8';

// ignoreBOM: a key opening with U+FEFF given as bytes must index as the server names it in an
// invalidation (a string that keeps it), or the entry is never invalidated.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The id of a call's arguments, or undefined when an argument is not something the wire accepts. */
export function argsId(args: readonly unknown[]): string | undefined {
  let id = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const part = idPart(a);
    if (part === undefined) return undefined;
    id += part;
  }
  return id;
}

/** The id of one argument (also of one MGET key). */
export function idPart(a: unknown): string | undefined {
  if (typeof a === 'string') return ` s${a.length}:${a}`;
  if (typeof a === 'number') return Number.isNaN(a) ? undefined : ` n${a}`;
  if (typeof a === 'bigint') return ` n${a}`;
  if (a instanceof Uint8Array) return ` b${a.length}:${byteString(a)}`;
  return undefined;
}

/** The index key of a key as the caller gave it. */
export function indexKey(k: unknown): string {
  if (typeof k === 'string') return SURROGATE.test(k) ? k.replace(LONE_SURROGATE, '\uFFFD') : k;
  if (k instanceof Uint8Array) {
    try {
      return utf8.decode(k);
    } catch {
      return NON_UTF8;
    }
  }
  // As the encoder writes a number: Infinity goes on the wire (and comes back in invalidations) as '+inf'.
  if (typeof k === 'number') return numberText(k) ?? String(k);
  return String(k);
}

// A lone surrogate goes on the wire as U+FFFD: index the key the way the server will name it.
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
