/**
 * The one table that turns a server error reply into an error class. Call sites never look at
 * message text: they call `serverError()` (or `withCommand()` once the command is known) and
 * test with `instanceof`.
 *
 * Lookup is one Map probe on the first word; only `ERR` replies scan a short list of
 * sub-message prefixes.
 */
import {
  AskError,
  AuthenticationFailureError,
  AuthenticationRequiredError,
  AuthorizationError,
  BusyLoadingError,
  ClusterCrossSlotError,
  ClusterDownError,
  ConnectionError,
  DataError,
  ExecAbortError,
  FunctionError,
  MovedError,
  NoKeyError,
  NoScriptError,
  NotBusyError,
  ReadOnlyError,
  RedisError,
  ResponseError,
  StreamDuplicateConsumerGroupError,
  TryAgainError,
  UnblockedError,
  type RedisErrorOptions,
} from './classes.js';
import { ErrorCodes } from './codes.js';
import { parseRedirection } from './redirection.js';

export { parseRedirection };

/** Builds the error for one reply. `code` is the reply's first word. */
type Factory = (message: string, code: string, command: string | undefined) => RedisError;

type ErrorClass = new (message: string, options?: RedisErrorOptions) => RedisError;

function plain(cls: ErrorClass): Factory {
  return (message, code, command) => new cls(message, command === undefined ? { code } : { code, command });
}

/** Server error codes (first word of the reply) and the class each becomes. */
const BY_CODE: ReadonlyMap<string, Factory> = new Map<string, Factory>([
  ['NOAUTH', plain(AuthenticationRequiredError)],
  ['WRONGPASS', plain(AuthenticationFailureError)],
  ['NOPERM', plain(AuthorizationError)],
  ['NOSCRIPT', plain(NoScriptError)],
  ['NOTBUSY', plain(NotBusyError)],
  ['EXECABORT', plain(ExecAbortError)],
  ['READONLY', plain(ReadOnlyError)],
  ['LOADING', plain(BusyLoadingError)],
  ['UNBLOCKED', plain(UnblockedError)],
  ['BUSYGROUP', plain(StreamDuplicateConsumerGroupError)],
  ['TRYAGAIN', plain(TryAgainError)],
  ['CLUSTERDOWN', plain(ClusterDownError)],
  ['CROSSSLOT', plain(ClusterCrossSlotError)],
  ['MOVED', redirection(MovedError)],
  ['ASK', redirection(AskError)],
]);

const UNKNOWN_COMMAND = 'ERR unknown command ';

/** Server texts that quote a caller's argument: the text before it, and what follows its closing quote. */
const QUOTING: ReadonlyArray<readonly [prefix: string, closing: string]> = [
  ["ERR Error in ACL SETUSER modifier '", "': "],
  ["ERR No such user '", "'"],
  ["ERR User '", "' not found"],
  ["ERR unknown subcommand '", "'. Try "],
  // CONFIG SET quotes the first argument it takes for a parameter name: with name and value
  // swapped (`CONFIG SET <password> requirepass`), that is the password.
  ["ERR Unknown option or number of arguments for CONFIG SET - '", "'"],
  // ACL SETUSER with a selector left open (`(>pw ~*` without its `)`) quotes the argument that
  // opened it, which may hold a password.
  ["ERR Unmatched parenthesis in acl selector starting at '", "'."],
];
const NOT_SHOWN = '(not shown)';
const ARGS_MARKER = ', with args beginning with:';

/**
 * `ERR` replies told apart by what follows `ERR `, checked in order with `startsWith`.
 * Texts are Redis 7.0's (verified against a real server in test/errors.test.ts) plus the
 * pre-6.0 authentication texts.
 */
const BY_ERR_MESSAGE: ReadonlyArray<readonly [prefix: string, factory: Factory]> = [
  ['ERR no such key', plain(NoKeyError)],
  // Sent on accept, just before the server closes the socket: a connection failure with a reason.
  ['ERR max number of clients reached', plain(ConnectionError)],
  // Redis >= 6: AUTH <password> with no password set for the default user.
  ['ERR AUTH <password> called without any password configured', plain(AuthenticationFailureError)],
  // Redis < 6: wrong password, and AUTH with no password set.
  ['ERR invalid password', plain(AuthenticationFailureError)],
  ['ERR Client sent AUTH, but no password is set', plain(AuthenticationFailureError)],
  // Redis 7 echoes up to 128 bytes of the arguments of an unknown command: they may be a
  // password or user data, so they are cut off (the only change ever made to a server text).
  [UNKNOWN_COMMAND, (message, code, command) => response(redactArguments(message), code, command)],
  // Texts that quote an argument which may be a secret (an ACL rule holding a password, a user
  // name, any subcommand position): the quoted part is replaced, the rest of the text kept.
  ...QUOTING.map(
    ([prefix, closing]) =>
      [
        prefix,
        (message: string, code: string, command: string | undefined) =>
          response(redactQuoted(message, prefix, closing), code, command),
      ] as const,
  ),
];

