/** Builds the adapter for a client name; wredis is imported lazily (it may not load yet). */
import type { Adapter, ClientName, Endpoint, Mode } from './types.js';

export async function createAdapter(client: ClientName, mode: Mode, ep: Endpoint): Promise<Adapter> {
  switch (client) {
    case 'wredis':
      return (await import('./wredis.js')).wredisAdapter(mode, ep);
    case 'ioredis':
      return (await import('./ioredis.js')).ioredisAdapter(mode, ep, false);
    case 'ioredis-ap':
      return (await import('./ioredis.js')).ioredisAdapter(mode, ep, true);
    case 'node-redis':
      return (await import('./node-redis.js')).nodeRedisAdapter(mode, ep);
  }
}
