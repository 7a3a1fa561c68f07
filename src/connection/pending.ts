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

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * Bits of `Pending.state` (one small integer instead of six fields: a queued command is kept
 * small). The number of attempts lives above the flags.
 */
export const BUFFERS = 1;
export const BLOCKING = 2;
export const INTERNAL = 4;
const SETTLED = 8;
export const REPLAY_IDEMPOTENT = 16;
export const REPLAY_READONLY = 32;
/** Arguments held in `a0`/`a1` (0, 1 or 2 of them), or `a0` holds the array (ARGS_ARRAY). */
const ARGC_SHIFT = 6;
const ARGC = 3 << ARGC_SHIFT;
const ARGS_ARRAY = 256;
const FLAG_BITS = 0x1ff;
const ATTEMPT_SHIFT = 9;
/** Attempts saturate here (2^22 - 1), which keeps `state` a small integer; no retry policy counts that far. */
const MAX_ATTEMPTS = 0x3fffff;

/** A fenced command (see `Pending.fence`) waits for its own outcome: an error reply, or its fence's reply. */
export const FENCE_OWN = 1;
/** A fenced command was refused: only its fence's reply is still due, and ends its slot. */
export const FENCE_ONLY = 2;

/**
 * The part of a `wredis:command` context the connection fills in: the writes of the command
 * (`attempts`), and the server of the latest one when its transport names the node it reached
 * (`Transport.peer`, Sentinel clients: a command queued before the connect, or retried after a
 * failover, went to a node its context could not know when it was made).
 */
export interface WriteTrace {
  attempts: number;
  serverAddress: string;
  serverPort: number | undefined;
}

/** What few commands carry (pub/sub confirmations, MULTI blocks, traces): one field, usually empty. */
interface Extra {
  confirmations: number | undefined;
  /** The confirmations one send earns (the server confirms every name of each send). */
  confirming: number | undefined;
  /** 0, FENCE_OWN or FENCE_ONLY. */
  fence: number;
  batch: Pending[] | undefined;
  trace: WriteTrace | undefined;
}

/** An Extra with one shape wherever it is made (what a command carries, confirmed from the first). */
function extra(
  confirmations: number | undefined,
  batch: Pending[] | undefined,
  trace: WriteTrace | undefined,
): Extra {
  return { confirmations, confirming: confirmations, fence: 0, batch, trace };
}

/**
 * One command between the caller and its reply. Kept compact on purpose: under a stalled
 * server millions of them may wait (issue #11), so flags and the attempt count share one
 * integer, times are small integers relative to the queue's epoch (no boxed doubles), up to two
 * arguments are held in two fields (not the caller's array: 64 bytes less for GET, SET, HGET …),
 * and the rarely used parts live in one optional object.
 */
export class Pending {
  /** The first argument, or the argument array when there are more than two or a fence (ARGS_ARRAY). */
  private a0: unknown;
  /** The second argument; with ARGS_ARRAY, the name of a fence written after the command (see `fence`). */
  private a1: unknown;
  /** Shapes the protocol value into the typed reply (run before resolve). */
  transform: ((reply: unknown) => unknown) | undefined;
  /**
   * Deadline of the current attempt in the queue's relative ms (see CommandQueue.now), 0 = none.
   * A small integer, so the field never holds a boxed double.
   */
  deadline = 0;
  /** Write order, to tell sent from not-yet-flushed commands when the socket drops (0 = unwritten). */
  seq = 0;
  private state: number;
  private extra: Extra | undefined = undefined;

  /**
   * @param flags BUFFERS, BLOCKING, INTERNAL, REPLAY_IDEMPOTENT or REPLAY_READONLY, or'ed.
   */
  constructor(
    /** Command name as sent (for error messages: never the arguments). */
    readonly name: string,
    args: readonly unknown[],
    public resolve: (value: unknown) => void,
    public reject: (error: Error) => void,
    transform: ((reply: unknown) => unknown) | undefined,
    flags: number,
  ) {
    const n = args.length;
    if (n <= 2) {
      this.a0 = args[0];
      this.a1 = args[1];
      this.state = (flags & 0x3f) | (n << ARGC_SHIFT);
    } else {
      this.a0 = args;
      this.a1 = undefined;
      this.state = (flags & 0x3f) | ARGS_ARRAY;
    }
    this.transform = transform;
  }

  /** Attaches what few commands carry (set once, when made). */
  carry(confirmations: number | undefined, trace: WriteTrace | undefined): void {
    if (confirmations !== undefined || trace !== undefined)
      this.extra = extra(confirmations, undefined, trace);
  }

  /** The arguments (a fresh array unless there are more than two); empty once released. */
  get args(): readonly unknown[] {
    const s = this.state;
    if ((s & ARGS_ARRAY) !== 0) return this.a0 as readonly unknown[];
    const n = (s & ARGC) >>> ARGC_SHIFT;
    return n === 0 ? NO_ARGS : n === 1 ? [this.a0] : [this.a0, this.a1];
  }

