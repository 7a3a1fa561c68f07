/**
 * One command waiting for its reply, and the FIFO that holds them. Replies come
 * back in request order, so the head of the FIFO is always the owner of the next
 * reply; a slot is never skipped (a timed-out command keeps its slot and its
 * late reply is dropped), which is what keeps replies from reaching the wrong caller.
 */
import { ConnectionError, ResponseError, withCommand, type RedisError } from '../errors/index.js';

/**
 * How a command may be sent again after its connection dropped before the reply:
 * `'readonly'` by default, `'idempotent'` (a write harmless twice) only under
 * `replay: 'idempotent'`, `'never'` (other writes, unknown names, FLUSHALL …) never.
 */
export type Replay = 'never' | 'idempotent' | 'readonly';

/** Bits of `Pending.flags` (one small integer instead of five fields: a queued command is kept small). */
const BUFFERS = 1;
const BLOCKING = 2;
const INTERNAL = 4;
const SETTLED = 8;
const REPLAY_IDEMPOTENT = 16;
const REPLAY_READONLY = 32;

/** What few commands carry (pub/sub confirmations, MULTI blocks, traces): one field, usually empty. */
interface Extra {
  confirmations: number | undefined;
  batch: Pending[] | undefined;
  trace: { attempts: number } | undefined;
}

/**
 * One command between the caller and its reply. Kept compact on purpose: under a stalled
 * server millions of them may wait (issue #11), so flags share one integer, times are small
 * integers relative to the queue's epoch (no boxed doubles), and the rarely used parts live in
 * one optional object.
 */
export class Pending {
  /** Released (emptied) once the command settled without its reply, so a kept slot stays tiny. */
  args: readonly unknown[];
  /** Shapes the protocol value into the typed reply (run before resolve). */
  transform: ((reply: unknown) => unknown) | undefined;
  /**
   * Deadline of the current attempt in the queue's relative ms (see CommandQueue.now), 0 = none.
   * A small integer, so the field never holds a boxed double.
   */
  deadline = 0;
  /** Write order, to tell sent from not-yet-flushed commands when the socket drops (0 = unwritten). */
  seq = 0;
  /** Failed attempts (reconnects, retried error replies) this command has lived through. */
  attempts = 0;
  private flags: number;
  private extra: Extra | undefined = undefined;

  constructor(
    /** Command name as sent (for error messages: never the arguments). */
    readonly name: string,
    args: readonly unknown[],
    public resolve: (value: unknown) => void,
    public reject: (error: Error) => void,
    transform: ((reply: unknown) => unknown) | undefined,
    options: {
      buffers: boolean;
      blocking: boolean;
      internal: boolean;
      replay: Replay;
      confirmations?: number | undefined;
      trace?: { attempts: number } | undefined;
    },
  ) {
    this.args = args;
    this.transform = transform;
    this.flags =
      (options.buffers ? BUFFERS : 0) |
      (options.blocking ? BLOCKING : 0) |
      (options.internal ? INTERNAL : 0) |
      (options.replay === 'readonly'
        ? REPLAY_READONLY
        : options.replay === 'idempotent'
          ? REPLAY_IDEMPOTENT
          : 0);
    if (options.confirmations !== undefined || options.trace !== undefined)
      this.extra = { confirmations: options.confirmations, batch: undefined, trace: options.trace };
  }

  /** String replies as bytes instead of UTF-8 strings. */
  get buffers(): boolean {
    return (this.flags & BUFFERS) !== 0;
  }

  /** Exempt from commandTimeout (blocking commands carry their own). */
  get blocking(): boolean {
    return (this.flags & BLOCKING) !== 0;
  }

  /** Handshake commands: never requeued, never surfaced to users. */
  get internal(): boolean {
    return (this.flags & INTERNAL) !== 0;
  }

  /** May it be written again after the connection dropped without an answer. */
  get replay(): Replay {
    const f = this.flags;
    return (f & REPLAY_READONLY) !== 0 ? 'readonly' : (f & REPLAY_IDEMPOTENT) !== 0 ? 'idempotent' : 'never';
  }

  /** Already settled without its reply (timed out); the reply, when it comes, is dropped. */
  get settled(): boolean {
    return (this.flags & SETTLED) !== 0;
  }

