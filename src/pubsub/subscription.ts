/**
 * What `subscribe()`, `psubscribe()` and `ssubscribe()` resolve with: the caller's listener
 * and/or an async iterator over the messages, with a bounded buffer between the connection and
 * a slow reader.
 */
import { PubSubError } from '../errors/index.js';
import type { Sink } from './subscriber.js';
import type {
  MessageListener,
  PatternListener,
  PubSubKind,
  PubSubMessage,
  PubSubName,
  SubscribeOptions,
} from './types.js';
import { asBytes, asText, nameKey } from './values.js';

/** Default `bufferSize`. */
export const DEFAULT_BUFFER_SIZE = 1024;

/** How a subscription's messages are shaped: text, or bytes (Buffer when `buffer`). */
export interface Shape {
  bytes: boolean;
  buffer: boolean;
}

type AnyListener = (message: unknown, channel: unknown, pattern: unknown) => void;

/**
 * One `subscribe()` call's hold on its names. Messages go to the listener given to
 * `subscribe()` if any; they are buffered for the async iterator when no listener was given,
 * and while an iterator is reading. Leaving the `for await` loop early unsubscribes.
 */
export class Subscription<M = string> implements AsyncIterable<PubSubMessage<M>> {
  /** Messages dropped because the buffer was full (`overflow: 'drop-oldest'`). */
  dropped = 0;

  /** @internal */
  readonly sink: Sink & { readonly listener: unknown };

  private readonly active = new Set<string>();
  private readonly queue: Array<PubSubMessage<M> | undefined> = [];
  private head = 0;
  private reading = 0;
  private done = false;
  private failure: Error | undefined;
  private wakers: Array<() => void> = [];
  private readonly bufferSize: number;
  private readonly overflow: 'error' | 'drop-oldest';

  /** @internal Built by the client; `leave` unsubscribes this subscription's sink from its names. */
  constructor(
    /** `'channel'`, `'pattern'` or `'shard'`. */
    readonly kind: PubSubKind,
    /** The names as given to `subscribe()`. */
    readonly names: readonly PubSubName[],
    listener: MessageListener<M> | PatternListener<M> | undefined,
    private readonly shape: Shape,
    options: SubscribeOptions,
    private readonly leave: (sink: Sink) => Promise<void>,
  ) {
    const size = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    if (!Number.isInteger(size) || size < 1) throw new PubSubError('bufferSize must be a positive integer');
    this.bufferSize = size;
    this.overflow = options.overflow ?? 'error';
    for (const n of names) this.active.add(nameKey(n));
    const call = listener as AnyListener | undefined;
    const buffered = call === undefined;
    this.sink = {
      listener,
      deliver: (_kind, channel, message, pattern) => {
        const c = this.value(channel);
        const m = this.value(message);
        const p = pattern === undefined ? undefined : this.value(pattern);
        // Buffered before the listener runs: a listener that throws must not cost the iterator its copy.
        if (buffered || this.reading > 0)
          this.push(p === undefined ? { channel: c, message: m } : { channel: c, message: m, pattern: p });
        if (call !== undefined) {
          if (p === undefined) (call as (m: M, c: M) => void)(m, c);
          else call(m, c, p);
        }
      },
      removed: (_kind, key, error) => {
        this.active.delete(key);
        // A failure (its connection gave up) is thrown by the iterator once it has yielded what
        // it holds: ending like an unsubscribe, the loop could not tell the two apart.
        if (error !== undefined && !this.done) this.failure ??= error;
        if (this.active.size === 0) this.finish();
      },
    };
  }

  /** False once every name was unsubscribed (or the client closed). */
  get subscribed(): boolean {
    return !this.done;
  }

  /** Messages waiting for the iterator. */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  /**
   * Ends this subscription: its listener is removed and names nobody else listens to are
   * unsubscribed. The iterator yields what it already holds, then finishes.
   */
  async unsubscribe(): Promise<void> {
    if (this.done && this.active.size === 0) return;
    await this.leave(this.sink);
    this.finish();
  }

  /**
   * Iterates the messages; leaving the loop unsubscribes. Ends when every name is unsubscribed or
   * the client closes; throws after the buffered messages when the subscription failed (a full
   * buffer, or a RESP2 subscriber connection that gave up reconnecting).
   */
  [Symbol.asyncIterator](): AsyncIterator<PubSubMessage<M>> {
    this.reading++;
    let closed = false;
    const close = (): void => {
      if (!closed) {
        closed = true;
        this.reading--;
      }
    };
    return {
      next: async (): Promise<IteratorResult<PubSubMessage<M>>> => {
        for (;;) {
          if (this.head < this.queue.length) {
            const value = this.queue[this.head]!;
            this.queue[this.head++] = undefined;
            if (this.head === this.queue.length) {
              this.queue.length = 0;
              this.head = 0;
            }
            return { value, done: false };
          }
          if (this.done || closed) {
            close();
            if (this.failure !== undefined) throw this.failure;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => {
            this.wakers.push(resolve);
          });
        }
      },
      return: async (): Promise<IteratorResult<PubSubMessage<M>>> => {
        close();
        await this.unsubscribe();
        return { value: undefined, done: true };
      },
    };
  }

  private value(v: unknown): M {
    return (this.shape.bytes ? asBytes(v, this.shape.buffer) : asText(v)) as M;
  }

  private push(message: PubSubMessage<M>): void {
    if (this.done) return;
    if (this.buffered >= this.bufferSize) {
      if (this.overflow === 'drop-oldest') {
        this.queue[this.head++] = undefined;
        this.dropped++;
        if (this.head >= this.bufferSize) {
          // Keep the array from growing behind a reader that never catches up.
          this.queue.splice(0, this.head);
          this.head = 0;
        }
      } else {
        this.failure = new PubSubError(
          `Subscription buffer overflow: more than ${this.bufferSize} messages waiting for the iterator`,
        );
        // The iterator already fails with the overflow error; unsubscribing is best effort.
        this.leave(this.sink).catch(() => undefined);
        this.finish();
        return;
      }
    }
    this.queue.push(message);
    this.signal();
  }

  private finish(): void {
    this.done = true;
    this.signal();
  }

  private signal(): void {
    if (this.wakers.length === 0) return;
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}
