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
 * - Every error carries a `code`: errors wredis raises itself get a stable `ERR_WREDIS_*` code
 *   (`./codes.ts`, one default per class, overridable per call site through `options.code`).
 * - `instanceof` works across two copies of the package in one process (two versions in one
 *   `node_modules` tree): each class brands its prototype with a `Symbol.for` key and checks the
 *   brand in `static [Symbol.hasInstance]` (undici's approach).
 *
 * Every constructor is `(message, options?)`: every class can be built from a message alone, as
 * tests and mocks do. Own properties are only defined when set, so a logged error shows the
 * fields that matter and nothing else.
 */
import { ErrorCodes, type ErrorCode } from './codes.js';
import { parseRedirection, type RedirectionTarget } from './redirection.js';

export type { RedirectionTarget };

/** Options shared by every error class. */
export interface RedisErrorOptions {
  /** The underlying error (ES2022 error cause). */
  cause?: unknown;
  /** Name of the command that failed (never its arguments). */
  command?: string;
  /**
   * Error code: for a server reply its first word (`ERR`, `WRONGTYPE`, `MOVED`…), for an error
   * wredis raises itself one of `ErrorCodes` (the class's default when not given).
   */
  code?: ErrorCode | (string & {});
}

/** Where a class keeps its brand symbol (own static property, so user subclasses fall back to the prototype chain). */
const kBrand = Symbol('wredis.brand');
/** Where a class's prototype keeps the code its instances get when none is given. */
const kDefaultCode = Symbol('wredis.defaultCode');

interface Branded {
  [kBrand]?: symbol;
}

/**
 * Names a class in a way that survives minification and shows in stacks and `util.inspect`,
 * brands it for cross-copy `instanceof` (`Symbol.for('wredis.error.<name>')`, a name that never
 * changes between versions), and sets the code its instances get when none is given.
 */
function named(cls: abstract new (...args: never[]) => Error, name: string, defaultCode?: string): void {
  const hidden = { writable: true, configurable: true, enumerable: false } as const;
  Object.defineProperty(cls.prototype, 'name', { ...hidden, value: name });
  const brand = Symbol.for(`wredis.error.${name}`);
  Object.defineProperty(cls, kBrand, { value: brand });
  Object.defineProperty(cls.prototype, brand, { value: true });
  if (defaultCode !== undefined)
    Object.defineProperty(cls.prototype, kDefaultCode, { ...hidden, value: defaultCode });
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
  /**
   * Stable error code: the reply's first word for a server error (`WRONGTYPE`), one of
   * `ErrorCodes` (`ERR_WREDIS_*`) for an error wredis raised itself.
   */
  declare readonly code: ErrorCode | (string & {});

  constructor(message: string, options?: RedisErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options !== undefined) setIf(this, 'command', options.command);
    (this as { code: string }).code =
      options?.code ?? (this as unknown as { [kDefaultCode]: string })[kDefaultCode];
  }

  /**
   * `instanceof` by brand, so an error from one copy of wredis is recognised by the classes of
   * another copy in the same process. A user subclass (no brand of its own) uses the ordinary check.
   */
  static override [Symbol.hasInstance]<T>(
    this: abstract new (...args: never[]) => T,
    value: unknown,
  ): value is T {
    const brand = Object.hasOwn(this, kBrand) ? (this as Branded)[kBrand] : undefined;
    if (brand === undefined) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}
named(RedisError, 'RedisError', ErrorCodes.UNKNOWN);

// ─── ConnectionError ──────────────────────────────────────────────────────────

/** The socket was refused, reset or closed; DNS or TLS failed; in-flight commands of a lost connection. */
export class ConnectionError extends RedisError {}
named(ConnectionError, 'ConnectionError', ErrorCodes.CONNECTION_FAILED);

/** `connectTimeout` or `commandTimeout` expired. */
export class TimeoutError extends ConnectionError {}
named(TimeoutError, 'TimeoutError', ErrorCodes.TIMEOUT);

/**
 * `-LOADING`: the server is loading its dataset. Raised from a reply but a ConnectionError
 * (the server is not usable yet); the command was not executed, so retrying it is safe.
 */
export class BusyLoadingError extends ConnectionError {}
named(BusyLoadingError, 'BusyLoadingError', 'LOADING');

/** Sentinel: no primary is known for the service name. */
export class PrimaryNotFoundError extends ConnectionError {}
named(PrimaryNotFoundError, 'PrimaryNotFoundError', ErrorCodes.PRIMARY_NOT_FOUND);

/** Sentinel: no usable replica for the service name. */
export class ReplicaNotFoundError extends ConnectionError {}
named(ReplicaNotFoundError, 'ReplicaNotFoundError', ErrorCodes.REPLICA_NOT_FOUND);

// ─── ResponseError ────────────────────────────────────────────────────────────

/** An error reply from the server (`-ERR …` or any other code). `code` is its first word. */
export class ResponseError extends RedisError {
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

/** Options of MovedError and AskError; without slot/host/port they are parsed from the message. */
export interface RedirectionErrorOptions extends Partial<RedirectionTarget>, RedisErrorOptions {}

/** The target from the options, else parsed from the message; a message that names none is a programming error. */
function redirectionTarget(
  kind: string,
  message: string,
  options: RedirectionErrorOptions | undefined,
): RedirectionTarget {
  if (options?.slot !== undefined && options.host !== undefined && options.port !== undefined) {
    return { slot: options.slot, host: options.host, port: options.port };
  }
  const parsed = parseRedirection(message);
  if (parsed === undefined)
    throw new TypeError(
      `${kind}: the message is not "${kind.slice(0, -5).toUpperCase()} <slot> <host>:<port>"`,
    );
  return parsed;
}

/** `-MOVED slot host:port`: the slot lives on another node for good. */
export class MovedError extends ResponseError implements RedirectionTarget {
  readonly slot: number;
  readonly host: string;
  readonly port: number;

  constructor(message: string, options?: RedirectionErrorOptions) {
    super(message, options);
    const target = redirectionTarget('MovedError', message, options);
    this.slot = target.slot;
    this.host = target.host;
    this.port = target.port;
  }
}
named(MovedError, 'MovedError');

/** `-ASK slot host:port`: ask that node once (after ASKING), the slot is migrating. */
export class AskError extends ResponseError implements RedirectionTarget {
  readonly slot: number;
  readonly host: string;
  readonly port: number;

  constructor(message: string, options?: RedirectionErrorOptions) {
    super(message, options);
    const target = redirectionTarget('AskError', message, options);
    this.slot = target.slot;
    this.host = target.host;
    this.port = target.port;
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
  /** The keys that span slots (empty for a server `-CROSSSLOT`). */
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
named(InvalidResponse, 'InvalidResponse', ErrorCodes.PROTOCOL);

/** A bad argument type or value, or a reply that cannot be decoded (e.g. a malformed MOVED). */
export class DataError extends RedisError {}
named(DataError, 'DataError', ErrorCodes.INVALID_ARGUMENT);

/** Options of CommandSyntaxError. */
export interface CommandSyntaxErrorOptions extends RedisErrorOptions {
  /** Option names as written by the caller (`'ex'`, `'px'`). */
  arguments?: Iterable<string>;
}

/** Options that cannot go together (e.g. `set()` with both `ex` and `px`). */
export class CommandSyntaxError extends RedisError {
  /** The offending option names as written in the call. */
  readonly arguments: Set<string>;

  constructor(message: string, options?: CommandSyntaxErrorOptions) {
    super(message, options);
    this.arguments = new Set(options?.arguments);
  }
}
named(CommandSyntaxError, 'CommandSyntaxError', ErrorCodes.COMMAND_SYNTAX);

/** Options of CommandNotSupportedError. */
export interface CommandNotSupportedErrorOptions extends RedisErrorOptions {
  command?: string;
  /** Version of the server that lacks the command. */
  currentVersion?: string;
}

/** The server is older than the command. */
export class CommandNotSupportedError extends RedisError {
  /** Version of the connected server (`undefined` for a module command whose module is absent). */
  readonly currentVersion: string | undefined;

  constructor(
    message: string,
    options?: CommandNotSupportedErrorOptions | ModuleCommandNotSupportedErrorOptions,
  ) {
    super(message, options);
    this.currentVersion = options?.currentVersion;
  }
}
named(CommandNotSupportedError, 'CommandNotSupportedError', ErrorCodes.COMMAND_NOT_SUPPORTED);

/** Options of ModuleCommandNotSupportedError. */
export interface ModuleCommandNotSupportedErrorOptions extends RedisErrorOptions {
  command?: string;
  /** Module that provides the command (`'search'`, `'ReJSON'` …). */
  module?: string;
  /** Version of the module on the server, when it is loaded at all. */
  currentVersion?: string;
}

/** A module command the server cannot run (module missing or too old). */
export class ModuleCommandNotSupportedError extends CommandNotSupportedError {
  /** Module that provides the command (`undefined` when built from a message alone). */
  readonly module: string | undefined;

  constructor(message: string, options?: ModuleCommandNotSupportedErrorOptions) {
    super(message, options);
    this.module = options?.module;
  }
}
named(
  ModuleCommandNotSupportedError,
  'ModuleCommandNotSupportedError',
  ErrorCodes.MODULE_COMMAND_NOT_SUPPORTED,
);

/** Misuse of a connection in subscriber mode. */
export class PubSubError extends RedisError {}
named(PubSubError, 'PubSubError', ErrorCodes.PUBSUB);

/** EXEC aborted because a WATCHed key changed. */
export class WatchError extends RedisError {}
named(WatchError, 'WatchError', ErrorCodes.WATCHED_KEY_CHANGED);

/** Lock acquisition timed out, or release/extend of a lock not held. */
export class LockError extends RedisError {}
named(LockError, 'LockError', ErrorCodes.LOCK_NOT_HELD);

/** Options of ReplicationError. */
export interface ReplicationErrorOptions extends RedisErrorOptions {
  command?: string;
  /** Replicas required. */
  replicas?: number;
  /** WAIT timeout (ms). */
  timeout?: number;
  /** Replicas that acknowledged, when known. */
  acknowledged?: number;
}

/** WAIT acknowledged fewer replicas than required. */
export class ReplicationError extends RedisError {
  /** Replicas required (always set when wredis raises it; absent when built from a message alone). */
  declare readonly replicas?: number;
  /** WAIT timeout in ms (likewise). */
  declare readonly timeout?: number;
  /** Replicas that acknowledged, when known. */
  declare readonly acknowledged?: number;

  constructor(message: string, options?: ReplicationErrorOptions) {
    super(message, options);
    setIf(this, 'replicas', options?.replicas);
    setIf(this, 'timeout', options?.timeout);
    setIf(this, 'acknowledged', options?.acknowledged);
  }
}
named(ReplicationError, 'ReplicationError', ErrorCodes.REPLICATION);

/** Options of PersistenceError. */
export interface PersistenceErrorOptions extends RedisErrorOptions {
  command?: string;
  /** Local AOF fsyncs required (0 or 1). */
  local?: number;
  /** Replica AOF fsyncs required. */
  replicas?: number;
  /** WAITAOF timeout (ms). */
  timeout?: number;
  /** `[local, replicas]` acknowledged, when known. */
  acknowledged?: readonly [number, number];
}

/** WAITAOF acknowledged fewer fsyncs than required. */
export class PersistenceError extends RedisError {
  /** Local AOF fsyncs required (always set when wredis raises it; absent when built from a message alone). */
  declare readonly local?: number;
  /** Replica AOF fsyncs required (likewise). */
  declare readonly replicas?: number;
  /** WAITAOF timeout in ms (likewise). */
  declare readonly timeout?: number;
  /** `[local, replicas]` fsyncs acknowledged, when known. */
  declare readonly acknowledged?: readonly [number, number];

  constructor(message: string, options?: PersistenceErrorOptions) {
    super(message, options);
    setIf(this, 'local', options?.local);
    setIf(this, 'replicas', options?.replicas);
    setIf(this, 'timeout', options?.timeout);
    setIf(this, 'acknowledged', options?.acknowledged);
  }
}
named(PersistenceError, 'PersistenceError', ErrorCodes.PERSISTENCE);

/** Invalid stream consumer configuration. */
export class StreamConsumerInitializationError extends RedisError {}
named(StreamConsumerInitializationError, 'StreamConsumerInitializationError', ErrorCodes.INVALID_ARGUMENT);

// ─── Cluster, client side ─────────────────────────────────────────────────────

/** Client-side cluster errors. */
export class RedisClusterException extends RedisError {}
named(RedisClusterException, 'RedisClusterException', ErrorCodes.CLUSTER);

/** No node serves the slot, none is known, or one keeps redirecting the slot to itself. */
export class ClusterRoutingError extends RedisClusterException {}
named(ClusterRoutingError, 'ClusterRoutingError', ErrorCodes.CLUSTER_ROUTING);

/** The replies of a multi-node command cannot be merged by its response policy. */
export class ClusterResponseError extends RedisClusterException {}
named(ClusterResponseError, 'ClusterResponseError', ErrorCodes.CLUSTER_RESPONSE);

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
named(ClusterError, 'ClusterError', ErrorCodes.CLUSTER_REDIRECTIONS);

/** `-CLUSTERDOWN`: the cluster (or the key's slot) is not serving. */
export class ClusterDownError extends ClusterError {}
named(ClusterDownError, 'ClusterDownError', 'CLUSTERDOWN');

/** A cluster MULTI whose keys are not all in one slot. */
export class ClusterTransactionError extends ClusterError {}
named(ClusterTransactionError, 'ClusterTransactionError', ErrorCodes.CLUSTER_TRANSACTION);
