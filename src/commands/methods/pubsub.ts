/**
 * Publishing and Pub/Sub introspection. Subscribing lives in the Pub/Sub API
 * (`subscribe`, `psubscribe`, `ssubscribe`), not here: it changes the connection's mode.
 */
import { toNumberObject } from './transforms.js';
import type { Implementation, RedisValue } from './types.js';

export interface PublishCommands<S> {
  /** PUBLISH: the number of clients that received the message. */
  publish(channel: RedisValue, message: RedisValue): number;
  /** SPUBLISH (Redis 7.0+): to a shard channel. */
  spublish(channel: RedisValue, message: RedisValue): number;
  /** PUBSUB CHANNELS [pattern]: channels with at least one subscriber. */
  pubsubChannels(pattern?: string): S[];
  /** PUBSUB NUMSUB channel…: subscribers per channel. */
  pubsubNumsub(...channels: RedisValue[]): Record<string, number>;
  /** PUBSUB NUMPAT: the number of pattern subscriptions. */
  pubsubNumpat(): number;
  pubsubShardchannels(pattern?: string): S[];
  pubsubShardnumsub(...channels: RedisValue[]): Record<string, number>;
}

export const publishCommands: Implementation<PublishCommands<unknown>> = {
  publish(channel: RedisValue, message: RedisValue) {
    return this.dispatch('publish', [channel, message]);
  },
  spublish(channel: RedisValue, message: RedisValue) {
    return this.dispatch('spublish', [channel, message]);
  },
  pubsubChannels(pattern?: string) {
    return this.dispatch('pubsub', pattern === undefined ? ['CHANNELS'] : ['CHANNELS', pattern]);
  },
  pubsubNumsub(...channels: RedisValue[]) {
    return this.dispatch('pubsub', ['NUMSUB', ...channels], toNumberObject);
  },
  pubsubNumpat() {
    return this.dispatch('pubsub', ['NUMPAT']);
  },
  pubsubShardchannels(pattern?: string) {
    return this.dispatch('pubsub', pattern === undefined ? ['SHARDCHANNELS'] : ['SHARDCHANNELS', pattern]);
  },
  pubsubShardnumsub(...channels: RedisValue[]) {
    return this.dispatch('pubsub', ['SHARDNUMSUB', ...channels], toNumberObject);
  },
};
