/**
 * The client-side cache of one client (and its `withBuffers()` views): answers
 * cacheable reads from the store, sends the others, and keeps the store right
 * as invalidations arrive.
 *
 * No stale read after an invalidation: a read in flight is its entry's fill (the
 * entry FILLING, see store.ts), found by its keys like any entry; an invalidation
 * of one of them empties the entry, and a flush of its connection moves the
 * connection's `flushes` count past the one the fill recorded: either way its
 * reply is handed to its callers but not stored. So a read sent before another
 * client's write and answered after that write's invalidation arrived never lands
 * in the cache. Concurrent identical misses share one fill; a new read never
 * joins a stale one.
 *
 * A miss costs what the hot path can afford: the reply is stored by the
 * connection's reply handler itself (a transform, no promise reaction in
 * between), and the entry of a key read before is filled again rather than made
 * anew (no allocation that outlives the request but the reply itself).
 */
import type { SendOptions } from '../connection/connection.js';
import { keyIndexes } from '../commands/keys.js';
import { isReadOnly, lookupCommand } from '../commands/table.js';
import { DataError, withCommand } from '../errors/index.js';
import { cacheable, keysOf, type Cacheable } from './cacheable.js';
import { argsId, idPart, indexKey, NON_UTF8 } from './keys.js';
import type { ResolvedCacheOptions } from './options.js';
import { copyOf, Store, FILLING, LIVE, type CacheStats, type Entry, type Waiter } from './store.js';
import { Tracker, type Sender, type TrackerSink } from './tracker.js';
import type { Connection } from '../connection/connection.js';

/** `r.clientSideCache`: what a caller can see and do. */
export interface ClientSideCache {
  /** Counters and current size. */
  stats(): CacheStats;
  /** Drops every entry now (reads in flight are not stored either). */
  clear(): void;
}

export class ClientCache implements ClientSideCache, TrackerSink {
  private readonly store: Store;
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
   * A read of one string argument answered from the store, before the client builds
   * anything to send it; undefined when it must go through {@link send} (a miss, a write,
   * another shape, tracking not confirmed), which then counts it.
   */
  answer(
    tracker: Tracker,
    name: string,
    args: readonly unknown[],
    buffers: boolean,
    transform: ((reply: unknown) => unknown) | undefined,
  ): Promise<unknown> | undefined {
    if (args.length !== 1 || !tracker.active) return undefined;
    const id = args[0];
    if (typeof id !== 'string') return undefined;
    const command = cacheable(name);
    if (command === undefined || command.name === 'mget') return undefined;
    const store = this.store;
    const e = store.get(command.groups[buffers ? 2 : 0], id);
    if (e === undefined || e.state !== LIVE) return undefined;
    store.hits++;
    return hit(e.value, transform, name);
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
    const e = store.get(group, id);
    const transform = options.transform;
    if (e !== undefined && e.state === LIVE) {
      store.hits++;
      return hit(e.value, transform, name);
    }
    store.misses++;
    return this.miss(tracker, command, name, args, options, send, slot, group, id, e);
  }

  /**
   * A read the store cannot answer: shares the fill in flight or starts one. Apart from
   * {@link read} so the closures here cost a hit nothing (a function whose variables a
   * closure captures allocates their context on every call, whichever branch it takes).
   */
  private miss(
    tracker: Tracker,
    command: Cacheable,
    name: string,
    args: readonly unknown[],
    options: SendOptions,
    send: Sender,
    slot: number,
    group: string,
    id: string,
    found: Entry | undefined,
  ): Promise<unknown> {
    const store = this.store;
    const transform = options.transform;
    let e = found;
    if (e === undefined) {
      const keys = keysOf(command.name, args);
      // A reply with no key to invalidate it by would never be invalidated.
      if (keys.length === 0 || !this.covered(tracker, keys)) return send(name, args, options);
      e = store.create(group, id, keys.length === 1 ? [indexKey(keys[0])] : keys.map(indexKey));
    } else if (e.state === FILLING && this.joinable(e, tracker)) {
      // Past maxQueued the read is the connection's to refuse, as any command past it is.
      if (!tracker.conn.share()) return send(name, args, options);
      return this.join(e, tracker).then((raw) => answerOf(raw, transform, name));
    }
    // An entry is only ever made for covered keys (the prefixes are the client's, fixed).
    const gen = this.begin(e, tracker);
    // The reply is stored as the connection hands it over (before any caller, identical misses
    // included, sees it). No caller's withOptions() may withdraw a request others may join:
    // no handle; a typed transform is applied per caller, to a copy.
    const complete = (value: unknown): unknown => this.complete(e, gen, value, slot);
    const raw = send(name, args, {
      buffers: options.buffers,
      transform: complete,
      safe: options.safe,
      readOnly: options.readOnly,
      blocking: options.blocking,
      confirmations: options.confirmations,
      trace: options.trace,
      handle: undefined,
    });
    raw.then(undefined, (err: unknown) => this.failed(e, gen, err));
    return transform === undefined ? raw : raw.then((value) => answerOf(value, transform, name));
  }