/** Commands whose plain errors become FunctionError (first word of a command name, upper case). */
const FUNCTION_COMMANDS: ReadonlySet<string> = new Set(['FUNCTION', 'FCALL', 'FCALL_RO']);

/**
 * Maps a server error reply (without its leading `-` and trailing CRLF) to its error class.
 *
 * `command` is the failed command's name (`'GET'`, `'FCALL'`, `'FUNCTION LOAD'`); it is
 * attached to the error and decides FunctionError: a reply to FUNCTION / FCALL / FCALL_RO that
 * has no more specific class (NOTBUSY, NOSCRIPT, NOPERM… keep theirs) becomes FunctionError.
 * Anything unknown becomes ResponseError with `code` = first word.
 *
 * A MOVED/ASK whose slot or port is out of range or unparsable becomes DataError (the framing
 * was fine, so the connection stays usable; the redirection is not followed).
 */
export function serverError(message: string, command?: string): RedisError {
  const space = message.indexOf(' ');
  const code = space < 0 ? message : message.slice(0, space);
  let factory = BY_CODE.get(code);
  if (factory === undefined && code === 'ERR') factory = byErrMessage(message);
  return factory === undefined ? response(message, code, command) : factory(message, code, command);
}

/** A reply with no specific class: FunctionError for function commands, else ResponseError. */
function response(message: string, code: string, command: string | undefined): ResponseError {
  if (command === undefined) return new ResponseError(message, { code });
  return isFunctionCommand(command)
    ? new FunctionError(message, { code, command })
    : new ResponseError(message, { code, command });
}

/**
 * Attaches the command name to an error built before the command was known (errors nested in
 * an EXEC or pipeline reply) and returns the error to use: the same object, or a FunctionError
 * replacing a plain ResponseError when `name` is FUNCTION / FCALL / FCALL_RO. Always use the
 * returned value. It sets `command` on the object itself: do not pass one error object shared
 * by several commands (give each command its own error, e.g. with the shared one as `cause`).
 */
export function withCommand<E extends Error>(error: E, name: string): E | FunctionError {
  if (Object.getPrototypeOf(error) === ResponseError.prototype && isFunctionCommand(name)) {
    const response = error as unknown as ResponseError;
    return new FunctionError(
      response.message,
      response.cause === undefined
        ? { code: response.code, command: name }
        : { code: response.code, command: name, cause: response.cause },
    );
  }
  (error as unknown as { command: string }).command = name;
  return error;
}

/**
 * True for `-ERR unknown command …` (e.g. HELLO on Redis < 6, for the RESP2 fallback).
 * Lives here so that no call site matches message text itself.
 */
export function isUnknownCommand(error: unknown): boolean {
  return error instanceof ResponseError && error.code === 'ERR' && error.message.startsWith(UNKNOWN_COMMAND);
}

/**
 * True for the UNBLOCKED Redis and Valkey send a blocked client when its primary turns replica (a
 * failover): the blocking command did not run, as after READONLY. UNBLOCKED from `CLIENT UNBLOCK …
 * ERROR` (someone's wish to end it) says otherwise.
 */
export function isUnblockedByFailover(error: unknown): boolean {
  return error instanceof UnblockedError && error.message.includes('instance state changed');
}

/**
 * True for the UNBLOCKED Redis and Valkey send a client blocked in XREADGROUP when the stream key
 * is deleted: the read delivered nothing. On a cluster the deletion may be MIGRATE moving the key
 * (and its groups) to the importing node of a slot migration, where the read belongs now.
 */
export function isUnblockedByDeletedStream(error: unknown): boolean {
  return error instanceof UnblockedError && error.message.includes('stream key no longer exists');
}

/** Commands that run the caller's Lua: any error reply may be the script's own (`redis.error_reply`). */
const USER_CODE: ReadonlySet<string> = new Set([
  'EVAL',
  'EVALSHA',
  'EVAL_RO',
  'EVALSHA_RO',
  'FCALL',
  'FCALL_RO',
]);