  set settled(on: boolean) {
    this.flags = on ? this.flags | SETTLED : this.flags & ~SETTLED;
  }

  /** Pub/sub (un)subscribe: settled by this many more confirmations (pushes), not by a reply. */
  get confirmations(): number | undefined {
    return this.extra?.confirmations;
  }

  set confirmations(n: number | undefined) {
    if (this.extra !== undefined) this.extra.confirmations = n;
    else if (n !== undefined) this.extra = { confirmations: n, batch: undefined, trace: undefined };
  }

  /** Part of a MULTI…EXEC block: the block is requeued or failed as a whole. */
  get batch(): Pending[] | undefined {
    return this.extra?.batch;
  }

  set batch(b: Pending[] | undefined) {
    if (this.extra !== undefined) this.extra.batch = b;
    else if (b !== undefined) this.extra = { confirmations: undefined, batch: b, trace: undefined };
  }

  /** The `wredis:command` trace context, only while someone traces: counts the writes. */
  get trace(): { attempts: number } | undefined {
    return this.extra?.trace;
  }
}

const noop = (): void => undefined;
const NO_ARGS: readonly unknown[] = [];

/** Settles a command without its reply and keeps only a placeholder in its slot. */
export function settleWithout(p: Pending, error: Error): void {
  if (p.settled) return;
  const reject = p.reject;
  release(p);
  reject(error);
}

/** Drops everything the slot no longer needs (arguments, callbacks, transform). */
export function release(p: Pending): void {
  p.settled = true;
  p.args = NO_ARGS;
  p.resolve = noop;
  p.reject = noop;
  p.transform = undefined;
  p.batch = undefined;
}

/** The error with the command's name attached (upper-case, never its arguments). */
export function tagged(error: Error, p: Pending): Error {
  return withCommand(error as RedisError, p.name.toUpperCase());
}

/**
 * A fresh error per pending command (each gets its own `command`), of the same class
 * (connection and set-up failures keep theirs), with the shared one as cause. Without stack
 * frames (see `stackless`) unless `callerStack`: a rejection made inside the caller's own call
 * keeps the frames that lead to it.
 */
export function errorFor(error: Error, callerStack = false): RedisError {
  const make = callerStack ? (f: () => RedisError): RedisError => f() : stackless;
  const e = error as RedisError;
  if (e instanceof ConnectionError || e instanceof ResponseError) {
    const Cls = e.constructor as new (
      message: string,
      options: { cause: unknown; code?: string },
    ) => RedisError;
    // A wrapper that already names its cause (e.g. "gave up after N attempts" <- the last error) passes it on.
    const cause = e instanceof ConnectionError && e.cause !== undefined ? e.cause : e;
    return make(() => new Cls(e.message, { cause, code: e.code }));
  }
  return make(() => new ConnectionError(e.message, { cause: e }));
}

const errorClass = Error as { stackTraceLimit?: number };

/**
 * Builds an error without capturing stack frames. For the per-command errors made when many
 * commands fail at once (timeouts, a lost, failed or closed connection): they are made in a
 * timer or socket callback, so their frames would show only the queue's internals, and
 * capturing them costs about 650 bytes per error: 1.3 GB when 2M queued commands fail
 * together (issue #11, item 6). The shared error they carry as `cause` keeps its stack; the
 * `stack` still starts with `Name: message`.
 */
export function stackless<E>(make: () => E): E {
  const limit = errorClass.stackTraceLimit;
  errorClass.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    errorClass.stackTraceLimit = limit;
  }
}

/** FIFO with O(1) push/shift and occasional compaction. */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Keeps only the items `keep` approves, in order (O(length)). */
  retain(keep: (item: T) => boolean): void {
    const out: Array<T | undefined> = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      if (keep(item)) out.push(item);
    }
    this.items = out;
    this.head = 0;
  }

  /** Removes and returns the newest items as long as `take` approves them, oldest first. */
  popNewest(take: (item: T) => boolean): T[] {
    let from = this.items.length;
    while (from > this.head && take(this.items[from - 1] as T)) from--;
    const out = this.items.slice(from) as T[];
    this.items.length = from;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    return out;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
