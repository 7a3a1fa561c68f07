/**
 * The entries of a client-side cache, one object per cache key for as long as it
 * is remembered, in one of three states: `FILLING` (a read is in flight; identical
 * misses find it and share its request), `LIVE` (a reply is stored and served) and
 * `EMPTY` (invalidated, evicted or failed). An entry that empties is kept, in its
 * map and its index, and filled again by the next miss: a key read, invalidated and
 * read again (the common miss) allocates no entry and no index array, and no map
 * churns its hash table — bookkeeping that, allocated per miss, outlived the young
 * generation with the entry and made every scavenge copy it. Empty entries are
 * bounded like live ones (count and bytes), the oldest dropped for good.
 *
 * Live entries go least recently used first (a doubly linked list: a hit costs one
 * map lookup and a few pointer moves), empty ones oldest first (the same links); an
 * entry being filled is on neither list. Each entry names its owner (the tracking
 * connection that read it), so everything a lost connection may have missed can be
 * flushed: by a walk of the live list, since flushes are rare. `ttl` bounds how long
 * any entry is served.
 */

import { holdsDecodedText, markDecodedText } from '../core/decoded-names.js';

/** Whoever an entry was read through: flushing an owner drops all of its entries. */
export type Owner = object;

/** A read is in flight for the entry (its current fill: see {@link Entry.gen}). */
export const FILLING = 0;
/** The entry holds a reply that may be served. */
export const LIVE = 1;
/** The entry holds nothing (kept to be filled again). */
export const EMPTY = 2;
type State = typeof FILLING | typeof LIVE | typeof EMPTY;

/** A miss that shares the fill `gen` of an entry. */
export interface Waiter {
  readonly gen: number;
  /** The connection whose maxQueued counts the waiter until it is settled. */
  readonly bound: { unshare(): void };
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class Entry {
  /** Towards the most recently used (live list) or the newer (empty list). */
  prev: Entry | undefined = undefined;
  /** Towards the least recently used (live list) or the older (empty list). */
  next: Entry | undefined = undefined;
  state: State = FILLING;
  /**
   * Counts the fills started: a reply is stored only by the fill that is still the entry's
   * current one (a fill found stale leaves the entry to the next, whose reply may come later).
   */
  gen = 0;
  /** The reply as the protocol decoded it (before any typed transform), while LIVE. Never handed out itself. */
  value: unknown = undefined;
  /** Estimated bytes while LIVE: the cache key and the value. */
  bytes = 0;
  /** `Date.now()` after which the entry is not served; Infinity without ttl. */
  expires = Infinity;
  /** The tracker the entry was (is being) read through. */
  owner: Owner | undefined = undefined;
  /** Cluster: the hash slot of the keys, so a slot that moves can be flushed. -1 otherwise. */
  slot = -1;
  /** The owner's epoch and flush count when the current fill was sent. */
  epoch = 0;
  flushes = 0;
  /**
   * Identical misses sharing a fill, each tagged with the fill's generation: settled by that fill
   * as its reply arrives, before its first caller sees it (so that caller mutating its reply
   * changes nothing for them). Undefined while none waits.
   */
  waiters: Waiter[] | undefined = undefined;

  constructor(
    /** The store's era when the entry was made: `clear()` moves it on, and older entries are in no map. */
    readonly era: number,
    /** The reply form and command (see `Cacheable.groups`). */
    readonly group: string,
    /** The arguments within the group. */
    readonly id: string,
    /** Index keys (see `indexKey`) whose change invalidates this entry. */
    readonly keys: readonly string[],
  ) {}

  /** Estimated bytes of the cache key itself. */
  get keyBytes(): number {
    return this.group.length + this.id.length;
  }
}

/** Counters of the client-side cache, from `clientSideCache.stats()`. */
export interface CacheStats {
  /** Reads answered from the cache. */
  hits: number;
  /** Cacheable reads that went to the server (including ones that shared another's request). */
  misses: number;
  /** Entries dropped for room (maxEntries, maxBytes) or because their ttl passed. */
  evictions: number;
  /** Entries dropped because the server (or a write of this client) said their keys changed, or their connection was lost. */
  invalidations: number;
  /** Entries held now. */
  size: number;
  /** Estimated bytes held now (keys and payloads). */
  bytes: number;
}

/** A doubly linked list of entries, newest at the head. */
class List {
  head: Entry | undefined = undefined;
  tail: Entry | undefined = undefined;

  pushFront(e: Entry): void {
    e.prev = undefined;
    e.next = this.head;
    if (this.head !== undefined) this.head.prev = e;
    this.head = e;
    if (this.tail === undefined) this.tail = e;
  }

  unlink(e: Entry): void {
    if (e.prev !== undefined) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== undefined) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = undefined;
  }
}

