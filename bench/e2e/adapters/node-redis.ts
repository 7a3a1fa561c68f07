/** node-redis (`redis` v6): `createClient` / `createCluster`, pipelines via `multi().execAsPipeline()`. */
import { createClient, createCluster, RESP_TYPES } from 'redis';
import type { Adapter, AdapterOptions, Endpoint, Mode } from './types.js';

export function nodeRedisAdapter(mode: Mode, ep: Endpoint, options: AdapterOptions = {}): Adapter {
  // Its client-side cache needs RESP3; defaults otherwise (10,000 entries is wredis' default too).
  const csc =
    options.clientSideCache === true ? { RESP: 3 as const, clientSideCache: { maxEntries: 10_000 } } : {};
  const c =
    mode === 'cluster'
      ? createCluster({ rootNodes: [{ socket: { host: ep.host, port: ep.port } }], ...csc })
      : createClient({ socket: { host: ep.host, port: ep.port }, ...csc });
  // A lost connection must surface as a failed run, not an unhandled 'error' event crash.
  let lastError: unknown;
  c.on('error', (e: unknown) => {
    lastError = e;
  });
  // Buffer replies: node-redis maps the RESP blob-string type to Buffer on a derived client.
  const bytes =
    options.buffers === true ? c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) : undefined;
  return {
    notes: [
      ...(options.clientSideCache === true ? ['RESP: 3, clientSideCache: { maxEntries: 10000 }'] : []),
      ...(bytes !== undefined ? ['GET through withTypeMapping({ BLOB_STRING: Buffer })'] : []),
    ],
    cacheStats:
      options.clientSideCache === true && mode === 'standalone'
        ? () => {
            const s = (
              c as unknown as { clientSideCache: { stats(): { hitCount: number; missCount: number } } }
            ).clientSideCache.stats();
            return { hits: s.hitCount, misses: s.missCount };
          }
        : undefined,
    connect: async () => {
      await c.connect();
      if (lastError !== undefined) throw lastError;
    },
    get: bytes !== undefined ? (k) => bytes.get(k) : (k) => c.get(k),
    set: (k, v) => c.set(k, v),
    mget: (keys) => c.mGet(keys),
    lrange: (k) => c.lRange(k, 0, -1),
    hgetall: (k) => c.hGetAll(k),
    pipelineGet: (keys) => {
      const m = c.multi();
      for (let i = 0; i < keys.length; i++) m.get(keys[i] as string);
      return m.execAsPipeline();
    },
    close: async () => {
      await c.close();
    },
  };
}
