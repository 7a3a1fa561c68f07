/**
 * The life of a connection as a state machine:
 *
 *   idle -> connecting -> ready -> (socket lost | stuck | -READONLY) -> reconnecting -> connecting …
 *   any -> closing (graceful close: answers first) -> closed;  any -> closed (disconnect, attempts spent)
 *
 * It opens sockets (one `generation` each), runs the handshake under connectTimeout, schedules
 * reconnects with the retry policy's backoff (at least 1 s after a set-up error that a reconnect
 * will not fix), gives up after `maxReconnectAttempts`, detects stuck sockets (a command timed
 * out with nothing received since it was written; an idle PING unanswered), holds writes while
 * the server is loading its dataset, and closes gracefully or at once.
 */
import type { Parser } from '../core/parser.js';
import {
  BusyLoadingError,
  ConnectionError,
  ErrorCodes,
  ReadOnlyError,
  TimeoutError,
  type RedisError,
} from '../errors/index.js';
import type { Retry } from '../retry.js';
import type { Peer, TlsOptions, Transport, TransportFactory, TransportTarget } from '../transport/types.js';
import type { Clock, TimerHandle } from './clock.js';
import { handshake, isPermanentSetupError, type HandshakeConfig, type HandshakeIO } from './handshake.js';
import { closedError } from '../errors/closed.js';
import { CODES, type CommandQueue } from './queue.js';
import type { ConnectionState } from './state.js';
import { connectChannel, serverOf, type ConnectTraceContext } from '../diagnostics.js';
import { pickerOf } from '../transport/picks-node.js';
import { debug, debugging, where } from '../debug-log.js';

/** State of a connection: `idle` (never connected), `connecting`, `ready`, `reconnecting` (waiting to retry), `closing` (graceful close under way), `closed`. */
export type ConnectionStatus = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed';

export interface LifecycleConfig extends HandshakeConfig {
  host: string;
  port: number;
  path: string | undefined;
  tls: TlsOptions | undefined;
  connectTimeout: number;
  retry: Retry;
  transport: TransportFactory;
  /** Idle PING every this many ms; 0 (default) = off. */
  pingInterval?: number;
  /** Failed reconnect attempts in a row before giving up; Infinity (default) = never. */
  maxReconnectAttempts?: number;
}

/** What the lifecycle tells the world (the Connection turns these into events). */
export interface LifecycleEvents {
  ready(): void;
  error(error: Error): void;
  close(error: Error | undefined): void;
  reconnecting(delay: number): void;
  end(): void;
}

/** Reconnects after a set-up error a reconnect will not fix wait at least this long. */
export const SETUP_ERROR_BACKOFF = 1000;
/** Bounds of the INFO polling while the server loads its dataset. */
const LOADING_POLL_MIN = 100;
const LOADING_POLL_MAX = 1000;

export class Lifecycle {
  status: ConnectionStatus = 'idle';
  /** The set-up error of the last attempt, while it lasts: commands reject with it at once. */
  setupError: RedisError | undefined;

  private transport: Transport | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private failures = 0;
  /**
   * Sockets in a row lost with nothing said either way (see lost()): they pace the reconnects
   * but are not failed attempts. Reset when the server answers.
   */
  private quietDrops = 0;
  /** The reconnect under way waits only to pace quiet drops: a command to send ends the wait (wake()). */
  private quietWait = false;
  /** Bytes arrived on the current socket. */
  private heard = false;
  private lastError: Error | undefined;
  /** An error reply that arrived with no command waiting (e.g. "max number of clients reached"). */
  private unsolicited: Error | undefined;
  private paused = false;
  private loadingSince = 0;
  private pingTimer: TimerHandle | undefined;
  /** The idle PING interval when `pingInterval` is off (see keepAlive); 0 = none. */
  private keepAliveMs = 0;
  private dropScheduled = false;
  private closeWaiters: Array<() => void> = [];
  /** close() was called: nothing new is accepted from then on (see refusing). */
  private closeCalled = false;
  /**
   * Commands accepted before close() that a gate of the client sends later (defer()): the close
   * waits for them, as for commands already in the queue.
   */
  private deferred = 0;
  /** A deferred command is being sent (Connection.defer): not refused as one issued after close(). */
  admitting = 0;
  /** Stops the socket being opened when the connection closes meanwhile (TransportTarget.signal). */
  private dialing: AbortController | undefined;

