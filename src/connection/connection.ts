/**
 * One logical connection to one server: the socket, the parser, the FIFO of
 * commands awaiting replies, the handshake, auto-pipelining (everything issued
 * in one tick leaves in one write), command timeouts, the offline queue and
 * reconnection. It does not know command semantics beyond the flags callers pass.
 */
import { Parser, type ReplyHandler } from '../core/parser.js';
import {
  AuthenticationError,
  BusyLoadingError,
  ConnectionError,
  DataError,
  TimeoutError,
  protocolError,
  type RedisError,
  serverError,
  withCommand,
} from '../errors/index.js';
import { RequestEncoder } from '../protocol/encoder.js';
import type { Retry } from '../retry.js';
import type { TlsOptions, Transport, TransportFactory } from '../transport/types.js';
import { Emitter } from '../util/emitter.js';
import { Fifo, type Pending } from './pending.js';

export interface ConnectionConfig {
  host: string;
  port: number;
  path: string | undefined;
  tls: TlsOptions | undefined;
  username: string | undefined;
  password: string | undefined;
  db: number;
  protocol: 2 | 3;
  clientName: string | undefined;
  connectTimeout: number;
  /** 0 = no limit. */
  commandTimeout: number;
  retry: Retry;
  maxOfflineQueue: number;
  maxBulkLength: number;
  transport: TransportFactory;
  binary: 'buffer' | 'uint8array';
  /** Send READONLY after the handshake (cluster replica reads). */
  readOnly?: boolean;
  /** Commands replayed after every handshake, e.g. resubscriptions. */
  replay?: () => ReadonlyArray<{ name: string; args: readonly unknown[] }>;
}

export type ConnectionStatus = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed';

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
  /** A RESP3 push (pub/sub messages, invalidations). */
  push: [unknown[]];
  /** A reply that arrived while the FIFO was empty under RESP2 (pub/sub mode). */
  unsolicited: [unknown];
}

export interface SendOptions {
  buffers?: boolean;
  transform?: ((reply: unknown) => unknown) | undefined;
  /** Safe to send again if the connection drops before the reply. */
  safe?: boolean;
  /** A blocking command: commandTimeout does not apply. */
  blocking?: boolean;
  /**
   * A pub/sub (un)subscribe naming this many channels: it holds its FIFO slot until one
   * confirmation per channel has arrived (as pushes, or routed arrays under RESP2) and then
   * resolves with `undefined`; an error reply rejects it like any command. Holding the slot is
   * what keeps such an error (e.g. -NOPERM) from reaching the command behind it.
   */
  confirmations?: number;
}

/** What the server said about itself in the handshake. */
export interface ServerHello {
  protocol: 2 | 3;
  version: string | undefined;
  id: number | undefined;
}

const CLOSED_MESSAGE = 'Connection is closed';

export class Connection extends Emitter<ConnectionEvents> implements ReplyHandler {
  status: ConnectionStatus = 'idle';
  hello: ServerHello = { protocol: 2, version: undefined, id: undefined };

  private transport: Transport | undefined;
  private readonly parser: Parser;
  private readonly encoder = new RequestEncoder();
  private readonly inflight = new Fifo<Pending>();
  private offline = new Fifo<Pending>();
  private seq = 0;
  private flushedSeq = 0;
  private flushScheduled = false;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private timeoutTimer: ReturnType<typeof setTimeout> | undefined;
  private drained: (() => void) | undefined;
  private readonly flush = (): void => this.flushNow();

  constructor(readonly config: ConnectionConfig) {
    super();
    this.parser = new Parser(this, {
      maxBulkLength: config.maxBulkLength,
      makeError: (message) => serverError(message),
      binary: config.binary,
    });
  }

  /** Connects (or joins the attempt under way). Rejects if this attempt fails. */
  connect(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    if (this.status === 'closed' || this.status === 'closing') {
      return Promise.reject(new ConnectionError(CLOSED_MESSAGE));
    }
    if (this.connecting) return this.connecting;
    if (this.status === 'reconnecting') return this.whenReady();
    this.status = 'connecting';
    const attempt = this.open().finally(() => {
      if (this.connecting === attempt) this.connecting = undefined;
    });
    this.connecting = attempt;
    attempt.catch((e: Error) => this.afterFailedConnect(e));
    return attempt;
  }

