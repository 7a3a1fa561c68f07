/**
 * The standalone client. Commands share one auto-pipelined connection; blocking
 * commands borrow dedicated connections so they never stall it.
 */
import type { CommandSignatures, Promised } from '../commands/methods/index.js';
import { NodeCommands, type NodeContext } from '../shared/node-commands.js';
import { keyPrefix, type KeyPrefix } from '../commands/prefix.js';
import { asError, underOptions, viewWith, type CallOptions } from '../shared/call-options.js';
import { ServerSupport } from '../commands/support.js';
import { closedError } from '../errors/closed.js';
import {
  Connection,
  type ConnectionStatus,
  abandon,
  type SendHandle,
  type SendOptions,
} from '../connection/connection.js';
import { BlockingPool } from '../shared/blocking-pool.js';
import { DedicatedConnection } from '../shared/dedicated.js';
import { lendUnderSignal } from '../shared/lend.js';
import { Pipeline, Transaction, type BatchTarget } from '../shared/pipeline.js';
import { commandFlags, type CommandFlags } from '../shared/command-flags.js';
import { resolveOptions, type RedisOptions, type ResolvedOptions } from '../shared/options.js';
import { installScanIterators, type ScanIterators } from '../shared/scan.js';
import type { RedisKey } from '../commands/methods/index.js';
import { ensurePersistence, ensureReplication } from '../features/guarantees.js';
import { Lock, type LockOptions } from '../features/lock.js';
import { Script } from '../features/script.js';
import {
  streamConsumer as createStreamConsumer,
  type ConsumerEntry,
  type GroupConsumerEntry,
  type StreamConsumer,
  type StreamConsumerOptions,
  type StreamGroupConsumerOptions,
  type StreamReaderOptions,
} from '../features/stream-consumer.js';
import { ClientCache, type ClientSideCache, type Tracker } from '../cache/index.js';
import { existingPubSub, installPubSub, type PubSubCommands } from '../pubsub/index.js';
import { clientSetName, rememberClientName, rememberClientNamesInBlock } from '../shared/client-name.js';
import { startMonitor, type Monitor, type MonitorEvent } from './monitor.js';
import { MAX_TIMER_MS } from '../util/timer.js';
import { notAFunction } from '../commands/methods/shape.js';

/** Bytes as replies carry them under `withBuffers()`: Buffer on Node, Uint8Array on edge runtimes. */
export type Bytes = Uint8Array;

/** Events of `Redis`, with the arguments their listeners get. */
export interface RedisEvents {
  /** The connection is up and set up (HELLO, AUTH, SELECT done). */
  ready: [];
  /** A background error (a failed reconnect, a protocol error); commands reject on their own. */
  error: [Error];
  /** The connection closed. */
  close: [];
  /** A reconnect is scheduled; the argument is the delay in ms. */
  reconnecting: [number];
  /** The client gave up reconnecting, or was closed; it will not connect again. */
  end: [];
  /** A RESP3 push that is not Pub/Sub (e.g. client-side caching invalidations). */
  push: [unknown[]];
}

/** State shared by a client and its `withBuffers()` views. */
interface Shared {
  readonly options: ResolvedOptions;
  /** The `keyPrefix` option, ready to apply. */
  readonly prefix: KeyPrefix | undefined;
  /** A new client from the same constructor arguments, `overrides` winning. */
  readonly reopen: (overrides?: RedisOptions) => Redis;
  readonly main: Connection;
  readonly blocking: BlockingPool;
  /** Which commands the server has (CommandNotSupportedError before sending). */
  readonly support: ServerSupport;
  /** Client-side caching of the shared connection's reads, when the option is on. */
  readonly cache: { readonly store: ClientCache; readonly tracker: Tracker } | undefined;
  /** Connections of `monitor()`: they end with the client (else they outlive it and keep the process alive). */
  readonly monitors: Set<{ disconnect(): void }>;
}

