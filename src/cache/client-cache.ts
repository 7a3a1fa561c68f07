/**
 * The client-side cache of one client (and its `withBuffers()` views): answers
 * cacheable reads from the store, sends the others, and keeps the store right
 * as invalidations arrive.
 *
 * No stale read after an invalidation: a read in flight is a {@link Fill},
 * registered under its keys; an invalidation of one of them (or a flush of its
 * connection) marks it stale, and a stale fill's reply is handed to its callers
 * but not stored. So a read sent before another client's write and answered
 * after that write's invalidation arrived never lands in the cache. Concurrent
 * identical misses share one fill; a new read never joins a stale one.
 */
import type { SendOptions } from '../connection/connection.js';
import { keyIndexes } from '../commands/keys.js';
import { isReadOnly, lookupCommand } from '../commands/table.js';
import { DataError, withCommand } from '../errors/index.js';
import { cacheable, keysOf, type Cacheable } from './cacheable.js';
import { argsId, idPart, indexKey, invalidatedKeys } from './keys.js';
import type { ResolvedCacheOptions } from './options.js';
import { copyOf, Store, type CacheStats } from './store.js';
import { Tracker, type Fill, type Sender, type TrackerSink } from './tracker.js';
import type { Connection } from '../connection/connection.js';

/** `r.clientSideCache`: what a caller can see and do. */
export interface ClientSideCache {
  /** Counters and current size. */
  stats(): CacheStats;
  /** Drops every entry now (reads in flight are not stored either). */
  clear(): void;
}

interface PendingFill extends Fill {
  /** Where the reply is stored. */
  readonly group: string;
  readonly entry: string;
  promise: Promise<unknown>;
}

export class ClientCache implements ClientSideCache, TrackerSink {
  private readonly store: Store;
  /** Fills by cache id, for sharing: only fills that are not stale. */
  private readonly inflight = new Map<string, PendingFill>();
  /** Fills by index key, for marking them stale. */
  private readonly pending = new Map<string, Set<PendingFill>>();
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
    for (const t of this.trackers) for (const f of t.fills) this.markStale(f as PendingFill);
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
      try {
        return Promise.resolve(answer(hit.value, options.transform));
      } catch (e) {
        return Promise.reject(transformError(e, name));
      }
    }
    store.misses++;
    let fill = this.inflight.get(group + SEP + id);
    if (fill === undefined) {
      const keys = keysOf(command.name, args);
      // A reply with no key to invalidate it by would never be invalidated.
      if (keys.length === 0 || !this.covered(tracker, keys)) return send(name, args, options);
      const raw = send(name, args, { ...options, transform: undefined });
      fill = this.startFill(group, id, keys.map(indexKey), tracker, raw, slot);
    }
    const transform = options.transform;
    return fill.promise.then((raw) => {
      try {
        return answer(raw, transform);
      } catch (e) {
        throw transformError(e, name);
      }
    });
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
      const fill = this.inflight.get(group + SEP + id);
      if (fill !== undefined) parts[i] = fill.promise;
      else missing.push(i);
    }
    if (missing.length > 0) {
      const keys = missing.map((i) => args[i]);
      const raw = send('mget', keys, { ...options, transform: undefined });
      const covered = this.covered(tracker, keys);
      missing.forEach((i, j) => {
        const one = raw.then((reply) => (reply as unknown[])[j]);
        parts[i] = covered
          ? this.startFill(groups[i] as string, ids[i] as string, [indexKey(args[i])], tracker, one, slot)
              .promise
          : one;
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

  private startFill(
    group: string,
    entry: string,
    keys: readonly string[],
    tracker: Tracker,
    raw: Promise<unknown>,
    slot: number,
  ): PendingFill {
    const id = group + SEP + entry;
    const fill: PendingFill = {
      id,
      group,
      entry,
      keys,
      tracker,
      epoch: tracker.epoch,
      stale: false,
      promise: raw,
    };
    this.inflight.set(id, fill);
    tracker.fills.add(fill);
    for (const k of keys) {
      const set = this.pending.get(k);
      if (set === undefined) this.pending.set(k, new Set([fill]));
      else set.add(fill);
    }
    fill.promise = raw.then(
      (value) => {
        this.settle(fill);
        if (!fill.stale && tracker.active && tracker.epoch === fill.epoch && storable(value))
          this.store.set(group, entry, value, keys, tracker, slot);
        return value;
      },
      (e: unknown) => {
        this.settle(fill);
        throw e;
      },
    );
    return fill;
  }

  private settle(fill: PendingFill): void {
    if (this.inflight.get(fill.id) === fill) this.inflight.delete(fill.id);
    fill.tracker.fills.delete(fill);
    for (const k of fill.keys) {
      const set = this.pending.get(k);
      if (set === undefined) continue;
      set.delete(fill);
      if (set.size === 0) this.pending.delete(k);
    }
  }

  private markStale(fill: PendingFill): void {
    fill.stale = true;
    if (this.inflight.get(fill.id) === fill) this.inflight.delete(fill.id);
  }

  // --- TrackerSink ---------------------------------------------------------------

  invalidate(tracker: Tracker, keys: unknown[] | null): void {
    if (keys === null) {
      this.flush(tracker);
      return;
    }
    for (const k of keys) for (const key of invalidatedKeys(k)) this.invalidateKey(key);
  }

  flush(tracker: Tracker): void {
    this.store.dropOwner(tracker);
    for (const f of tracker.fills) this.markStale(f as PendingFill);
  }

  /**
   * Cluster: drops what each tracker read from slots it no longer serves (`serves(slot, tracker)`
   * false): writes there now reach another node, whose invalidations this tracker never gets.
   */
  dropMovedSlots(serves: (slot: number, tracker: Tracker) => boolean): void {
    for (const t of this.trackers) {
      this.store.dropSlots(t, (slot) => !serves(slot, t));
      for (const f of t.fills) this.markStale(f as PendingFill);
    }
  }

  private invalidateKey(key: string): void {
    this.store.invalidateKey(key);
    const fills = this.pending.get(key);
    if (fills !== undefined) for (const f of fills) this.markStale(f);
  }

  /** A write of this client: its keys are dropped once it is answered (before the caller sees the reply). */
  private afterWrite(name: string, args: readonly unknown[], reply: Promise<unknown>): void {
    const spec = lookupCommand(name, args);
    if (spec === undefined || isReadOnly(spec)) return;
    const indexes = keyIndexes(spec, args);
    if (indexes.length === 0) return;
    const drop = (): void => {
      for (const i of indexes) for (const key of invalidatedKeys(args[i])) this.invalidateKey(key);
    };
    // At send too: reads already in flight are answered from before this write; none of them is stored.
    drop();
    reply.then(drop, drop);
  }
}

/** Between group and id in the key of a read in flight. */
const SEP = '\u0000';

/** The caller's own value: a copy of the stored reply, shaped by the typed method if any. */
function answer(raw: unknown, transform: ((reply: unknown) => unknown) | undefined): unknown {
  const value = copyOf(raw);
  return transform === undefined ? value : transform(value);
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
