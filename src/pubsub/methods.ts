/**
 * The client methods of Pub/Sub, installed on a client prototype (`Redis`), so the client
 * class only declares them. A `withBuffers()` view gets bytes.
 */
import type { ResolvedOptions } from '../shared/options.js';
import type { Connection } from '../connection/connection.js';
import type { CallOptions } from '../shared/call-options.js';
import { pubsubFor } from './pubsub.js';
import type { Subscription } from './subscription.js';
import type { MessageListener, PatternListener, PubSubName, SubscribeOptions } from './types.js';

/** Pub/Sub methods of a client whose messages are of type `M` (string, or bytes under `withBuffers()`). */
export interface PubSubCommands<M> {
  /** SUBSCRIBE: resolves once the server confirmed every channel. Without a listener, iterate the subscription. */
  subscribe(
    channels: PubSubName | readonly PubSubName[],
    listener?: MessageListener<M>,
    options?: SubscribeOptions,
  ): Promise<Subscription<M>>;
  /** PSUBSCRIBE: listeners get `(message, channel, pattern)`. */
  psubscribe(
    patterns: PubSubName | readonly PubSubName[],
    listener?: PatternListener<M>,
    options?: SubscribeOptions,
  ): Promise<Subscription<M>>;
  /** SSUBSCRIBE (sharded channels, Redis 7+). */
  ssubscribe(
    channels: PubSubName | readonly PubSubName[],
    listener?: MessageListener<M>,
    options?: SubscribeOptions,
  ): Promise<Subscription<M>>;
  /** Removes `listener` (every listener when omitted) from `channels` (all when omitted); UNSUBSCRIBE for channels left without listeners. */
  unsubscribe(channels?: PubSubName | readonly PubSubName[], listener?: MessageListener<M>): Promise<void>;
  /** Removes `listener` (every listener when omitted) from `patterns` (all when omitted); PUNSUBSCRIBE for patterns left without listeners. */
  punsubscribe(patterns?: PubSubName | readonly PubSubName[], listener?: PatternListener<M>): Promise<void>;
  /** Removes `listener` (every listener when omitted) from shard `channels` (all when omitted); SUNSUBSCRIBE for channels left without listeners. */
  sunsubscribe(channels?: PubSubName | readonly PubSubName[], listener?: MessageListener<M>): Promise<void>;
}

interface Host {
  readonly connection: Connection;
  readonly resolvedOptions: ResolvedOptions;
  readonly buffers?: boolean;
  /** A `withOptions()` view's signal and timeout: they bound each (un)subscribe call. */
  readonly callOptions?: CallOptions | undefined;
  emit?(event: 'error', error: Error): void;
}

/** Defines the `PubSubCommands` methods on `proto` (a client class whose instances have `connection` and `resolvedOptions`). */
export function installPubSub(proto: object): void {
  const ps = (self: Host) => pubsubFor(self, { onError: (e) => self.emit?.('error', e) });
  const bytes = (self: Host): boolean => self.buffers === true;
  const methods: Record<string, (this: Host, ...args: never[]) => Promise<unknown>> = {
    async subscribe(
      this: Host,
      names: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
      options?: SubscribeOptions,
    ) {
      return ps(this).subscribe('channel', names, listener, bytes(this), options, this.callOptions);
    },
    async psubscribe(
      this: Host,
      names: PubSubName | readonly PubSubName[],
      listener?: PatternListener<unknown>,
      options?: SubscribeOptions,
    ) {
      return ps(this).subscribe('pattern', names, listener, bytes(this), options, this.callOptions);
    },
    async ssubscribe(
      this: Host,
      names: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
      options?: SubscribeOptions,
    ) {
      return ps(this).subscribe('shard', names, listener, bytes(this), options, this.callOptions);
    },
    async unsubscribe(
      this: Host,
      names?: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
    ) {
      return ps(this).unsubscribe('channel', names, listener, this.callOptions);
    },
    async punsubscribe(
      this: Host,
      names?: PubSubName | readonly PubSubName[],
      listener?: PatternListener<unknown>,
    ) {
      return ps(this).unsubscribe('pattern', names, listener, this.callOptions);
    },
    async sunsubscribe(
      this: Host,
      names?: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
    ) {
      return ps(this).unsubscribe('shard', names, listener, this.callOptions);
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(proto, name, { configurable: true, writable: true, value: fn });
  }
}
