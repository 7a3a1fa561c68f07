/**
 * A standalone client's Pub/Sub: picks the connection subscriptions live on and hands out
 * `Subscription`s. Under RESP3 that is the client's shared connection (messages are pushes, so
 * commands keep flowing on it); under RESP2 a subscribed connection accepts nothing but
 * (un)subscribe and PING, so a dedicated one is opened on the first subscribe.
 */
import { Connection } from '../connection/connection.js';
import { closedError } from '../errors/closed.js';
import type { ResolvedOptions } from '../shared/options.js';
import { ConnectionError, DataError, ErrorCodes } from '../errors/index.js';
import { Subscriber, type Sink } from './subscriber.js';
import { Subscription } from './subscription.js';
import { subscribeUnder, unsubscribeUnder } from './view.js';
import type { CallOptions } from '../shared/call-options.js';
import type { MessageListener, PatternListener, PubSubKind, PubSubName, SubscribeOptions } from './types.js';

export interface PubSubHooks {
  /** Background failures of the dedicated subscriber connection (reconnects, refused resubscriptions). */
  onError?: (error: Error) => void;
}

/** What Pub/Sub needs from a client: its shared connection and its options. */
export interface PubSubHost {
  readonly connection: Connection;
  readonly resolvedOptions: ResolvedOptions;
}

export class PubSub {
  private current: Subscriber | undefined;
  private choosing: Promise<Subscriber> | undefined;
  private dedicated: Connection | undefined;
  private closed = false;

  constructor(
    private readonly main: Connection,
    private readonly options: ResolvedOptions,
    private readonly hooks: PubSubHooks = {},
  ) {
    main.on('end', () => {
      // The client's close() and disconnect() close Pub/Sub first: an end nobody asked for is the
      // client giving up reconnecting (maxReconnectAttempts). Its own 'end' event says so; the
      // subscriptions' iterators throw it rather than end as if unsubscribed.
      const failure = this.closed ? undefined : gaveUp('client');
      this.closed = true;
      if (failure === undefined) this.current?.end();
      else this.current?.end(failure, true);
      // The client has ended: closing the subscriber connection is best effort, no caller to tell.
      this.dedicated?.close().catch(() => undefined);
    });
  }

  /** @internal The subscriber in use, once chosen. */
  get subscriber(): Subscriber | undefined {
    return this.current;
  }

  /** Subscribes `listener` (or an iterator when none) to `names`; resolves once the server confirmed them all. */
  subscribe<M>(
    kind: 'pattern',
    names: PubSubName | readonly PubSubName[],
    listener: PatternListener<M> | undefined,
    bytes: boolean,
    options?: SubscribeOptions,
    view?: CallOptions,
  ): Promise<Subscription<M>>;
  subscribe<M>(
    kind: PubSubKind,
    names: PubSubName | readonly PubSubName[],
    listener: MessageListener<M> | undefined,
    bytes: boolean,
    options?: SubscribeOptions,
    view?: CallOptions,
  ): Promise<Subscription<M>>;
  async subscribe<M>(
    kind: PubSubKind,
    names: PubSubName | readonly PubSubName[],
    listener: MessageListener<M> | PatternListener<M> | undefined,
    bytes: boolean,
    options: SubscribeOptions = {},
    view?: CallOptions,
  ): Promise<Subscription<M>> {
    const list = nameList(names, kind);
    if (listener !== undefined && typeof listener !== 'function')
      throw new DataError('listener must be a function');
    return subscribeUnder<M>(view, SUBSCRIBE[kind], async (hold) => {
      const subscriber = await this.link();
      const shape = { bytes, buffer: this.options.binary === 'buffer' };
      const sub = new Subscription<M>(kind, list, listener, shape, options, (sink) =>
        subscriber.remove(kind, list, (s) => s === sink),
      );
      if (hold(sub)) await subscriber.add(kind, list, sub.sink);
      return sub;
    });
  }

  /**
   * Removes `listener` (every listener when omitted) from `names` (every name of the kind when
   * omitted); names left without listeners are unsubscribed. Subscriptions losing all their
   * names finish their iterators.
   */
  async unsubscribe(
    kind: PubSubKind,
    names?: PubSubName | readonly PubSubName[],
    listener?: (...args: never[]) => void,
    view?: CallOptions,
  ): Promise<void> {
    const list = names === undefined ? undefined : nameList(names, kind);
    const which =
      listener === undefined ? undefined : (s: Sink & { listener?: unknown }) => s.listener === listener;
    await unsubscribeUnder(view, UNSUBSCRIBE[kind], async () => {
      await this.current?.remove(kind, list, which);
    });
  }

  /** Closes the dedicated connection (RESP2) and ends every subscription. */
  async close(): Promise<void> {
    this.closed = true;
    this.current?.end();
    await this.dedicated?.close();
  }

  /**
   * Drops the dedicated connection (RESP2) at once: its unanswered (un)subscribes settle now, and
   * a graceful close of it (the client's `close()`, or the main connection's end) stops waiting
   * for a server that may never answer.
   */
  disconnect(): void {
    this.closed = true;
    this.current?.end();
    this.dedicated?.disconnect();
  }

