/**
 * One logical connection to one server, assembled from pieces with one job each:
 * the command queue (queue.ts: in flight, waiting, timeouts; the parser's reply handler),
 * the handshake (handshake.ts), the lifecycle state machine (lifecycle.ts), the socket's
 * state as data (state.ts) and push / pub-sub routing (push-router.ts, installed with
 * `routePubSub()`). It does not know command semantics beyond the flags callers pass.
 */
import { Parser, type ReplyHandler } from '../core/parser.js';
import { ConnectionError, serverError, undecodableReply } from '../errors/index.js';
import type { Retry } from '../retry.js';
import type { TlsOptions, TransportFactory } from '../transport/types.js';
import { Emitter } from '../util/emitter.js';
import { inspectAs } from '../util/redact.js';
import { systemClock, type Clock } from './clock.js';
import { authArgs, resolveCredentials, type CredentialsProvider, type HandshakeIO } from './handshake.js';
import { Lifecycle, type ConnectionStatus } from './lifecycle.js';
import {
  BLOCKING,
  BUFFERS,
  INTERNAL,
  Pending,
  REPLAY_IDEMPOTENT,
  REPLAY_READONLY,
  errorFor,
  tagged,
  type WriteTrace,
} from './pending.js';
import { PushRouter, type PubSubRouting } from './push-router.js';
import { CommandQueue } from './queue.js';
import { ConnectionState, type ReplayedCommand, type ServerHello } from './state.js';
import { closedChannel, readyChannel, serverOf } from '../diagnostics.js';
import { debug, debugging, where } from '../debug-log.js';

export type { ConnectionStatus } from './lifecycle.js';
export type { ServerHello, ReplayedCommand } from './state.js';
export type { PubSubRouting } from './push-router.js';
export type { Credentials, CredentialsProvider } from './handshake.js';

export interface ConnectionConfig {
  host: string;
  port: number;
  path: string | undefined;
  tls: TlsOptions | undefined;
  username: string | undefined;
  password: string | undefined;
  /** Called at every connect instead of using `password` (short-lived tokens). */
  credentials?: CredentialsProvider | undefined;
  db: number;
  protocol: 2 | 3;
  /**
   * `protocol` was given by the caller (not the default): a HELLO refused for lack of permission
   * (NOPERM) then fails the set-up with AuthorizationError instead of falling back to RESP2.
   */
  protocolRequired?: boolean;
  clientName: string | undefined;
  connectTimeout: number;
  /** Per attempt; 0 = no limit. */
  commandTimeout: number;
  retry: Retry;
  maxOfflineQueue: number;
  maxBulkLength: number;
  /** RESP3 attributes, right before their reply settles (see RedisOptions.onAttribute). */
  onAttribute?: ((attributes: Record<string, unknown>) => void) | undefined;
  transport: TransportFactory;
  binary: 'buffer' | 'uint8array';
  /** Send READONLY after the handshake (cluster replica reads). */
  readOnly?: boolean;
  /** Idle PING interval in ms; 0 (default) = off. */
  pingInterval?: number;
  /** Written-but-unanswered commands per connection (default 100 000); more wait unwritten. */
  maxInflight?: number;
  /** Accepted-but-unanswered commands per connection (default Infinity); more reject. */
  maxQueued?: number;
  /** Failed reconnect attempts in a row before the connection closes for good (default Infinity). */
  maxReconnectAttempts?: number;
  /** Longest argument in bytes (default 512 MiB); longer rejects with DataError unsent. */
  maxArgumentLength?: number;
  /**
   * Connection-level retries of error replies (LOADING, BUSY, TRYAGAIN, MASTERDOWN, READONLY).
   * Default true; cluster node connections turn them off (the cluster's redirection policy owns them).
   */
  retryReplies?: boolean;
  /** @internal Timers and time (tests inject a controllable clock). */
  clock?: Clock;
}

export interface ConnectionEvents {
  /** Handshake done; commands flow. */
  ready: [];
  /** A background failure (connect, reconnect, protocol); commands reject on their own. */
  error: [Error];
  /** The socket went away. */
  close: [Error | undefined];
  /** A reconnect attempt is scheduled in `delay` ms. */
  reconnecting: [number];
  /** The connection is closed for good. */
  end: [];
  /** A RESP3 push (pub/sub messages, invalidations), or a routed RESP2 pub/sub array. */
  push: [unknown[]];
}