/**
 * True when `command` (any case) runs the caller's Lua (EVAL, EVALSHA, FCALL and their `_RO`
 * forms), so any error reply to it, MOVED and ASK too, may be the script's own.
 */
export function runsUserCode(command: string): boolean {
  return USER_CODE.has(command.toUpperCase());
}

/** Per code, text the server's own refusal of a script or function call has (Redis and Valkey). */
const SERVER_REFUSAL: ReadonlyMap<string, readonly string[]> = new Map([
  ['BUSY', [' is busy running ']],
  ['LOADING', [' is loading the dataset']],
  ['TRYAGAIN', ['Multiple keys request during rehashing']],
  ['MASTERDOWN', [' is down and replica-serve-stale-data', ' is down, replica-serve-stale-data']],
  ['READONLY', ["You can't write against a read only replica", 'Can not run script with write flag']],
  ['NOSCRIPT', ['No matching script']],
  ['CLUSTERDOWN', ['The cluster is down', 'Hash slot not served']],
]);

/**
 * True when an error reply to EVAL / EVALSHA / FCALL (and their `_RO` forms) with a code that
 * would prove the command did not run (BUSY, LOADING, TRYAGAIN, MASTERDOWN, READONLY, NOSCRIPT,
 * CLUSTERDOWN)
 * was made by the script itself (`return redis.error_reply('BUSY try later')`) or raised by a
 * command the running script called (READONLY at its write on a replica), not by the server
 * refusing the call: the script ran, writes and all, so it must not be sent again.
 */
export function isScriptErrorReply(error: unknown, command: string): boolean {
  // Not ResponseError alone: -LOADING is a BusyLoadingError (a ConnectionError).
  if (!(error instanceof RedisError)) return false;
  const marks = SERVER_REFUSAL.get(error.code ?? '');
  if (marks === undefined || !runsUserCode(command)) return false;
  // The server's text, but raised by a redis.call inside the running script (its write on a
  // replica): it ran up to there, and what it did before (PUBLISH) must not happen twice.
  if (RAISED_IN_SCRIPT.test(error.message)) return true;
  return !marks.some((m) => error.message.includes(m));
}

/** What Redis 7+ / Valkey append to an error a command called from Lua raised (` script: <sha or function>, on @user_script:1.`). */
const RAISED_IN_SCRIPT = / script: [^\s,]*, on @user_(?:script|function):\d+\.$/;

/** True when the command name (first word, any case; `'FUNCTION LOAD'`, `'function|load'`) is a function command. */
export function isFunctionCommand(name: string): boolean {
  let end = name.length;
  const space = name.indexOf(' ');
  if (space >= 0) end = space;
  const bar = name.indexOf('|');
  if (bar >= 0 && bar < end) end = bar;
  // FUNCTION, FCALL, FCALL_RO: 5..8 characters; skip the upper-casing for everything else.
  if (end < 5 || end > 8) return false;
  return FUNCTION_COMMANDS.has(name.slice(0, end).toUpperCase());
}

function byErrMessage(message: string): Factory | undefined {
  for (const [prefix, factory] of BY_ERR_MESSAGE) if (message.startsWith(prefix)) return factory;
  return undefined;
}

function redirection(cls: typeof MovedError | typeof AskError): Factory {
  return (message, code, command) => {
    const target = parseRedirection(message);
    if (target === undefined) {
      return new DataError(
        `malformed ${code} redirection from the server: ${message}`,
        command === undefined
          ? { code: ErrorCodes.UNEXPECTED_REPLY }
          : { command, code: ErrorCodes.UNEXPECTED_REPLY },
      );
    }
    return new cls(message, command === undefined ? { code, ...target } : { code, command, ...target });
  };
}

/** `prefix` + quoted argument + `closing`…: the argument replaced (all after `prefix` when `closing` is missing). */
function redactQuoted(message: string, prefix: string, closing: string): string {
  const end = message.lastIndexOf(closing);
  return end < prefix.length ? `${prefix}${NOT_SHOWN}'` : `${prefix}${NOT_SHOWN}${message.slice(end)}`;
}

function redactArguments(message: string): string {
  const at = message.indexOf(ARGS_MARKER);
  return at < 0 ? message : message.slice(0, at + ARGS_MARKER.length) + ' (arguments not shown)';
}