/**
 * The standalone client: `new Redis('redis://host:6379')` or `new Redis({ host, port, … })`.
 *
 * Every command is a lower-case method returning a Promise. Common commands have typed
 * arguments and replies, the same under RESP2 and RESP3; every other command of the command
 * table is a method too (`r.objectFreq(k)`, `r.configResetstat()`), untyped: it sends its
 * arguments as written and resolves with the reply as `call()` decodes it. Concurrent commands
 * share one auto-pipelined connection; blocking commands borrow dedicated connections.
 */
export interface Redis
  extends Promised<CommandSignatures<string>>, ScanIterators<string>, PubSubCommands<string> {}

export class Redis extends NodeCommands<RedisEvents> {
  /** @internal */
  protected readonly shared: Shared;
  /** @internal String replies as bytes (set on `withBuffers()` views). */
  protected readonly buffers: boolean = false;
  /** @internal Commands go to the shared connection: state commands are refused. */
  protected readonly site = 'shared';
  /** @internal Per-call signal/timeout (set on `withOptions()` views). */
  protected readonly callOptions: CallOptions | undefined = undefined;

  /**
   * @param urlOrOptions `redis://user:pass@host:6379/0`, `rediss://…` (TLS), `unix:///path`, or options.
   * @param options Options that win over the URL.
   */
  constructor(urlOrOptions?: string | RedisOptions, options?: RedisOptions) {
    super();
    const resolved = resolveOptions(urlOrOptions, options);
    const main = new Connection(resolved);
    this.shared = {
      options: resolved,
      main,
      blocking: new BlockingPool(
        resolved,
        resolved.maxBlockingConnections,
        resolved.blockingConnectionTimeout,
      ),
      support: new ServerSupport(main),
      cache: ClientCache.attach(resolved.clientSideCache, main, resolved.keyPrefix),
      prefix: keyPrefix(resolved.keyPrefix),
      monitors: new Set(),
      // A closure, not the options themselves: nothing inspectable holds the password twice.
      reopen: (overrides) =>
        new Redis(urlOrOptions, overrides === undefined ? options : { ...options, ...overrides }),
    };
    main.on('ready', () => this.emit('ready'));
    main.on('error', (e) => this.emit('error', e));
    main.on('close', () => this.emit('close'));
    main.on('reconnecting', (d) => this.emit('reconnecting', d));
    main.on('end', () => this.emit('end'));
    main.on('push', (v) => this.emit('push', v));
    // Connecting at construction is eager, not awaited: a failure reaches commands (they reject) and 'error'.
    if (!resolved.lazyConnect) main.connect().catch(() => undefined);
  }

  /** @internal The shared, auto-pipelined connection. */
  get connection(): Connection {
    return this.shared.main;
  }

  /** @internal Resolved options, for building more connections to the same server. */
  get resolvedOptions(): ResolvedOptions {
    return this.shared.options;
  }

  /** `'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed'`. */
  get status(): ConnectionStatus {
    return this.shared.main.status;
  }

  /** The client-side cache (`clientSideCache` option): `stats()` and `clear()`; undefined when off. */
  get clientSideCache(): ClientSideCache | undefined {
    return this.shared.cache?.store;
  }

  /** @internal Status, address and options (secrets replaced) for `util.inspect`. */
  override inspectSummary(): Record<string, unknown> {
    const { options } = this.shared;
    return { status: this.status, buffers: this.buffers, options };
  }

  /** Connects now (normally implicit). Resolves when the handshake is done. */
  connect(): Promise<void> {
    return this.shared.main.connect();
  }