  constructor(
    /** Read at each use, never copied: a caller may swap `transport` after construction (Sentinel does). */
    private readonly config: LifecycleConfig,
    private readonly state: ConnectionState,
    private readonly queue: CommandQueue,
    private readonly parser: Parser,
    private readonly io: HandshakeIO,
    private readonly events: LifecycleEvents,
    private readonly clock: Clock,
  ) {}

  private get maxReconnectAttempts(): number {
    return this.config.maxReconnectAttempts ?? Infinity;
  }

  /**
   * Commands may be written now. Also while closing: new commands are refused then, but those
   * accepted before close() and still waiting (behind maxInflight, put back after -LOADING, in a
   * retry's backoff) must still go out, or close() and they would wait forever.
   */
  get writable(): boolean {
    return (this.status === 'ready' || this.status === 'closing') && !this.paused;
  }

  get closed(): boolean {
    return this.status === 'closing' || this.status === 'closed';
  }

  /**
   * New commands are refused: closed, closing, or close() called while not ready, when the
   * commands accepted before it still wait for the connection (beginClose lets them through).
   * Judged by `closed` alone, the status was still connecting then and later commands ran too.
   */
  get refusing(): boolean {
    if (this.admitting > 0) return this.status === 'closed';
    return this.closeCalled || this.closed;
  }

