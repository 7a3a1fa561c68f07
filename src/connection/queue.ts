/**
 * The command queue of one connection: commands written and awaiting their replies
 * (`inflight`, FIFO: the head owns the next reply), commands waiting unwritten (while
 * disconnected, or beyond `maxInflight`), commands waiting out a retry backoff, and the
 * command timeouts. It is the parser's reply handler. It encodes into the current tick's
 * write and flushes once per tick. It knows nothing of sockets beyond `attach()`.
 */
import type { ReplyHandler } from '../core/parser.js';
import {
  BusyLoadingError,
  ConnectionError,
  DataError,
  ErrorCodes,
  ReadOnlyError,
  TimeoutError,
  isUnblockedByFailover,
  protocolError,
  type RedisError,
} from '../errors/index.js';
import { closedError } from '../errors/closed.js';
import { isScriptErrorReply } from '../errors/server-errors.js';
import { argumentError } from '../protocol/arguments.js';
import { MAX_TIMER_MS } from '../util/timer.js';
import { blockingWait } from './blocking-wait.js';
import { RequestEncoder } from '../protocol/encoder.js';
import type { Retry } from '../retry.js';
import type { Transport } from '../transport/types.js';
import type { Clock, TimerHandle } from './clock.js';
import { Fifo } from './fifo.js';
import {
  FENCE_ONLY,
  FENCE_OWN,
  errorFor,
  release,
  settleWithout,
  stackless,
  tagged,
  type Pending,
  type Replay,
} from './pending.js';

/** Stable codes of the client-side connection errors (CONTRACT.md). */
export const CODES = {
  closed: ErrorCodes.CONNECTION_CLOSED,
  lost: ErrorCodes.CONNECTION_LOST,
  commandTimeout: ErrorCodes.COMMAND_TIMEOUT,
  offlineFull: ErrorCodes.OFFLINE_QUEUE_FULL,
  queueFull: ErrorCodes.QUEUE_FULL,
  invalidArgument: ErrorCodes.INVALID_ARGUMENT,
} as const;

export interface QueueConfig {
  /** Per attempt, ms; 0 = none. */
  commandTimeout: number;
  maxInflight: number;
  maxQueued: number;
  maxOfflineQueue: number;
  retry: Retry;
  /** Retry error replies that prove the command did not run (LOADING, BUSY, TRYAGAIN, MASTERDOWN, READONLY). */
  retryReplies: boolean;
}

/**
 * What the queue asks of the connection around it. Functions, not getters: the host is an object
 * literal, and V8 keeps a literal with accessors in dictionary mode, which made every `host.…` the
 * queue reads per command (these two, `claim` per reply) a hash lookup through the LoadIC builtin
 * (W2: 2 % of the client's samples; paired, × 1.07 commands a second).
 */
export interface QueueHost {
  /** Commands may be written now (handshake done, not paused). */
  writable(): boolean;
  /** close() called, closing or closed: new commands reject. */
  closed(): boolean;
  /** Nothing arrived since a command timed out: tear the socket down and reconnect. */
  stuck(error: TimeoutError): void;
  /** The server answered -LOADING: hold writes until it has loaded. */
  loading(): void;
  /** A standalone write answered -READONLY: reconnect (the name may now point at the new primary). */
  readOnlyReply(): void;
  /** The parser found a malformed stream. */
  protocolFailure(error: Error): void;
  /** A command needs a connection (the client connects lazily). */
  wake(): void;
  /** Reports a background error (a refused resubscription, a reply nobody waited for). */
  error(error: Error): void;
  /** Nothing written is unanswered any more and nothing waits (for graceful close). */
  drained(): void;
  /** Pushes for the router. */
  push(value: unknown[]): void;
  /** Counts a push towards the (un)subscribe at the head; true when it settled it. */
  claim(value: unknown): boolean;
  /** The string mode of the next reply changed. */
  setReturnBuffers(on: boolean): void;
}

/** Names whose effect must never be repeated behind the caller's back, whatever the table says. */
const NEVER_REPLAYED = new Set([
  'FLUSHALL',
  'FLUSHDB',
  'DEBUG',
  'SHUTDOWN',
  'FAILOVER',
  'REPLICAOF',
  'SLAVEOF',
  'SCRIPT',
  'FUNCTION',
  'CLUSTER',
  'CONFIG',
  'SWAPDB',
  'MIGRATE',
  'RESTORE',
]);

/**
 * What a blocking command's deadline adds to its own timeout besides commandTimeout: a server ends
 * a blocked client's wait on its timer, which ticks at least once a second (`hz` 1 to 500), so the
 * reply to BLPOP k 1 may come that late from a server that is fine.
 */
const SERVER_TICK_MS = 1000;

/**
 * A written command's end when its socket went before the reply (`lost`) or was dropped by
 * disconnect()/close({ timeout }) (`closed`): the server may have run it.
 */
function outcomeUnknown(how: 'lost' | 'closed', cause: unknown): ConnectionError {
  return new ConnectionError(
    `Connection ${how} before the reply arrived; the command may or may not have run (outcome unknown)`,
    { cause, code: CODES.lost },
  );
}

/** Timeouts rejected per run of the check; more are left to the next run (0 ms later). */
const TIMEOUT_CHUNK = 4096;

/**
 * Commands a tick's write may hold before part of it goes out early (see `write`). Fewer than
 * this stay one write whatever else is in flight: splitting a small burst costs a syscall more
 * and gains little.
 */
export const EARLY_WRITE = 16;

/**
 * An early write also waits for this share (in 64ths) of the commands that were in flight at
 * recent tick ends. Each write on loopback TCP costs the client a syscall that also runs the
 * server's receive path: two writes a tick, the first of about two thirds, keep the server busy
 * as well as four smaller ones do, for half the syscalls (W2, 100 in flight: CPU per command
 * x 0.93, throughput unchanged within noise; bench/RESULTS.md, round 2, seventh session).
 */
export const EARLY_SHARE = 41;

/** Error reply codes that prove the command was not run, retried per policy for any command. */
const NOT_RUN = new Set(['LOADING', 'BUSY', 'TRYAGAIN', 'MASTERDOWN', 'READONLY']);
/** A refusal in NOT_RUN, unless a script or function made it up itself (it ran). */
function refusedUnrun(p: Pending, error: RedisError): boolean {
  return NOT_RUN.has(error.code ?? '') && !isScriptErrorReply(error, p.name);
}
/** What the retry policy is asked about for an UNBLOCKED that a failover sent (see retryReply). */
const AS_READONLY = new ReadOnlyError('READONLY', { code: 'READONLY' });

