/**
 * The entries of a client-side cache: a map from cache key to reply, least
 * recently used first out (a doubly linked list, so a hit costs one map lookup
 * and a few pointer moves), indexed by Redis key for invalidations. Each entry
 * names its owner (the tracking connection that read it), so everything a lost
 * connection may have missed can be flushed: by a walk of the list, since
 * flushes are rare and a per-owner index would cost two set operations on every
 * miss. Memory is bounded by entries and bytes; `ttl` bounds how long any entry
 * is served.
 */

/** Whoever an entry was read through: flushing an owner drops all of its entries. */
export type Owner = object;

export class Entry {
  /** Towards the most recently used. */
  prev: Entry | undefined = undefined;
  /** Towards the least recently used. */
  next: Entry | undefined = undefined;

  constructor(
    /** The reply form and command (see `Cacheable.groups`). */
    readonly group: string,
    /** The arguments within the group. */
    readonly id: string,
    /** The reply as the protocol decoded it (before any typed transform). Never handed out itself. */
    readonly value: unknown,
    /** Index keys (see `indexKey`) whose change invalidates this entry. */
    readonly keys: readonly string[],
    readonly bytes: number,
    /** `Date.now()` after which the entry is not served; Infinity without ttl. */
    readonly expires: number,
    readonly owner: Owner,
    /** Cluster: the hash slot of the keys, so a slot that moves can be flushed. -1 otherwise. */
    readonly slot: number,
  ) {}
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

/**
 * Entries are found in two steps, reply form + command (`group`), then the arguments (`id`): a
 * single string argument is its own id, so a hit looks up the caller's key string as it is,
 * without building (and hashing) a longer one.
 */
export class Store {
  private readonly groups = new Map<string, Map<string, Entry>>();
  /** The group `get` looked up last and its map (a map leaves `groups` only in `clear()`). */
  private lastGroup: string | undefined = undefined;
  private lastMap: Map<string, Entry> | undefined = undefined;
  private size = 0;
  /** The entries of each index key: one entry as itself (the common case: no set to allocate), more as a set. */
  private readonly byKey = new Map<string, Entry | Set<Entry>>();
  private head: Entry | undefined = undefined;
  private tail: Entry | undefined = undefined;
  private bytes = 0;
  hits = 0;
  misses = 0;
  private evictions = 0;
  private invalidations = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly ttl: number,
  ) {}

  /** The live entry (now the most recently used), or undefined. */
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
    if (e === undefined) return undefined;
    if (this.ttl > 0 && e.expires <= Date.now()) {
      this.remove(e);
      this.evictions++;
      return undefined;
    }
    const head = this.head;
    if (e !== head) {
      // To the front: e is not the head, so it has a prev and the list has a head.
      const prev = e.prev as Entry;
      const next = e.next;
      prev.next = next;
      if (next !== undefined) next.prev = prev;
      else this.tail = prev;
      e.prev = undefined;
      e.next = head;
      (head as Entry).prev = e;
      this.head = e;
    }
    return e;
  }

  /** Stores a reply; an entry larger than `maxBytes` on its own is not kept. */
  set(group: string, id: string, value: unknown, keys: readonly string[], owner: Owner, slot = -1): void {
    let map = this.groups.get(group);
    if (map === undefined) this.groups.set(group, (map = new Map()));
    const old = map.get(id);
    if (old !== undefined) this.remove(old);
    const bytes = group.length + id.length + sizeOf(value);
    if (bytes > this.maxBytes) return;
    const expires = this.ttl > 0 ? Date.now() + this.ttl : Infinity;
    const e = new Entry(group, id, value, keys, bytes, expires, owner, slot);
    map.set(id, e);
    this.size++;
    this.pushFront(e);
    this.bytes += bytes;
    for (const k of keys) {
      const had = this.byKey.get(k);
      if (had === undefined) this.byKey.set(k, e);
      else if (had instanceof Set) had.add(e);
      else if (had !== e) this.byKey.set(k, new Set([had, e]));
    }
    while (this.size > this.maxEntries || this.bytes > this.maxBytes) {
      const last = this.tail as Entry;
      this.remove(last);
      this.evictions++;
    }
  }

  /** Drops every entry that depends on `key`. */
  invalidateKey(key: string): void {
    const had = this.byKey.get(key);
    if (had === undefined) return;
    if (had instanceof Set) {
      for (const e of had) {
        this.remove(e);
        this.invalidations++;
      }
    } else {
      this.remove(had);
      this.invalidations++;
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

  /** One walk of the list (flushes are rare: a reconnect, FLUSHDB, a slot move). */
  private dropWhere(drop: (e: Entry) => boolean): void {
    for (let e = this.head; e !== undefined;) {
      const next = e.next;
      if (drop(e)) {
        this.remove(e);
        this.invalidations++;
      }
      e = next;
    }
  }

  /** Empties the cache (counters stay). */
  clear(): void {
    this.groups.clear();
    this.lastGroup = this.lastMap = undefined; // the cleared maps still hold the old entries
    this.size = 0;
    this.byKey.clear();
    this.head = this.tail = undefined;
    this.bytes = 0;
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

  private remove(e: Entry): void {
    const map = this.groups.get(e.group);
    if (map === undefined || map.get(e.id) !== e) return;
    map.delete(e.id);
    this.size--;
    this.unlink(e);
    this.bytes -= e.bytes;
    for (const k of e.keys) {
      const had = this.byKey.get(k);
      if (had === e) this.byKey.delete(k);
      else if (had instanceof Set) {
        had.delete(e);
        if (had.size === 0) this.byKey.delete(k);
      }
    }
  }

  private pushFront(e: Entry): void {
    e.prev = undefined;
    e.next = this.head;
    if (this.head !== undefined) this.head.prev = e;
    this.head = e;
    if (this.tail === undefined) this.tail = e;
  }

  private unlink(e: Entry): void {
    if (e.prev !== undefined) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== undefined) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = undefined;
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
  if (Array.isArray(value)) return (value as unknown[]).map(copyOf) as T;
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
  for (const [k, v] of Object.entries(value)) o[k] = copyOf(v);
  return o as T;
}
