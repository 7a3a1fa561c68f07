/** The `clientSideCache` option: its shape, defaults and validation. */
import { DataError } from '../errors/index.js';

/** Settings of the client-side cache (`clientSideCache: true` takes every default). */
export interface ClientSideCacheOptions {
  /** Most entries kept; the least recently used go first. Default 10 000. */
  maxEntries?: number;
  /** Most bytes kept (keys plus payload, estimated); default: no limit besides `maxEntries`. */
  maxBytes?: number;
  /** Milliseconds an entry may be served, whatever the invalidations say; 0 (default) = no expiry. */
  ttl?: number;
  /**
   * `'default'`: the server remembers which keys each connection read and invalidates those.
   * `'broadcast'`: the server announces every change under `prefixes` (no per-key memory on the
   * server); only keys under the prefixes are cached.
   */
  mode?: 'default' | 'broadcast';
  /** Broadcast mode: the key prefixes to track (`keyPrefix` is prepended). Default: all keys. */
  prefixes?: ReadonlyArray<string | Uint8Array>;
}

export interface ResolvedCacheOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttl: number;
  readonly mode: 'default' | 'broadcast';
  readonly prefixes: ReadonlyArray<string | Uint8Array>;
}

/** `undefined` when the option is off; DataError for a bad value. */
export function resolveCacheOptions(
  option: boolean | ClientSideCacheOptions | undefined,
): ResolvedCacheOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const o: ClientSideCacheOptions = option === true ? {} : option;
  if (typeof o !== 'object' || o === null)
    throw new DataError('clientSideCache must be true, false or an options object');
  const maxEntries = o.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new DataError('clientSideCache.maxEntries must be a positive integer');
  const maxBytes = o.maxBytes ?? Infinity;
  if (typeof maxBytes !== 'number' || !(maxBytes > 0))
    throw new DataError('clientSideCache.maxBytes must be a positive number');
  const ttl = o.ttl ?? 0;
  if (typeof ttl !== 'number' || !(ttl >= 0) || ttl === Infinity)
    throw new DataError('clientSideCache.ttl must be a non-negative number of milliseconds');
  const mode = o.mode ?? 'default';
  if (mode !== 'default' && mode !== 'broadcast')
    throw new DataError("clientSideCache.mode must be 'default' or 'broadcast'");
  const prefixes = o.prefixes ?? [];
  if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string' && !(p instanceof Uint8Array)))
    throw new DataError('clientSideCache.prefixes must be an array of strings or bytes');
  if (prefixes.length > 0 && mode !== 'broadcast')
    throw new DataError("clientSideCache.prefixes needs mode: 'broadcast'");
  // The server refuses CLIENT TRACKING BCAST with overlapping prefixes (a duplicate included), and
  // a connection whose tracking is refused caches nothing: the option would be on and do nothing.
  if (overlapping(prefixes))
    throw new DataError('clientSideCache.prefixes must not overlap (none may start with another)');
  return { maxEntries, maxBytes, ttl, mode, prefixes: [...prefixes] };
}

const utf8 = new TextEncoder();

/** Whether one prefix starts with another, compared as the bytes on the wire (as the server does). */
function overlapping(prefixes: ReadonlyArray<string | Uint8Array>): boolean {
  const bytes = prefixes.map((p) => (typeof p === 'string' ? utf8.encode(p) : p));
  for (let i = 0; i < bytes.length; i++)
    for (let j = i + 1; j < bytes.length; j++) {
      const a = bytes[i] as Uint8Array;
      const b = bytes[j] as Uint8Array;
      const [short, long] = a.length <= b.length ? [a, b] : [b, a];
      if (short.every((x, k) => long[k] === x)) return true;
    }
  return false;
}
