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

export interface Pending {
  /** Command name as sent (for error messages: never the arguments). */
  readonly name: string;
  /** Released (emptied) once the command settled without its reply, so a kept slot stays tiny. */
  args: readonly unknown[];
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** String replies as bytes instead of UTF-8 strings. */
  readonly buffers: boolean;
  /** Shapes the protocol value into the typed reply (run before resolve). */
  transform: ((reply: unknown) => unknown) | undefined;
  /** May it be written again after the connection dropped without an answer. */
  readonly replay: Replay;
  /** Exempt from commandTimeout (blocking commands carry their own). */
  readonly blocking: boolean;
  /** Absolute ms deadline of the current attempt, 0 = none. */
  deadline: number;
  /** When the current attempt was written (ms), for stuck detection and honest timeout messages. */
  writtenAt: number;
  /** Chunks received before the current attempt was written (stuck detection). */
  chunksAtWrite: number;
  /** Failed attempts (reconnects, retried error replies) this command has lived through. */
  attempts: number;
  /** Already settled without its reply (timed out); the reply, when it comes, is dropped. */
  settled: boolean;
  /** Handshake commands: never requeued, never surfaced to users. */
  readonly internal: boolean;
  /** Write order, to tell sent from not-yet-flushed commands when the socket drops. */
  seq: number;
  /** Pub/sub (un)subscribe: settled by this many more confirmations (pushes), not by a reply. */
  confirmations?: number | undefined;
  /** Part of a MULTI…EXEC block: the block is requeued or failed as a whole. */
  batch?: Pending[] | undefined;
  /** The `wredis:command` trace context, only while someone traces: counts the writes. */
  trace: { attempts: number } | undefined;
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
 * (connection and set-up failures keep theirs), with the shared one as cause.
 */
export function errorFor(error: Error): RedisError {
  const e = error as RedisError;
  if (e instanceof ConnectionError || e instanceof ResponseError) {
    const Cls = e.constructor as new (
      message: string,
      options: { cause: unknown; code?: string },
    ) => RedisError;
    // A wrapper that already names its cause (e.g. "gave up after N attempts" <- the last error) passes it on.
    const cause = e instanceof ConnectionError && e.cause !== undefined ? e.cause : e;
    return new Cls(e.message, { cause, code: e.code });
  }
  return new ConnectionError(e.message, { cause: e });
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
