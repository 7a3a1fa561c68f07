/** Builds the adapter for a client name; wredis is imported lazily (it may not load yet). */
import {
  UnavailableError,
  isAgainst,
  refuseOptions,
  type Adapter,
  type AdapterOptions,
  type ClientName,
  type Endpoint,
  type Mode,
} from './types.js';

/** GLIDE's native binary may be missing on this platform: "not available", with the loader's reason. */
async function glide(): Promise<typeof import('./glide.js')> {
  try {
    return await import('./glide.js');
  } catch (e) {
    throw new UnavailableError(`glide does not load: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
}

/**
 * `wredisRoot` is the tree an `wredis@<ref>` client loads (its dist/), built by `--against`.
 * Adapters that support some `options` take them; the others refuse every option here.
 */
export async function createAdapter(
  client: ClientName,
  mode: Mode,
  ep: Endpoint,
  options: AdapterOptions = {},
  wredisRoot?: string,
): Promise<Adapter> {
  if (isAgainst(client)) {
    if (wredisRoot === undefined) throw new Error(`${client}: no build root given`);
    refuseOptions(client, options, ['buffers']);
    return (await import('./wredis.js')).wredisAdapter(mode, ep, wredisRoot, options);
  }
  // clientSideCache: wredis and node-redis bring their own; ioredis has none and runs as the baseline without.
  // buffers: every client has a way to return GET replies as bytes.
  refuseOptions(
    client,
    options,
    client === 'wredis' || client === 'node-redis' || client === 'ioredis'
      ? ['clientSideCache', 'buffers']
      : ['buffers'],
  );
  switch (client) {
    case 'wredis':
      return (await import('./wredis.js')).wredisAdapter(mode, ep, undefined, options);
    case 'ioredis':
      return (await import('./ioredis.js')).ioredisAdapter(mode, ep, false, options);
    case 'ioredis-ap':
      return (await import('./ioredis.js')).ioredisAdapter(mode, ep, true, { buffers: options.buffers });
    case 'node-redis':
      return (await import('./node-redis.js')).nodeRedisAdapter(mode, ep, options);
    case 'glide':
      return (await glide()).glideAdapter(mode, ep, options);
  }
}