  /** Encodes the command with `encoder` (no array is made for up to two arguments). */
  encodeWith(encoder: {
    encode(name: string, args: readonly unknown[]): void;
    encodeShort(name: string, count: number, a0: unknown, a1: unknown): void;
  }): void {
    const s = this.state;
    if ((s & ARGS_ARRAY) !== 0) {
      encoder.encode(this.name, this.a0 as readonly unknown[]);
      if (this.a1 !== undefined) encoder.encodeShort(this.a1 as string, 0, undefined, undefined);
    } else encoder.encodeShort(this.name, (s & ARGC) >>> ARGC_SHIFT, this.a0, this.a1);
  }

  /**
   * Writes `command` (no arguments, e.g. PING) right after this command, in the same write and
   * slot: the fence's reply ends the slot, so an error reply before it is this command's own
   * (see CommandQueue.fencedError). For a command whose confirmations the server may also send on
   * its own. The arguments move to the array form, whose unused second field names the fence:
   * the short form of GET, SET … is untouched.
   */
  fence(command: string): void {
    if ((this.state & ARGS_ARRAY) === 0) {
      this.a0 = this.args;
      this.state = (this.state & ~ARGC) | ARGS_ARRAY;
    }
    this.a1 = command;
    (this.extra ??= extra(undefined, undefined, undefined)).fence = FENCE_OWN;
  }

  /** 0 unless fenced: FENCE_OWN, then FENCE_ONLY once refused. */
  get fenced(): number {
    return this.extra?.fence ?? 0;
  }

  set fenced(state: number) {
    if (this.extra !== undefined) this.extra.fence = state;
  }

  /** Forgets the arguments (a settled slot keeps none). */
  dropArgs(): void {
    this.a0 = undefined;
    this.a1 = undefined;
    this.state &= ~(ARGC | ARGS_ARRAY);
  }

  /** Failed attempts (reconnects, retried error replies) this command has lived through. */
  get attempts(): number {
    return this.state >>> ATTEMPT_SHIFT;
  }

  set attempts(n: number) {
    this.state = (this.state & FLAG_BITS) | (Math.min(n, MAX_ATTEMPTS) << ATTEMPT_SHIFT);
  }

  /** String replies as bytes instead of UTF-8 strings. */
  get buffers(): boolean {
    return (this.state & BUFFERS) !== 0;
  }

  /** Exempt from commandTimeout (blocking commands carry their own). */
  get blocking(): boolean {
    return (this.state & BLOCKING) !== 0;
  }

  /** Handshake commands: never requeued, never surfaced to users. */
  get internal(): boolean {
    return (this.state & INTERNAL) !== 0;
  }

  /** May it be written again after the connection dropped without an answer. */
  get replay(): Replay {
    const f = this.state;
    return (f & REPLAY_READONLY) !== 0 ? 'readonly' : (f & REPLAY_IDEMPOTENT) !== 0 ? 'idempotent' : 'never';
  }

  /** Already settled without its reply (timed out); the reply, when it comes, is dropped. */
  get settled(): boolean {
    return (this.state & SETTLED) !== 0;
  }

  set settled(on: boolean) {
    this.state = on ? this.state | SETTLED : this.state & ~SETTLED;
  }

  /** Pub/sub (un)subscribe: settled by this many more confirmations (pushes), not by a reply. */
  get confirmations(): number | undefined {
    return this.extra?.confirmations;
  }

  set confirmations(n: number | undefined) {
    if (this.extra !== undefined) this.extra.confirmations = n;
    else if (n !== undefined) this.extra = extra(n, undefined, undefined);
  }

  /**
   * A resend is confirmed name by name again, from the first: those its lost socket delivered
   * no longer count, else the surplus would settle the (un)subscribe queued behind it. A fenced
   * one waits for its own outcome again.
   */
  rearmConfirmations(): void {
    const extra = this.extra;
    if (extra?.confirming !== undefined) extra.confirmations = extra.confirming;
    if (extra !== undefined && extra.fence !== 0) extra.fence = FENCE_OWN;
  }

  /** Part of a MULTI…EXEC block: the block is requeued or failed as a whole. */
  get batch(): Pending[] | undefined {
    return this.extra?.batch;
  }

  set batch(b: Pending[] | undefined) {
    if (this.extra !== undefined) this.extra.batch = b;
    else if (b !== undefined) this.extra = extra(undefined, b, undefined);
  }

  /** The `wredis:command` trace context, only while someone traces: counts the writes. */
  get trace(): WriteTrace | undefined {
    return this.extra?.trace;
  }
}

const noop = (): void => undefined;

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
  p.dropArgs();
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
