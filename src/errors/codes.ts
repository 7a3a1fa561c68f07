/**
 * The stable `code` of every error wredis raises itself (undici's `UND_ERR_*` idea), in one
 * place. Code branches on these instead of reading messages; the README lists them.
 *
 * Errors built from a server reply keep the reply's first word (`ERR`, `WRONGTYPE`, `MOVED`…)
 * instead. A code, once published, never changes meaning; new ones may be added.
 */
export const ErrorCodes = {
  /** A `RedisError` built with no code (e.g. wrapping a non-Error value that was thrown). */
  UNKNOWN: 'ERR_WREDIS_UNKNOWN',

  // ─── Connection ────────────────────────────────────────────────────────────
  /** The socket failed (reset, broken pipe, unreachable…) in a way no code below names. */
  CONNECTION_FAILED: 'ERR_WREDIS_CONNECTION_FAILED',
  /** The server refused the connection (`ECONNREFUSED`). */
  CONNECTION_REFUSED: 'ERR_WREDIS_CONNECTION_REFUSED',
  /** The host name could not be resolved. */
  DNS: 'ERR_WREDIS_DNS',
  /** TLS could not be set up (bad certificate, handshake failure). */
  TLS: 'ERR_WREDIS_TLS',
  /** The runtime cannot honour an option (e.g. a unix socket path on workerd): refused at connect. */
  PLATFORM_UNSUPPORTED: 'ERR_WREDIS_PLATFORM_UNSUPPORTED',
  /** The client (or this connection) was closed or disconnected: the command was not sent. */
  CONNECTION_CLOSED: 'ERR_WREDIS_CONNECTION_CLOSED',
  /** The command was in flight when the socket died: whether the server ran it is unknown. */
  CONNECTION_LOST: 'ERR_WREDIS_CONNECTION_LOST',
  /** `maxReconnectAttempts` reconnects failed: the client gave up and closed. */
  RECONNECT_ATTEMPTS_EXHAUSTED: 'ERR_WREDIS_RECONNECT_ATTEMPTS_EXHAUSTED',
  /** The connection set-up (HELLO/AUTH/SELECT/SETNAME) failed for a reason that is not a server error reply. */
  HANDSHAKE_FAILED: 'ERR_WREDIS_HANDSHAKE_FAILED',
  /** The command waited in the offline queue, which was full (`maxOfflineQueue`). */
  OFFLINE_QUEUE_FULL: 'ERR_WREDIS_OFFLINE_QUEUE_FULL',
  /** Too many commands were queued on the connection (`maxQueued`). */
  QUEUE_FULL: 'ERR_WREDIS_QUEUE_FULL',

  // ─── Timeouts and cancellation ─────────────────────────────────────────────
  /** A `TimeoutError` built with no more specific code. */
  TIMEOUT: 'ERR_WREDIS_TIMEOUT',
  /** `connectTimeout` passed before the connection was set up (socket and handshake). */
  CONNECT_TIMEOUT: 'ERR_WREDIS_CONNECT_TIMEOUT',
  /** `commandTimeout` (or a per-call `timeout`) passed before the reply arrived. */
  COMMAND_TIMEOUT: 'ERR_WREDIS_COMMAND_TIMEOUT',
  /** No blocking connection became free within `blockingConnectionTimeout`. */
  POOL_TIMEOUT: 'ERR_WREDIS_POOL_TIMEOUT',
  /** The caller's `AbortSignal` fired. */
  ABORTED: 'ERR_WREDIS_ABORTED',

  // ─── Arguments, replies, protocol ──────────────────────────────────────────
  /** A bad argument type or value, or a bad option (`DataError`'s default). */
  INVALID_ARGUMENT: 'ERR_WREDIS_INVALID_ARGUMENT',
  /** A command that would change connection state was refused on the shared connection. */
  COMMAND_REFUSED: 'ERR_WREDIS_COMMAND_REFUSED',
  /** A reply that cannot be decoded into what the command promises (e.g. a malformed MOVED). */
  UNEXPECTED_REPLY: 'ERR_WREDIS_UNEXPECTED_REPLY',
  /** The server broke the protocol (`InvalidResponse`); the connection is dropped. */
  PROTOCOL: 'ERR_WREDIS_PROTOCOL',
  /** Options that cannot go together (`CommandSyntaxError`). */
  COMMAND_SYNTAX: 'ERR_WREDIS_COMMAND_SYNTAX',
  /** The server is older than the command (`CommandNotSupportedError`). */
  COMMAND_NOT_SUPPORTED: 'ERR_WREDIS_COMMAND_NOT_SUPPORTED',
  /** The module that provides the command is missing or too old. */
  MODULE_COMMAND_NOT_SUPPORTED: 'ERR_WREDIS_MODULE_COMMAND_NOT_SUPPORTED',
  /** Misuse of a subscriber connection (`PubSubError`). */
  PUBSUB: 'ERR_WREDIS_PUBSUB',

  // ─── Transactions, locks, guarantees ───────────────────────────────────────
  /** EXEC was aborted because a watched key changed (`WatchError`). */
  WATCHED_KEY_CHANGED: 'ERR_WREDIS_WATCHED_KEY_CHANGED',
  /** The lent connection lost its socket while holding WATCH/MULTI state. */
  WATCH_LOST: 'ERR_WREDIS_WATCH_LOST',
  /** `lock.acquire()` did not get the lock within `blockingTimeout`. */
  LOCK_TIMEOUT: 'ERR_WREDIS_LOCK_TIMEOUT',
  /** Release, extend or reacquire of a lock this client does not (or no longer) hold. */
  LOCK_NOT_HELD: 'ERR_WREDIS_LOCK_NOT_HELD',
  /** WAIT acknowledged fewer replicas than required (`ReplicationError`). */
  REPLICATION: 'ERR_WREDIS_REPLICATION',
  /** WAITAOF acknowledged fewer fsyncs than required (`PersistenceError`). */
  PERSISTENCE: 'ERR_WREDIS_PERSISTENCE',

  // ─── Sentinel and cluster ──────────────────────────────────────────────────
  /** Sentinel: no primary is known for the service name. */
  PRIMARY_NOT_FOUND: 'ERR_WREDIS_PRIMARY_NOT_FOUND',
  /** Sentinel: no usable replica for the service name. */
  REPLICA_NOT_FOUND: 'ERR_WREDIS_REPLICA_NOT_FOUND',
  /** A client-side cluster error with no more specific code (`RedisClusterException`). */
  CLUSTER: 'ERR_WREDIS_CLUSTER',
  /** No node serves the slot, or no node is known (`ClusterRoutingError`). */
  CLUSTER_ROUTING: 'ERR_WREDIS_CLUSTER_ROUTING',
  /** Replies of a multi-node command cannot be merged (`ClusterResponseError`). */
  CLUSTER_RESPONSE: 'ERR_WREDIS_CLUSTER_RESPONSE',
  /** The redirection/retry budget (`maxRedirections`) was spent; `cause` is the last error. */
  CLUSTER_REDIRECTIONS: 'ERR_WREDIS_CLUSTER_REDIRECTIONS',
  /** A cluster MULTI whose keys are not all in one slot (`ClusterTransactionError`). */
  CLUSTER_TRANSACTION: 'ERR_WREDIS_CLUSTER_TRANSACTION',
} as const;