export interface SendOptions {
  buffers?: boolean;
  transform?: ((reply: unknown) => unknown) | undefined;
  /** Running it twice is harmless (read-only or idempotent): see `readOnly` for the default replay rule. */
  safe?: boolean;
  /** Read-only: sent again after a connection loss by default. */
  readOnly?: boolean;
  /** A blocking command: commandTimeout does not apply. */
  blocking?: boolean;
  /**
   * A pub/sub (un)subscribe naming this many channels: it holds its FIFO slot until one
   * confirmation per channel has arrived (as pushes, or routed arrays under RESP2) and then
   * resolves with `undefined`; an error reply rejects it like any command. Holding the slot is
   * what keeps such an error (e.g. -NOPERM) from reaching the command behind it.
   */
  confirmations?: number;
  /**
   * Set only while `wredis:command` is traced: each write of the command counts in `attempts`,
   * and names its server when the transport says which node it reached (`Transport.peer`).
   */
  trace?: WriteTrace | undefined;
  /** Filled in by `send()`, so the caller can {@link abandon} the command later (withOptions). */
  handle?: SendHandle | undefined;
}

/**
 * What `send()` leaves for a later {@link abandon}: the command, its queue and its
 * connection as of the latest attempt (a cluster may send it again elsewhere).
 */
export interface SendHandle {
  pending?: Pending | undefined;
  queue?: CommandQueue | undefined;
  connection?: Connection | undefined;
  /** Set by `abandon()`: a later send with this handle (a redirected attempt) rejects unsent. */
  abandoned?: Error | undefined;
  /** The ASKING written right before `pending` (sendAsking), which goes or stays with it. */
  asking?: Pending | undefined;
  /**
   * A command a cluster sends as several (a split MSET, a fan-out): one handle per part
   * ({@link partHandle}), given up on with this one. One handle shared by the parts kept only
   * the last part's command, so only that one was withdrawn and the others still ran.
   */
  parts?: SendHandle[] | undefined;
}

/**
 * The caller gave up on the command sent with `handle` (a withOptions() signal or timeout).
 * Not yet written to the socket, it is withdrawn and never sent (see CommandQueue.withdraw);
 * written and blocking, its (dedicated) connection is dropped so the server stops waiting;
 * written otherwise, it keeps its slot and its reply is dropped. Later attempts with the
 * handle reject unsent.
 */
export function abandon(handle: SendHandle, error: Error): void {
  handle.abandoned = error;
  if (handle.parts !== undefined) for (const part of handle.parts) abandon(part, error);
  const p = handle.pending;
  const queue = handle.queue;
  if (p === undefined || queue === undefined || queue.withdraw(p, error, handle.asking)) return;
  if (p.blocking && !p.settled) handle.connection?.disconnect();
}

/** The handle of one part of a command sent as several (see SendHandle.parts); none without `whole`. */
export function partHandle(whole: SendHandle | undefined): SendHandle | undefined {
  if (whole === undefined) return undefined;
  // Made after the caller gave up, the part starts abandoned: it rejects unsent.
  const part: SendHandle = { abandoned: whole.abandoned };
  (whole.parts ??= []).push(part);
  return part;
}

/** One command of `sendEach()`: an `error` takes its slot without sending it. */
export interface EachCommand {
  readonly name: string;
  readonly args: readonly unknown[];
  readonly transform: ((reply: unknown) => unknown) | undefined;
  readonly error?: Error | undefined;
}

/** A command accepted before close() and sent later (Connection.defer). */
export interface Deferred {
  /** Runs `fn`, which sends the command (synchronously into the queue), then releases. */
  send<T>(fn: () => T): T;
  /** Given up on unsent: close() need not wait for it. Idempotent. */
  release(): void;
}

/** One command of `sendBatch()`. */
export interface BatchCommand {
  name: string;
  args: readonly unknown[];
  options?: SendOptions;
}

export class Connection extends Emitter<ConnectionEvents> {
  /** What the socket holds (db, client name, tracking, subscriptions) and its `generation`. */
  readonly state: ConnectionState;
  private readonly parser: Parser;
  private readonly queue: CommandQueue;
  private readonly router: PushRouter;
  private readonly life: Lifecycle;