/** Error replies a cluster gives only to commands with keys (or channels): never to a fence's PING. */
const KEYED_ONLY = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CROSSSLOT', 'CLUSTERDOWN']);

export class CommandQueue implements ReplyHandler {
  readonly inflight = new Fifo<Pending>();
  /** Unwritten: while disconnected or paused, or beyond maxInflight. */
  private waiting = new Fifo<Pending>();
  /**
   * How many commands at the head of `waiting` were put back from the in-flight line (-LOADING,
   * -READONLY, a lost socket) since the line last moved. Replies come in write order, so a
   * command put back later was written after them: it goes behind them, not in front.
   */
  private putBack = 0;
  /**
   * The backoff after a BUSY / TRYAGAIN / MASTERDOWN reply: the refused commands are back in
   * line and nothing of the line is written until the backoff is over and every command written
   * before has been answered (what is in flight behind the refused one was written before its
   * second attempt). One hold for the whole line, not a timer per command: jittered timers of
   * their own sent a run of refused commands again in a random order.
   */
  private holding = false;
  private holdTimer: TimerHandle | undefined;
  /**
   * Commands put back after -LOADING / BUSY / TRYAGAIN / MASTERDOWN on this socket and not
   * written since, with that reply. Once the server runs a command written after them (the
   * refusals ended while it was in flight), sending them again would run them after it: they
   * reject with their reply instead (a definite "not run"), so what one caller issued in order
   * never runs out of order.
   */
  private refused: Map<Pending, Error> | undefined;
  /** A MULTI block one of whose commands met -READONLY: its EXEC's answer moves the connection. */
  private readOnlyBlock: Pending[] | undefined;
  /** Deadlines in the order they were set (which is their order: one fixed commandTimeout). */
  private readonly deadlines = new Fifo<Pending>();
  /** The deadline each entry of `deadlines` was set with (a later attempt makes an entry stale). */
  private readonly deadlineAt = new Fifo<number>();
  private timeoutTimer: TimerHandle | undefined;
  /** Deadlines of blocking commands in flight (see armBlocking); made with the first one. */
  private blockingTimers: Map<Pending, TimerHandle> | undefined;
  /**
   * Blocking commands written behind unanswered ones (a lent connection pipelines): the server
   * starts their wait only once those are answered, so their deadline is armed then (afterShift).
   */
  private blockingBehind: Set<Pending> | undefined;
  /** The look at a socket gone silent behind a timed-out command's kept slot (see watchSilence). */
  private silenceTimer: TimerHandle | undefined;
  /** Chunks received so far (watchSilence: did anything arrive meanwhile?). */
  private chunks = 0;
  /**
   * Written commands that timed out on a stuck socket and were left for lost() to requeue, with
   * their TimeoutError: lost() asks the retry rule about that error (asked about the teardown's
   * ConnectionError, `retryOn: [TimeoutError]` rejected them with a bare ConnectionError instead
   * of replaying them) and rejects them with it when they do not go again.
   */
  private stuckTimedOut: Map<Pending, TimeoutError> | undefined;

  private readonly encoder: RequestEncoder;
  private transport: Transport | undefined;
  private seq = 0;
  private flushedSeq = 0;
  private flushScheduled = false;
  /** Commands in flight at recent tick ends: the largest, decaying by a sixteenth a tick. */
  private recentInflight = 0;
  /** The least an early write holds: EARLY_WRITE, or EARLY_SHARE of `recentInflight`. */
  private earlyAt = EARLY_WRITE;
  private readonly flush = (): void => this.flushNow();
  /** Time the last byte arrived on the current socket (keep-alive). */
  lastByteAt = 0;
  /**
   * `seq` as it was when the last chunk arrived (stuck detection: a written command whose seq
   * is higher has seen nothing arrive since it was written).
   */
  private seqAtLastByte = 0;
  /**
   * Commands settled while waiting unwritten (timed out, withdrawn, overtaken) and still in
   * `waiting`, skipped when their turn comes: they take no room under maxOfflineQueue/maxQueued.
   */
  private deadWaiting = 0;
  /** The clock's time when the queue was made: deadlines are kept relative to it (small integers). */
  private readonly epoch: number;
  /** The last timeout message made (see timeoutMessage). */
  private lastTimeout = { elapsed: -1, message: '' };
  /** @internal Deadline entries the timeout check has visited so far (tests: the check is O(expired)). */
  timeoutVisits = 0;
  /** Replies the handshake waits for are counted here so `drained` ignores them. */
  private draining = false;
  /** A binary subscriber connection decodes every reply as bytes (set by the router). */
  subscriberBytes = false;
  /**
   * The server sent a reply that is not an error (or a push) on the current socket: it serves
   * this client. Error replies alone do not count: a server at maxclients, or in protected mode,
   * answers with one and closes.
   */
  answered = false;

  constructor(
    private readonly config: QueueConfig,
    private readonly host: QueueHost,
    private readonly clock: Clock,
    private readonly maxArgumentLength: number,
  ) {
    this.encoder = new RequestEncoder(maxArgumentLength);
    this.epoch = clock.now() - 1;
  }

  /**
   * Milliseconds since the queue was made, as a 32-bit integer (wrapping after 24.8 days:
   * deadlines are compared by difference). An integer keeps `Pending.deadline` a small
   * integer field; a double there costs every queued command a boxed number.
   */
  private now(): number {
    return (this.clock.now() - this.epoch) | 0;
  }

  /**
   * Callers sharing a client-side cache read in flight on this connection (ClientCache.join):
   * each holds a promise as a queued command does, so they count under maxQueued. Without them
   * a stalled server let any number of readers of one key pile up past the bound.
   */
  shared = 0;

  /** Commands accepted and not yet settled by a reply (written, waiting, in backoff). */
  get size(): number {
    return this.inflight.length + this.waiting.length;
  }

  /** True when nothing is written-and-unanswered or encoded-but-unflushed. */
  get idle(): boolean {
    return this.inflight.length === 0 && !this.encoder.pending;
  }

  /**
   * A caller's blocking command is in flight: what is written now is read after it returns. Any
   * of them, not only the oldest: a lent connection pipelines (GET, then BLPOP 0 in one tick).
   */
  get blockedAhead(): boolean {
    for (const p of this.inflight)
      if (p.blocking && !p.internal && p.confirmations === undefined) return true;
    return false;
  }

  /** Nothing waits for a connection (or for a backoff to end). */
  get nothingWaiting(): boolean {
    return this.waiting.length === 0;
  }

