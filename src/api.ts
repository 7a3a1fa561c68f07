/** The public API, the same on every runtime; entry points add only the platform. */
export { Redis, type RedisBuffers, type RedisEvents, type Bytes } from './client/redis.js';
export type { Credentials, CredentialsProvider } from './connection/handshake.js';
export type { ConnectionStatus } from './connection/connection.js';
export type { Listener } from './util/emitter.js';
export type { KeysArg } from './commands/methods/args.js';
export type { KeyInput } from './core/slots.js';
export type { PubSubKind } from './pubsub/types.js';
export type { ClientSideCache, ClientSideCacheOptions, CacheStats } from './cache/index.js';
export { Pipeline, Transaction } from './shared/pipeline.js';
export { DedicatedConnection } from './shared/dedicated.js';
export type { CallOptions } from './shared/call-options.js';
export {
  RedisCluster,
  type RedisClusterOptions,
  type RedisClusterBuffers,
  type ClusterNodeOptions,
  type ClusterStatus,
  type RedisClusterEvents,
} from './cluster/cluster.js';
export type { ClusterConnection } from './cluster/lent.js';
export type { ReadFrom } from './cluster/topology.js';
export type { NatMap, HostPort } from './shared/nat-map.js';
export type { RedisOptions } from './shared/options.js';
export type { TlsOptions } from './transport/types.js';
export type {
  RedisKey,
  RedisValue,
  RedisArg,
  ScoredMember,
  ScanPage,
  ScanOptions,
  KeyScanOptions,
  ScriptCall,
  ExpireMode,
  ListEnd,
  SetOptions,
  SetExpiry,
  SetCondition,
  GetExOptions,
  CopyOptions,
  RestoreOptions,
  SortOptions,
  FieldValue,
  HGetExOptions,
  HSetExOptions,
  HSetExCondition,
  LPosOptions,
  ListPop,
  ZAddOptions,
  ZAddCondition,
  ZMember,
  ZRangeOptions,
  ZCombineOptions,
  ZKeyedMember,
  ZPop,
  ScoreBound,
  LexBound,
  StreamEntry,
  GroupStreamEntry,
  StreamRead,
  StreamOffset,
  StreamTrim,
  XAddOptions,
  XReadOptions,
  XReadGroupOptions,
  XGroupCreateOptions,
  XPendingSummary,
  XPendingEntry,
  XPendingOptions,
  XClaimOptions,
  XAutoClaimResult,
  XInfoStream,
  XInfoGroup,
  XInfoConsumer,
  GeoUnit,
  GeoPosition,
  GeoMember,
  GeoAddOptions,
  GeoFrom,
  GeoBy,
  GeoSearchOptions,
  GeoSearchWithOptions,
  GeoSearchStoreOptions,
  GeoSearchResult,
  BitfieldType,
  BitfieldOffset,
  BitfieldOperation,
  BitRange,
  FunctionInfo,
  LibraryInfo,
  FunctionLoadOptions,
  FunctionListOptions,
  ClientInfo,
  ClientListOptions,
  ClientKillFilter,
  SlowlogEntry,
  ModuleInfo,
} from './commands/methods/index.js';
export type { ScanIterators } from './shared/scan.js';
export * from './errors/index.js';
export type { Monitor, MonitorEvent } from './client/monitor.js';
export {
  DIAGNOSTICS_CHANNELS,
  type ServerContext,
  type CommandTraceContext,
  type BatchTraceContext,
  type ConnectTraceContext,
  type ConnectionReadyMessage,
  type ConnectionClosedMessage,
  type ClusterRedirectMessage,
  type ClusterRefreshMessage,
} from './diagnostics.js';
export * from './retry.js';
export { keySlot, keySlots } from './core/slots.js';
export { Parser, type ParserOptions, type ReplyHandler } from './core/parser.js';
export { Sentinel, type SentinelOptions, type NodeAddress } from './sentinel/index.js';
export {
  Subscription,
  type MessageListener,
  type PatternListener,
  type PubSubMessage,
  type PubSubName,
  type SubscribeOptions,
} from './pubsub/index.js';
export {
  Script,
  defineScript,
  type WithSlot,
  type ScriptSource,
  type ScriptBatch,
} from './features/script.js';
export { Lock, type LockOptions, type AcquireOptions, type ExtendOptions } from './features/lock.js';
export {
  StreamConsumer,
  type StreamConsumerOptions,
  type StreamGroupConsumerOptions,
  type StreamReaderOptions,
  type ConsumerEntry,
  type GroupConsumerEntry,
} from './features/stream-consumer.js';
