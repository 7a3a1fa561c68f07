/** Public types of Pub/Sub. `M` is the type of names and payloads: `string`, or bytes under `withBuffers()`. */

/** A channel or pattern name as callers give it. */
export type PubSubName = string | Uint8Array;

/** The three subscription spaces: channels (SUBSCRIBE), patterns (PSUBSCRIBE), shard channels (SSUBSCRIBE). */
export type PubSubKind = 'channel' | 'pattern' | 'shard';

/** Called for every message on a subscribed channel (SUBSCRIBE, SSUBSCRIBE). */
export type MessageListener<M = string> = (message: M, channel: M) => void;

/** Called for every message matching a subscribed pattern (PSUBSCRIBE). */
export type PatternListener<M = string> = (message: M, channel: M, pattern: M) => void;

/** What a subscription's async iterator yields. `pattern` is set for pattern subscriptions. */
export interface PubSubMessage<M = string> {
  /** The channel the message was published to. */
  channel: M;
  /** The payload. */
  message: M;
  /** For pattern subscriptions: the pattern that matched. */
  pattern?: M;
}

/** Options of `subscribe()`, `psubscribe()` and `ssubscribe()`. */
export interface SubscribeOptions {
  /**
   * Messages held for the async iterator before it reads them. Default 1024.
   * Messages are buffered only for a subscription made without a listener, or while it is iterated.
   */
  bufferSize?: number;
  /**
   * What happens when the buffer is full. `'error'` (default): the subscription ends and the
   * iterator, after yielding what it already holds, throws `PubSubError`. `'drop-oldest'`: the
   * oldest buffered message is dropped (counted in `dropped`).
   */
  overflow?: 'error' | 'drop-oldest';
}