  /**
   * A caller's blocking command (BLPOP, WAIT …) is unsettled, written or waiting: the server may
   * hold it for ever. The connection's own commands (handshake, AUTH, keep-alive PING) are marked
   * blocking only to be exempt from commandTimeout: they are answered, and do not count.
   */
  get blocking(): boolean {
    for (const p of this.inflight) if (p.blocking && !p.internal && !p.settled) return true;
    for (const p of this.waiting) if (p.blocking && !p.internal && !p.settled) return true;
    return false;
  }

  // --- entering the queue -------------------------------------------------------

  /** One command: written now if possible, else queued; rejected when a bound is hit. */
  enqueue(p: Pending): void {
    const host = this.host;
    if (host.closed()) {
      p.reject(tagged(closedError(), p));
      return;
    }
    const limited = this.config.commandTimeout > 0 && !p.blocking;
    if (
      host.writable() &&
      this.waiting.length === 0 &&
      this.inflight.length < this.config.maxInflight &&
      this.inflight.length + this.shared < this.config.maxQueued
    ) {
      if (limited) this.startAttempt(p);
      this.write(p);
      return;
    }
    const full = this.fullFor(1);
    if (full !== undefined) {
      p.reject(tagged(full, p));
      return;
    }
    const bad = argumentError(p.args, this.maxArgumentLength);
    if (bad !== undefined) {
      p.reject(tagged(bad, p));
      return;
    }
    if (limited) this.startAttempt(p);
    this.waiting.push(p);
    if (!host.writable()) host.wake();
  }

  /**
   * A batch enters whole or not at all: every command is encoded (or queued) or every
   * command rejects with the first failure, nothing sent. MULTI…EXEC blocks use this.
   */
  enqueueBatch(batch: Pending[]): void {
    const host = this.host;
    const fail = (error: Error): void => {
      for (const p of batch) p.reject(tagged(error, p));
    };
    // A bad argument is one command's fault: every part of the block rejects with that error,
    // naming that command (tagged per part, the shared error ended up naming EXEC, the last).
    const refuse = (error: Error): void => {
      for (const p of batch) p.reject(error);
    };
    if (host.closed()) return fail(closedError());
    for (const p of batch) p.batch = batch;
    // maxQueued holds on this fast path too: without it a block on a ready connection was
    // written whatever was already unanswered (the same block queued while connecting rejects).
    if (
      host.writable() &&
      this.waiting.length === 0 &&
      this.inflight.length < this.config.maxInflight &&
      this.size + this.shared + batch.length <= this.config.maxQueued
    ) {
      const bad = this.encodeWhole(batch);
      if (bad !== undefined) return refuse(bad);
      for (const p of batch) {
        if (this.config.commandTimeout > 0 && !p.blocking) this.startAttempt(p);
        this.pushInflight(p);
      }
      this.scheduleFlush();
      return;
    }
    const full = this.fullFor(batch.length);
    if (full !== undefined) return fail(full);
    for (const p of batch) {
      const bad = argumentError(p.args, this.maxArgumentLength);
      if (bad !== undefined) return refuse(tagged(bad, p));
    }
    for (const p of batch) {
      if (this.config.commandTimeout > 0 && !p.blocking) this.startAttempt(p);
      this.waiting.push(p);
    }
    if (!host.writable()) host.wake();
  }

  /**
   * ASKING and the command it lets into a slot the node is importing (Connection.sendAsking), as
   * one block: both enter the line or both reject (maxQueued, maxOfflineQueue), and they are
   * written in one piece (never split by maxInflight or an early write), time out together and
   * are withdrawn together. Apart, ASKING could reach the socket without its command (the command
   * refused by a bound, or timed out while waiting for room behind its written ASKING) and let
   * the next command, someone else's, into that slot. The command's deadline is the block's, so a
   * timeout names the command, not ASKING.
   */
  enqueueAsking(asking: Pending, p: Pending): void {
    this.enqueueBatch([asking, p]);
    // Its deadline entry is left stale (skipped by checkTimeouts).
    asking.deadline = 0;
  }

  /** A handshake or resubscription command: written now, ahead of everything waiting. */
  writeInternal(p: Pending): void {
    this.write(p);
  }

  /** The bound `n` more commands would cross, as the error to reject them with. */
  private fullFor(n: number): ConnectionError | undefined {
    // Commands settled while waiting (timed out, withdrawn) take no room: counted, a line of them
    // refused every new command as "full" while nothing waited, until the next connect attempt
    // cleared it (up to connectTimeout later).
    const waiting = this.waiting.length - Math.min(this.deadWaiting, this.waiting.length);
    if (!this.host.writable() && waiting + n > this.config.maxOfflineQueue)
      return new ConnectionError('Offline queue is full (maxOfflineQueue)', { code: CODES.offlineFull });
    if (this.held() + n > this.config.maxQueued)
      return new ConnectionError('Command queue is full (maxQueued)', { code: CODES.queueFull });
    return undefined;
  }

  /** Whether one more caller may share a read in flight (see `shared`): maxQueued has room. */
  get roomToShare(): boolean {
    return this.held() < this.config.maxQueued;
  }

  /** What maxQueued counts: commands not settled (in flight, still waiting) and readers sharing a read. */
  private held(): number {
    return this.size - Math.min(this.deadWaiting, this.waiting.length) + this.shared;
  }

  // --- writing --------------------------------------------------------------------

  /**
   * Encodes every command of a block or, on the first bad argument, none: the encoder is rolled
   * back and the error returned. An argument's length is only checked here, so a block that
   * waited in line can still fail at this point, and must then leave nothing half-written.
   */
  private encodeWhole(batch: readonly Pending[]): Error | undefined {
    const mark = this.encoder.mark();
    for (const p of batch) {
      try {
        p.encodeWith(this.encoder);
      } catch (e) {
        this.encoder.rollback(mark);
        return tagged(asDataError(e), p);
      }
    }
    return undefined;
  }

  /** A retried command's new attempt gets its deadline when it is written again. */
  private restartDeadline(p: Pending): void {
    if (p.deadline === 0 && p.attempts > 0 && this.config.commandTimeout > 0 && !p.blocking && !p.internal)
      this.startAttempt(p);
  }

  /** A block from the line: written whole, or settled whole with the error if one argument is bad. */
  private writeWhole(batch: Pending[]): void {
    const bad = this.encodeWhole(batch);
    if (bad !== undefined) {
      this.failBatch(batch, bad);
      return;
    }
    for (const p of batch) {
      this.restartDeadline(p);
      this.pushInflight(p);
    }
    this.scheduleFlush();
  }