  constructor(readonly config: ConnectionConfig) {
    super();
    const clock = config.clock ?? systemClock;
    this.state = new ConnectionState({
      db: config.db,
      clientName: config.clientName,
      readOnly: config.readOnly ?? false,
    });
    this.queue = new CommandQueue(
      {
        commandTimeout: config.commandTimeout,
        maxInflight: config.maxInflight ?? 100_000,
        maxQueued: config.maxQueued ?? Infinity,
        maxOfflineQueue: config.maxOfflineQueue,
        retry: config.retry,
        retryReplies: config.retryReplies ?? true,
      },
      {
        writable: () => this.life.writable,
        closed: () => this.life.refusing,
        stuck: (e) => this.life.drop(e),
        loading: () => this.life.loading(),
        readOnlyReply: () => this.life.readOnlyReply(),
        protocolFailure: (e) => {
          this.emit('error', e);
          this.life.lost(e, true);
        },
        wake: () => this.life.wake(),
        error: (e) => this.life.unsolicitedError(e),
        drained: () => this.life.drained(),
        push: (v) => this.router.push(v),
        claim: (v) => this.router.claim(v),
        setReturnBuffers: (on) => {
          this.parser.returnBuffers = on;
        },
      },
      clock,
      config.maxArgumentLength ?? 512 * 1024 * 1024,
    );
    this.router = new PushRouter(
      (kind) => this.queue.confirm(kind),
      (value) => this.emit('push', value),
    );
    const onAttribute = config.onAttribute;
    const q = this.queue;
    // Only a handler with onAttribute makes the core record attributes: none unless asked.
    const replies: ReplyHandler =
      onAttribute === undefined
        ? q
        : {
            onReply: (v) => q.onReply(v),
            onError: (e) => q.onError(e),
            onPush: (v) => q.onPush(v),
            onProtocolError: (code, message, inPush) => q.onProtocolError(code, message, inPush),
            onAttribute,
          };
    this.parser = new Parser(replies, {
      maxBulkLength: config.maxBulkLength,
      makeError: (message) => serverError(message),
      decodeError: undecodableReply,
      binary: config.binary,
    });
    const io: HandshakeIO = {
      command: (name, args) => this.internal(name, args),
      replay: (cmd) =>
        new Promise<void>((settle) => {
          this.queue.writeInternal(this.resubscription(cmd, settle));
        }),
    };
    this.life = new Lifecycle(
      config,
      this.state,
      this.queue,
      this.parser,
      io,
      {
        ready: () => {
          if (readyChannel.hasSubscribers || debugging) this.announceReady();
          this.emit('ready');
        },
        error: (e) => this.emit('error', e),
        close: (e) => {
          if (closedChannel.hasSubscribers)
            closedChannel.publish({ ...serverOf(config, this.state.peer), error: e });
          if (debugging)
            debug('connection to %s closed%s', where(config, this.state.peer), e ? `: ${e.message}` : '');
          this.emit('close', e);
        },
        reconnecting: (d) => this.emit('reconnecting', d),
        end: () => this.emit('end'),
      },
      clock,
    );
  }

  /** `wredis:connection:ready` and the debug line of a finished handshake. */
  private announceReady(): void {
    const { protocol, version } = this.state.hello;
    const database = this.state.db;
    if (readyChannel.hasSubscribers)
      readyChannel.publish({ ...serverOf(this.config, this.state.peer), protocol, database });
    if (debugging)
      debug(
        'connected to %s: handshake done (RESP%d, server %s, db %d)',
        where(this.config, this.state.peer),
        protocol,
        version ?? 'unknown',
        database,
      );
  }

  /** `'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed'`. */
  get status(): ConnectionStatus {
    return this.life.status;
  }

  /** A blocking command (BLPOP 0, WAIT …) is unanswered: a graceful close could wait on it for ever. */
  get blocked(): boolean {
    return this.queue.blocking;
  }

  /** Closing or closed: nothing started now would be closed with it. */
  get closed(): boolean {
    return this.life.closed;
  }

  /** What the server said about itself in the last handshake. */
  get hello(): ServerHello {
    return this.state.hello;
  }

  /** Incremented on every new socket: a holder of socket state compares it to learn the state was lost. */
  get generation(): number {
    return this.state.generation;
  }

  /** Commands accepted and not yet answered (written, waiting or in a retry backoff). */
  get queued(): number {
    return this.queue.size;
  }

  /**
   * A caller starts sharing a read in flight here (the client-side cache): false, and nothing
   * counted, when maxQueued has no room for it. Each true is followed by one {@link unshare}.
   */
  share(): boolean {
    if (!this.queue.roomToShare) return false;
    this.queue.shared++;
    return true;
  }