/** One of the client-side error codes of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** OpenSSL / Node certificate and TLS failure codes (`CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`…). */
const TLS_SYSTEM_CODE = /CERT|TLS|SSL|UNABLE_TO_(GET|VERIFY)|SELF_SIGNED/;

/**
 * The code for a failed connect attempt, from the platform's error: Node and Bun set `code`
 * (`ECONNREFUSED`, `ENOTFOUND`, OpenSSL's certificate codes); Deno names its classes
 * (`ConnectionRefused`; `InvalidData` for what rustls refuses while connecting: an untrusted or
 * misnamed certificate, a peer that does not speak TLS). Anything else is `CONNECTION_FAILED`.
 */
export function connectFailureCode(error: unknown): ErrorCode {
  const e = error as { code?: unknown; name?: unknown } | null | undefined;
  const system = typeof e?.code === 'string' ? e.code : '';
  if (system === 'ECONNREFUSED' || e?.name === 'ConnectionRefused') return ErrorCodes.CONNECTION_REFUSED;
  if (system === 'ENOTFOUND' || system.startsWith('EAI_')) return ErrorCodes.DNS;
  if (TLS_SYSTEM_CODE.test(system) || e?.name === 'InvalidData') return ErrorCodes.TLS;
  return ErrorCodes.CONNECTION_FAILED;
}