  /** Encodes into the current tick's write; the flush happens once per tick, or early (below). */
  private write(p: Pending): void {
    this.restartDeadline(p);
    try {
      p.encodeWith(this.encoder);
    } catch (e) {
      const error = tagged(asDataError(e), p);
      // Settled for good: its deadline entry (set when it was queued) must not reject it again.
      if (p.batch !== undefined) this.failBatch(p.batch, error);
      else settleWithout(p, error);
      return;
    }
    this.pushInflight(p);
    const unflushed = this.seq - this.flushedSeq;
    // Sent before the tick ends when the server would otherwise sit idle while the rest of the
    // tick is encoded: it has fewer commands left to answer than this write holds. A burst of
    // 100 in flight then overlaps the server's work with the client's (W2: 0.6M -> 1.0M cmd/s on
    // 2 cores), while a server still busy with earlier writes gets the tick's commands in one.
    // A part holds at least `earlyAt`, so a steady load is split in two rather than in four.
    if (
      unflushed >= this.earlyAt &&
      unflushed > this.inflight.length - unflushed &&
      this.transport !== undefined
    )
      this.writeOut();
    else this.scheduleFlush();
  }

  private pushInflight(p: Pending): void {
    if (this.inflight.length === 0) this.host.setReturnBuffers(p.buffers || this.subscriberBytes);
    p.seq = ++this.seq;
    if (this.config.commandTimeout > 0 && p.blocking && !p.internal) {
      if (this.inflight.length === 0) this.armBlocking(p);
      else (this.blockingBehind ??= new Set()).add(p);
    }
    const trace = p.trace;
    if (trace !== undefined) {
      trace.attempts++;
      const peer = this.transport?.peer;
      if (peer !== undefined) {
        trace.serverAddress = peer.host;
        trace.serverPort = peer.port;
      }
    }
    this.inflight.push(p);
  }

  /**
   * Takes back a command its caller gave up on (a `withOptions()` signal or timeout) when no
   * byte of it reached the socket: still waiting for the connection or for room, in a retry's
   * backoff, or encoded into this tick's write but not flushed (that write is encoded again
   * without it). It settles with `error`. False when it was written (it keeps its slot), is
   * part of a MULTI block (which goes whole), or already settled.
   *
   * `asking`: the ASKING queued with it (enqueueAsking). Left alone, it would be written and
   * let the next command on this socket, someone else's, into a slot the node is importing; so
   * it is withdrawn too. The two are one block written in one piece: neither reached the socket
   * unless both did.
   */
  withdraw(p: Pending, error: Error, asking?: Pending): boolean {
    if (p.settled || p.internal) return false;
    // A MULTI block goes whole; only an ASK detour's block (asking, p) is taken back, whole.
    if (p.batch !== undefined && p.batch[0] !== asking) return false;
    if (p.seq !== 0 && p.seq <= this.flushedSeq) return false;
    if (asking !== undefined && !asking.settled) this.takeBack(asking, error);
    return this.takeBack(p, error);
  }

  /** Withdraws a command known not to have reached the socket (see withdraw). */
  private takeBack(p: Pending, error: Error): true {
    if (p.seq === 0) {
      // Waiting (for a connection, room or a backoff's end): pump() skips a settled command.
      this.deadWaiting++;
      settleWithout(p, error);
      return true;
    }
    // In this tick's write: the unflushed commands are the newest in flight, in order.
    const flushed = this.flushedSeq;
    const unflushed = this.inflight.popNewest((q) => q.seq > flushed);
    const wasHead = unflushed[0] === p && this.inflight.length === 0;
    this.encoder.discard();
    for (const q of unflushed) {
      // A command settled meanwhile (timed out) has released its arguments: never written, it goes too.
      if (q === p || q.settled) continue;
      q.encodeWith(this.encoder);
      this.inflight.push(q);
    }
    this.blockingBehind?.delete(p);
    if (this.blockingTimers !== undefined && p.blocking) this.disarmBlocking(p);
    if (wasHead) this.afterShift();
    settleWithout(p, error);
    if (this.encoder.pending) this.scheduleFlush();
    return true;
  }

  /** Writes what waits, in order, up to maxInflight (a batch is never split). */
  pump(): void {
    const max = this.config.maxInflight;
    // Not into a socket about to be dropped (detached): lost() would count what waits here as
    // lost unsent and charge it a retry (a -READONLY retry would pay two per refusal).
    while (this.waiting.length > 0 && this.host.writable() && !this.holding && this.transport !== undefined) {
      const p = this.waiting.peek() as Pending;
      const batch = p.batch;
      if (this.inflight.length >= max && (batch === undefined || batch[0] === p)) return;
      if (batch !== undefined && batch[0] === p) {
        // A block leaves the line as one piece: its members are next in it.
        const members: Pending[] = [];
        while (this.waiting.peek()?.batch === batch) members.push(this.waiting.shift() as Pending);
        this.lineMoved();
        if (!p.settled) this.writeWhole(members);
        else for (const m of members) if (m.settled) this.leftDead();
        continue;
      }
      this.waiting.shift();
      this.lineMoved();
      if (!p.settled) this.write(p);
      else this.leftDead();
    }
  }

  /** A settled command left the waiting line: one fewer there (see deadWaiting). */
  private leftDead(): void {
    if (this.deadWaiting > 0) this.deadWaiting--;
  }