  /**
   * A command accepted now and sent later: close() waits until the returned release is called
   * (once sent, or given up on). Undefined when new commands are refused already.
   */
  defer(): (() => void) | undefined {
    if (this.refusing) return undefined;
    this.deferred++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.deferred === 0 && this.closeCalled) this.beginClose();
    };
  }

  // --- connecting -------------------------------------------------------------------

  /** Connects (or joins the attempt under way). Rejects if this attempt fails. */
  connect(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    if (this.closed) return Promise.reject(closedError());
    if (this.connecting) return this.connecting;
    if (this.status === 'reconnecting') return this.whenReady();
    return this.attempt();
  }

  private attempt(): Promise<void> {
    this.status = 'connecting';
    const attempt = this.traceOpen().then(
      () => {
        if (this.connecting === attempt) this.connecting = undefined;
      },
      (e: Error) => {
        if (this.connecting === attempt) this.connecting = undefined;
        this.afterFailedConnect(e);
        throw e;
      },
    );
    this.connecting = attempt;
    // Marks the promise handled: callers that await it (connect(), queued commands) still see the rejection.
    attempt.catch(() => undefined);
    return attempt;
  }

  /** Resolves on the next `ready`; rejects with the next failed attempt's error or on close. */
  private whenReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.readyWaiters.push({ resolve, reject });
    });
  }

  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  private settleReadyWaiters(error: Error | undefined): void {
    const list = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of list)
      if (error === undefined) w.resolve();
      else w.reject(error);
  }

  /**
   * `open()` inside a `wredis:connect` trace when someone listens. A factory that picks its node
   * (Sentinel) does not dial `host`/`port`: its lookup runs first, outside the trace, so the debug
   * line and the trace's start name the node it is about to dial, as for any other client. A
   * lookup that fails is traced as an attempt with an empty address (no node was named) and its error.
   */
  private traceOpen(): Promise<void> {
    const c = this.config;
    // connectTimeout's handshake deadline counts from here: the sentinels' lookup included, as before.
    const started = this.clock.now();
    const pick = pickerOf(c.transport);
    if (pick === undefined) return this.traced(undefined, () => c.transport(this.target()), started);
    return pick(this.target()).then(
      (node) => this.traced(node.peer, () => node.connect(), started, true),
      (e: unknown) => {
        if (!connectChannel.hasSubscribers) throw e;
        const ctx: ConnectTraceContext = { ...serverOf(undefined), ...this.attemptOf() };
        return connectChannel.tracePromise(() => Promise.reject(e as Error), ctx);
      },
    );
  }

  /** Dials with `dial`, which connects to `peer` (or, undefined, to the configured address). */
  private traced(
    peer: Peer | undefined,
    dial: () => Promise<Transport>,
    started: number,
    picked = false,
  ): Promise<void> {
    const c = this.config;
    if (debugging) debug('connecting to %s (attempt %d)', where(c, peer), this.failures + 1);
    if (!connectChannel.hasSubscribers) return this.open(dial, started, undefined, picked);
    const ctx: ConnectTraceContext = { ...serverOf(c, peer), ...this.attemptOf() };
    return connectChannel.tracePromise(() => this.open(dial, started, ctx, picked), ctx);
  }

  private attemptOf(): Pick<ConnectTraceContext, 'attempt' | 'tls'> {
    return { attempt: this.failures + 1, tls: this.config.tls !== undefined };
  }

  /** Where this attempt dials, with a new signal that shutdown() aborts. */
  private target(): TransportTarget {
    const c = this.config;
    const dialing = new AbortController();
    this.dialing = dialing;
    return {
      host: c.host,
      port: c.port,
      path: c.path,
      tls: c.tls,
      connectTimeout: c.connectTimeout,
      signal: dialing.signal,
    };
  }

  /** `picked`: `dial` connects to a node a lookup named, and may end on another if it looks again. */
  private async open(
    dial: () => Promise<Transport>,
    started: number,
    trace: ConnectTraceContext | undefined,
    picked: boolean,
  ): Promise<void> {
    const c = this.config;
    const transport = await dial();
    // A +switch-master during the dial makes the Sentinel look again: the trace ends naming where it got.
    if (picked && trace !== undefined) Object.assign(trace, serverOf(c, transport.peer));
    if (this.closed) {
      transport.destroy();
      throw closedError();
    }
    this.state.generation++;
    this.state.peer = transport.peer;
    this.parser.reset();
    this.unsolicited = undefined;
    this.heard = false;
    this.paused = false;
    this.transport = transport;
    this.queue.attach(transport);
    const parser = this.parser;
    transport.onData(
      (chunk, transient) => {
        this.queue.received();
        this.heard = true;
        // Bytes after a stray error reply: the server went on, so it was not a reason for a close.
        this.unsolicited = undefined;
        parser.feed(chunk, transient === true);
      },
      // A large value's payload is read straight into its storage (no chunk, no copy).
      () => parser.readInto(),
    );
    transport.onClose((error) => {
      if (this.transport === transport) this.lost(error, false);
    });
    try {
      // connectTimeout covers the whole set-up: a server that accepts but never answers must not hang connect().
      this.state.hello = await this.deadline(handshake(this.io, c, this.state), started);
    } catch (e) {
      if (this.transport === transport) {
        this.transport = undefined;
        transport.destroy();
        // Only set-up commands can be in flight here; none may linger into the next socket.
        this.queue.lost(e as Error, { replay: true });
      }
      const reason = this.reason();
      if (e instanceof ConnectionError && reason !== undefined)
        throw new ConnectionError(`${e.message}: ${reason.message}`, { cause: reason, code: e.code });
      throw e;
    }
    if (this.transport !== transport) {
      const reason = this.reason();
      throw new ConnectionError(
        'Connection lost during the handshake' + (reason !== undefined ? `: ${reason.message}` : ''),
        // Commands waiting for this connection were never written: the set-up failed, nothing was lost.
        { cause: reason, code: ErrorCodes.HANDSHAKE_FAILED },
      );
    }
    this.status = 'ready';
    // Attempts in a row failed so far end here, unless the set-up took no round trip (RESP2, no
    // AUTH, SELECT or name): then the server has said nothing yet, and the count ends with its
    // first reply (see lost()).
    if (this.queue.answered) this.failures = this.quietDrops = 0;
    this.setupError = undefined;
    this.lastError = undefined;
    this.queue.pump();
    this.armPing();
    this.events.ready();
    this.settleReadyWaiters(undefined);
  }

  /** The handshake within what is left of connectTimeout; the message says how long it really waited. */
  private deadline<T>(work: Promise<T>, started: number): Promise<T> {
    const limit = this.config.connectTimeout;
    if (!(limit > 0 && limit <= 2_147_483_647)) return work;
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () => {
          const waited = this.clock.now() - started;
          reject(
            new TimeoutError(`Connection set-up timed out after ${waited} ms (connectTimeout ${limit} ms)`, {
              code: ErrorCodes.CONNECT_TIMEOUT,
            }),
          );
        },
        Math.max(1, limit - (this.clock.now() - started)),
      );
      work.then(
        (v) => {
          this.clock.clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          this.clock.clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private afterFailedConnect(error: Error): void {
    if (this.closed) return;
    this.lastError = error;
    this.events.error(error);
    this.settleReadyWaiters(error);
    this.failures++;
    if (isPermanentSetupError(error)) {
      // A reconnect will not fix it: everything waiting, and every command until an attempt
      // succeeds, rejects with the typed error at once; attempts slow down.
      this.setupError = error;
      this.queue.failWaiting(error);
    } else this.queue.ageWaiting(error);
    this.scheduleReconnect();
  }

  /** `quiet`: after a quiet drop (see lost()), which waits one backoff step per such drop in a row. */
  private scheduleReconnect(quiet = false): void {
    if (this.reconnectTimer !== undefined || this.status === 'closed') return;
    if (this.failures > this.maxReconnectAttempts) {
      const last = this.lastError;
      this.shutdown(
        new ConnectionError(
          `Gave up after ${this.maxReconnectAttempts} reconnect attempts (maxReconnectAttempts)`,
          { cause: last, code: ErrorCodes.RECONNECT_ATTEMPTS_EXHAUSTED },
        ),
        last,
      );
      return;
    }
    this.status = 'reconnecting';
    const steps = quiet ? this.failures + this.quietDrops : this.failures;
    let delay = steps === 0 ? 0 : this.config.retry.backoff.compute(steps);
    this.quietWait = quiet;
    if (this.setupError !== undefined) delay = Math.max(delay, SETUP_ERROR_BACKOFF);
    if (debugging)
      debug(
        'reconnecting to %s in %d ms (failures in a row: %d) after: %s',
        where(this.config, this.state.peer),
        delay,
        this.failures,
        this.lastError?.message ?? 'the connection closed',
      );
    this.events.reconnecting(delay);
    this.reconnectTimer = this.clock.setTimeout(
      () => {
        this.reconnectTimer = undefined;
        this.quietWait = false;
        if (this.status !== 'reconnecting') return;
        // A failed attempt schedules the next one itself (afterFailedConnect) or ends the connection; the timer has no caller.
        this.attempt().catch(() => undefined);
      },
      delay,
      true,
    );
  }

  /**
   * A command waits for the socket: an idle connection connects, and a reconnect that waits only
   * to pace quiet drops goes now (the command then shows whether the server serves).
   */
  wake(): void {
    if (this.status === 'idle') {
      // A failure rejects the queued commands, not this wake-up.
      this.connect().catch(() => undefined);
      return;
    }
    if (this.status !== 'reconnecting' || !this.quietWait || this.reconnectTimer === undefined) return;
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.quietWait = false;
    // As the timer's attempt: a failure schedules the next one itself (afterFailedConnect).
    this.attempt().catch(() => undefined);
  }

  // --- losing the socket ---------------------------------------------------------------

  /** The socket is gone (error, close, protocol violation, stuck, READONLY). */
  lost(error: Error | undefined, unsafe: boolean): void {
    const transport = this.transport;
    this.transport = undefined;
    transport?.destroy();
    // Before the close listeners run: what they send waits for the next socket, unwritten.
    this.queue.detach();
    this.parser.reset();
    this.disarmPing();
    this.paused = false;
    const cause =
      error ??
      this.unsolicited ??
      new ConnectionError('The server closed the connection', { code: CODES.lost });
    const wasReady = this.status === 'ready';
    // Nothing written that awaits an answer and not a byte received: an idle socket the server
    // (its `timeout`) or the network dropped, or a proxy that accepts and closes at once.
    const quiet = !this.heard && this.queue.inflight.length === 0;
    this.events.close(error);
    this.queue.lost(cause, { replay: this.status !== 'closing', unsafe });
    if (this.status === 'closing') {
      this.shutdown(closedError(cause));
      return;
    }
    if (this.status === 'closed') return;
    if (wasReady) {
      this.lastError = cause;
      // A socket the server never answered on (accepted, then closed: maxclients, a proxy with no
      // backend) is one more failed attempt, not a working connection lost: counted as 0, it
      // reconnected at once, again and again, and maxReconnectAttempts was never reached.
      // But an idle socket lost before anyone spoke proves nothing either way: counted as failed,
      // a healthy server that drops idle clients (RESP2 with nothing to set up: no reply ever)
      // made the client give up after maxReconnectAttempts idle periods. It neither counts nor
      // resets the count; it paces the reconnect (a step more per such drop in a row, so an
      // accept-and-close proxy is not redialled at 0 ms), and a command to send ends that wait.
      if (this.queue.answered) this.failures = this.quietDrops = 0;
      else if (quiet) this.quietDrops++;
      else this.failures++;
      if (this.maxReconnectAttempts === 0) this.failures = 1;
      // A close listener's command already waits: no pacing to end for it.
      this.scheduleReconnect(quiet && this.queue.nothingWaiting);
    }
    // While connecting, the failed attempt schedules the next one.
  }

  /** Tears the current socket down (after the parser finished the current chunk) and reconnects. */
  drop(error: Error): void {
    if (this.transport === undefined || this.dropScheduled) return;
    this.dropScheduled = true;
    const transport = this.transport;
    // Nothing more goes to this socket: a command written to it now would count as sent.
    this.queue.detach();
    this.clock.microtask(() => {
      this.dropScheduled = false;
      if (this.transport === transport) this.lost(error, false);
    });
  }

  /** The reason the server gave before closing, if it gave one. */
  private reason(): Error | undefined {
    return this.unsolicited;
  }

  /** A server error reply that no command waited for: the reason of a close that follows it, unless more bytes came between. */
  unsolicitedError(error: Error): void {
    this.unsolicited = error;
    this.events.error(error);
  }

  /** A write answered -READONLY on a standalone client: the name may point at the new primary now. */
  readOnlyReply(): void {
    this.drop(new ReadOnlyError('READONLY the server is a replica now; reconnecting', { code: 'READONLY' }));
  }

  // --- the server is loading -------------------------------------------------------------

  /** -LOADING: writes wait until INFO persistence says loading:0, within connectTimeout plus the retry budget. */
  loading(): void {
    if (!this.writable) return;
    this.paused = true;
    this.loadingSince = this.clock.now();
    const generation = this.state.generation;
    const retry = this.config.retry;
    let budget = this.config.connectTimeout;
    for (let i = 1; i <= Math.min(retry.retries, 64); i++) budget += retry.delay(i);
    let polls = 0;
    const poll = (): void => {
      if (!this.paused || this.state.generation !== generation) return;
      if (this.clock.now() - this.loadingSince >= budget) return this.resume();
      this.io.command('INFO', ['persistence']).then(
        (info) => {
          if (typeof info === 'string' && /^loading:0\s*$/m.test(info)) this.resume();
          else next();
        },
        (e: unknown) => {
          if (e instanceof BusyLoadingError) return next();
          // The socket went (lost() resumes with the next one), or the server refuses INFO (ACL,
          // proxy) and cannot tell: the retry backoff paces the commands.
          if (e instanceof ConnectionError) return;
          this.clock.setTimeout(() => this.resume(), retry.delay(polls + 1));
        },
      );
    };
    const next = (): void => {
      polls++;
      const delay = Math.min(
        LOADING_POLL_MAX,
        Math.max(LOADING_POLL_MIN, LOADING_POLL_MIN * 2 ** (polls - 1)),
      );
      this.clock.setTimeout(poll, delay);
    };
    next();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.writable) this.queue.pump();
  }

  // --- keep-alive ---------------------------------------------------------------------------

  /** `pingInterval`, or the keep-alive floor when that is off. */
  private get pingEvery(): number {
    const every = this.config.pingInterval ?? 0;
    return every > 0 ? every : this.keepAliveMs;
  }

  /**
   * The connection sends PING when idle every `ms` unless `pingInterval` says otherwise: for a
   * socket that must not go silent unnoticed while nothing is sent on it (a client-side cache's
   * RESP3 tracked connection, whose invalidations only arrive on it).
   */
  keepAlive(ms: number): void {
    this.keepAliveMs = ms;
    if (this.status === 'ready' && this.pingTimer === undefined) this.armPing();
  }

  private armPing(): void {
    const every = this.pingEvery;
    if (!(every > 0)) return;
    this.disarmPing();
    this.pingTimer = this.clock.setTimeout(() => this.ping(), every);
  }

  private disarmPing(): void {
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  /** An idle connection sends PING; no answer within connectTimeout means a dead connection. */
  private ping(): void {
    this.pingTimer = undefined;
    if (this.status !== 'ready') return;
    const every = this.pingEvery;
    const quiet = this.clock.now() - this.queue.lastByteAt;
    if (this.queue.inflight.length > 0 || quiet < every) {
      // Busy (a reply awaited) past the interval: look again an interval later, not every
      // millisecond for as long as a slow command or a frozen server keeps it unanswered.
      this.pingTimer = this.clock.setTimeout(() => this.ping(), quiet < every ? every - quiet : every);
      return;
    }
    const generation = this.state.generation;
    const limit = this.config.connectTimeout > 0 ? this.config.connectTimeout : every;
    const sent = this.clock.now();
    const timer = this.clock.setTimeout(() => {
      if (this.state.generation !== generation || this.status !== 'ready') return;
      this.drop(
        new TimeoutError(`PING not answered after ${this.clock.now() - sent} ms (pingInterval)`, {
          code: ErrorCodes.COMMAND_TIMEOUT,
        }),
      );
    }, limit);
    this.io.command('PING', []).then(
      () => {
        this.clock.clearTimeout(timer);
        if (this.state.generation === generation) this.armPing();
      },
      () => this.clock.clearTimeout(timer),
    );
  }

  // --- closing ----------------------------------------------------------------------------------

  /** Graceful: replies to commands already sent arrive first; after `timeout` ms, disconnect(). */
  close(timeout?: number): Promise<void> {
    if (this.status === 'closed') return Promise.resolve();
    this.closeCalled = true;
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (timeout !== undefined && timeout >= 0) {
      const timer = this.clock.setTimeout(() => this.disconnect(), timeout);
      done.then(
        () => this.clock.clearTimeout(timer),
        () => undefined,
      );
    }
    // Commands accepted before close() and still held by a gate of the client enter the queue
    // first (defer()); the close begins with the last of them.
    if (this.deferred === 0) this.beginClose();
    return done;
  }

  private beginClose(): void {
    if (this.status === 'closing' || this.status === 'closed') return;
    if (this.status !== 'ready') {
      if (this.queue.nothingWaiting) {
        this.shutdown(closedError());
        return;
      }
      // Commands are waiting for the connection: let them through first.
      this.connect().then(
        () => this.beginClose(),
        () => this.shutdown(closedError()),
      );
      return;
    }
    this.status = 'closing';
    this.disarmPing();
    if (this.queue.idle && this.queue.nothingWaiting) this.shutdown(closedError());
    else this.queue.awaitDrain = true;
  }

  /** Everything in flight was answered during a graceful close. */
  drained(): void {
    if (this.status === 'closing' && this.queue.nothingWaiting) this.shutdown(closedError());
  }

  /** Drops the socket at once; everything pending rejects with `ConnectionError`. */
  disconnect(): void {
    if (this.status === 'closed') return;
    this.shutdown(new ConnectionError('Connection was disconnected', { code: CODES.closed }));
  }

  /** Closed for good: timers stop, the socket ends, everything pending rejects with `error`. */
  shutdown(error: Error, cause?: Error): void {
    this.status = 'closed';
    this.paused = false;
    this.queue.awaitDrain = false;
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.disarmPing();
    this.dialing?.abort();
    this.dialing = undefined;
    const transport = this.transport;
    this.transport = undefined;
    if (transport !== undefined) {
      if (this.queue.inflight.length === 0) transport.end();
      else transport.destroy();
    }
    this.queue.failAll(error);
    this.settleReadyWaiters(cause ?? error);
    for (const resolve of this.closeWaiters.splice(0)) resolve();
    this.events.end();
  }
}
