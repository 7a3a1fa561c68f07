/**
 * The error classes of wredis, in the exact tree of CONTRACT.md.
 *
 * Conventions every class follows:
 * - `name` is the class name, set as a string literal on the prototype (so it survives
 *   minification and is already right when V8 captures the stack in `super()`).
 * - `command` is the command NAME only (e.g. `'GET'`); argument values never appear in a
 *   message or a field, because they may hold passwords or user data.
 * - `cause` is the ES2022 error cause.
 * - Errors built from a server reply keep the reply's full text as `message` and its first
 *   word as `code`. Which class a reply becomes is decided in one place: `./server-errors.ts`.
 *
 * Every constructor is `(message, options)`. Own properties are only defined when set, so a
 * logged error shows the fields that matter and nothing else.
 */

/** Options shared by every error class. */
export interface RedisErrorOptions {
  /** The underlying error (ES2022 error cause). */
  cause?: unknown;
  /** Name of the command that failed (never its arguments). */
  command?: string;
  /** Server error code: the first word of the error reply (`ERR`, `WRONGTYPE`, `MOVED`…). */
  code?: string;
}

/** Names a class in a way that survives minification and shows in stacks and `util.inspect`. */
function named(cls: abstract new (...args: never[]) => Error, name: string): void {
  Object.defineProperty(cls.prototype, 'name', {
    value: name,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** Sets an own property only when it has a value, keeping logged errors free of `undefined`s. */
function setIf(target: object, key: string, value: unknown): void {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
}

/** First word of a server error message: the error code. */
export function errorCode(message: string): string {
  const space = message.indexOf(' ');
  return space < 0 ? message : message.slice(0, space);
}

/** Root of every error wredis raises. */
export class RedisError extends Error {
  /** Name of the command that failed, when the error belongs to one. Never its arguments. */
  declare readonly command?: string;
  /** Server error code (first word of the reply) when the error came from the server. */
  declare readonly code?: string;

  constructor(message: string, options?: RedisErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options !== undefined) {
      setIf(this, 'command', options.command);
      setIf(this, 'code', options.code);
    }
  }
}
named(RedisError, 'RedisError');

// ─── ConnectionError ──────────────────────────────────────────────────────────

/** The socket was refused, reset or closed; DNS or TLS failed; in-flight commands of a lost connection. */
export class ConnectionError extends RedisError {}
named(ConnectionError, 'ConnectionError');

/** `connectTimeout` or `commandTimeout` expired. */
export class TimeoutError extends ConnectionError {}
named(TimeoutError, 'TimeoutError');

/**
 * `-LOADING`: the server is loading its dataset. Raised from a reply but a ConnectionError
 * (the server is not usable yet); the command was not executed, so retrying it is safe.
 */
export class BusyLoadingError extends ConnectionError {
  constructor(message: string, options?: RedisErrorOptions) {
    super(message, { ...options, code: options?.code ?? 'LOADING' });
  }
}
named(BusyLoadingError, 'BusyLoadingError');

/** Sentinel: no primary is known for the service name. */
export class PrimaryNotFoundError extends ConnectionError {}
named(PrimaryNotFoundError, 'PrimaryNotFoundError');

/** Sentinel: no usable replica for the service name. */
export class ReplicaNotFoundError extends ConnectionError {}
named(ReplicaNotFoundError, 'ReplicaNotFoundError');

// ─── ResponseError ────────────────────────────────────────────────────────────

/** An error reply from the server (`-ERR …` or any other code). `code` is its first word. */
export class ResponseError extends RedisError {
  declare readonly code: string;

  constructor(message: string, options?: RedisErrorOptions) {
    super(message, { ...options, code: options?.code ?? errorCode(message) });
  }
}
named(ResponseError, 'ResponseError');

/** Authentication failed or is missing. */
export class AuthenticationError extends ResponseError {}
named(AuthenticationError, 'AuthenticationError');

/** `-WRONGPASS`, `ERR invalid password`, AUTH sent to a server without a password. */
export class AuthenticationFailureError extends AuthenticationError {}
named(AuthenticationFailureError, 'AuthenticationFailureError');

/** `-NOAUTH`: the server needs AUTH before this command. */
export class AuthenticationRequiredError extends AuthenticationError {}
named(AuthenticationRequiredError, 'AuthenticationRequiredError');

/** `-NOPERM`: the ACL user may not run this command or touch these keys/channels. */
export class AuthorizationError extends ResponseError {}
named(AuthorizationError, 'AuthorizationError');

/** `-NOSCRIPT`: EVALSHA of a script the server does not have. */
export class NoScriptError extends ResponseError {}
named(NoScriptError, 'NoScriptError');

/** An error of `FUNCTION *`, `FCALL` or `FCALL_RO`. */
export class FunctionError extends ResponseError {}
named(FunctionError, 'FunctionError');

/** `-NOTBUSY`: SCRIPT KILL / FUNCTION KILL with nothing running. */
export class NotBusyError extends ResponseError {}
named(NotBusyError, 'NotBusyError');

/** `-EXECABORT`: EXEC refused because a queued command was rejected. */
export class ExecAbortError extends ResponseError {}
named(ExecAbortError, 'ExecAbortError');

/** `-READONLY`: a write sent to a replica. */
export class ReadOnlyError extends ResponseError {}
named(ReadOnlyError, 'ReadOnlyError');

/** `-UNBLOCKED`: a blocking command ended by `CLIENT UNBLOCK … ERROR`. */
export class UnblockedError extends ResponseError {}
named(UnblockedError, 'UnblockedError');

/** `-ERR no such key` (RENAME, OBJECT … of a missing key). */
export class NoKeyError extends ResponseError {}
named(NoKeyError, 'NoKeyError');

/** `-BUSYGROUP`: XGROUP CREATE of a group that already exists. */
export class StreamDuplicateConsumerGroupError extends ResponseError {}
named(StreamDuplicateConsumerGroupError, 'StreamDuplicateConsumerGroupError');

/** Where a MOVED or ASK redirection points. */
export interface RedirectionTarget {
  /** Hash slot, 0..16383. */
  slot: number;
  /**
   * Host to go to. `''` means "the host that sent the redirection" (the server replied
   * `MOVED 3999 :6380` because its endpoint type is `unknown-endpoint`); the cluster layer
   * substitutes the node it asked. `'?'` means the node's hostname is unknown
   * (`cluster-preferred-endpoint-type hostname` without one): refresh the slot map.
   */
  host: string;
  /** Port, 1..65535. */
  port: number;
}

/** Options of MovedError and AskError. */
export interface RedirectionErrorOptions extends RedirectionTarget, RedisErrorOptions {}

/** `-MOVED slot host:port`: the slot lives on another node for good. */
export class MovedError extends ResponseError implements RedirectionTarget {
  readonly slot: number;
  readonly host: string;
  readonly port: number;

  constructor(message: string, options: RedirectionErrorOptions) {
    super(message, options);
    this.slot = options.slot;
    this.host = options.host;
    this.port = options.port;
  }
}
named(MovedError, 'MovedError');

/** `-ASK slot host:port`: ask that node once (after ASKING), the slot is migrating. */
export class AskError extends ResponseError implements RedirectionTarget {
  readonly slot: number;
  readonly host: string;
  readonly port: number;

  constructor(message: string, options: RedirectionErrorOptions) {
    super(message, options);
    this.slot = options.slot;
    this.host = options.host;
    this.port = options.port;
  }
}
named(AskError, 'AskError');

/** `-TRYAGAIN`: a multi-key command during resharding of its slot; retry later. */
export class TryAgainError extends ResponseError {}
named(TryAgainError, 'TryAgainError');

/** Key of a command: what callers may pass as a key. */
export type ErrorKey = string | Uint8Array;

/** Options of ClusterCrossSlotError. */
export interface ClusterCrossSlotErrorOptions extends RedisErrorOptions {
  /** The keys that span slots, when the client detected it (empty for a server `-CROSSSLOT`). */
  keys?: readonly ErrorKey[];
}

/**
 * `-CROSSSLOT`, or detected by the client before sending: the command's keys hash to more
 * than one slot. `keys` is never part of the message.
 */
export class ClusterCrossSlotError extends ResponseError {
  readonly keys: readonly ErrorKey[];

  constructor(message: string, options?: ClusterCrossSlotErrorOptions) {
    super(message, { ...options, code: options?.code ?? 'CROSSSLOT' });
    this.keys = options?.keys ?? [];
  }
}
named(ClusterCrossSlotError, 'ClusterCrossSlotError');

// ─── Client-side errors ───────────────────────────────────────────────────────

/** Options of InvalidResponse. */
export interface InvalidResponseOptions extends RedisErrorOptions {
  /** The parser's numeric protocol error code (`ProtocolErrorCode` of `src/core/parser.ts`). */
  protocolCode?: number;
}

/** The server broke the protocol; the connection is closed after this. */
export class InvalidResponse extends RedisError {
  /** The parser's numeric protocol error code, when the parser raised it. */
  declare readonly protocolCode?: number;

  constructor(message: string, options?: InvalidResponseOptions) {
    super(message, options);
    setIf(this, 'protocolCode', options?.protocolCode);
  }
}
named(InvalidResponse, 'InvalidResponse');

/** A bad argument type or value, or a reply that cannot be decoded (e.g. a malformed MOVED). */
export class DataError extends RedisError {}
named(DataError, 'DataError');

/** Options of CommandSyntaxError. */
export interface CommandSyntaxErrorOptions extends RedisErrorOptions {
  /** Option names as written by the caller (`'ex'`, `'px'`). */
  arguments: Iterable<string>;
}

/** Options that cannot go together (e.g. `set()` with both `ex` and `px`). */
export class CommandSyntaxError extends RedisError {
  /** The offending option names as written in the call. */
  readonly arguments: Set<string>;

  constructor(message: string, options: CommandSyntaxErrorOptions) {
    super(message, options);
    this.arguments = new Set(options.arguments);
  }
}
named(CommandSyntaxError, 'CommandSyntaxError');

/** Options of CommandNotSupportedError. */
export interface CommandNotSupportedErrorOptions extends RedisErrorOptions {
  command: string;
  /** Version of the server that lacks the command. */
  currentVersion: string;
}

/** The server is older than the command. */
export class CommandNotSupportedError extends RedisError {
  declare readonly command: string;
  /** Version of the connected server (`undefined` for a module command whose module is absent). */
  readonly currentVersion: string | undefined;

  constructor(
    message: string,
    options: CommandNotSupportedErrorOptions | ModuleCommandNotSupportedErrorOptions,
  ) {
    super(message, options);
    this.currentVersion = options.currentVersion;
  }
}
named(CommandNotSupportedError, 'CommandNotSupportedError');

/** Options of ModuleCommandNotSupportedError. */
export interface ModuleCommandNotSupportedErrorOptions extends RedisErrorOptions {
  command: string;
  /** Module that provides the command (`'search'`, `'ReJSON'` …). */
  module: string;
  /** Version of the module on the server, when it is loaded at all. */
  currentVersion?: string;
}

/** A module command the server cannot run (module missing or too old). */
export class ModuleCommandNotSupportedError extends CommandNotSupportedError {
  readonly module: string;

  constructor(message: string, options: ModuleCommandNotSupportedErrorOptions) {
    super(message, options);
    this.module = options.module;
  }
}
named(ModuleCommandNotSupportedError, 'ModuleCommandNotSupportedError');

/** Misuse of a connection in subscriber mode. */
export class PubSubError extends RedisError {}
named(PubSubError, 'PubSubError');

/** EXEC aborted because a WATCHed key changed. */
export class WatchError extends RedisError {}
named(WatchError, 'WatchError');

/** Lock acquisition timed out, or release/extend of a lock not held. */
export class LockError extends RedisError {}
named(LockError, 'LockError');

/** Options of ReplicationError. */
export interface ReplicationErrorOptions extends RedisErrorOptions {
  command: string;
  /** Replicas required. */
  replicas: number;
  /** WAIT timeout (ms). */
  timeout: number;
  /** Replicas that acknowledged, when known. */
  acknowledged?: number;
}

/** WAIT acknowledged fewer replicas than required. */
export class ReplicationError extends RedisError {
  declare readonly command: string;
  readonly replicas: number;
  readonly timeout: number;
  declare readonly acknowledged?: number;

  constructor(message: string, options: ReplicationErrorOptions) {
    super(message, options);
    this.replicas = options.replicas;
    this.timeout = options.timeout;
    setIf(this, 'acknowledged', options.acknowledged);
  }
}
named(ReplicationError, 'ReplicationError');

/** Options of PersistenceError. */
export interface PersistenceErrorOptions extends RedisErrorOptions {
  command: string;
  /** Local AOF fsyncs required (0 or 1). */
  local: number;
  /** Replica AOF fsyncs required. */
  replicas: number;
  /** WAITAOF timeout (ms). */
  timeout: number;
  /** `[local, replicas]` acknowledged, when known. */
  acknowledged?: readonly [number, number];
}

/** WAITAOF acknowledged fewer fsyncs than required. */
export class PersistenceError extends RedisError {
  declare readonly command: string;
  readonly local: number;
  readonly replicas: number;
  readonly timeout: number;
  declare readonly acknowledged?: readonly [number, number];

  constructor(message: string, options: PersistenceErrorOptions) {
    super(message, options);
    this.local = options.local;
    this.replicas = options.replicas;
    this.timeout = options.timeout;
    setIf(this, 'acknowledged', options.acknowledged);
  }
}
named(PersistenceError, 'PersistenceError');

/** Invalid stream consumer configuration. */
export class StreamConsumerInitializationError extends RedisError {}
named(StreamConsumerInitializationError, 'StreamConsumerInitializationError');

// ─── Cluster, client side ─────────────────────────────────────────────────────

/** Client-side cluster errors. */
export class RedisClusterException extends RedisError {}
named(RedisClusterException, 'RedisClusterException');

/** No node serves the slot (or no node is known at all). */
export class ClusterRoutingError extends RedisClusterException {}
named(ClusterRoutingError, 'ClusterRoutingError');

/** The replies of a multi-node command cannot be merged by its response policy. */
export class ClusterResponseError extends RedisClusterException {}
named(ClusterResponseError, 'ClusterResponseError');

/** Options of ClusterError: `cause` is the last error of the spent budget. */
export interface ClusterErrorOptions extends RedisErrorOptions {
  cause?: unknown;
}

/** The redirection/retry budget of a command (`maxRedirections`) is spent; `cause` is the last error. */
export class ClusterError extends RedisError {
  constructor(message: string, options?: ClusterErrorOptions) {
    super(message, options);
  }
}
named(ClusterError, 'ClusterError');

/** `-CLUSTERDOWN`: the cluster (or the key's slot) is not serving. */
export class ClusterDownError extends ClusterError {
  constructor(message: string, options?: ClusterErrorOptions) {
    super(message, { ...options, code: options?.code ?? 'CLUSTERDOWN' });
  }
}
named(ClusterDownError, 'ClusterDownError');

/** A cluster MULTI whose keys are not all in one slot. */
export class ClusterTransactionError extends ClusterError {}
named(ClusterTransactionError, 'ClusterTransactionError');
