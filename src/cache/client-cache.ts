/**
 * The client-side cache of one client (and its `withBuffers()` views): answers
 * cacheable reads from the store, sends the others, and keeps the store right
 * as invalidations arrive.
 *
 * No stale read after an invalidation: a read in flight is a {@link Fill},
 * registered under its keys; an invalidation of one of them marks it stale (a
 * flush of its connection moves the connection's `flushes` count past the one it
 * recorded), and a stale fill's reply is handed to its callers but not stored.
 * So a read sent before another client's write and answered after that write's
 * invalidation arrived never lands in the cache. Concurrent identical misses
 * share one fill; a new read never joins a stale one.
 *
 * A miss costs what the hot path can afford: no string built to find its fill,
 * no set allocated for a key read by one fill, and one promise reaction between
 * the connection's reply and the caller.
 */
import type { SendOptions } from '../connection/connection.js';
import { keyIndexes } from '../commands/keys.js';
import { isReadOnly, lookupCommand } from '../commands/table.js';
import { DataError, withCommand } from '../errors/index.js';
import { cacheable, keysOf, type Cacheable } from './cacheable.js';
import { argsId, idPart, indexKey, NON_UTF8 } from './keys.js';
import type { ResolvedCacheOptions } from './options.js';
import { copyOf, Store, type CacheStats } from './store.js';
import { Tracker, type Sender, type TrackerSink } from './tracker.js';
import type { Connection } from '../connection/connection.js';

/** `r.clientSideCache`: what a caller can see and do. */
export interface ClientSideCache {
  /** Counters and current size. */
  stats(): CacheStats;
  /** Drops every entry now (reads in flight are not stored either). */
  clear(): void;
}

/** A read in flight whose reply may be stored. */
interface Fill {
  /** Where the reply is stored (and the fill found by identical misses): group, then id. */
  readonly group: string;
  readonly entry: string;
  /** Index keys whose invalidation makes it stale. */
  readonly keys: readonly string[];
  readonly tracker: Tracker;
  /** The tracker's epoch and flush count when the read was sent. */
  readonly epoch: number;
  readonly flushes: number;
  /** An invalidation for one of its keys arrived before the reply was stored. */
  stale: boolean;
  /** The reply as the protocol decoded it. */
  readonly raw: Promise<unknown>;
}

export class ClientCache implements ClientSideCache, TrackerSink {
  private readonly store: Store;
  /** Fills by group then id, for sharing: only fills that are not stale. */
  private readonly inflight = new Map<string, Map<string, Fill>>();
  /** Fills by index key, for marking them stale: one fill as itself (the common case), more as a set. */
  private readonly pending = new Map<string, Fill | Set<Fill>>();
  private readonly trackers = new Set<Tracker>();

  constructor(readonly options: ResolvedCacheOptions) {
    this.store = new Store(options.maxEntries, options.maxBytes, options.ttl);
  }

  /** The cache of a standalone client and the tracker of its shared connection, when `options` is set. */
  static attach(
    options: ResolvedCacheOptions | undefined,
    conn: Connection,
    keyPrefix?: string | Uint8Array,
  ): { readonly store: ClientCache; readonly tracker: Tracker } | undefined {
    if (options === undefined) return undefined;
    const store = new ClientCache(options);
    return { store, tracker: store.track(conn, keyPrefix) };
  }

  /** Starts tracking on `conn`; its cacheable reads go through the returned tracker. */
  track(conn: Connection, keyPrefix?: string | Uint8Array): Tracker {
    const t = new Tracker(conn, this.options, keyPrefix, this);
    this.trackers.add(t);
    return t;
  }

  /** Stops tracking on `tracker`'s connection (it is going away) and drops its entries. */
  untrack(tracker: Tracker): Promise<void> {
    this.trackers.delete(tracker);
    return tracker.close();
  }

  stats(): CacheStats {
    return this.store.stats();
  }

  clear(): void {
    this.store.clear();
    for (const t of this.trackers) t.flushes++;
  }

  close(): Promise<void> {
    return Promise.all([...this.trackers].map((t) => this.untrack(t))).then(() => undefined);
  }

  /**
   * The one hook of a client: a command for `tracker`'s connection. Cacheable reads
   * may be answered here; a write drops its keys when its reply arrives (so this
   * client reads its own writes even if the server's invalidation comes later).
   */
  send(
    tracker: Tracker,
    name: string,
    args: readonly unknown[],
    options: SendOptions,
    slot = -1,
  ): Promise<unknown> {
    const send = tracker.send;
    const command = cacheable(name);
    if (command === undefined) {
      const reply = send(name, args, options);
      this.afterWrite(name, args, reply);
      return reply;
    }
    if (!tracker.active) {
      this.store.misses++;
      return send(name, args, options);
    }
    if (command.name === 'mget') return this.mget(tracker, command, args, options, send, slot);
    return this.read(tracker, command, name, args, options, send, slot);
  }