  /**
   * The RESP2 subscriber connection lost its socket while holding subscriptions. It reconnects and
   * restores them, but messages published meanwhile are missed: reported on the `error` event,
   * as under RESP3 the client's own `close` event tells. Silent, a gap in the messages could not
   * be told from a quiet channel.
   */
  private subscriberLost(conn: Connection, cause: Error | undefined): void {
    const subscriber = this.current;
    if (this.closed || subscriber?.connection !== conn || subscriber.size === 0) return;
    this.hooks.onError?.(
      new ConnectionError(
        'The Pub/Sub connection was lost: messages published until its subscriptions are restored are missed',
        { cause, code: ErrorCodes.CONNECTION_LOST },
      ),
    );
  }

  /** The connection subscriptions live on, chosen once the negotiated protocol is known. */
  private link(): Promise<Subscriber> {
    if (this.current !== undefined) return Promise.resolve(this.current);
    // Made after the client ended, this Pub/Sub never heard its 'end': a RESP2 subscriber
    // connection opened now would outlive the client (nobody closes it).
    if (this.closed || this.main.closed) return Promise.reject(closedError());
    this.choosing ??= this.choose().finally(() => {
      this.choosing = undefined;
    });
    return this.choosing;
  }

  private async choose(): Promise<Subscriber> {
    let conn: Connection | undefined;
    if (this.options.protocol === 3) {
      // HELLO may have been refused (old server): only the handshake tells.
      await this.main.connect();
      if (this.main.hello.protocol === 3) conn = this.main;
    }
    if (conn === undefined) {
      conn = new Connection({ ...this.options });
      conn.routePubSub({ resp2: true });
      const onError = this.hooks.onError;
      if (onError !== undefined) conn.on('error', onError);
      const made = conn;
      conn.on('close', (cause) => this.subscriberLost(made, cause));
      this.dedicated = conn;
      // Connected first: a Subscriber on a connection still in its handshake would have its
      // first SUBSCRIBE both replayed by the handshake and sent as a command.
      try {
        await conn.connect();
      } catch (e) {
        // The connection would go on reconnecting with nothing on it, and the next subscribe
        // makes another one: left behind, it outlives close() and keeps the process alive.
        conn.disconnect();
        if (this.dedicated === conn) this.dedicated = undefined;
        throw e;
      }
    }
    if (this.closed) {
      conn.disconnect();
      throw closedError();
    }
    // Before the Subscriber's own 'end' listener: its sinks must learn the error, not a plain end.
    if (conn !== this.main) conn.on('end', () => this.subscriberEnded(conn));
    this.current = new Subscriber(conn);
    return this.current;
  }

  /**
   * The RESP2 subscriber connection closed for good on its own (`maxReconnectAttempts` spent)
   * while the client lives on. Its subscriptions end with a ConnectionError (iterators throw it,
   * the `error` event reports it) and the next subscribe opens a new connection. Left in place,
   * the ended subscriber let iterators finish as if unsubscribed, told nobody, and refused every
   * later subscribe for the life of the client.
   */
  private subscriberEnded(conn: Connection): void {
    const subscriber = this.current;
    if (this.closed || subscriber?.connection !== conn) return;
    this.current = undefined;
    this.dedicated = undefined;
    const error = gaveUp('Pub/Sub connection');
    subscriber.end(error, true);
    this.hooks.onError?.(error);
  }
}

/** The end of subscriptions whose connection (`who`: the client's, or Pub/Sub's own) gave up reconnecting. */
function gaveUp(who: string): ConnectionError {
  return new ConnectionError(
    `The ${who} gave up reconnecting (maxReconnectAttempts): its subscriptions ended`,
    {
      code: ErrorCodes.RECONNECT_ATTEMPTS_EXHAUSTED,
    },
  );
}

/** Command names of each kind, for the errors of a `withOptions()` view. */
export const SUBSCRIBE: Record<PubSubKind, string> = {
  channel: 'SUBSCRIBE',
  pattern: 'PSUBSCRIBE',
  shard: 'SSUBSCRIBE',
};
export const UNSUBSCRIBE: Record<PubSubKind, string> = {
  channel: 'UNSUBSCRIBE',
  pattern: 'PUNSUBSCRIBE',
  shard: 'SUNSUBSCRIBE',
};

const hosts = new WeakMap<Connection, PubSub>();

/** The Pub/Sub of a client if it was used, for closing it with the client. */
export function existingPubSub(host: { readonly connection: Connection }): PubSub | undefined {
  return hosts.get(host.connection);
}

/** The Pub/Sub of a client (shared by its `withBuffers()` views), created on first use. */
export function pubsubFor(host: PubSubHost, hooks?: PubSubHooks): PubSub {
  const main = host.connection;
  let ps = hosts.get(main);
  if (ps === undefined) {
    ps = new PubSub(main, host.resolvedOptions, hooks);
    hosts.set(main, ps);
  }
  return ps;
}

/** The names of a (un)subscribe call as a list, checked (DataError on none or a wrong type). */
export function nameList(names: PubSubName | readonly PubSubName[], kind: PubSubKind): PubSubName[] {
  const list = Array.isArray(names) ? [...(names as readonly PubSubName[])] : [names as PubSubName];
  const what = kind === 'pattern' ? 'pattern' : 'channel';
  if (list.length === 0) throw new DataError(`at least one ${what} is needed`);
  for (const n of list) {
    if (typeof n !== 'string' && !(n instanceof Uint8Array))
      throw new DataError(`a ${what} must be a string or bytes`);
  }
  return list;
}