  /** Resolves on the next `ready`; rejects on the next background error or on `end`. */
  private whenReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.off('ready', onReady).off('error', onError).off('end', onEnd);
      };
      const onReady = (): void => {
        done();
        resolve();
      };
      const onError = (e: Error): void => {
        done();
        reject(e);
      };
      const onEnd = (): void => {
        done();
        reject(new ConnectionError(CLOSED_MESSAGE));
      };
      this.on('ready', onReady).on('error', onError).on('end', onEnd);
    });
  }

  /** Sends a command; the promise settles with its (transformed) reply. Never throws. */
  send(name: string, args: readonly unknown[], options?: SendOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.enqueue(pending(name, args, resolve, reject, options, false));
    });
  }

  /** Replies already answered for every command sent so far, then the socket ends. */
  close(): Promise<void> {
    if (this.status === 'closed') return Promise.resolve();
    if (this.status !== 'ready') {
      if (this.status === 'closing' || (this.offline.length === 0 && this.delayed.size === 0)) {
        this.disconnect();
        return Promise.resolve();
      }
      // Commands are waiting for the connection: let them through first.
      return this.connect().then(
        () => this.close(),
        () => this.disconnect(),
      );
    }
    this.status = 'closing';
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        this.drained = undefined;
        this.shutdown(new ConnectionError(CLOSED_MESSAGE));
        resolve();
      };
      if (this.inflight.length === 0 && this.delayed.size === 0 && !this.encoder.pending) finish();
      else this.drained = finish;
    });
  }

  /** Drops the socket at once; everything pending rejects with `ConnectionError`. */
  disconnect(): void {
    if (this.status === 'closed') return;
    this.shutdown(new ConnectionError('Connection was disconnected'));
  }

  /**
   * Pub/sub payloads as bytes (binary-safe), whatever command heads the queue: RESP3
   * pushes always; on a RESP2 subscriber connection (`pubsubRouting`) every reply, since
   * messages arrive there as ordinary arrays. The subscriber turns bytes into strings per listener.
   */
  set pubsubBytes(on: boolean) {
    this.pubsubBytesOn = on;
    this.parser.pushBuffers = on;
    this.parser.returnBuffers = this.headBuffers();
  }

  private pubsubBytesOn = false;

  private get subscriberBytes(): boolean {
    return this.pubsubBytesOn && this.pubsubRouting;
  }

  /** The string mode for the next reply: the head command's, or bytes on a binary subscriber connection. */
  private headBuffers(): boolean {
    return this.subscriberBytes || (this.inflight.peek()?.buffers ?? false);
  }

  /**
   * On a RESP2 subscriber connection, pub/sub arrays (messages and (un)subscribe
   * confirmations) are not command replies: route them to `push` like RESP3 pushes.
   */
  pubsubRouting = false;

  /**
   * Commands written after every handshake whose answers arrive as pushes
   * (SUBSCRIBE and friends), so subscriptions survive reconnects. Each names its
   * channels: it is settled by one confirmation per argument.
   */
  resubscribe: (() => ReadonlyArray<{ name: string; args: readonly unknown[] }>) | undefined;

  /**
   * Writes a command that takes no FIFO slot: its confirmations arrive as pushes.
   * While disconnected nothing is written; `resubscribe` replays the state on connect.
   */
  sendNoReply(name: string, args: readonly unknown[]): Promise<void> {
    if (this.status === 'closing' || this.status === 'closed')
      return Promise.reject(new ConnectionError(CLOSED_MESSAGE));
    if (this.status !== 'ready') {
      if (this.status === 'idle') this.connect().catch(() => undefined);
      return Promise.resolve();
    }
    try {
      this.encoder.encode(name, args);
    } catch (e) {
      return Promise.reject(asDataError(e));
    }
    this.scheduleFlush();
    return Promise.resolve();
  }

  /** Commands waiting for a reply or for the connection. */
  get pendingCount(): number {
    return this.inflight.length + this.offline.length;
  }

  // --- ReplyHandler (called synchronously by the parser) ---------------------

  onReply(value: unknown): void {
    if (this.pubsubRouting && isPubSubArray(value)) {
      this.confirm(value as unknown[]);
      this.emit('push', value as unknown[]);
      return;
    }
    const p = this.inflight.shift();
    if (p === undefined) {
      this.emit('unsolicited', value);
      return;
    }
    this.parser.returnBuffers = this.headBuffers();
    if (!p.settled) {
      if (p.transform === undefined) p.resolve(value);
      else {
        try {
          p.resolve(p.transform(value));
        } catch (e) {
          p.reject(tagged(asDataError(e), p));
        }
      }
    }
    if (this.drained !== undefined && this.inflight.length === 0) this.drained();
  }

  onError(error: Error): void {
    const p = this.inflight.shift();
    if (p === undefined) {
      this.emit('error', error);
      return;
    }
    this.parser.returnBuffers = this.headBuffers();
    if (!p.settled) {
      // -LOADING proves the command did not run: it may go again once the server is ready.
      if (
        error instanceof BusyLoadingError &&
        !p.internal &&
        this.config.retry.shouldRetry(error, p.attempts + 1, { sent: true, safe: p.safe })
      ) {
        this.retryLater(p);
      } else {
        p.reject(tagged(error as RedisError, p));
      }
    }
    if (this.drained !== undefined && this.inflight.length === 0) this.drained();
  }

  onPush(value: unknown[]): void {
    this.confirm(value);
    this.emit('push', value);
  }

  /** A confirmation counts towards the (un)subscribe at the head, which settles with its last one. */
  private confirm(value: unknown[]): void {
    const p = this.inflight.peek();
    if (p?.confirmations === undefined || kindOf(value[0]) !== p.name.toLowerCase()) return;
    if (--p.confirmations > 0) return;
    this.inflight.shift();
    this.parser.returnBuffers = this.headBuffers();
    if (!p.settled) p.resolve(undefined);
    if (this.drained !== undefined && this.inflight.length === 0) this.drained();
  }

  onProtocolError(code: number, message: string): void {
    const error = protocolError(code, message);
    const head = this.inflight.shift();
    if (head !== undefined && !head.settled) head.reject(tagged(error, head));
    this.emit('error', error);
    this.lost(error, /* sentAreUnsafe */ true);
  }

  // --- internals --------------------------------------------------------------

  /** Commands waiting out a backoff before being sent again. */
  private readonly delayed = new Set<Pending>();

  private retryLater(p: Pending): void {
    p.attempts++;
    this.delayed.add(p);
    const timer = setTimeout(() => {
      if (!this.delayed.delete(p) || p.settled) return;
      if (this.status === 'ready') this.write(p);
      else this.offline.push(p);
    }, this.config.retry.delay(p.attempts));
    (timer as { unref?: () => void }).unref?.();
  }

  private enqueue(p: Pending): void {
    const status = this.status;
    if (status === 'closing' || status === 'closed') {
      p.reject(new ConnectionError(CLOSED_MESSAGE));
      return;
    }
    if (this.config.commandTimeout > 0 && !p.blocking) {
      p.deadline = Date.now() + this.config.commandTimeout;
      if (this.timeoutTimer === undefined) this.armTimeout(this.config.commandTimeout);
    }
    if (status === 'ready') {
      this.write(p);
      return;
    }
    const bad = firstBadArg(p.args);
    if (bad >= 0) {
      p.reject(tagged(new DataError(`argument ${bad + 1} has an unsupported type`), p));
      return;
    }
    if (this.offline.length >= this.config.maxOfflineQueue) {
      p.reject(tagged(new ConnectionError('Offline queue is full (maxOfflineQueue)'), p));
      return;
    }
    this.offline.push(p);
    if (status === 'idle') this.connect().catch(() => undefined);
  }

  /** Encodes into the current tick's write; the flush happens once per tick. */
  private write(p: Pending): void {
    try {
      this.encoder.encode(p.name, p.args);
    } catch (e) {
      p.reject(tagged(asDataError(e), p));
      return;
    }
    if (this.inflight.length === 0) this.parser.returnBuffers = p.buffers || this.subscriberBytes;
    p.seq = ++this.seq;
    this.inflight.push(p);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
  }

  private flushNow(): void {
    this.flushScheduled = false;
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
  }

  private async open(): Promise<void> {
    const c = this.config;
    const started = Date.now();
    const transport = await c.transport({
      host: c.host,
      port: c.port,
      path: c.path,
      tls: c.tls,
      connectTimeout: c.connectTimeout,
    });
    if (this.status === 'closed') {
      transport.destroy();
      throw new ConnectionError(CLOSED_MESSAGE);
    }
    this.parser.reset();
    this.transport = transport;
    transport.onData((chunk) => this.parser.feed(chunk));
    transport.onClose((error) => {
      if (this.transport === transport) this.lost(error, false);
    });
    try {
      // connectTimeout covers the whole set-up: a server that accepts but never answers must not hang connect().
      await withDeadline(this.handshake(), c.connectTimeout - (Date.now() - started), c.connectTimeout);
    } catch (e) {
      if (this.transport === transport) {
        this.transport = undefined;
        transport.destroy();
        this.encoder.take();
        // Only handshake commands can be in flight here; none may linger into the next socket.
        for (const p of this.inflight.drain())
          if (!p.settled) p.reject(new ConnectionError('Handshake failed', { cause: e }));
      }
      throw e;
    }
    if (this.transport !== transport) throw new ConnectionError('Connection lost during handshake');
    this.status = 'ready';
    for (const p of this.offline.drain()) if (!p.settled) this.write(p);
    this.emit('ready');
  }

  private async handshake(): Promise<void> {
    const c = this.config;
    const user = c.username ?? (c.password !== undefined ? 'default' : undefined);
    let resp3 = false;
    if (c.protocol === 3) {
      const args: unknown[] = [3];
      if (c.password !== undefined) args.push('AUTH', user, c.password);
      if (c.clientName !== undefined) args.push('SETNAME', c.clientName);
      try {
        const reply = await this.internal('HELLO', args);
        this.hello = readHello(reply, 3);
        resp3 = true;
      } catch (e) {
        // Any refusal except a credentials problem means "no HELLO here": speak RESP2.
        if (e instanceof AuthenticationError || !(e instanceof Error) || e instanceof ConnectionError)
          throw e;
      }
    }
    const steps: Array<Promise<unknown>> = [];
    if (!resp3) {
      if (c.password !== undefined) {
        steps.push(this.internal('AUTH', c.username !== undefined ? [c.username, c.password] : [c.password]));
      }
      if (c.clientName !== undefined) steps.push(this.internal('CLIENT', ['SETNAME', c.clientName]));
    }
    if (c.db !== 0) steps.push(this.internal('SELECT', [c.db]));
    if (c.readOnly) steps.push(this.internal('READONLY', []));
    for (const cmd of c.replay?.() ?? []) steps.push(this.internal(cmd.name, cmd.args));
    if (steps.length > 0) await Promise.all(steps);
    // Each holds a slot until confirmed, so a refusal cannot reach a queued command.
    for (const cmd of this.resubscribe?.() ?? []) this.write(this.replayed(cmd.name, cmd.args));
    this.scheduleFlush();
  }

  /** A resubscription: not awaited; a refusal is reported as an `error` event. */
  private replayed(name: string, args: readonly unknown[]): Pending {
    const onError = (e: Error): void => {
      if (!(e instanceof ConnectionError)) this.emit('error', e);
    };
    return pending(
      name,
      args,
      () => undefined,
      onError,
      { blocking: true, confirmations: Math.max(1, args.length) },
      true,
    );
  }

  /** A handshake command: written now, ahead of the offline queue. */
  private internal(name: string, args: readonly unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.write(pending(name, args, resolve, reject, { blocking: true }, true));
    });
  }

  /** The socket is gone (error, close or protocol violation). */
  private lost(error: Error | undefined, sentAreUnsafe: boolean): void {
    const transport = this.transport;
    this.transport = undefined;
    transport?.destroy();
    this.encoder.take();
    this.flushScheduled = false;
    this.emit('close', error);
    const cause = error ?? new Error('socket closed');
    const lostError = new ConnectionError('Connection lost before the reply arrived', { cause });
    const requeue: Pending[] = [];
    for (const p of this.inflight.drain()) {
      if (p.settled) continue;
      if (p.internal) {
        p.reject(new ConnectionError('Connection lost during handshake', { cause }));
        continue;
      }
      const sent = p.seq <= this.flushedSeq;
      const again =
        this.status !== 'closing' &&
        this.config.retry.shouldRetry(lostError, p.attempts + 1, { sent, safe: p.safe && !sentAreUnsafe });
      if (again) {
        p.attempts++;
        requeue.push(p);
      } else {
        p.reject(tagged(new ConnectionError(lostError.message, { cause }), p));
      }
    }
    // Requeued commands go first, in their original order.
    const rest = this.offline.drain();
    this.offline = new Fifo();
    for (const p of requeue) this.offline.push(p);
    for (const p of rest) this.offline.push(p);
    if (this.status === 'closing') {
      this.shutdown(new ConnectionError(CLOSED_MESSAGE, { cause }));
      return;
    }
    if (this.status === 'closed') return;
    this.scheduleReconnect(0);
  }

  private afterFailedConnect(error: Error): void {
    if (this.status === 'closed' || this.status === 'closing') return;
    this.emit('error', error);
    if (error instanceof AuthenticationError) {
      // Wrong credentials will not fix themselves: fail everything waiting.
      this.shutdown(error);
      return;
    }
    this.ageOffline(error);
    this.scheduleReconnect(this.failures + 1);
  }

  private failures = 0;

  private scheduleReconnect(failures: number): void {
    if (this.reconnectTimer !== undefined || this.status === 'closed') return;
    this.failures = failures;
    this.status = 'reconnecting';
    const delay = failures === 0 ? 0 : this.config.retry.backoff.compute(failures);
    this.emit('reconnecting', delay);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.status !== 'reconnecting') return;
      this.status = 'connecting';
      const attempt = this.open();
      this.connecting = attempt;
      attempt.then(
        () => {
          this.failures = 0;
          this.connecting = undefined;
        },
        (e: Error) => {
          this.connecting = undefined;
          this.afterFailedConnect(e);
        },
      );
    }, delay);
  }

  /** Commands that waited through too many failed attempts give up. */
  private ageOffline(error: Error): void {
    const retries = this.config.retry.retries;
    const keep = new Fifo<Pending>();
    for (const p of this.offline.drain()) {
      if (p.settled) continue;
      if (p.attempts >= retries) {
        p.reject(tagged(errorFor(error), p));
      } else {
        p.attempts++;
        keep.push(p);
      }
    }
    this.offline = keep;
  }

  private shutdown(error: Error): void {
    this.status = 'closed';
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    if (this.timeoutTimer !== undefined) clearTimeout(this.timeoutTimer);
    this.reconnectTimer = undefined;
    this.timeoutTimer = undefined;
    const transport = this.transport;
    this.transport = undefined;
    if (transport !== undefined) {
      if (this.inflight.length === 0) transport.end();
      else transport.destroy();
    }
    for (const p of this.inflight.drain()) if (!p.settled) p.reject(tagged(errorFor(error), p));
    for (const p of this.offline.drain()) if (!p.settled) p.reject(tagged(errorFor(error), p));
    for (const p of this.delayed) if (!p.settled) p.reject(tagged(errorFor(error), p));
    this.delayed.clear();
    this.emit('end');
  }

  private armTimeout(ms: number): void {
    const timer = setTimeout(() => this.checkTimeouts(), ms);
    (timer as { unref?: () => void }).unref?.();
    this.timeoutTimer = timer;
  }

  /** Rejects overdue commands but keeps their FIFO slots, so late replies are dropped, never misdelivered. */
  private checkTimeouts(): void {
    this.timeoutTimer = undefined;
    const now = Date.now();
    let next = Infinity;
    for (const queue of [this.inflight, this.offline] as Array<Fifo<Pending>>) {
      for (const p of queue) {
        if (p.settled || p.deadline === 0) continue;
        if (p.deadline <= now) {
          p.settled = true;
          p.reject(tagged(new TimeoutError(`Command timed out after ${this.config.commandTimeout} ms`), p));
        } else if (p.deadline < next) {
          next = p.deadline;
          break; // deadlines grow along each queue
        }
      }
    }
    if (next !== Infinity) this.armTimeout(Math.max(1, next - now));
  }
}

