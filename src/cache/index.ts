/** Server-assisted client-side caching (RESP3 CLIENT TRACKING, RESP2 REDIRECT). */
export { ClientCache, type ClientSideCache } from './client-cache.js';
export { resolveCacheOptions, type ClientSideCacheOptions, type ResolvedCacheOptions } from './options.js';
export type { CacheStats } from './store.js';
export type { Tracker } from './tracker.js';
