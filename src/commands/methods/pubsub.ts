/**
 * Publishing and Pub/Sub introspection. Subscribing lives in the Pub/Sub API
 * (`subscribe`, `psubscribe`, `ssubscribe`), not here: it changes the connection's mode.
 */
import { toNumberObject } from './transforms.js';
import type { RedisValue } from './types.js';
import { command, idempotentAll, type RuleSet, type Signatures } from '../declare.js';

/**
 * The publish command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link PublishCommands} maps them.
 */
function declarations<S>() {
  return {
    /** PUBLISH: the number of clients that received the message. */
    publish: command<(channel: RedisValue, message: RedisValue) => number>({
      command: 'publish',
      params: ['channel', 'message'],
      args: ([channel, message]) => [channel, message],
    }),
    /** SPUBLISH (Redis 7.0+): to a shard channel. */
    spublish: command<(channel: RedisValue, message: RedisValue) => number>({
      command: 'spublish',
      params: ['channel', 'message'],
      args: ([channel, message]) => [channel, message],
    }),
    /** PUBSUB CHANNELS [pattern]: channels with at least one subscriber. */
    pubsubChannels: command<(pattern?: string) => S[]>({
      command: 'pubsub',
      params: ['pattern?'],
      args: ([pattern]) => (pattern === undefined ? ['CHANNELS'] : ['CHANNELS', pattern]),
    }),
    /** PUBSUB NUMSUB channel…: subscribers per channel. */
    pubsubNumsub: command<(...channels: RedisValue[]) => Record<string, number>>({
      command: 'pubsub',
      params: ['...channels'],
      args: (channels) => ['NUMSUB', ...channels],
      reply: toNumberObject,
    }),
    /** PUBSUB NUMPAT: the number of pattern subscriptions. */
    pubsubNumpat: command<() => number>({
      command: 'pubsub',
      params: [],
      args: () => ['NUMPAT'],
    }),
    pubsubShardchannels: command<(pattern?: string) => S[]>({
      command: 'pubsub',
      params: ['pattern?'],
      args: ([pattern]) => (pattern === undefined ? ['SHARDCHANNELS'] : ['SHARDCHANNELS', pattern]),
    }),
    pubsubShardnumsub: command<(...channels: RedisValue[]) => Record<string, number>>({
      command: 'pubsub',
      params: ['...channels'],
      args: (channels) => ['SHARDNUMSUB', ...channels],
      reply: toNumberObject,
    }),
  };
}

export const publishCommands = declarations();

/** The publish command signatures, with plain reply types; clients wrap them in promises. */
export type PublishCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

/** PUBSUB queries the server does not flag read-only. PUBLISH is not idempotent (subscribers would get it twice). */
export const pubsubRules: RuleSet = idempotentAll([
  'pubsub|channels',
  'pubsub|numsub',
  'pubsub|numpat',
  'pubsub|shardchannels',
  'pubsub|shardnumsub',
  'pubsub|help',
]);
