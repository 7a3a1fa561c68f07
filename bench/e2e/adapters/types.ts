/**
 * The one tiny interface every client under test is driven through, so the measuring loops are
 * identical for all clients and only the adapter's few lines differ.
 */

/** Where a client connects: one standalone server, or a startup node of a cluster. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Client variants the harness knows. `ioredis-ap` is ioredis with `enableAutoPipelining`. */
export const CLIENTS = ['wredis', 'ioredis', 'ioredis-ap', 'node-redis'] as const;
export type ClientName = (typeof CLIENTS)[number];

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
  close(): Promise<void>;
}

/** Thrown when a client (or its cluster flavour) does not exist yet: reported, not a failure. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}