  /** A caller that shared a read in flight has its answer (see {@link share}). */
  unshare(): void {
    this.queue.shared--;
  }

  /** Connects (or joins the attempt under way). Rejects if this attempt fails. */
  connect(): Promise<void> {
    return this.life.connect();
  }

  /** Sends a command; the promise settles with its (transformed) reply. Never throws. */
  send(name: string, args: readonly unknown[], options?: SendOptions): Promise<unknown> {
    const promise = new Promise<unknown>(executor);
    const resolve = madeResolve;
    const reject = madeReject;
    try {
      const p = pending(name, args, resolve, reject, options, false);
      const handle = options?.handle;
      if (handle !== undefined) {
        if (handle.abandoned !== undefined) {
          p.reject(handle.abandoned);
          return promise;
        }
        handle.pending = p;
        handle.queue = this.queue;
        handle.connection = this;
        handle.asking = undefined;
      }
      this.admit(p, this.setupFailure());
    } catch (e) {
      // As an executor would: never a synchronous throw.
      reject(e as Error);
    }
    return promise;
  }

  /**
   * ASKING, then the command (a cluster's ASK detour), as one block in the queue
   * (CommandQueue.enqueueAsking). ASKING lets whatever this socket carries next into a slot the
   * node is importing, so it never goes without its command: a command given up on already (its
   * handle abandoned) sends neither, one refused by a queue bound takes its ASKING with it, and
   * one withdrawn unwritten later (abandon) too. ASKING's own reply is no one's business.
   */
  sendAsking(name: string, args: readonly unknown[], options: SendOptions): Promise<unknown> {
    const handle = options.handle;
    if (handle?.abandoned !== undefined) return this.send(name, args, options);
    const promise = new Promise<unknown>(executor);
    const resolve = madeResolve;
    const reject = madeReject;
    try {
      const p = pending(name, args, resolve, reject, options, false);
      const asking = new Pending('ASKING', NO_ARGS, noop, noop, undefined, 0);
      if (handle !== undefined) {
        handle.pending = p;
        handle.queue = this.queue;
        handle.connection = this;
        handle.asking = asking;
      }
      const setup = this.setupFailure();
      if (setup !== undefined) p.reject(tagged(errorFor(setup, true), p));
      else this.queue.enqueueAsking(asking, p);
    } catch (e) {
      // As an executor would: never a synchronous throw.
      reject(e as Error);
    }
    return promise;
  }

  /** Why the connection cannot take commands now: its set-up failed and it is not ready again. */
  private setupFailure(): Error | undefined {
    return this.life.status === 'ready' ? undefined : this.life.setupError;
  }

  /** A new command into the queue, or rejected at once with the set-up failure. */
  private admit(p: Pending, setup: Error | undefined): void {
    if (setup !== undefined) p.reject(tagged(errorFor(setup, true), p));
    else this.queue.enqueue(p);
  }

  /**
   * Sends a pipeline's commands, each exactly as `send(name, args, { buffers, transform })`
   * would (each alone: a failed one leaves the others, none is replayed after a loss), with one
   * promise for all of them instead of one per command: it resolves once every command has
   * settled, with each one's reply or error in its slot. A command given with an `error` is not
   * sent; the error takes its slot.
   */
  sendEach(commands: readonly EachCommand[], buffers: boolean): Promise<unknown[]> {
    return new Promise((resolve) => {
      const n = commands.length;
      const results = new Array<unknown>(n);
      let left = n + 1; // one more for the loop itself: nothing resolves before every command entered
      const setup = this.setupFailure();
      const options = buffers ? EACH_BUFFERS : EACH_STRINGS;
      for (let i = 0; i < n; i++) {
        const c = commands[i] as EachCommand;
        if (c.error !== undefined) {
          results[i] = c.error;
          left--;
          continue;
        }
        // One function is the command's resolve and reject: a pipeline keeps errors in their slots.
        const slot = (value: unknown): void => {
          results[i] = value;
          if (--left === 0) resolve(results);
        };
        this.admit(new Pending(c.name, c.args, slot, slot, c.transform, options), setup);
      }
      if (--left === 0) resolve(results);
    });
  }

