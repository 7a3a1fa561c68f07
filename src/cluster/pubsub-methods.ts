/**
 * The Pub/Sub methods of `RedisCluster` (the `PubSubCommands` of the standalone client),
 * installed on its prototype; the work is done by `ClusterPubSub`.
 */
import { UNSUBSCRIBE, nameList } from '../pubsub/pubsub.js';
import { unsubscribeUnder } from '../pubsub/view.js';
import type { CallOptions } from '../shared/call-options.js';
import type { Sink } from '../pubsub/subscriber.js';
import type { PubSubCommands } from '../pubsub/methods.js';
import type {
  MessageListener,
  PatternListener,
  PubSubKind,
  PubSubName,
  SubscribeOptions,
} from '../pubsub/types.js';
import type { ClusterPubSub } from './pubsub.js';

interface Host {
  readonly clusterPubSub: ClusterPubSub;
  readonly buffers?: boolean;
  /** A `withOptions()` view's signal and timeout: they bound each (un)subscribe call. */
  readonly callOptions?: CallOptions | undefined;
}

/** Defines the `PubSubCommands` methods on the cluster client's prototype. */
export function installClusterPubSub(proto: object): void {
  const bytes = (self: Host): boolean => self.buffers === true;
  const methods: {
    [K in keyof PubSubCommands<unknown>]: (this: Host, ...args: never[]) => Promise<unknown>;
  } = {
    async subscribe(
      this: Host,
      names: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
      options?: SubscribeOptions,
    ) {
      return this.clusterPubSub.subscribe('channel', names, listener, bytes(this), options, this.callOptions);
    },
    async psubscribe(
      this: Host,
      names: PubSubName | readonly PubSubName[],
      listener?: PatternListener<unknown>,
      options?: SubscribeOptions,
    ) {
      return this.clusterPubSub.subscribe('pattern', names, listener, bytes(this), options, this.callOptions);
    },
    async ssubscribe(
      this: Host,
      names: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
      options?: SubscribeOptions,
    ) {
      return this.clusterPubSub.subscribe('shard', names, listener, bytes(this), options, this.callOptions);
    },
    async unsubscribe(
      this: Host,
      names?: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
    ) {
      return unsubscribe(this.clusterPubSub, 'channel', names, listener, this.callOptions);
    },
    async punsubscribe(
      this: Host,
      names?: PubSubName | readonly PubSubName[],
      listener?: PatternListener<unknown>,
    ) {
      return unsubscribe(this.clusterPubSub, 'pattern', names, listener, this.callOptions);
    },
    async sunsubscribe(
      this: Host,
      names?: PubSubName | readonly PubSubName[],
      listener?: MessageListener<unknown>,
    ) {
      return unsubscribe(this.clusterPubSub, 'shard', names, listener, this.callOptions);
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(proto, name, { configurable: true, writable: true, value: fn });
  }
}

function unsubscribe(
  ps: ClusterPubSub,
  kind: PubSubKind,
  names: PubSubName | readonly PubSubName[] | undefined,
  listener: unknown,
  view: CallOptions | undefined,
): Promise<void> {
  const list = names === undefined ? undefined : nameList(names, kind);
  const which =
    listener === undefined ? undefined : (s: Sink & { listener?: unknown }) => s.listener === listener;
  return unsubscribeUnder(view, UNSUBSCRIBE[kind], () => ps.remove(kind, list, which));
}