  private read(
    tracker: Tracker,
    command: Cacheable,
    name: string,
    args: readonly unknown[],
    options: SendOptions,
    send: Sender,
    slot: number,
  ): Promise<unknown> {
    const one = args.length === 1 && typeof args[0] === 'string';
    const group = command.groups[(options.buffers === true ? 2 : 0) + (one ? 0 : 1)] as string;
    const id = one ? (args[0] as string) : argsId(args);
    if (id === undefined) return send(name, args, options); // let the connection reject the argument
    const store = this.store;
    const hit = store.get(group, id);
    if (hit !== undefined) {
      store.hits++;
      const value = hit.value;
      // The common hit: an immutable reply (string, number, null) and no typed transform, so no copy.
      if (options.transform === undefined && (value === null || typeof value !== 'object'))
        return Promise.resolve(value);
      try {
        return Promise.resolve(answer(hit.value, options.transform));
      } catch (e) {
        return Promise.reject(transformError(e, name));
      }
    }
    store.misses++;
    const transform = options.transform;
    const shared = this.joinable(tracker, group, id);
    if (shared !== undefined) return shared.raw.then((raw) => answerOf(raw, transform, name));
    const keys = keysOf(command.name, args);
    // A reply with no key to invalidate it by would never be invalidated.
    if (keys.length === 0 || !this.covered(tracker, keys)) return send(name, args, options);
    // Identical misses join this fill: no one caller's withOptions() may withdraw it.
    const raw = send(
      name,
      args,
      transform === undefined && options.handle === undefined
        ? options
        : { ...options, transform: undefined, handle: undefined },
    );
    const fill = this.startFill(
      group,
      id,
      keys.length === 1 ? [indexKey(keys[0])] : keys.map(indexKey),
      tracker,
      raw,
    );
    // Registered before any identical miss joins: the reply is stored before they see it.
    return raw.then(
      (value) => {
        this.complete(fill, value, slot);
        return answerOf(value, transform, name);
      },
      (e: unknown) => {
        this.settle(fill);
        throw e;
      },
    );
  }

  /** The fill an identical miss may share: in flight through the same connection, and nothing since said it may be stale. */
  private joinable(tracker: Tracker, group: string, id: string): Fill | undefined {
    const fill = this.inflight.get(group)?.get(id);
    if (fill === undefined) return undefined;
    if (fill.tracker !== tracker) return undefined; // cluster: the key is read from another node now
    if (fill.epoch === tracker.epoch && fill.flushes === tracker.flushes) return fill;
    this.markStale(fill); // its connection was flushed or lost since it was sent
    return undefined;
  }