const PUBSUB_KINDS = new Set([
  'message',
  'pmessage',
  'smessage',
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
]);
const ascii = new TextDecoder();

/** The kind of a pub/sub array or push (`'message'`, `'subscribe'`, …), lower-case as sent. */
function kindOf(kind: unknown): string | undefined {
  if (typeof kind === 'string') return kind;
  return kind instanceof Uint8Array && kind.length <= 12 ? ascii.decode(kind) : undefined;
}

/** A RESP2 array that is a pub/sub message or (un)subscribe confirmation. */
function isPubSubArray(value: unknown): boolean {
  if (!Array.isArray(value) || value.length < 3) return false;
  const kind: unknown = value[0];
  if (typeof kind === 'string') return PUBSUB_KINDS.has(kind);
  return kind instanceof Uint8Array && kind.length <= 12 && PUBSUB_KINDS.has(ascii.decode(kind));
}

/** A FIFO entry. Internal ones (handshake, resubscriptions) are never requeued nor shown to users. */
function pending(
  name: string,
  args: readonly unknown[],
  resolve: (value: unknown) => void,
  reject: (error: Error) => void,
  options: SendOptions | undefined,
  internal: boolean,
): Pending {
  return {
    name,
    args,
    resolve,
    reject,
    buffers: options?.buffers ?? false,
    transform: options?.transform,
    safe: options?.safe ?? false,
    blocking: options?.blocking ?? false,
    deadline: 0,
    attempts: 0,
    settled: false,
    internal,
    seq: 0,
    confirmations: options?.confirmations,
  };
}