/**
 * Entries are found in two steps, reply form + command (`group`), then the arguments (`id`): a
 * single string argument is its own id, so a hit looks up the caller's key string as it is,
 * without building (and hashing) a longer one.
 */
export class Store {
  private readonly groups = new Map<string, Map<string, Entry>>();
  /** The group `get` looked up last and its map (a map never leaves `groups`). */
  private lastGroup: string | undefined = undefined;
  private lastMap: Map<string, Entry> | undefined = undefined;
  /** The entries of each index key: one entry as itself (the common case: no set to allocate), more as a set. */
  private readonly byKey = new Map<string, Entry | Set<Entry>>();
  private readonly live = new List();
  private readonly empty = new List();
  /** Live entries and their bytes (keys and values). */
  private size = 0;
  private bytes = 0;
  /** Empty entries and their key bytes. */
  private emptyCount = 0;
  private emptyBytes = 0;
  /** Moves on at every `clear()`. */
  private era = 0;
  hits = 0;
  misses = 0;
  private evictions = 0;
  private invalidations = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly ttl: number,
  ) {}

  /** The entry of a cache key in any state (a live one now the most recently used), or undefined. */
  get(group: string, id: string): Entry | undefined {
    // A read-heavy load asks the same group (GET as strings) over and over: skip its lookup.
    let map = this.lastMap;
    if (group !== this.lastGroup) {
      map = this.groups.get(group);
      if (map === undefined) return undefined;
      this.lastGroup = group;
      this.lastMap = map;
    }
    const e = (map as Map<string, Entry>).get(id);
    if (e === undefined || e.state !== LIVE) return e;
    if (this.ttl > 0 && e.expires <= Date.now()) {
      this.toEmpty(e);
      this.evictions++;
      return e;
    }
    const live = this.live;
    const head = live.head;
    if (e !== head) {
      // To the front: e is not the head, so it has a prev and the list has a head.
      const prev = e.prev as Entry;
      const next = e.next;
      prev.next = next;
      if (next !== undefined) next.prev = prev;
      else live.tail = prev;
      e.prev = undefined;
      e.next = head;
      (head as Entry).prev = e;
      live.head = e;
    }
    return e;
  }

  /** A new entry, FILLING, under its cache key (which has none) and its index keys. */
  create(group: string, id: string, keys: readonly string[]): Entry {
    let map = this.groups.get(group);
    if (map === undefined) this.groups.set(group, (map = new Map()));
    const e = new Entry(this.era, group, id, keys);
    map.set(id, e);
    for (const k of keys) {
      const had = this.byKey.get(k);
      if (had === undefined) this.byKey.set(k, e);
      else if (had instanceof Set) had.add(e);
      else if (had !== e) this.byKey.set(k, new Set([had, e]));
    }
    return e;
  }

  /** `e` (EMPTY, or FILLING by a fill no longer shared) starts a new fill, FILLING; its generation. */
  refill(e: Entry): number {
    if (e.state === EMPTY) {
      this.empty.unlink(e);
      this.emptyCount--;
      this.emptyBytes -= e.keyBytes;
      e.state = FILLING;
    }
    return ++e.gen;
  }

  /** Whether `e` is one of this store's entries (`clear()` has not dropped it since). */
  holds(e: Entry): boolean {
    return e.era === this.era;
  }

  /** Stores the reply of the fill of `e` (FILLING): an entry larger than `maxBytes` on its own is not kept. */
  fill(e: Entry, value: unknown, slot: number): void {
    const bytes = e.keyBytes + sizeOf(value);
    if (bytes > this.maxBytes) {
      this.toEmpty(e);
      return;
    }
    e.state = LIVE;
    e.value = value;
    e.bytes = bytes;
    e.slot = slot;
    e.expires = this.ttl > 0 ? Date.now() + this.ttl : Infinity;
    this.live.pushFront(e);
    this.size++;
    this.bytes += bytes;
    while (this.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.toEmpty(this.live.tail as Entry);
      this.evictions++;
    }
  }

  /** Drops every entry that depends on `key`; a fill in flight for one of them will not be stored. */
  invalidateKey(key: string): void {
    const had = this.byKey.get(key);
    if (had === undefined) return;
    if (had instanceof Set) for (const e of had) this.invalidate(e);
    else this.invalidate(had);
  }

  private invalidate(e: Entry): void {
    if (e.state === EMPTY) return;
    if (e.state === LIVE) this.invalidations++;
    this.toEmpty(e);
  }

  /** `e` holds nothing any more (its fill, if any, is not stored): kept to be filled again. */
  toEmpty(e: Entry): void {
    const state = e.state;
    if (state === EMPTY) return;
    if (state === LIVE) {
      this.live.unlink(e);
      this.size--;
      this.bytes -= e.bytes;
      e.value = undefined;
      e.bytes = 0;
    }
    e.state = EMPTY;
    if (e.era !== this.era) return; // cleared meanwhile: in no map, on no list
    this.empty.pushFront(e);
    this.emptyCount++;
    this.emptyBytes += e.keyBytes;
    while (this.emptyCount > this.maxEntries || this.emptyBytes > this.maxBytes)
      this.drop(this.empty.tail as Entry);
  }

  /** Removes an empty entry from the maps for good. */
  private drop(e: Entry): void {
    this.empty.unlink(e);
    this.emptyCount--;
    this.emptyBytes -= e.keyBytes;
    const map = this.groups.get(e.group);
    if (map !== undefined && map.get(e.id) === e) map.delete(e.id);
    for (const k of e.keys) {
      const had = this.byKey.get(k);
      if (had === e) this.byKey.delete(k);
      else if (had instanceof Set) {
        had.delete(e);
        if (had.size === 1) this.byKey.set(k, had.values().next().value as Entry);
      }
    }
  }

  /** Drops every entry read through `owner` (it lost its connection, or the server flushed). */
  dropOwner(owner: Owner): void {
    this.dropWhere((e) => e.owner === owner);
  }

  /** Drops the entries of `owner` whose slot `moved` says has left it (cluster). */
  dropSlots(owner: Owner, moved: (slot: number) => boolean): void {
    this.dropWhere((e) => e.owner === owner && e.slot >= 0 && moved(e.slot));
  }

  /** One walk of the live list (flushes are rare: a reconnect, FLUSHDB, a slot move). */
  private dropWhere(drop: (e: Entry) => boolean): void {
    for (let e = this.live.head; e !== undefined;) {
      const next = e.next;
      if (drop(e)) {
        this.toEmpty(e);
        this.invalidations++;
      }
      e = next;
    }
  }

  /** Empties the cache (counters stay); no fill in flight is stored. */
  clear(): void {
    // The group maps stay (a bounded set, and `lastMap` stays right); their entries go.
    for (const map of this.groups.values()) map.clear();
    this.byKey.clear();
    this.live.head = this.live.tail = undefined;
    this.empty.head = this.empty.tail = undefined;
    this.size = this.bytes = this.emptyCount = this.emptyBytes = 0;
    this.era++;
  }

  stats(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      invalidations: this.invalidations,
      size: this.size,
      bytes: this.bytes,
    };
  }
}