  /**
   * Sends commands as one block that enters the queue whole or not at all (MULTI…EXEC):
   * when one argument cannot be encoded or a queue bound is hit, every command rejects and
   * nothing is sent; after a connection loss the block is sent again whole or fails whole.
   * One promise per command, in order.
   */
  sendBatch(commands: readonly BatchCommand[]): Array<Promise<unknown>> {
    const list: Pending[] = [];
    const promises = commands.map(
      (c) =>
        new Promise<unknown>((resolve, reject) => {
          list.push(pending(c.name, c.args, resolve, reject, c.options, false));
        }),
    );
    const setup = this.setupFailure();
    if (setup !== undefined) for (const p of list) p.reject(tagged(errorFor(setup, true), p));
    else if (list.length > 0) this.queue.enqueueBatch(list);
    return promises;
  }

  /**
   * Graceful: replies to every command sent so far arrive first, then the socket ends. With
   * `timeout` (ms), whatever is still unanswered then is dropped as by `disconnect()`.
   */
  close(options?: { timeout?: number }): Promise<void> {
    return this.life.close(options?.timeout);
  }

  /** Drops the socket at once; everything pending rejects with `ConnectionError`. */
  disconnect(): void {
    this.life.disconnect();
  }

  /** @internal A problem nobody awaits (the cache's tracking, an AUTH not waited for) on this connection's 'error' event. */
  readonly reportError = (error: Error): void => {
    this.emit('error', error);
  };

  /** @internal An idle PING every `ms` when `pingInterval` is off (a dead socket is then dropped). */
  keepAlive(ms: number): void {
    this.life.keepAlive(ms);
  }

  /**
   * Installs pub/sub routing: RESP2 pub/sub arrays as pushes (`resp2`), payloads as bytes
   * (`bytes`), and the subscriptions restored on every new socket (`subscriptions`).
   * Fields left out keep their current setting.
   */
  routePubSub(routing: PubSubRouting): void {
    if (routing.resp2 !== undefined) {
      this.router.resp2 = routing.resp2;
      this.state.pushesOnly = !routing.resp2;
    }
    if (routing.bytes !== undefined) {
      this.router.bytes = routing.bytes;
      this.parser.pushBuffers = routing.bytes;
    }
    if ('subscriptions' in routing) this.state.subscriptions = routing.subscriptions;
    if ('monitor' in routing) this.router.monitor = routing.monitor;
    this.queue.subscriberBytes = this.router.subscriberBytes;
    this.parser.returnBuffers = this.router.subscriberBytes || (this.queue.inflight.peek()?.buffers ?? false);
  }

  /** The subscriptions hook currently installed (to remove only one's own). */
  get subscriptions(): PubSubRouting['subscriptions'] {
    return this.state.subscriptions;
  }

  /**
   * Sends AUTH with fresh credentials (the `credentials` provider's, else the configured
   * ones) on this connection if it is up; the next connects use the provider anyway.
   */
  async reauthenticate(report: (error: Error) => void = this.reportError): Promise<void> {
    if (this.life.status !== 'ready') return;
    const creds = await resolveCredentials(this.config);
    // A MULTI a lent connection sent is open on the socket: an AUTH written now would be queued
    // into the transaction (+QUEUED taken for success, its real reply in the borrower's EXEC
    // array). Waiting here could deadlock a borrower that awaits this call before its EXEC, so
    // the AUTH goes once the transaction has ended (endTransaction), with fresh credentials.
    if (this.transactionOpen) {
      this.reauthAfterTransaction = report;
      return;
    }
    // The provider may take a while: a connection closed (or between sockets) meanwhile has no
    // socket for AUTH, and one written now would wait in a queue nothing drains any more, so
    // this promise would never settle. The next socket's handshake asks the provider anyway.
    if (creds === undefined || this.life.status !== 'ready') return;
    // A RESP2 connection with subscriptions may send only (un)subscribes and PING: the server
    // refuses AUTH there, so reauthenticate() always rejected on a subscribing RESP2 client. Such a
    // connection takes fresh credentials at its next connect, as every connection does.
    if (this.state.hello.protocol === 2 && (this.state.subscriptions?.().length ?? 0) > 0) return;
    const auth = this.internal('AUTH', authArgs(creds));
    // Behind a blocking command in flight (BLPOP … 0, XREAD BLOCK 0: a dedicated connection) the
    // server reads the AUTH only once that returns, maybe never, and so this promise waited.
    // The AUTH stays written; a refusal is reported as an event, a lost socket needs none (the
    // next handshake asks the provider anyway). Reported to `report` when given: a pooled
    // connection's own 'error' event has no listener, and the refusal was lost.
    if (this.queue.blockedAhead) {
      auth.catch((e: unknown) => {
        if (!(e instanceof ConnectionError)) report(e as Error);
      });
      return;
    }
    await auth;
  }

