/**
 * Commands that change what a connection *is* (its database, reply mode, transaction,
 * tracking, protocol, user) must not reach a connection the client shares: the client could
 * not keep them across a reconnect, and other callers' replies would be misattributed
 * (CLIENT REPLY SKIP, MULTI) or never come (MONITOR). This module is the one place that
 * decides, before anything is sent, whether a command may go where it was issued. The
 * standalone client, the cluster client, pipelines, transactions and lent connections
 * (`withConnection`) all ask it; each refusal names the API to use instead.
 *
 * Also here, because every dispatcher runs it first: a command name that is not a
 * non-empty string rejects with DataError (`call(undefined)` never throws), and the
 * SUBSCRIBE family keeps its PubSubError.
 */
import { DataError, ErrorCodes, PubSubError } from '../errors/index.js';
import { pubSubMisuse } from '../pubsub/guard.js';

/**
 * Where a command was issued:
 * - `'shared'`: a client's shared connection (standalone, cluster, sentinel-managed), directly;
 * - `'pipeline'` / `'transaction'`: queued in a `pipeline()` / `multi()` of the shared connection;
 * - `'lent'`: a connection lent by `withConnection`, directly;
 * - `'lent-transaction'`: queued in the `multi()` of a lent connection.
 */
export type CommandSite = 'shared' | 'pipeline' | 'transaction' | 'lent' | 'lent-transaction';

interface StateRule {
  /** Upper-case display name (`'CLIENT REPLY'`). */
  readonly display: string;
  /** Allowed, and tracked, on a lent connection. */
  readonly lent: boolean;
  /** Opens, closes or watches a transaction: never inside a queued `multi()`. */
  readonly block: boolean;
  /** What to use instead. */
  readonly instead: string;
}

const rule = (display: string, lent: boolean, block: boolean, instead: string): StateRule => ({
  display,
  lent,
  block,
  instead,
});

/** The table. Keys: lower-case command, or `command|subcommand` for subcommands. */
const RULES: ReadonlyMap<string, StateRule> = new Map([
  ['multi', rule('MULTI', true, true, 'use multi() (or withConnection(c => c.multi()) with WATCH)')],
  ['exec', rule('EXEC', true, true, 'use multi().exec()')],
  ['discard', rule('DISCARD', true, true, 'use multi().discard()')],
  ['watch', rule('WATCH', true, true, 'use withConnection(c => c.watch(...))')],
  ['unwatch', rule('UNWATCH', true, true, 'use withConnection(c => c.unwatch())')],
  ['select', rule('SELECT', true, false, 'use the db option, or SELECT inside withConnection(...)')],
  [
    'client|reply',
    rule('CLIENT REPLY', false, false, 'every command needs its reply; use pipeline() to batch commands'),
  ],
  [
    'client|tracking',
    rule('CLIENT TRACKING', true, false, 'use the clientSideCache option, or withConnection(...)'),
  ],
  [
    'client|caching',
    rule('CLIENT CACHING', true, false, 'use the clientSideCache option, or withConnection(...)'),
  ],
  [
    'client|no-evict',
    rule('CLIENT NO-EVICT', false, false, 'not supported: the client could not restore it after a reconnect'),
  ],
  [
    'client|no-touch',
    rule('CLIENT NO-TOUCH', false, false, 'not supported: the client could not restore it after a reconnect'),
  ],
  ['readonly', rule('READONLY', false, false, "use RedisCluster's readFrom option")],
  ['readwrite', rule('READWRITE', false, false, "use RedisCluster's readFrom option")],
  ['asking', rule('ASKING', false, false, 'the cluster client sends ASKING itself when it follows an ASK')],
  ['monitor', rule('MONITOR', false, false, 'use r.monitor(listener)')],
  ['reset', rule('RESET', false, false, 'use a new client (disconnect() and close() are final)')],
  ['quit', rule('QUIT', false, false, 'use close()')],
  ['hello', rule('HELLO', false, false, 'use the protocol, username/password or clientName options')],
  ['auth', rule('AUTH', false, false, 'use the username/password or credentials options')],
  // The server answers with its whole dataset (an RDB without the bulk's closing CRLF) and then
  // streams every write to the connection, none of it a reply to anyone's command.
  ['sync', rule('SYNC', false, false, 'not supported: it turns the connection into a replication stream')],
  ['psync', rule('PSYNC', false, false, 'not supported: it turns the connection into a replication stream')],
]);