  /** MGET is cached per key: hits are taken from the store, the rest asked for in one MGET. */
  private mget(
    tracker: Tracker,
    command: Cacheable,
    args: readonly unknown[],
    options: SendOptions,
    send: Sender,
    slot: number,
  ): Promise<unknown> {
    // Per key: the groups of a one-argument call (the value of MGET k).
    const b = options.buffers === true ? 2 : 0;
    const parts: Array<unknown | Promise<unknown>> = new Array<unknown>(args.length);
    const missing: number[] = [];
    const groups: string[] = [];
    const ids: string[] = [];
    let waiting = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const one = typeof a === 'string';
      const id = one ? a : idPart(a);
      if (id === undefined) return send('mget', args, options);
      const group = command.groups[b + (one ? 0 : 1)] as string;
      groups.push(group);
      ids.push(id);
      const hit = this.store.get(group, id);
      if (hit !== undefined) {
        this.store.hits++;
        parts[i] = hit.value;
        continue;
      }
      this.store.misses++;
      waiting = true;
      const fill = this.joinable(tracker, group, id);
      if (fill !== undefined) parts[i] = fill.raw;
      else missing.push(i);
    }
    if (missing.length > 0) {
      const keys = missing.map((i) => args[i]);
      const raw = send('mget', keys, { ...options, transform: undefined });
      const covered = this.covered(tracker, keys);
      missing.forEach((i, j) => {
        const one = raw.then((reply) => (reply as unknown[])[j]);
        if (!covered) {
          parts[i] = one;
          return;
        }
        const fill = this.startFill(groups[i] as string, ids[i] as string, [indexKey(args[i])], tracker, one);
        parts[i] = one.then(
          (value) => {
            this.complete(fill, value, slot);
            return value;
          },
          (e: unknown) => {
            this.settle(fill);
            throw e;
          },
        );
      });
    }
    const transform = options.transform;
    const finish = (values: unknown[]): unknown => {
      try {
        return answer(values, transform);
      } catch (e) {
        throw transformError(e, 'mget');
      }
    };
    if (!waiting) {
      try {
        return Promise.resolve(finish(parts));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return Promise.all(parts).then(finish);
  }

  /** Broadcast mode caches only keys under the tracked prefixes: the server announces no others. */
  private covered(tracker: Tracker, keys: readonly unknown[]): boolean {
    if (this.options.mode !== 'broadcast') return true;
    const prefixes = tracker.prefixes().map(indexKey);
    if (prefixes.length === 0) return true;
    return keys.every((k) => {
      const key = indexKey(k);
      return prefixes.some((p) => key.startsWith(p));
    });
  }

  /** Registers a read in flight; its caller must `complete` (or `settle`, on an error) it. */
  private startFill(
    group: string,
    entry: string,
    keys: readonly string[],
    tracker: Tracker,
    raw: Promise<unknown>,
  ): Fill {
    const fill: Fill = {
      group,
      entry,
      keys,
      tracker,
      epoch: tracker.epoch,
      flushes: tracker.flushes,
      stale: false,
      raw,
    };
    let byId = this.inflight.get(group);
    if (byId === undefined) this.inflight.set(group, (byId = new Map()));
    byId.set(entry, fill);
    for (const k of keys) {
      const had = this.pending.get(k);
      if (had === undefined) this.pending.set(k, fill);
      else if (had instanceof Set) had.add(fill);
      else this.pending.set(k, new Set([had, fill]));
    }
    return fill;
  }

  /** The reply arrived: stored unless something since said it may be stale. */
  private complete(fill: Fill, value: unknown, slot: number): void {
    this.settle(fill);
    const tracker = fill.tracker;
    if (
      !fill.stale &&
      tracker.active &&
      tracker.epoch === fill.epoch &&
      tracker.flushes === fill.flushes &&
      storable(value)
    )
      this.store.set(fill.group, fill.entry, value, fill.keys, tracker, slot);
  }

  private settle(fill: Fill): void {
    this.unshare(fill);
    for (const k of fill.keys) {
      const had = this.pending.get(k);
      if (had === fill) this.pending.delete(k);
      else if (had instanceof Set) {
        had.delete(fill);
        if (had.size === 0) this.pending.delete(k);
      }
    }
  }

  /** No new read joins `fill` any more. */
  private unshare(fill: Fill): void {
    const byId = this.inflight.get(fill.group);
    if (byId?.get(fill.entry) === fill) byId.delete(fill.entry);
  }

  private markStale(fill: Fill): void {
    fill.stale = true;
    this.unshare(fill);
  }

  // --- TrackerSink ---------------------------------------------------------------

  invalidate(tracker: Tracker, keys: unknown[] | null): void {
    if (keys === null) {
      this.flush(tracker);
      return;
    }
    for (const k of keys) this.invalidateServerKey(k);
  }

  flush(tracker: Tracker): void {
    tracker.flushes++;
    this.store.dropOwner(tracker);
  }

  /**
   * Cluster: drops what each tracker read from slots it no longer serves (`serves(slot, tracker)`
   * false): writes there now reach another node, whose invalidations this tracker never gets.
   */
  dropMovedSlots(serves: (slot: number, tracker: Tracker) => boolean): void {
    for (const t of this.trackers) {
      t.flushes++;
      this.store.dropSlots(t, (slot) => !serves(slot, t));
    }
  }

  /**
   * A key as the server names it in an invalidation (a string decoded with replacement
   * characters, or bytes), or as this client wrote it: its index key, plus the non-UTF-8
   * bucket when it may have been one of those.
   */
  private invalidateServerKey(k: unknown): void {
    const key = indexKey(k);
    this.invalidateKey(key);
    if (key !== NON_UTF8 && key.includes('\uFFFD')) this.invalidateKey(NON_UTF8);
  }

  private invalidateKey(key: string): void {
    this.store.invalidateKey(key);
    const had = this.pending.get(key);
    if (had === undefined) return;
    if (had instanceof Set) for (const f of had) this.markStale(f);
    else this.markStale(had);
  }

  /** A write of this client: its keys are dropped once it is answered (before the caller sees the reply). */
  private afterWrite(name: string, args: readonly unknown[], reply: Promise<unknown>): void {
    const spec = lookupCommand(name, args);
    if (spec === undefined || isReadOnly(spec)) return;
    const indexes = keyIndexes(spec, args);
    if (indexes.length === 0) return;
    const drop = (): void => {
      for (const i of indexes) this.invalidateServerKey(args[i]);
    };
    // At send too: reads already in flight are answered from before this write; none of them is stored.
    drop();
    reply.then(drop, drop);
  }
}

/** The caller's own value: a copy of the stored reply, shaped by the typed method if any. */
function answer(raw: unknown, transform: ((reply: unknown) => unknown) | undefined): unknown {
  const value = copyOf(raw);
  return transform === undefined ? value : transform(value);
}

/** {@link answer}, a throwing transform reported as the connection would have. */
function answerOf(raw: unknown, transform: ((reply: unknown) => unknown) | undefined, name: string): unknown {
  try {
    return answer(raw, transform);
  } catch (e) {
    throw transformError(e, name);
  }
}

/** What the connection would have made of a transform that threw. */
function transformError(e: unknown, name: string): Error {
  const error =
    e instanceof DataError
      ? e
      : new DataError(e instanceof Error ? e.message : 'could not decode the reply', { cause: e });
  return withCommand(error, name.toUpperCase());
}

/** Error values inside a reply are not cached (they are rare and may be transient). */
function storable(value: unknown): boolean {
  if (value instanceof Error) return false;
  if (Array.isArray(value)) for (const v of value as unknown[]) if (v instanceof Error) return false;
  return true;
}