  /**
   * The head of the waiting line was written (or skipped): the commands put back before it are
   * being written again, so whatever is put back next goes to the very front.
   */
  private lineMoved(): void {
    this.putBack = 0;
    this.refused = undefined;
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.clock.microtask(this.flush);
    }
  }

  private flushNow(): void {
    this.flushScheduled = false;
    const n = this.inflight.length;
    const recent = n > this.recentInflight ? n : this.recentInflight - (this.recentInflight >> 4);
    this.recentInflight = recent;
    this.earlyAt = Math.max(EARLY_WRITE, (recent * EARLY_SHARE) >> 6);
    this.writeOut();
  }

  /** Hands what is encoded to the socket (the tick's flush, or an early part of it). */
  private writeOut(): void {
    const t = this.transport;
    if (t === undefined) return;
    const chunks = this.encoder.take();
    this.flushedSeq = this.seq;
    if (chunks.length === 1) t.write(chunks[0] as Uint8Array);
    else if (chunks.length > 1) {
      t.cork();
      for (const c of chunks) t.write(c);
      t.uncork();
    }
    // The kernel has the bytes: the next commands are encoded over them, in memory still in cache,
    // rather than further along the slab (and into a new 64 KiB slab every few hundred commands).
    if (t.flushed?.() === true) this.encoder.rewind();
  }

  /** The socket writes go to from now on. */
  attach(transport: Transport): void {
    this.transport = transport;
    this.answered = false;
    // A look at the last socket's silence is no business of this one.
    this.stopWatchingSilence();
    // Whatever this socket writes precedes everything still waiting, put back or not.
    this.lineMoved();
    this.lastByteAt = this.clock.now();
  }

  /**
   * The socket is gone or about to be dropped; `lost()` follows. Nothing more is written to it:
   * what waits stays waiting (pump() stops), and commands encoded meanwhile (a close listener's)
   * stay unflushed, so `lost()` sends them on the next socket as never written. Were they
   * written, even by an early part of a tick, they would count as sent to a dead socket.
   */
  detach(): void {
    this.transport = undefined;
  }

  /** Bytes arrived (stuck detection). */
  received(): void {
    this.chunks++;
    this.seqAtLastByte = this.seq;
    this.lastByteAt = this.clock.now();
  }

  // --- ReplyHandler (called synchronously by the parser) ---------------------------

  onReply(value: unknown): void {
    this.answered = true;
    if (this.host.claim(value)) return;
    const p = this.inflight.shift();
    if (p === undefined) {
      this.host.error(new ConnectionError('A reply arrived that no command was waiting for'));
      return;
    }
    this.afterShift();
    if (this.blockingTimers !== undefined && p.blocking) this.disarmBlocking(p);
    if (this.refused !== undefined && !p.internal) this.overtaken();
    if (!p.settled) {
      const { resolve, reject, transform } = p;
      // Released at once: a deadline entry may keep the object until its time, never its arguments.
      release(p);
      if (transform === undefined) resolve(value);
      else {
        try {
          resolve(transform(value));
        } catch (e) {
          reject(tagged(asDataError(e, ErrorCodes.UNEXPECTED_REPLY), p));
        }
      }
    }
    this.afterReply();
  }

  onError(error: Error): void {
    const head = this.inflight.peek();
    if (head !== undefined && head.fenced !== 0) {
      this.fencedError(head, error);
      return;
    }
    const p = this.inflight.shift();
    if (p === undefined) {
      this.host.error(error);
      return;
    }
    this.afterShift();
    if (this.blockingTimers !== undefined && p.blocking) this.disarmBlocking(p);
    if (p.batch !== undefined) this.blockRefused(p, p.batch, error);
    if (!p.settled) {
      p.deadline = 0;
      if (this.retryReply(p, error as RedisError)) {
        this.afterReply();
        return;
      }
      settleWithout(p, tagged(error, p));
    }
    // A refusal (one not retried: its budget is spent) ran nothing either.
    if (this.refused !== undefined && !p.internal && !refusedUnrun(p, error as RedisError)) this.overtaken();
    this.afterReply();
  }

  /**
   * -READONLY inside MULTI: the block is not retried (EXEC aborts it whole, a definite "not run"),
   * but once EXEC's answer is in, the connection goes to the new primary as for any -READONLY.
   * Else a client writing only through multi() stayed on a demoted node for good.
   */
  private blockRefused(p: Pending, batch: Pending[], error: Error): void {
    if (error instanceof ReadOnlyError && this.config.retryReplies) this.readOnlyBlock = batch;
    else if (batch === this.readOnlyBlock && p === batch[batch.length - 1]) {
      this.readOnlyBlock = undefined;
      this.host.readOnlyReply();
    }
  }

  /** The server ran a command written after the refused ones put back: they reject with their refusal. */
  private overtaken(): void {
    const refused = this.refused as Map<Pending, Error>;
    this.refused = undefined;
    for (const [p, error] of refused) {
      if (p.settled) continue;
      this.deadWaiting++;
      settleWithout(p, tagged(error, p));
    }
  }

  onPush(value: unknown[]): void {
    this.answered = true;
    this.host.push(value);
  }

  /** A push that could not be decoded: no command's; reported like a reply nobody waited for. */
  onUndecodablePush(error: Error): void {
    this.host.error(error);
  }

  /**
   * An error reply while a fenced command (see `Pending.fence`) is at the head. The command
   * answers with pushes or one error, its fence (PING) with one reply: a reply that is not an
   * error ends the slot as usual (onReply). An error is the command's own if the fence could
   * not have earned it (a redirection: PING has no keys) or if the command's confirmations are
   * not all in (a command that ran sent them all first); its slot then waits for the fence's
   * reply. Otherwise it is the fence's (a server that refuses PING) and the command ran.
   */
  private fencedError(p: Pending, error: Error): void {
    const code = (error as RedisError).code ?? '';
    const waiting = p.fenced === FENCE_OWN;
    const mine = waiting && ((p.confirmations ?? 0) > 0 || KEYED_ONLY.has(code));
    // As in onError: the server ran (or refused for good) a command written after those put back.
    if (this.refused !== undefined && !p.internal && (!NOT_RUN.has(code) || (waiting && !mine)))
      this.overtaken();
    if (mine) {
      p.fenced = FENCE_ONLY;
      p.deadline = 0;
      settleWithout(p, tagged(error, p));
      return;
    }
    this.inflight.shift();
    this.afterShift();
    if (!p.settled) {
      const resolve = p.resolve;
      release(p);
      resolve(undefined);
    }
    this.afterReply();
  }

  /**
   * A confirmation counts towards the (un)subscribe at the head, which settles with its last one;
   * a fenced one settles with its fence's reply instead (the server may send the confirmation
   * on its own: a node that gives a slot away sends `sunsubscribe` for its channels).
   */
  confirm(kind: string | undefined): void {
    const p = this.inflight.peek();
    if (p?.confirmations === undefined || kind !== p.name.toLowerCase()) return;
    if (--p.confirmations > 0 || p.fenced !== 0) return;
    this.inflight.shift();
    this.afterShift();
    if (!p.settled) p.resolve(undefined);
    this.afterReply();
  }

  onProtocolError(code: number, message: string, inPush = false): void {
    const error = protocolError(code, message);
    // A malformed push (a pub/sub message past maxBulkLength) is nobody's reply: the command in
    // front was never answered, and goes with the rest in flight (ConnectionError, cause: error).
    if (!inPush) {
      const head = this.inflight.shift();
      if (head !== undefined && !head.settled) settleWithout(head, tagged(error, head));
    }
    this.host.protocolFailure(error);
  }

  private afterShift(): void {
    const next = this.inflight.peek();
    this.host.setReturnBuffers(this.subscriberBytes || (next?.buffers ?? false));
    // A blocking command now at the head: the server starts its wait now (see blockingBehind).
    if (next !== undefined && this.blockingBehind?.delete(next) === true && !next.settled)
      this.armBlocking(next);
  }

  private afterReply(): void {
    if (this.config.commandTimeout > 0) this.dropAnsweredDeadlines();
    if (this.holding) this.endHold();
    if (this.waiting.length > 0) this.pump();
    if (this.draining && this.idle) this.host.drained();
  }

  /** Watch for the moment everything is answered (graceful close). */
  set awaitDrain(on: boolean) {
    this.draining = on;
  }

  // --- retries of error replies --------------------------------------------------------

  /**
   * An error reply proving the command did not run is retried per the policy: -LOADING waits
   * for the server to load, -READONLY (standalone) waits for a reconnect, BUSY / TRYAGAIN /
   * MASTERDOWN wait out the backoff. True when the command was taken back.
   */
  private retryReply(p: Pending, error: RedisError): boolean {
    if (p.internal || !this.config.retryReplies) return false;
    // UNBLOCKED because the primary turned replica is the blocking command's READONLY: it did not
    // run, and goes again on a new socket under READONLY's policy. Other UNBLOCKED (CLIENT UNBLOCK
    // … ERROR) is someone's wish to end it.
    const demoted = isUnblockedByFailover(error);
    if (!demoted && !refusedUnrun(p, error)) return false;
    const retry = this.config.retry;
    if (!retry.shouldRetry(demoted ? AS_READONLY : error, p.attempts + 1, { sent: false })) return false;
    if (p.batch !== undefined) return false; // a block goes again only whole: see lost()
    p.attempts++;
    if (!(error instanceof ReadOnlyError) && !demoted) (this.refused ??= new Map()).set(p, error);
    if (error instanceof BusyLoadingError) {
      this.requeueFront([p]);
      this.host.loading();
    } else if (error instanceof ReadOnlyError || demoted) {
      this.requeueFront([p]);
      this.host.readOnlyReply();
    } else this.retryLater(p);
    return true;
  }

  /** Back in line, in order; the line is held for the backoff (unless a hold is already on). */
  private retryLater(p: Pending): void {
    this.requeueFront([p]);
    if (this.holding) return;
    this.holding = true;
    this.holdTimer = this.clock.setTimeout(() => {
      this.holdTimer = undefined;
      this.endHold();
    }, this.config.retry.delay(p.attempts));
  }

  /** The backoff is over: once nothing written is unanswered, the line moves again. */
  private endHold(): void {
    if (this.holdTimer !== undefined || this.inflight.length > 0) return;
    this.holding = false;
    this.pump();
    if (this.waiting.length > 0 && !this.host.writable()) this.host.wake();
  }

  /**
   * Puts written commands back in the waiting line, in their order, as new attempts: behind the
   * ones put back before them from this socket (written earlier: replies come in order), ahead
   * of everything never written. Each put at the very front would reverse a run of -LOADING
   * replies (SET k 1, SET k 2 rewritten as SET k 2, SET k 1).
   */
  private requeueFront(list: Pending[]): void {
    if (list.length === 0) return;
    const rest = this.waiting.drain();
    this.waiting = new Fifo();
    const before = Math.min(this.putBack, rest.length);
    for (let i = 0; i < before; i++) this.waiting.push(rest[i] as Pending);
    for (const p of list) {
      // The next attempt's commandTimeout starts when it is written (the reconnect may take a while).
      p.seq = 0;
      p.deadline = 0;
      p.rearmConfirmations();
      this.waiting.push(p);
    }
    for (let i = before; i < rest.length; i++) this.waiting.push(rest[i] as Pending);
    this.putBack = before + list.length;
  }

  // --- the socket went away ------------------------------------------------------------

  /**
   * The socket is gone. Every written command either goes back to the head of the line
   * (read-only ones, idempotent ones under `replay: 'idempotent'`, and anything not yet
   * flushed) or rejects with ConnectionError saying its outcome is unknown. A MULTI block
   * goes back or fails whole.
   */
  lost(cause: Error, options: { replay: boolean; unsafe?: boolean }): void {
    this.transport = undefined;
    this.readOnlyBlock = undefined;
    this.encoder.take();
    this.flushScheduled = false;
    const retry = this.config.retry;
    const timedOut = this.stuckTimedOut;
    this.stuckTimedOut = undefined;
    // Every blocking command with a deadline is in flight here: settled below, or written again
    // (its deadline decided afresh then). Left, each lost one's timer held it for its own timeout
    // and more (an hour for BLPOP k 3600).
    this.dropBlockingDeadlines();
    const requeue: Pending[] = [];
    const decided = new Map<Pending[], boolean>();
    const lostError = (sent: boolean): ConnectionError =>
      stackless(() =>
        sent
          ? outcomeUnknown('lost', cause)
          : new ConnectionError('Connection lost before the command was sent', { cause, code: CODES.lost }),
      );
    for (const p of this.inflight.drain()) {
      if (p.settled) continue;
      if (p.internal) {
        // A set-up command: the connection was never ready, so nothing of the caller's was written
        // (HANDSHAKE_FAILED, not CONNECTION_LOST, which says a command's outcome is unknown).
        p.reject(
          new ConnectionError('Connection lost during handshake', {
            cause,
            code: ErrorCodes.HANDSHAKE_FAILED,
          }),
        );
        continue;
      }
      const sent = p.seq <= this.flushedSeq;
      const timeout = timedOut?.get(p);
      let again: boolean;
      if (timeout !== undefined) {
        again =
          options.replay &&
          this.mayReplay(p, options.unsafe === true) &&
          retry.shouldRetry(timeout, p.attempts + 1, { sent: false });
        if (!again) {
          settleWithout(p, tagged(timeout, p));
          continue;
        }
      } else if (p.batch !== undefined) {
        let whole = decided.get(p.batch);
        if (whole === undefined) {
          // Whole only if no member was answered yet (its slot would be gone) and each may go again.
          const head = p.batch[0] as Pending;
          whole =
            options.replay &&
            head === p &&
            p.batch.every((m) => !m.settled && (!sent || this.mayReplay(m, options.unsafe === true))) &&
            retry.shouldRetry(lostError(sent), p.attempts + 1, { sent: false });
          decided.set(p.batch, whole);
        }
        again = whole;
      } else {
        again =
          options.replay &&
          (!sent || this.mayReplay(p, options.unsafe === true)) &&
          retry.shouldRetry(lostError(sent), p.attempts + 1, { sent: false });
      }
      if (again) {
        p.attempts++;
        requeue.push(p);
      } else settleWithout(p, tagged(lostError(sent), p));
    }
    this.requeueFront(requeue);
    // Nothing is in flight any more: a backoff already over no longer waits for answers.
    if (this.holding && this.holdTimer === undefined) this.holding = false;
  }

  /** Whether a command that may have run goes again (the replay rules of the README). */
  private mayReplay(p: Pending, unsafe: boolean): boolean {
    if (unsafe) return false;
    const replay: Replay = p.confirmations !== undefined ? 'readonly' : p.replay;
    if (replay === 'never' || NEVER_REPLAYED.has(p.name.toUpperCase())) return false;
    return replay === 'readonly' || this.config.retry.replay === 'idempotent';
  }

  /** A connect attempt failed: commands that waited through too many give up with `error`. */
  ageWaiting(error: Error): void {
    const retries = this.config.retry.retries;
    const failed = new Set<Pending[]>();
    this.waiting.retain((p) => {
      if (p.settled) return false;
      if (p.batch !== undefined && failed.has(p.batch)) {
        settleWithout(p, tagged(errorFor(error), p));
        return false;
      }
      if (p.attempts >= retries) {
        if (p.batch !== undefined) failed.add(p.batch);
        settleWithout(p, tagged(errorFor(error), p));
        return false;
      }
      p.attempts++;
      return true;
    });
    this.deadWaiting = 0;
  }

  /** Everything waiting (not in flight) rejects with `error` at once (set-up errors). */
  failWaiting(error: Error): void {
    this.waiting.retain((p) => {
      if (!p.settled) settleWithout(p, tagged(errorFor(error), p));
      return false;
    });
    this.deadWaiting = 0;
    this.putBack = 0;
  }

  /**
   * Everything rejects with `error`; timers stop. A command already written (disconnect() while
   * it awaits its reply, close({ timeout }) running out) reached the server, which may run it:
   * it rejects as lost (CONNECTION_LOST, outcome unknown, `error` its cause), not with `error`,
   * whose CONNECTION_CLOSED says "not sent" and so invited a retry that ran a write twice. One that
   * timed out on a stuck socket and waited for lost() to decide on it keeps its TimeoutError.
   */
  failAll(error: Error): void {
    if (this.timeoutTimer !== undefined) this.clock.clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.stopWatchingSilence();
    this.dropBlockingDeadlines();
    this.transport = undefined;
    const timedOut = this.stuckTimedOut;
    this.stuckTimedOut = undefined;
    this.encoder.take();
    if (this.holdTimer !== undefined) this.clock.clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.holding = false;
    const written = this.inflight.drain();
    const waiting = this.waiting.drain();
    this.waiting = new Fifo();
    this.putBack = 0;
    let lost: ConnectionError | undefined;
    for (const p of written) {
      if (p.settled) continue;
      const timeout = timedOut?.get(p);
      if (timeout !== undefined) settleWithout(p, tagged(timeout, p));
      else if (p.internal || p.seq > this.flushedSeq) settleWithout(p, tagged(errorFor(error), p));
      else {
        lost ??= outcomeUnknown('closed', error);
        settleWithout(p, tagged(errorFor(lost), p));
      }
    }
    for (const p of waiting) if (!p.settled) settleWithout(p, tagged(errorFor(error), p));
    this.deadlines.drain();
    this.deadlineAt.drain();
  }

  private failBatch(batch: Pending[], error: Error): void {
    for (const m of batch) if (!m.settled) settleWithout(m, error);
  }

  // --- timeouts ---------------------------------------------------------------------------

  /** A new attempt starts now: its deadline is commandTimeout away. */
  private startAttempt(p: Pending): void {
    const at = (this.now() + this.config.commandTimeout) | 0;
    p.deadline = at === 0 ? 1 : at; // 0 means "no deadline"
    this.deadlines.push(p);
    this.deadlineAt.push(p.deadline);
    if (this.timeoutTimer === undefined) this.armTimeout(this.config.commandTimeout);
  }

  private armTimeout(ms: number): void {
    this.timeoutTimer = this.clock.setTimeout(() => this.checkTimeouts(), ms);
  }

  /**
   * Rejects overdue commands; a written one keeps its FIFO slot as a placeholder (its late
   * reply is dropped, never misdelivered). Costs O(expired): deadlines are visited in the
   * order they were set, which is their order; an entry whose command was answered or
   * started another attempt since is stale and skipped. A command written and unanswered
   * while nothing at all arrived since is a stuck connection: it is torn down and reconnected.
   */
  private checkTimeouts(): void {
    this.timeoutTimer = undefined;
    const now = this.now();
    const timeout = this.config.commandTimeout;
    let stuck: TimeoutError | undefined;
    // At most this many rejections per run: a burst of expiries (a stalled server under load)
    // lets the callers' handlers run and the errors be collected between chunks.
    let budget = TIMEOUT_CHUNK;
    // A written command timed out with its slot kept (see watchSilence).
    let placeholder = false;
    for (;;) {
      const p = this.deadlines.peek();
      if (p === undefined) break;
      const at = this.deadlineAt.peek() as number;
      const left = (at - now) | 0;
      if (!p.settled && p.deadline === at && left > 0) {
        this.armTimeout(Math.max(1, left));
        break;
      }
      if (budget === 0) {
        this.armTimeout(0);
        break;
      }
      this.timeoutVisits++;
      this.deadlines.shift();
      this.deadlineAt.shift();
      if (p.settled || p.deadline !== at) continue;
      budget--;
      p.deadline = 0;
      const error = stackless(
        () => new TimeoutError(this.timeoutMessage((now - at + timeout) | 0), { code: CODES.commandTimeout }),
      );
      if (p.batch !== undefined) {
        for (const m of p.batch) if (m.seq === 0 && !m.settled) this.deadWaiting++;
      } else if (p.seq === 0) this.deadWaiting++;
      const written = p.seq > 0 && p.seq <= this.flushedSeq && this.transport !== undefined;
      if (written && p.seq > this.seqAtLastByte) {
        // Stuck: the socket is torn down. A command that may go again is requeued by lost()
        // with the rest; any other rejects with this TimeoutError now.
        stuck ??= error;
        if (
          p.batch === undefined &&
          this.mayReplay(p, false) &&
          this.config.retry.shouldRetry(error, p.attempts + 1)
        ) {
          (this.stuckTimedOut ??= new Map()).set(p, error);
          continue;
        }
      } else if (written) placeholder = true;
      if (p.batch !== undefined) this.failBatch(p.batch, tagged(error, p));
      else settleWithout(p, tagged(error, p));
    }
    // Commands that timed out while waiting unwritten leave the line once they are half of it,
    // so a stalled server does not keep millions of placeholders (amortized O(1) per expiry).
    if (this.deadWaiting > 1024 && this.deadWaiting * 2 > this.waiting.length) {
      this.deadWaiting = 0;
      // The put-back run at the head shrinks by its own settled members.
      let i = 0;
      let kept = 0;
      const putBack = this.putBack;
      this.waiting.retain((w) => {
        const keep = !w.settled;
        if (i++ < putBack && keep) kept++;
        return keep;
      });
      this.putBack = kept;
    }
    if (stuck !== undefined) this.host.stuck(stuck);
    else if (placeholder) this.watchSilence();
  }

  private stopWatchingSilence(): void {
    if (this.silenceTimer !== undefined) this.clock.clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }

  /**
   * A written command timed out while bytes had arrived since it was written (replies to earlier
   * commands), so its slot was kept for the late reply. If the socket then stays silent for a whole
   * commandTimeout while such a slot is unanswered, the server stopped in mid-stream (frozen right
   * after those replies): the socket is stuck and is torn down. Without this, nothing else looked at
   * it until a command written later timed out too: a graceful close() waited for ever for the late
   * reply of a command its caller had given up on, and a keep-alive PING never went (a reply is
   * awaited). Looked at again every commandTimeout while such a slot heads the line.
   */
  private watchSilence(): void {
    const transport = this.transport;
    if (this.silenceTimer !== undefined || transport === undefined) return;
    const heard = this.chunks;
    const ms = this.config.commandTimeout;
    this.silenceTimer = this.clock.setTimeout(() => {
      this.silenceTimer = undefined;
      if (this.transport !== transport || this.inflight.peek()?.settled !== true) return;
      if (this.chunks !== heard) {
        this.watchSilence();
        return;
      }
      this.host.stuck(
        new TimeoutError(`Nothing arrived for ${ms} ms after a command timed out (commandTimeout ${ms} ms)`, {
          code: CODES.commandTimeout,
        }),
      );
    }, ms);
  }

  /**
   * The message of a command timeout after `elapsed` ms. The commands of one run mostly share
   * it, so the last one is reused: a string per command would be ~80 bytes more of each
   * rejection that only a full GC reclaims (it is held by an old promise).
   */
  private timeoutMessage(elapsed: number): string {
    if (elapsed !== this.lastTimeout.elapsed)
      this.lastTimeout = {
        elapsed,
        message: `Command timed out after ${elapsed} ms (commandTimeout ${this.config.commandTimeout} ms)`,
      };
    return this.lastTimeout.message;
  }

  /**
   * A blocking command is exempt from commandTimeout while the server may hold it by its own
   * timeout (BLPOP k 5, XREAD BLOCK 2000, WAIT 1 500), not for ever: once that, commandTimeout and
   * SERVER_TICK_MS have passed since the server started on it (its write, or, written behind
   * unanswered commands, the reply that put it at the head: counted from its write, the second of
   * two BLPOP k 2 pipelined on a lent connection timed out on a healthy server) with no reply, the
   * server did not keep its own deadline (frozen, or a half-open socket), and the command rejects
   * with TimeoutError. Exempt for good it waited as long as the socket lived, and a stream consumer
   * or a BLPOP loop hung on a frozen server whatever commandTimeout said. As for any timeout, a
   * socket on which nothing arrived since then is torn down; else the slot stays and the late reply
   * is dropped. A timeout of 0 (for ever), or a wait beyond what a timer holds, keeps the command
   * exempt. A timer per command, not the deadline line: its deadlines are not in the order of the
   * others'.
   */
  private armBlocking(p: Pending): void {
    const wait = blockingWait(p.name, p.args);
    if (wait === undefined) return;
    const limit = wait + this.config.commandTimeout + SERVER_TICK_MS;
    if (!(limit <= MAX_TIMER_MS)) return;
    const seq = p.seq;
    const since = this.now();
    // Stuck: nothing arrived since the server should have started on it (its write, or the
    // reply that put it at the head).
    const heard = this.chunks;
    const timers = (this.blockingTimers ??= new Map());
    const earlier = timers.get(p);
    if (earlier !== undefined) this.clock.clearTimeout(earlier);
    const timer = this.clock.setTimeout(() => {
      if (timers.get(p) === timer) timers.delete(p);
      // Settled (lost, closed), or put back for another attempt (armed again when written).
      if (p.settled || p.seq !== seq) return;
      const elapsed = (this.now() - since) | 0;
      const error = stackless(
        () =>
          new TimeoutError(
            `Blocking command got no reply after ${elapsed} ms (its own timeout ${wait} ms, commandTimeout ${this.config.commandTimeout} ms)`,
            { code: CODES.commandTimeout },
          ),
      );
      const written = seq <= this.flushedSeq && this.transport !== undefined;
      settleWithout(p, tagged(error, p));
      if (written && this.chunks === heard) this.host.stuck(error);
      else if (written) this.watchSilence();
    }, limit);
    timers.set(p, timer);
  }

  /** Every blocking command's deadline goes, armed or waiting to be (the socket is gone, or the queue closed). */
  private dropBlockingDeadlines(): void {
    this.blockingBehind?.clear();
    const timers = this.blockingTimers;
    if (timers === undefined || timers.size === 0) return;
    for (const timer of timers.values()) this.clock.clearTimeout(timer);
    timers.clear();
  }

  /** A blocking command was answered or withdrawn: its deadline (armBlocking) goes, rather than wait out its time. */
  private disarmBlocking(p: Pending): void {
    const timers = this.blockingTimers as Map<Pending, TimerHandle>;
    const timer = timers.get(p);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    timers.delete(p);
  }

  /** Answered commands at the head of the deadlines leave at once (not at their deadline). */
  private dropAnsweredDeadlines(): void {
    const d = this.deadlines;
    for (let p = d.peek(); p !== undefined && p.settled; p = d.peek()) {
      d.shift();
      this.deadlineAt.shift();
    }
  }
}

/** A failure to encode arguments (INVALID_ARGUMENT) or to shape a reply (UNEXPECTED_REPLY) as a DataError. */
export function asDataError(e: unknown, code: string = ErrorCodes.INVALID_ARGUMENT): Error {
  if (e instanceof DataError) return e;
  return new DataError(e instanceof Error ? e.message : 'could not decode the reply', { cause: e, code });
}
