/** Client options, their defaults, and their resolution into a connection config. */
import {
  resolveCacheOptions,
  type ClientSideCacheOptions,
  type ResolvedCacheOptions,
} from '../cache/options.js';
import type { ConnectionConfig, CredentialsProvider } from '../connection/connection.js';
import { DataError } from '../errors/index.js';
import { DEFAULT_MAX_BULK, MAX_BULK_LIMIT } from '../core/parser.js';
import { Retry, defaultRetry } from '../retry.js';
import type { TlsOptions, TransportFactory } from '../transport/types.js';
import { isPort, parseRedisUrl } from './url.js';
import { withRedactedInspect } from '../util/redact.js';

/** Options shared by every client (`Redis`, `RedisCluster`, `Sentinel`). */
export interface RedisOptions {
  /** `redis://`, `rediss://` (TLS) or `unix://` URL; explicit options win over it. */
  url?: string;
  /** Host name or IP address. Default `127.0.0.1`. */
  host?: string;
  /** TCP port. Default 6379. */
  port?: number;
  /** Unix socket path. */
  path?: string;
  /** ACL user name; the default user when only `password` is given. */
  username?: string;
  /** Password, sent in HELLO (or AUTH under RESP2); never logged or shown by `util.inspect`. */
  password?: string;
  /** Database index selected after connecting. Default 0. */
  db?: number;
  /**
   * RESP version; 3 falls back to 2 when the server has no HELLO. Default 3, which also falls
   * back when an ACL refuses HELLO (NOPERM); an explicit `protocol: 3` fails with
   * AuthorizationError then.
   */
  protocol?: 2 | 3;
  /** `true` for TLS with the runtime's trusted CAs, or TLS settings. Certificates are verified unless `rejectUnauthorized: false`. */
  tls?: boolean | TlsOptions;
  /** Name set with CLIENT SETNAME (in HELLO), shown by CLIENT LIST. */
  clientName?: string;
  /** Milliseconds to open the socket and finish the handshake. Default 10 000. */
  connectTimeout?: number;
  /**
   * Milliseconds a command may wait for its reply; 0 (default) waits forever. A blocking command
   * gets its own timeout first (BLPOP's, XREAD's BLOCK, WAIT's), then this long and a second more
   * (the server's timer tick); one that blocks for ever (timeout 0) is exempt.
   */
  commandTimeout?: number;
  /** What to retry and how long to wait between attempts. */
  retry?: Retry;
  /** Commands held while disconnected, beyond which new ones reject. Default 10 000. */
  maxOfflineQueue?: number;
  /** Largest bulk string accepted from the wire. Default 512 MiB, like the server; an integer up to 2^31-1. */
  maxBulkLength?: number;
  /** Do not connect until the first command or `connect()`. */
  lazyConnect?: boolean;
  /**
   * Called at every connect for the username and password (short-lived tokens, rotation),
   * instead of `password`. See also `reauthenticate()`.
   */
  credentials?: CredentialsProvider;
  /**
   * Milliseconds between PINGs on an idle connection; a PING unanswered within `connectTimeout`
   * drops the connection and reconnects. 0 (default) = off.
   */
  pingInterval?: number;
  /** Commands written and unanswered per connection; more wait unwritten in the client. Default 100 000. */
  maxInflight?: number;
  /** Commands accepted and unanswered per connection; more reject (`ERR_WREDIS_QUEUE_FULL`). Default Infinity. */
  maxQueued?: number;
  /** Failed reconnect attempts in a row before the client closes for good (`end`). Default Infinity. */
  maxReconnectAttempts?: number;
  /** Longest argument in bytes; longer rejects with DataError, unsent. Default 512 MiB (the server's proto-max-bulk-len). */
  maxArgumentLength?: number;
  /**
   * RESP3 attributes (`|` metadata a server or module may attach to a reply): called with each
   * one, synchronously, right before the reply it belongs to settles its command. When absent (the
   * default) attributes are parsed and dropped without being built.
   */
  onAttribute?: (attributes: Record<string, unknown>) => void;
  /** Server-assisted client-side caching of hot reads (see the README); off by default. */
  clientSideCache?: boolean | ClientSideCacheOptions;
  /**
   * Dedicated connections for blocking commands and `withConnection` (per node in a cluster);
   * callers beyond it wait for one to be free. Default 16.
   */
  maxBlockingConnections?: number;
  /**
   * Milliseconds a caller waits for a free dedicated connection before rejecting with
   * ConnectionError (code `ERR_WREDIS_POOL_TIMEOUT`); 0 (default) waits without limit.
   */
  blockingConnectionTimeout?: number;
  /**
   * Prepended to every key (ioredis' namespace): key positions of commands, pipelines,
   * transactions and scripts' KEYS, KEYS/SCAN MATCH patterns; taken off keys in replies
   * (KEYS, SCAN, BLPOP …, XREAD stream names). Channels and SORT BY/GET patterns are not prefixed.
   */
  keyPrefix?: string;
}

/** Set by the entry point: how sockets are opened and which binary type replies use. */
export interface Platform {
  transport: TransportFactory;
  binary: 'buffer' | 'uint8array';
}

let platform: Platform | undefined;

export function setPlatform(p: Platform): void {
  platform = p;
}

export function getPlatform(): Platform {
  if (platform === undefined)
    throw new Error('wredis: no platform registered; import wredis through its package entry point');
  return platform;
}

export interface ResolvedOptions extends ConnectionConfig {
  lazyConnect: boolean;
  clientSideCache: ResolvedCacheOptions | undefined;
  maxBlockingConnections: number;
  blockingConnectionTimeout: number;
  keyPrefix: string | undefined;
}