/** Containers some of whose subcommands are in the table. */
const CONTAINERS: ReadonlySet<string> = new Set(['client']);

/** Length and first letter (any case) of a name: a cheap key that rules most names out without lower-casing. */
const shapeOf = (length: number, first: number): number => (length << 5) | (first & 31);

/** The shapes of every command name in the table (`client` for its subcommands). */
const SHAPES: ReadonlySet<number> = new Set(
  [...RULES.keys()].map((k) => {
    const word = k.split('|')[0] as string;
    return shapeOf(word.length, word.charCodeAt(0));
  }),
);

/** Where each site is, in the wording of the refusal. */
const PLACE: Readonly<Record<CommandSite, string>> = {
  shared: "on the client's shared connection",
  pipeline: 'in a pipeline on the shared connection',
  transaction: 'inside multi()',
  lent: 'on a lent connection',
  'lent-transaction': "inside a lent connection's multi()",
};

const ascii = new TextDecoder();

/** A subcommand token as lower-case text, or undefined when it cannot be one. */
function token(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.length <= 32 ? arg.toLowerCase() : undefined;
  if (arg instanceof Uint8Array && arg.length <= 32) return ascii.decode(arg).toLowerCase();
  return undefined;
}

/**
 * The state-command rule `name args…` falls under, or undefined for every other command.
 * Names and subcommands match in any case; `'CLIENT REPLY'` written as one name counts too.
 */
function stateRule(name: string, args: readonly unknown[]): StateRule | undefined {
  // Every name in the table is 4..9 characters (`client reply` as one name: up to 16).
  const length = name.length;
  if (length < 4 || length > 16) return undefined;
  if (length <= 9 && !SHAPES.has(shapeOf(length, name.charCodeAt(0)))) return undefined;
  let lower = name.toLowerCase();
  let sub: unknown = args[0];
  const space = lower.indexOf(' ');
  if (space > 0) {
    sub = lower.slice(space + 1).trim();
    lower = lower.slice(0, space);
  }
  if (CONTAINERS.has(lower)) {
    const s = token(sub);
    return s === undefined ? undefined : RULES.get(`${lower}|${s}`);
  }
  return RULES.get(lower);
}

/** The upper-case name of the state command this is (`'SELECT'`, `'CLIENT TRACKING'`), or undefined. */
export function stateCommandName(name: string, args: readonly unknown[]): string | undefined {
  return stateRule(name, args)?.display;
}

/**
 * Why `name args…` must not be sent from `site`, or undefined when it may. Checks, in order:
 * the name is a non-empty string (DataError), it is not an (un)subscribe (PubSubError), it is
 * not a connection-state command refused at `site` (DataError naming the API to use).
 */
export function commandRefusal(
  name: unknown,
  args: readonly unknown[],
  site: CommandSite,
): DataError | PubSubError | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    return new DataError(
      `the command name must be a non-empty string, got ${name === '' ? 'an empty string' : typeOf(name)}`,
    );
  }
  const misuse = pubSubMisuse(
    name,
    site === 'pipeline'
      ? 'pipeline'
      : site === 'transaction' || site === 'lent-transaction'
        ? 'transaction'
        : 'client',
  );
  if (misuse !== undefined) return misuse;
  const r = stateRule(name, args);
  if (r === undefined) return undefined;
  if (site === 'lent' && r.lent) return undefined;
  if (site === 'lent-transaction' && r.lent && !r.block) return undefined;
  return new DataError(`${r.display} cannot be sent ${PLACE[site]}: ${r.instead}`, {
    command: r.display,
    code: ErrorCodes.COMMAND_REFUSED,
  });
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
