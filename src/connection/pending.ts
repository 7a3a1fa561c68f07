/**
 * One command waiting for its reply, and the FIFO that holds them. Replies come
 * back in request order, so the head of the FIFO is always the owner of the next
 * reply; a slot is never skipped (a timed-out command keeps its slot and its
 * late reply is dropped), which is what keeps replies from reaching the wrong caller.
 */
export interface Pending {
  /** Command name as sent (for error messages: never the arguments). */
  readonly name: string;
  readonly args: readonly unknown[];
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** String replies as bytes instead of UTF-8 strings. */
  readonly buffers: boolean;
  /** Shapes the protocol value into the typed reply (run before resolve). */
  readonly transform: ((reply: unknown) => unknown) | undefined;
  /** May be sent again after the connection dropped without an answer. */
  readonly safe: boolean;
  /** Exempt from commandTimeout (blocking commands carry their own). */
  readonly blocking: boolean;
  /** Absolute ms deadline, 0 = none. */
  deadline: number;
  /** Reconnect attempts this command has lived through. */
  attempts: number;
  /** Already rejected (timed out); its reply, when it comes, is dropped. */
  settled: boolean;
  /** Handshake commands: never requeued, never surfaced to users. */
  readonly internal: boolean;
  /** Write order, to tell sent from not-yet-flushed commands when the socket drops. */
  seq: number;
  /** Pub/sub (un)subscribe: settled by this many more confirmations (pushes), not by a reply. */
  confirmations?: number;
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
