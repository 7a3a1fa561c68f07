/**
 * The one tiny interface every client under test is driven through, so the measuring loops are
 * identical for all clients and only the adapter's few lines differ.
 */

/** Where a client connects: one standalone server, or a startup node of a cluster. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Client variants the harness knows. `ioredis-ap` is ioredis with `enableAutoPipelining`; `glide`
 * is @valkey/valkey-glide (Rust core, N-API).
 */
export const CLIENTS = ['wredis', 'ioredis', 'ioredis-ap', 'node-redis', 'glide'] as const;
export type BaseClient = (typeof CLIENTS)[number];
/** wredis as built from another git ref by `--against <ref>` (e.g. `wredis@92c7ebb`). */
export type AgainstClient = `wredis@${string}`;
export type ClientName = BaseClient | AgainstClient;

export const isAgainst = (c: ClientName): c is AgainstClient => c.startsWith('wredis@');

/**
 * Client features a workload needs beyond the defaults. An adapter that cannot provide one throws
 * `UnavailableError` (the table then says "not available" for that client).
 */
export interface AdapterOptions {
  /** Client-side caching (RESP3 tracking) with the client's own cache. */
  clientSideCache?: boolean;
  /** GET replies as bytes (a Buffer) instead of strings: each client's own way of asking for them. */
  buffers?: boolean;
}

export type Mode = 'standalone' | 'cluster';

export interface Adapter {
  /** Things a reader of the figures should know (fallbacks taken, options set). */
  readonly notes: string[];
  connect(): Promise<void>;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  mget(keys: string[]): Promise<unknown>;
  lrange(key: string): Promise<unknown>;
  hgetall(key: string): Promise<unknown>;
  /** GETs of every key sent as one pipeline; resolves once all replies arrived. */
  pipelineGet(keys: string[]): Promise<unknown>;
  /** Client-side cache counters so far, when the adapter runs with a cache (W7-csc). */
  cacheStats?(): { hits: number; misses: number };
  close(): Promise<void>;
}

/** Throws UnavailableError naming the options an adapter does not support. */
export function refuseOptions(
  client: string,
  options: AdapterOptions | undefined,
  supported: readonly string[],
): void {
  const extra = Object.entries(options ?? {})
    .filter(([k, v]) => v !== undefined && v !== false && !supported.includes(k))
    .map(([k]) => k);
  if (extra.length > 0)
    throw new UnavailableError(`${client}: no support for ${extra.join(', ')} in its adapter`);
}

/** Thrown when a client (or its cluster flavour) does not exist yet: reported, not a failure. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}
