/** Redis Sentinel: clients that find their node through the sentinels and follow failovers. */
export { Sentinel, type SentinelOptions } from './sentinel.js';
export type { NodeAddress } from './discovery.js';
