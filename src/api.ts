/** The public API, the same on every runtime; entry points add only the platform. */
export { Redis, type RedisBuffers, type RedisEvents, type Bytes } from './client/redis.js';
export { Pipeline, Transaction } from './client/pipeline.js';
export { DedicatedConnection } from './client/dedicated.js';
export { RedisCluster, type RedisClusterOptions, type RedisClusterBuffers, type ClusterNodeOptions } from './cluster/cluster.js';
export type { RedisOptions } from './client/options.js';
export type { TlsOptions } from './transport/types.js';
export type { RedisKey, RedisValue, SetOptions, ZAddOptions, ScoredMember } from './commands/methods/index.js';
export * from './errors/index.js';
export * from './retry.js';
export { keySlot, keySlots } from './core/slots.js';
export { Parser, type ParserOptions, type ReplyHandler } from './core/parser.js';
export { Sentinel, type SentinelOptions, type NodeAddress } from './sentinel/index.js';
export { Subscription, type MessageListener, type PatternListener, type PubSubMessage, type PubSubName, type SubscribeOptions } from './pubsub/index.js';
export { Script, defineScript, type ScriptSource, type ScriptBatch } from './features/script.js';
export { Lock, type LockOptions, type AcquireOptions, type ExtendOptions } from './features/lock.js';
export {
  StreamConsumer,
  type StreamConsumerOptions,
  type StreamGroupConsumerOptions,
  type StreamReaderOptions,
  type ConsumerEntry,
  type GroupConsumerEntry,
} from './features/stream-consumer.js';