/** Estimated bytes of a decoded reply: string and byte lengths plus 8 per number or element. */
export function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 8;
  if (value instanceof Uint8Array) return value.byteLength;
  let n = 8;
  if (Array.isArray(value)) {
    for (const v of value as unknown[]) n += sizeOf(v);
    return n;
  }
  if (value instanceof Map) {
    for (const [k, v] of value as Map<unknown, unknown>) n += sizeOf(k) + sizeOf(v);
    return n;
  }
  if (value instanceof Set) {
    for (const v of value as Set<unknown>) n += sizeOf(v);
    return n;
  }
  for (const [k, v] of Object.entries(value)) n += k.length + sizeOf(v);
  return n;
}

/**
 * The caller's own copy of a stored reply: arrays, objects, maps, sets and byte
 * arrays are copied (deeply), immutable values returned as they are.
 */
export function copyOf<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  // Uint8Array's slice copies (Buffer's own slice would share the bytes); a Buffer stays a Buffer.
  if (value instanceof Uint8Array) return Uint8Array.prototype.slice.call(value) as T;
  if (Array.isArray(value)) {
    const copy = (value as unknown[]).map(copyOf);
    // The parser's mark that names in it were decoded from bytes that are not UTF-8 goes with it:
    // without it, a typed method folding the pairs into an object would not check for two names
    // of the same text, and would keep one field and drop the other without a word.
    if (holdsDecodedText(value)) markDecodedText(copy);
    return copy as T;
  }
  if (value instanceof Map) {
    const m = new Map<unknown, unknown>();
    for (const [k, v] of value as Map<unknown, unknown>) m.set(k, copyOf(v));
    return m as T;
  }
  if (value instanceof Set) return new Set([...(value as Set<unknown>)].map(copyOf)) as T;
  if (value instanceof Error) return value;
  const o: Record<string, unknown> = Object.create(Object.getPrototypeOf(value) as object | null) as Record<
    string,
    unknown
  >;
  for (const [k, v] of Object.entries(value)) {
    // A `__proto__` field (a hash field of that name in a RESP3 map) is an own property of the
    // reply; assigned, it would call the prototype setter instead, and the field would be lost.
    if (k === '__proto__')
      Object.defineProperty(o, k, { value: copyOf(v), writable: true, enumerable: true, configurable: true });
    else o[k] = copyOf(v);
  }
  return o as T;
}
