/**
 * Publishing and Pub/Sub introspection. Subscribing lives in the Pub/Sub API
 * (`subscribe`, `psubscribe`, `ssubscribe`), not here: it changes the connection's mode.
 */
import { toNumberObject } from './transforms.js';
import type { RedisValue } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

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

export const publishCommands = {
  publish: {
    command: 'publish',
    params: ['channel', 'message'],
    args: ([channel, message]: [RedisValue, RedisValue]) => [channel, message],
  },
  spublish: {
    command: 'spublish',
    params: ['channel', 'message'],
    args: ([channel, message]: [RedisValue, RedisValue]) => [channel, message],
  },
  pubsubChannels: {
    command: 'pubsub',
    params: ['pattern?'],
    args: ([pattern]: [string?]) => (pattern === undefined ? ['CHANNELS'] : ['CHANNELS', pattern]),
  },
  pubsubNumsub: {
    command: 'pubsub',
    params: ['...channels'],
    args: (channels: RedisValue[]) => ['NUMSUB', ...channels],
    reply: toNumberObject,
  },
  pubsubNumpat: {
    command: 'pubsub',
    params: [],
    args: () => ['NUMPAT'],
  },
  pubsubShardchannels: {
    command: 'pubsub',
    params: ['pattern?'],
    args: ([pattern]: [string?]) => (pattern === undefined ? ['SHARDCHANNELS'] : ['SHARDCHANNELS', pattern]),
  },
  pubsubShardnumsub: {
    command: 'pubsub',
    params: ['...channels'],
    args: (channels: RedisValue[]) => ['SHARDNUMSUB', ...channels],
    reply: toNumberObject,
  },
} satisfies Declarations<PublishCommands<unknown>>;

/** PUBSUB queries the server does not flag read-only. PUBLISH is not idempotent (subscribers would get it twice). */
export const pubsubRules: RuleSet = idempotentAll([
  'pubsub|channels',
  'pubsub|numsub',
  'pubsub|numpat',
  'pubsub|shardchannels',
  'pubsub|shardnumsub',
  'pubsub|help',
]);
