/**
 * SCAN-family iterators: `for await (const key of r.scanIterator({ match: 'user:*' }))`.
 * They yield items, not pages, fetching one page at a time (memory stays bounded
 * by the page size), and stop sending as soon as the loop breaks. Like the
 * commands they wrap, they may yield an item more than once when the keyspace
 * changes during the scan, and items present throughout are always yielded.
 */
import type { FieldValue } from '../commands/methods/hash.js';
import type {
  KeyScanOptions,
  RedisKey,
  ScanOptions,
  ScanPage,
  ScoredMember,
} from '../commands/methods/types.js';

/** Async iterators over SCAN, HSCAN, SSCAN and ZSCAN: they yield items, not pages, and stop when you `break`. */
export interface ScanIterators<S> {
  /** Every key (optionally matching `match`, of `type`), via SCAN. */
  scanIterator(options?: KeyScanOptions): AsyncIterableIterator<S>;
  /** Every field of a hash as `{ field, value }`, via HSCAN. */
  hscanIterator(key: RedisKey, options?: ScanOptions): AsyncIterableIterator<FieldValue<S>>;
  /** Every member of a set, via SSCAN. */
  sscanIterator(key: RedisKey, options?: ScanOptions): AsyncIterableIterator<S>;
  /** Every member of a sorted set as `{ member, score }`, via ZSCAN. */
  zscanIterator(key: RedisKey, options?: ScanOptions): AsyncIterableIterator<ScoredMember<S>>;
}

/** What the iterators call: the typed page methods of a client. */
interface PageSource {
  scan(cursor: string, options?: KeyScanOptions): Promise<ScanPage<unknown>>;
  hscan(key: RedisKey, cursor: string, options?: ScanOptions): Promise<ScanPage<unknown>>;
  sscan(key: RedisKey, cursor: string, options?: ScanOptions): Promise<ScanPage<unknown>>;
  zscan(key: RedisKey, cursor: string, options?: ScanOptions): Promise<ScanPage<unknown>>;
}

/** Pages from `fetch` until the cursor is back at 0, item by item. */
async function* items<T>(
  fetch: (cursor: string) => Promise<ScanPage<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor = '0';
  do {
    const page = await fetch(cursor);
    cursor = page.cursor;
    for (const item of page.items) yield item;
  } while (cursor !== '0');
}

const methods: {
  [K in keyof ScanIterators<unknown>]: (this: PageSource, ...args: never[]) => AsyncIterableIterator<unknown>;
} = {
  scanIterator(this: PageSource, options?: KeyScanOptions) {
    return items((c) => this.scan(c, options));
  },
  hscanIterator(this: PageSource, key: RedisKey, options?: ScanOptions) {
    return items((c) => this.hscan(key, c, options));
  },
  sscanIterator(this: PageSource, key: RedisKey, options?: ScanOptions) {
    return items((c) => this.sscan(key, c, options));
  },
  zscanIterator(this: PageSource, key: RedisKey, options?: ScanOptions) {
    return items((c) => this.zscan(key, c, options));
  },
};

/** Puts the iterators on a client prototype that has the typed scan methods. */
export function installScanIterators(proto: object): void {
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(proto, name, { configurable: true, writable: true, value: fn });
  }
}
