/**
 * Where pushes go: RESP3 pushes always, and on a RESP2 connection reserved for pub/sub the
 * ordinary arrays that are messages or (un)subscribe confirmations. A confirmation also
 * counts towards the (un)subscribe command waiting for it (the queue's job); everything is
 * then handed to the `push` listener. Installed on a connection with `routePubSub()`.
 */
import type { ReplayedCommand } from './state.js';

/** What a pub/sub user installs on a connection. */
export interface PubSubRouting {
  /** Route RESP2 pub/sub arrays as pushes (a connection reserved for subscriptions). */
  resp2?: boolean;
  /** Deliver pub/sub payloads as bytes (binary-safe); listeners decode as they asked. */
  bytes?: boolean;
  /** The subscriptions to restore on every new socket; undefined removes the hook. */
  subscriptions?: (() => readonly ReplayedCommand[]) | undefined;
  /** A connection in MONITOR mode: the lines the server streams go here, not to the queue. */
  monitor?: ((line: string) => void) | undefined;
}

/** A MONITOR line starts with its Unix time: `1339518083.107412 [0 127.0.0.1:60866] "GET" "k"`. */
const MONITOR_LINE = /^\d+\.\d+ \[/;

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
export function kindOf(kind: unknown): string | undefined {
  if (typeof kind === 'string') return kind;
  return kind instanceof Uint8Array && kind.length <= 12 ? ascii.decode(kind) : undefined;
}

/** A RESP2 array that is a pub/sub message or (un)subscribe confirmation. */
function isPubSubArray(value: unknown): value is unknown[] {
  if (!Array.isArray(value) || value.length < 3) return false;
  const kind = kindOf(value[0]);
  return kind !== undefined && PUBSUB_KINDS.has(kind);
}

export class PushRouter {
  /** RESP2 pub/sub arrays are pushes, not replies. */
  resp2 = false;
  /** Pub/sub payloads as bytes. */
  bytes = false;
  /** MONITOR lines go here (a connection lent to `monitor()`). */
  monitor: ((line: string) => void) | undefined;

  constructor(
    /** Counts a confirmation towards the (un)subscribe at the head of the queue. */
    private readonly confirm: (kind: string | undefined) => void,
    /** Hands the push to the connection's listeners. */
    private readonly deliver: (value: unknown[]) => void,
  ) {}

  /** On a binary subscriber connection every reply is decoded as bytes. */
  get subscriberBytes(): boolean {
    return this.bytes && this.resp2;
  }

  /** Takes a reply that is really a RESP2 pub/sub array; false leaves it to the queue. */
  claim(value: unknown): boolean {
    if (this.monitor !== undefined && typeof value === 'string' && MONITOR_LINE.test(value)) {
      this.monitor(value);
      return true;
    }
    if (!this.resp2 || !isPubSubArray(value)) return false;
    this.push(value);
    return true;
  }

  /** A RESP3 push (or a claimed RESP2 array). */
  push(value: unknown[]): void {
    this.confirm(kindOf(value[0]));
    this.deliver(value);
  }
}