  /** @internal A lent connection has a MULTI open on the socket (see reauthenticate). */
  transactionOpen = false;
  /** A reauthenticate() waits for the transaction's end: where its failure is reported. */
  private reauthAfterTransaction: ((error: Error) => void) | undefined;

  /** @internal The lent connection's MULTI was answered by EXEC/DISCARD, or lost: a deferred AUTH goes now. */
  endTransaction(): void {
    this.transactionOpen = false;
    const report = this.reauthAfterTransaction;
    if (report === undefined) return;
    this.reauthAfterTransaction = undefined;
    // Nobody awaits it any more (reauthenticate() has returned): a failure is reported as an event.
    this.reauthenticate(report).catch((e: unknown) => report(e as Error));
  }

  /**
   * @internal A command accepted now that a gate of the client sends later (held for the support
   * check, a withOptions() view waiting for the socket). close() waits for it, and what `send`
   * enters into the queue is not refused as issued after close(). Undefined once close() was
   * called: the command is then refused as usual.
   */
  defer(): Deferred | undefined {
    const life = this.life;
    const release = life.defer();
    if (release === undefined) return undefined;
    return {
      send: (fn) => {
        life.admitting++;
        try {
          return fn();
        } finally {
          life.admitting--;
          release();
        }
      },
      release,
    };
  }

  // --- internals --------------------------------------------------------------

  /** A set-up command: written now, ahead of everything waiting. */
  private internal(name: string, args: readonly unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.writeInternal(pending(name, args, resolve, reject, { blocking: true }, true));
    });
  }

  /**
   * A resubscription: `settled` once confirmed, refused or lost; a refusal is reported as an
   * `error` event and to its `refused`, and fails nothing else.
   */
  private resubscription({ name, args, refused }: ReplayedCommand, settled: () => void): Pending {
    const onError = (e: Error): void => {
      settled();
      if (e instanceof ConnectionError) return;
      refused?.(e);
      this.emit('error', e);
    };
    return pending(
      name,
      args,
      settled,
      onError,
      { blocking: true, confirmations: Math.max(1, args.length) },
      true,
    );
  }
}

const noop = (): void => undefined;
const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** The Pending flags `pending()` makes of `{ buffers }` alone, for every command of `sendEach()`. */
const EACH_STRINGS = 0;
const EACH_BUFFERS = BUFFERS;

/** A FIFO entry. Internal ones (handshake, resubscriptions) are never requeued nor shown to users. */
function pending(
  name: string,
  args: readonly unknown[],
  resolve: (value: unknown) => void,
  reject: (error: Error) => void,
  options: SendOptions | undefined,
  internal: boolean,
): Pending {
  let flags = internal ? INTERNAL : 0;
  if (options === undefined) return new Pending(name, args, resolve, reject, undefined, flags);
  if (options.buffers === true) flags |= BUFFERS;
  if (options.blocking === true) flags |= BLOCKING;
  if (options.readOnly === true) flags |= REPLAY_READONLY;
  else if (options.safe === true) flags |= REPLAY_IDEMPOTENT;
  const p = new Pending(name, args, resolve, reject, options.transform, flags);
  const confirmations = options.confirmations;
  p.carry(confirmations, options.trace);
  if (confirmations !== undefined && name.toUpperCase() === 'SUNSUBSCRIBE') {
    // A node that gives a slot away sends `sunsubscribe` for its channels on its own, then
    // answers our SUNSUBSCRIBE of one of them with -MOVED: counted as our confirmation, that
    // push let the -MOVED reach the next command. A PING fence ends the slot instead.
    p.fence('PING');
    p.transform = confirmed;
  }
  return p;
}

/** What a fenced (un)subscribe resolves with: its fence's reply is no business of the caller. */
const confirmed = (): undefined => undefined;

/**
 * The resolving functions of the promise being made (see `Connection.send`): one shared
 * executor instead of a closure (and its context) per command.
 */
let madeResolve: (value: unknown) => void = () => undefined;
let madeReject: (error: Error) => void = () => undefined;
function executor(resolve: (value: unknown) => void, reject: (error: Error) => void): void {
  madeResolve = resolve;
  madeReject = reject;
}

// util.inspect shows where it points and its status, never its config (passwords) nor its queue (arguments).
inspectAs(Connection.prototype, (c: Connection) => ({
  status: c.status,
  host: c.config.host,
  port: c.config.port,
  generation: c.generation,
}));