  /**
   * Graceful: replies to commands already sent arrive first, then the sockets close. With
   * `timeout` (ms), whatever is still unanswered then is dropped as by `disconnect()`.
   */
  async close(options?: { timeout?: number }): Promise<void> {
    const timeout = options?.timeout;
    // Beyond the timer maximum the close stays graceful: setTimeout would turn the delay into 1 ms.
    const timer =
      timeout !== undefined && timeout >= 0 && timeout <= MAX_TIMER_MS
        ? setTimeout(() => this.disconnect(), timeout)
        : undefined;
    (timer as { unref?: () => void } | undefined)?.unref?.();
    try {
      await this.closeGracefully();
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /**
   * Sends AUTH with fresh credentials (the `credentials` provider's, else the configured
   * password) on every live connection of the client: shared, pooled, lent and subscriber.
   * For short-lived tokens; later connects call the provider anyway.
   */
  async reauthenticate(): Promise<void> {
    const pubsub = existingPubSub(this)?.subscriber?.connection;
    const conns = new Set([this.shared.main, ...this.shared.blocking.connections()]);
    if (pubsub !== undefined) conns.add(pubsub);
    // An AUTH not awaited (behind a blocking command, after a lent MULTI) reports a refusal here:
    // pooled and lent connections have no 'error' listener of their own.
    const report = (e: Error): void => this.emit('error', e);
    await Promise.all([...conns].map((c) => c.reauthenticate(report)));
  }

  private async closeGracefully(): Promise<void> {
    // A monitor has no replies to wait for: its stream just ends, as with stop().
    for (const m of this.shared.monitors) m.disconnect();
    // Pub/Sub first: it takes the main connection's end that follows for a close, not a give-up.
    await Promise.all([
      existingPubSub(this)?.close(),
      this.shared.main.close(),
      this.shared.blocking.close(),
      this.shared.cache?.store.close(),
    ]);
  }

  /** Immediate: sockets drop, pending commands reject with `ConnectionError`. */
  disconnect(): void {
    // Pub/Sub first: it takes the main connection's end that follows for a close, not a give-up.
    existingPubSub(this)?.disconnect();
    this.shared.main.disconnect();
    this.shared.blocking.disconnect();
    for (const m of this.shared.monitors) m.disconnect();
    // disconnect() is synchronous and immediate: the cache store closes in the background, no caller to tell.
    this.shared.cache?.store.close().catch(() => undefined);
  }

  /** A view on the same connections whose string replies are bytes (Buffer on Node). */
  withBuffers(): RedisBuffers {
    const view = Object.create(this) as Redis;
    Object.defineProperty(view, 'buffers', { value: true });
    return view as unknown as RedisBuffers;
  }

  /**
   * A new, independent client (its own connections) with the same options as
   * this one; `overrides` win (`r.duplicate({ db: 1 })`). Like ioredis' `duplicate()`.
   */
  duplicate(overrides?: RedisOptions): Redis {
    return this.shared.reopen(overrides);
  }

  /**
   * A view on the same connections whose commands (blocking ones included)
   * reject with `signal.reason` when the signal aborts, or with TimeoutError
   * after `timeout` ms. A command not yet written to the socket (the client is
   * connecting, it waits for room or a reconnect, or it is in this tick's
   * write) is then withdrawn unsent; one already written keeps its slot and its
   * reply is discarded; a blocking one's dedicated connection is dropped so the
   * server stops waiting. A pipeline or transaction of the view takes the
   * options as one unit: `exec()` rejects; a pipeline's unwritten commands are
   * withdrawn, a MULTI block once handed over runs whole.
   */
  withOptions(options: CallOptions): this {
    return viewWith(this, this.callOptions, options);
  }

  /**
   * Sends any command as written; the reply is the protocol value as decoded
   * (see the README's table). Routed by the command table: blocking commands go
   * to a dedicated connection.
   */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatch(name, args);
  }

  /** Queues commands with the typed methods; `exec()` sends them back to back in one tick's write and resolves with every result, errors in place. */
  pipeline(): Pipeline {
    return new Pipeline(this.batchTarget());
  }

  /** MULTI/EXEC on the shared connection (the block is written contiguously). For WATCH use `withConnection`. */
  multi(): Transaction {
    return new Transaction(this.batchTarget());
  }

  /**
   * Lends a dedicated connection for the duration of `fn` — where WATCH, SELECT and
   * CLIENT TRACKING belong. Watches are cleared when `fn` settles; a connection whose
   * database or tracking changed is closed rather than lent again. If the socket is lost
   * while the connection holds such state, its commands reject until `fn` ends.
   */
  async withConnection<T>(
    fn: (conn: DedicatedConnection) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T> {
    if (typeof fn !== 'function') throw notAFunction('withConnection(fn)');
    return lendUnderSignal(
      options?.signal ?? this.callOptions?.signal,
      (body) => this.shared.blocking.lease(body),
      (conn) =>
        new DedicatedConnection(
          conn,
          this.buffers,
          this.shared.support,
          this.shared.prefix,
          this.shared.cache?.store,
        ),
      fn,
    );
  }

  private batchTarget(): BatchTarget {
    const main = this.shared.main;
    const buffers = this.buffers;
    // Batches bypass the cache (never answered from it), but what they write is this client's write.
    const cache = this.shared.cache?.store;
    return {
      buffers: this.buffers,
      send: (name, args, options) => {
        // A pipeline's blocking command (BLPOP 0, XREAD BLOCK …) goes to a dedicated connection, as
        // a cluster pipeline's does: on the shared one every later command would wait behind it.
        // (Transactions go by sendBatch: inside MULTI nothing blocks.)
        if (commandFlags(name, args).blocking)
          return this.runBlocking(name, [...args], { ...options, blocking: true });
        const sent = main.send(name, args, options);
        cache?.afterWrite(name, args, sent);
        return rememberClientName(main, name, args, sent);
      },
      // CLIENT SETNAME is remembered as its own reply arrives, a blocking command goes to the
      // pool: a pipeline with one goes by `send`.
      sendEach: (commands) => {
        if (
          commands.some(
            (c) => clientSetName(c.name, c.args) !== undefined || commandFlags(c.name, c.args).blocking,
          )
        )
          return undefined;
        const all = main.sendEach(commands, buffers);
        cache?.wrote(commands, all);
        return all;
      },
      sendBatch: (commands) => {
        const sent = main.sendBatch(commands);
        cache?.wroteBlock(commands, sent);
        rememberClientNamesInBlock(main, commands, sent);
        return sent;
      },
      support: this.shared.support,
      connection: main,
      keyPrefix: this.shared.prefix,
      callOptions: this.callOptions,
    };
  }

  /**
   * Streams every command the server runs to `listener` (`{ time, db, source, args }`) over a
   * dedicated connection in MONITOR mode; resolves once MONITOR is on, with `stop()`. That
   * connection does not reconnect: its loss ends the events and is reported on the `error`
   * event (a `ConnectionError`).
   */
  monitor(listener: (event: MonitorEvent) => void): Promise<Monitor> {
    // After close()/disconnect() nobody would close the monitor connection.
    if (this.shared.main.closed) return Promise.reject(closedError());
    return startMonitor(this.shared.options, listener, this.shared.monitors, (e) => this.emit('error', e));
  }

  /** A Lua script run by digest (EVALSHA, loaded on NOSCRIPT). Nothing is sent until it runs. */
  script(lua: string | Uint8Array): Script {
    return new Script(this, lua);
  }

  /** A distributed lock on `name` (times in ms). Nothing is sent until `acquire()`. */
  lock(name: RedisKey, options?: LockOptions): Lock {
    return new Lock(this, name, options);
  }

  /** Async iterator over stream entries: XREADGROUP with `group`, else XREAD. */
  streamConsumer(options: StreamGroupConsumerOptions): StreamConsumer<GroupConsumerEntry>;
  streamConsumer(options: StreamReaderOptions): StreamConsumer<ConsumerEntry>;
  streamConsumer(options: StreamConsumerOptions): StreamConsumer<ConsumerEntry<unknown>> {
    return createStreamConsumer(this, options);
  }

  /** Runs `fn` on a dedicated connection, then WAIT there; ReplicationError when too few replicas acknowledged. */
  ensureReplication<T>(
    replicas: number,
    timeout: number,
    fn: (conn: DedicatedConnection) => Promise<T>,
  ): Promise<T> {
    return ensureReplication(this, replicas, timeout, fn);
  }

  /** Runs `fn` on a dedicated connection, then WAITAOF there (Redis 7.2+); PersistenceError / CommandNotSupportedError. */
  ensurePersistence<T>(
    local: number,
    replicas: number,
    timeout: number,
    fn: (conn: DedicatedConnection) => Promise<T>,
  ): Promise<T> {
    return ensurePersistence(this, local, replicas, timeout, fn);
  }

  /** @internal */
  protected node(): NodeContext {
    return this.shared;
  }

  /** @internal A client-side cache hit (not under withOptions(): its signal and timeout apply to every call). */
  protected override answered(
    name: string,
    args: unknown[],
    transform: ((reply: unknown) => unknown) | undefined,
  ): Promise<unknown> | undefined {
    const cache = this.shared.cache;
    if (cache === undefined || this.callOptions !== undefined) return undefined;
    return cache.store.answer(cache.tracker, name, args, this.buffers, transform);
  }

  /** @internal Blocking commands to a dedicated connection, the rest to the shared one. */
  protected route(name: string, args: unknown[], opts: SendOptions, flags: CommandFlags): Promise<unknown> {
    const co = this.callOptions;
    if (co !== undefined) return this.routeUnder(co, name, args, opts, flags);
    if (flags.blocking) return this.runBlocking(name, args, opts);
    const cache = this.shared.cache;
    const main = this.shared.main;
    const sent =
      cache !== undefined ? cache.store.send(cache.tracker, name, args, opts) : main.send(name, args, opts);
    return rememberClientName(main, name, args, sent);
  }

  /**
   * A blocking command on a dedicated connection. Its invalidations are not ordered with its
   * reply (another socket), so the cache drops what it writes here too.
   */
  private runBlocking(name: string, args: unknown[], opts: SendOptions): Promise<unknown> {
    const sent = this.shared.blocking.run(name, args, opts);
    this.shared.cache?.store.afterWrite(name, args, sent);
    return sent;
  }

  /** route() under a withOptions() view's signal/timeout (see call-options.ts). */
  private routeUnder(
    co: CallOptions,
    name: string,
    args: unknown[],
    opts: SendOptions,
    flags: CommandFlags,
  ): Promise<unknown> {
    const handle: SendHandle = {};
    // One literal of a fixed shape, not a spread of `opts` plus `handle` (see the cluster executor).
    const held: SendOptions = {
      buffers: opts.buffers,
      transform: opts.transform,
      safe: opts.safe,
      readOnly: opts.readOnly,
      blocking: opts.blocking,
      confirmations: opts.confirmations,
      trace: opts.trace,
      handle,
    };
    const giveUp = (error: unknown): void => abandon(handle, asError(error));
    if (flags.blocking) {
      // Waiting for a free dedicated connection counts as unsent: a later send with the handle rejects.
      return underOptions(co, name, () => this.runBlocking(name, args, held), undefined, giveUp);
    }
    const main = this.shared.main;
    const cache = this.shared.cache;
    const send = (): Promise<unknown> =>
      rememberClientName(
        main,
        name,
        args,
        cache !== undefined ? cache.store.send(cache.tracker, name, args, held) : main.send(name, args, held),
      );
    if (main.status === 'ready') return underOptions(co, name, send, undefined, giveUp);
    // Not connected yet: hold the command here, so an abort meanwhile drops it unsent. Accepted
    // now, it is let through by a close() that comes meanwhile (Connection.defer).
    const ready = main.connect().catch(() => undefined);
    const deferred = main.defer();
    if (deferred === undefined) return underOptions(co, name, send, ready, giveUp);
    const sent = underOptions(co, name, () => deferred.send(send), ready, giveUp);
    // After underOptions' own callback on `ready`: sent by then, or given up on unsent.
    void ready.then(deferred.release);
    return sent;
  }
}

installScanIterators(Redis.prototype);
installPubSub(Redis.prototype);

/** The same client with string replies as bytes. */
export interface RedisBuffers
  extends
    Omit<Redis, keyof CommandSignatures<string> | keyof ScanIterators<string> | keyof PubSubCommands<string>>,
    Promised<CommandSignatures<Bytes>>,
    ScanIterators<Bytes>,
    PubSubCommands<Bytes> {}