/** The error with the command's name attached (upper-case, never its arguments). */
function tagged(error: Error, p: Pending): Error {
  return withCommand(error as RedisError, p.name.toUpperCase());
}

/** Rejects with TimeoutError when `ms` pass first; `limit` 0 (or beyond setTimeout's range) means no limit. */
function withDeadline<T>(work: Promise<T>, ms: number, limit: number): Promise<T> {
  if (!(limit > 0 && limit <= 2_147_483_647)) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TimeoutError(`connection set-up timed out after ${limit} ms`)),
      Math.max(1, ms),
    );
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function readHello(reply: unknown, protocol: 2 | 3): ServerHello {
  const r = (reply ?? {}) as Record<string, unknown>;
  return {
    protocol,
    version: typeof r.version === 'string' ? r.version : undefined,
    id: typeof r.id === 'number' ? r.id : undefined,
  };
}

function firstBadArg(args: readonly unknown[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const t = typeof a;
    if (t !== 'string' && t !== 'number' && t !== 'bigint' && !(a instanceof Uint8Array)) return i;
    if (t === 'number' && Number.isNaN(a)) return i;
  }
  return -1;
}

function asDataError(e: unknown): Error {
  if (e instanceof DataError) return e;
  return new DataError(e instanceof Error ? e.message : 'could not decode the reply', { cause: e });
}

/**
 * A fresh error per pending command (each gets its own `command`), of the same
 * class when it is a connection or authentication failure, with the shared one as cause.
 */
function errorFor(error: Error): RedisError {
  if (error instanceof ConnectionError || error instanceof AuthenticationError) {
    const Cls = error.constructor as new (
      message: string,
      options: { cause: unknown; code?: string },
    ) => RedisError;
    return new Cls(error.message, { cause: error, code: error.code });
  }
  return new ConnectionError(error.message, { cause: error });
}