/** Merges a URL and explicit options, validates them and applies defaults. */
export function resolveOptions(
  urlOrOptions?: string | URL | RedisOptions,
  more?: RedisOptions,
): ResolvedOptions {
  // A URL object spread as options would be {}: the default server, silently.
  const given: RedisOptions =
    typeof urlOrOptions === 'string' || urlOrOptions instanceof URL
      ? { ...more, url: urlOrOptions.toString() }
      : { ...urlOrOptions, ...more };
  const fromUrl = given.url !== undefined ? parseRedisUrl(given.url) : {};
  for (const key of ['username', 'password'] as const) {
    const v: unknown = given[key];
    // `null` (ioredis' default for both) says nothing, as for `tls`. Sent, it failed every connect
    // with a ConnectionError about "argument 5" of a HELLO the caller never wrote.
    if (v === null) delete given[key];
    else if (v !== undefined && typeof v !== 'string' && typeof v !== 'number')
      throw new DataError(`${key} must be a string`);
  }
  const o: RedisOptions & { tls?: boolean | TlsOptions } = {
    ...stripUndefined(fromUrl),
    ...stripUndefined(given),
  };
  // `tls: null` (JavaScript) says nothing: it must not turn rediss:// into plaintext.
  const tlsGiven = given.tls !== undefined && (given.tls as unknown) !== null;
  if (tlsGiven) tlsOption(given.tls);
  if (fromUrl.tls && !tlsGiven) o.tls = true;
  const p = getPlatform();
  const port = o.port ?? 6379;
  if (!isPort(port)) throw new DataError('port must be an integer from 1 to 65535');
  const db = o.db ?? 0;
  if (!Number.isInteger(db) || db < 0) throw new DataError('db must be a non-negative integer');
  const maxBlocking = o.maxBlockingConnections ?? 16;
  if (!Number.isInteger(maxBlocking) || maxBlocking < 1)
    throw new DataError('maxBlockingConnections must be an integer >= 1');
  const protocol = o.protocol ?? 3;
  if (protocol !== 2 && protocol !== 3) throw new DataError('protocol must be 2 or 3');
  // Printed with its secrets replaced (console.log of options, or of a connection's config).
  return withRedactedInspect({
    host: o.host ?? '127.0.0.1',
    port,
    path: o.path,
    tls: o.tls === true ? {} : o.tls === false || (o.tls as unknown) === null ? undefined : o.tls,
    username: o.username,
    password: o.password,
    db,
    protocol,
    protocolRequired: o.protocol !== undefined,
    clientName: o.clientName,
    connectTimeout: nonNegative(o.connectTimeout, 10_000, 'connectTimeout'),
    commandTimeout: nonNegative(o.commandTimeout, 0, 'commandTimeout'),
    retry: retryOption(o.retry),
    maxOfflineQueue: nonNegative(o.maxOfflineQueue, 10_000, 'maxOfflineQueue'),
    maxBulkLength: bulkLimit(o.maxBulkLength),
    credentials: credentialsOption(o.credentials),
    pingInterval: nonNegative(o.pingInterval, 0, 'pingInterval'),
    maxInflight: atLeastOne(o.maxInflight, 100_000, 'maxInflight'),
    maxQueued: atLeastOne(o.maxQueued, Infinity, 'maxQueued'),
    maxReconnectAttempts: nonNegative(o.maxReconnectAttempts, Infinity, 'maxReconnectAttempts'),
    maxArgumentLength: atLeastOne(o.maxArgumentLength, 512 * 1024 * 1024, 'maxArgumentLength'),
    transport: p.transport,
    binary: p.binary,
    lazyConnect: o.lazyConnect ?? false,
    onAttribute: o.onAttribute,
    clientSideCache: resolveCacheOptions(o.clientSideCache),
    maxBlockingConnections: maxBlocking,
    blockingConnectionTimeout: nonNegative(o.blockingConnectionTimeout, 0, 'blockingConnectionTimeout'),
    keyPrefix: prefixOption(o.keyPrefix),
  });
}

/**
 * JavaScript callers: any other value was read by truthiness, so `''` or `0` (an environment
 * variable left empty) meant plaintext even over rediss://, the password written in clear to a
 * port that expects TLS.
 */
export function tlsOption(v: unknown): void {
  if (typeof v !== 'boolean' && (typeof v !== 'object' || v === null || Array.isArray(v)))
    throw new DataError('tls must be true, false or an object of TLS options');
}

function prefixOption(v: string | undefined): string | undefined {
  if (v !== undefined && typeof v !== 'string') throw new DataError('keyPrefix must be a string');
  return v === '' ? undefined : v;
}

/**
 * The parser's bound, checked here: the parser refuses more than 2^31-1 with a RangeError when a
 * connection is made, which a cluster does later (its commands then failed as "no node answered").
 */
function bulkLimit(v: number | undefined): number {
  if (v === undefined) return DEFAULT_MAX_BULK;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_BULK_LIMIT)
    throw new DataError(`maxBulkLength must be an integer from 0 to ${MAX_BULK_LIMIT}`);
  return v;
}

function atLeastOne(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 1)) throw new DataError(`${name} must be a number >= 1`);
  return v;
}

/** A plain object here would only fail at the first reconnect, inside a socket event, with commands left waiting. */
function retryOption(v: Retry | undefined): Retry {
  if (v === undefined) return defaultRetry();
  if (!(v instanceof Retry))
    throw new DataError('retry must be a Retry: new Retry({ retries, backoff, retryOn })');
  return v;
}

function credentialsOption(v: CredentialsProvider | undefined): CredentialsProvider | undefined {
  if (v !== undefined && typeof v !== 'function')
    throw new DataError('credentials must be a function returning a Promise of { username?, password }');
  return v;
}

function nonNegative(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0)) throw new DataError(`${name} must be a non-negative number`);
  return v;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