  /**
   * Whether a miss may share the fill in flight of `e`: through the same connection, and
   * nothing said since that it may be stale (else the fill is left to finish unstored).
   */
  private joinable(e: Entry, tracker: Tracker): boolean {
    // Cluster: another owner means the key is read from another node now.
    return e.owner === tracker && e.epoch === tracker.epoch && e.flushes === tracker.flushes;
  }

  /**
   * A miss sharing the current fill of `e`, counted by `tracker`'s connection (its `share()` said
   * yes): settled by {@link complete} or {@link failed}.
   */
  private join(e: Entry, tracker: Tracker): Promise<unknown> {
    const gen = e.gen;
    const bound = tracker.conn;
    return new Promise((resolve, reject) => {
      (e.waiters ??= []).push({ gen, bound, resolve, reject });
    });
  }

  /** Settles the misses that shared fill `gen` of `e` (each gets a copy of its own). */
  private release(e: Entry, gen: number, ok: boolean, outcome: unknown): void {
    const all = e.waiters as Waiter[];
    const rest = all.filter((w) => w.gen !== gen);
    e.waiters = rest.length > 0 ? rest : undefined;
    for (const w of all)
      if (w.gen === gen) {
        w.bound.unshare();
        if (ok) w.resolve(copyOf(outcome));
        else w.reject(outcome);
      }
  }

  /** `e` starts a fill through `tracker`; its generation, for {@link complete}. */
  private begin(e: Entry, tracker: Tracker): number {
    const gen = this.store.refill(e);
    e.owner = tracker;
    e.epoch = tracker.epoch;
    e.flushes = tracker.flushes;
    return gen;
  }

  /**
   * The reply of fill `gen` of `e`, as the connection receives it: stored unless something since
   * said it may be stale. Returns what the request resolves with (a copy when stored and mutable).
   */
  private complete(e: Entry, gen: number, value: unknown, slot: number): unknown {
    if (e.waiters !== undefined) this.release(e, gen, true, value);
    if (e.gen !== gen || e.state !== FILLING) return value; // stale, or another fill's now
    const store = this.store;
    const tracker = e.owner as Tracker;
    if (
      store.holds(e) &&
      tracker.active &&
      tracker.epoch === e.epoch &&
      tracker.flushes === e.flushes &&
      storable(value)
    ) {
      store.fill(e, value, slot);
      return copyOf(value);
    }
    store.toEmpty(e);
    return value;
  }

  /** Fill `gen` of `e` failed (an error reply, a lost connection): nothing to store, nothing to share. */
  private failed(e: Entry, gen: number, error: unknown): void {
    if (e.waiters !== undefined) this.release(e, gen, false, error);
    if (e.gen === gen && e.state === FILLING) this.store.toEmpty(e);
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
    // No key: nothing to answer from the store; the server's arity error is the reply.
    if (args.length === 0) return send('mget', args, options);
    // Per key: the groups of a one-argument call (the value of MGET k).
    const b = options.buffers === true ? 2 : 0;
    // Every id first: a call the connection will refuse touches no entry and counts nothing.
    const ids: string[] = new Array<string>(args.length);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const id = typeof a === 'string' ? a : idPart(a);
      if (id === undefined) return send('mget', args, options);
      ids[i] = id;
    }
    const store = this.store;
    const parts: Array<unknown | Promise<unknown>> = new Array<unknown>(args.length);
    const missing: number[] = [];
    const entries: Array<Entry | undefined> = [];
    const gens: number[] = [];
    let waiting = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const group = command.groups[b + (typeof a === 'string' ? 0 : 1)] as string;
      const e = store.get(group, ids[i] as string);
      if (e !== undefined && e.state === LIVE) {
        store.hits++;
        parts[i] = e.value;
        continue;
      }
      store.misses++;
      waiting = true;
      if (e !== undefined && e.state === FILLING && this.joinable(e, tracker)) {
        if (tracker.conn.share()) {
          parts[i] = this.join(e, tracker);
          continue;
        }
        // No room under maxQueued to share: the key goes in this MGET, unstored (no fill of its
        // own over the one in flight), and the connection refuses the MGET if it has no room either.
        missing.push(i);
        continue;
      }
      missing.push(i);
      const mine =
        e ?? (this.covered(tracker, [a]) ? store.create(group, ids[i] as string, [indexKey(a)]) : undefined);
      if (mine === undefined) continue;
      // Its fill starts now, before the next key's lookup: an expired entry emptied there may push
      // the oldest empty one out of the store, and this one, still empty, could be that one.
      entries[i] = mine;
      gens[i] = this.begin(mine, tracker);
    }
    if (missing.length > 0) {
      const keys = missing.map((i) => args[i]);
      const raw = send('mget', keys, { ...options, transform: undefined, handle: undefined });
      missing.forEach((i, j) => {
        const one = raw.then((reply) => (reply as unknown[])[j]);
        const e = entries[i];
        if (e === undefined) {
          parts[i] = one;
          return;
        }
        const gen = gens[i] as number;
        parts[i] = one.then(
          (value) => this.complete(e, gen, value, slot),
          (err: unknown) => {
            this.failed(e, gen, err);
            throw err;
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
    const given = tracker.prefixes();
    if (given.length === 0) return true;
    // Compared as the bytes on the wire, as the server does: index keys would not do, since every
    // non-UTF-8 key (and prefix) shares one index key, and a key outside a binary prefix would be
    // cached with no invalidation ever announced for it.
    const prefixes = given.map(wireBytes);
    return keys.every((k) => {
      const key = wireBytes(k);
      return prefixes.some((p) => startsWith(key, p));
    });
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
  }

  /**
   * Commands this client sent past {@link send} (a pipeline, a transaction, a blocking command):
   * the keys they write are dropped now and when `reply` settles (a transaction's: its EXEC), as
   * for any other write of this client. Its invalidations may come after that reply (on the
   * RESP2 listener's socket, or a blocking command's own connection), so this keeps the promise
   * that the client reads its own writes.
   */
  wrote(
    commands: ReadonlyArray<{ readonly name: string; readonly args: readonly unknown[] }>,
    reply: Promise<unknown>,
  ): void {
    for (const c of commands) this.afterWrite(c.name, c.args, reply);
  }

  /** A MULTI…EXEC block sent past the cache: its writes happen at EXEC, the last reply (a read answered before it is not kept). */
  wroteBlock(
    commands: ReadonlyArray<{ readonly name: string; readonly args: readonly unknown[] }>,
    replies: ReadonlyArray<Promise<unknown>>,
  ): void {
    this.wrote(commands, replies[replies.length - 1] as Promise<unknown>);
  }

  /** A write of this client: its keys are dropped once it is answered (before the caller sees the reply). */
  afterWrite(name: string, args: readonly unknown[], reply: Promise<unknown>): void {
    const spec = lookupCommand(name, args);
    if (spec === undefined || isReadOnly(spec)) return;
    if (EMPTIES_DATABASE.has(spec.name)) {
      // FLUSHDB / FLUSHALL / SWAPDB name no key, so the drop below would miss them; the server's
      // flush invalidation may come after the reply (RESP2: on the listener's socket; Redis 7
      // sends the writer's own after its reply) and SWAPDB sends none. So this client's own flush
      // empties the cache itself, at send and when answered, like any write of its own.
      const clear = (): void => this.clear();
      clear();
      reply.then(clear, clear);
      return;
    }
    let indexes: ReturnType<typeof keyIndexes>;
    try {
      indexes = keyIndexes(spec, args);
    } catch {
      // A numkeys no count can be read from: the connection refuses it unsent, nothing to drop.
      // Thrown here, the caller got a synchronous throw, the refusal went unhandled and the
      // command's trace never ended (an OpenTelemetry span left open).
      return;
    }
    // Only what the encoder sends can name a key: anything else makes the connection refuse the
    // command unsent (and String() of it may throw).
    const keys = indexes.map((i) => args[i]).filter(isKeyArgument);
    if (keys.length === 0) return;
    const drop = (): void => {
      for (const k of keys) this.invalidateServerKey(k);
    };
    // At send too: reads already in flight are answered from before this write; none of them is stored.
    drop();
    reply.then(drop, drop);
  }
}

function isKeyArgument(k: unknown): boolean {
  const t = typeof k;
  return t === 'string' || t === 'number' || t === 'bigint' || k instanceof Uint8Array;
}

/** Keyless writes that change every key of a database, by the command table's (lower-case) name. */
const EMPTIES_DATABASE: ReadonlySet<string> = new Set(['flushdb', 'flushall', 'swapdb']);

/** The caller's own value: a copy of the stored reply, shaped by the typed method if any. */
function answer(raw: unknown, transform: ((reply: unknown) => unknown) | undefined): unknown {
  const value = copyOf(raw);
  return transform === undefined ? value : transform(value);
}

/** A hit's promise: the stored value itself when it is immutable and untransformed, else the caller's copy. */
function hit(
  value: unknown,
  transform: ((reply: unknown) => unknown) | undefined,
  name: string,
): Promise<unknown> {
  if (transform === undefined && (value === null || typeof value !== 'object')) return Promise.resolve(value);
  try {
    return Promise.resolve(answer(value, transform));
  } catch (err) {
    return Promise.reject(transformError(err, name));
  }
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

const wireUtf8 = new TextEncoder();

/** A key or prefix as the bytes it goes on the wire as (a lone surrogate as U+FFFD, Infinity as +inf, like the encoder). */
function wireBytes(k: unknown): Uint8Array {
  return k instanceof Uint8Array ? k : wireUtf8.encode(typeof k === 'string' ? k : indexKey(k));
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > key.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
