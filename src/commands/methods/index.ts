/**
 * All command methods, gathered: the typed declarations (one file per data
 * type; each group's signature type, e.g. `StringCommands<S>`, is mapped from
 * its declaration objects), an untyped method for every other command of the
 * table (raw.generated.ts), and the mapped types that turn those signatures
 * into promise-returning client methods or chaining pipeline methods.
 */
import { bitmapCommands, type BitmapCommands } from './bitmap.js';
import { clusterCommands, type ClusterCommands } from './cluster.js';
import { connectionCommands, type ConnectionCommands } from './connection.js';
import { functionCommands, type FunctionCommands } from './functions.js';
import { genericCommands, type GenericCommands } from './generic.js';
import { geoCommands, type GeoCommands } from './geo.js';
import { hashCommands, type HashCommands } from './hash.js';
import { hyperLogLogCommands, type HyperLogLogCommands } from './hyperloglog.js';
import { listCommands, type ListCommands } from './list.js';
import { publishCommands, type PublishCommands } from './pubsub.js';
import { RAW_COMMANDS } from './raw.generated.js';
import type { RawTarget } from './raw-names.js';
import { scriptingCommands, type ScriptingCommands } from './scripting.js';
import { serverCommands, type ServerCommands } from './server.js';
import { setCommands, type SetCommands } from './set.js';
import { sortedSetCommands, type SortedSetCommands } from './sorted-set.js';
import { streamCommands, type StreamCommands } from './stream.js';
import { stringCommands, type StringCommands } from './string.js';
import type { Dispatcher, RedisArg } from './types.js';
import type { AnyDeclaration } from '../declare.js';
import { cacheableRules } from '../rules.js';
import { compileShape, isOptionsArg, malformed, misuse, unknownOption, unknownOptionError } from './shape.js';

export type {
  RedisKey,
  RedisValue,
  RedisArg,
  Dispatcher,
  Transform,
  ScoredMember,
  ScanPage,
  ScanOptions,
  KeyScanOptions,
  ScriptCall,
  ExpireMode,
  ListEnd,
} from './types.js';
export type { SetOptions, GetExOptions, SetExpiry, SetCondition } from './string.js';
export type { CopyOptions, RestoreOptions, SortOptions } from './generic.js';
export type { FieldValue, HGetExOptions, HSetExOptions, HSetExCondition } from './hash.js';
export type { LPosOptions, ListPop } from './list.js';
export type {
  ZAddOptions,
  ZAddCondition,
  ZMember,
  ZRangeOptions,
  ZCombineOptions,
  ZKeyedMember,
  ZPop,
  ScoreBound,
  LexBound,
} from './sorted-set.js';
export type {
  StreamEntry,
  GroupStreamEntry,
  StreamRead,
  StreamOffset,
  StreamTrim,
  XAddOptions,
  XReadOptions,
  XReadGroupOptions,
  XGroupCreateOptions,
  XPendingSummary,
  XPendingEntry,
  XPendingOptions,
  XClaimOptions,
  XAutoClaimResult,
  XInfoStream,
  XInfoGroup,
  XInfoConsumer,
} from './stream.js';
export type {
  GeoUnit,
  GeoPosition,
  GeoMember,
  GeoAddOptions,
  GeoFrom,
  GeoBy,
  GeoSearchOptions,
  GeoSearchWithOptions,
  GeoSearchStoreOptions,
  GeoSearchResult,
} from './geo.js';
export type { BitfieldType, BitfieldOffset, BitfieldOperation, BitRange } from './bitmap.js';
export type { FunctionInfo, LibraryInfo, FunctionLoadOptions, FunctionListOptions } from './functions.js';
export type { ClientInfo, ClientListOptions, ClientKillFilter } from './connection.js';
export type { SlowlogEntry, ModuleInfo } from './server.js';
export { NOT_METHODS, methodName } from './raw-names.js';
export { RAW_COMMANDS };

/** Every typed command, grouped by data type, with plain (unwrapped) reply types; `S` is the string type of replies. */
export interface TypedCommands<S>
  extends
    StringCommands<S>,
    GenericCommands<S>,
    HashCommands<S>,
    ListCommands<S>,
    SetCommands<S>,
    SortedSetCommands<S>,
    StreamCommands<S>,
    GeoCommands<S>,
    HyperLogLogCommands,
    BitmapCommands,
    ScriptingCommands,
    FunctionCommands<S>,
    PublishCommands<S>,
    ConnectionCommands<S>,
    ServerCommands,
    ClusterCommands<S> {}

/**
 * One method per command of the table (lower-case, camelCased: `objectEncoding`,
 * `configGet`, `jsonGet`), sending its arguments as written; the reply is the
 * protocol value as decoded, like `call()`.
 */
export type UntypedCommands = { [K in keyof typeof RAW_COMMANDS]: (...args: RedisArg[]) => unknown };

/** Every command method: the typed ones, and an untyped one for each other command. */
export interface CommandSignatures<S>
  extends TypedCommands<S>, Omit<UntypedCommands, keyof TypedCommands<unknown>> {}

/** Mutually assignable parameter lists: a single signature read through the two-overload pattern. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Promise-returning methods. Overloads survive mapping only one signature deep,
 * so declarations keep to at most two; a single signature stays single.
 */
export type Promised<T> = {
  [K in keyof T]: T[K] extends { (...a: infer A1): infer R1; (...a: infer A2): infer R2 }
    ? Same<A1, A2> extends true
      ? (...a: A1) => Promise<R1>
      : ((...a: A1) => Promise<R1>) & ((...a: A2) => Promise<R2>)
    : never;
};

/** Mutually assignable parameter lists (exported for the batch types). */
export type SameParams<A, B> = Same<A, B>;

/** Every typed command's declaration, by method name. */
export const DECLARATIONS: Readonly<Record<string, AnyDeclaration>> = {
  ...stringCommands,
  ...genericCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...streamCommands,
  ...geoCommands,
  ...hyperLogLogCommands,
  ...bitmapCommands,
  ...scriptingCommands,
  ...functionCommands,
  ...publishCommands,
  ...connectionCommands,
  ...serverCommands,
  ...clusterCommands,
};

/**
 * Table names of the commands a client-side cache may keep replies of: those
 * whose typed declarations say `cacheable` (read-only, deterministic,
 * key-based), and untyped ones whose rules say so (ZRANGEBYSCORE …, JSON.GET).
 * The same for `call()` with that name. MGET is cacheable per key.
 */
export const CACHEABLE_COMMANDS: ReadonlySet<string> = new Set([
  ...Object.values(DECLARATIONS)
    .filter((d) => d.cacheable === true)
    .map((d) => d.command),
  ...cacheableRules(),
]);

/** Whether replies of this command (table name, lower-case) may be cached; see {@link CACHEABLE_COMMANDS}. */
export function isCacheable(command: string): boolean {
  return CACHEABLE_COMMANDS.has(command);
}

function untyped(target: RawTarget): (this: Dispatcher, ...args: unknown[]) => unknown {
  const command = target[0];
  const sub = target[1];
  if (sub === undefined) {
    return function (this: Dispatcher, ...args: unknown[]) {
      return this.dispatch(command, args);
    };
  }
  return function (this: Dispatcher, ...args: unknown[]) {
    args.unshift(sub);
    return this.dispatch(command, args);
  };
}

type Fail = (self: unknown, error: unknown) => unknown;

/**
 * The method of one declaration: checks the call's shape (see ./shape.ts),
 * builds the wire arguments from the caller's arguments as one array (never
 * spread into a call, so a million-element array is fine) and dispatches.
 * A builder that throws (CommandSyntaxError for exclusive options) becomes
 * `fail(self, error)`: clients reject instead of throwing synchronously.
 */
function typed(name: string, d: AnyDeclaration, fail: Fail): (this: Dispatcher, ...a: unknown[]) => unknown {
  const shape = compileShape(name, d);
  const build = d.args as (a: unknown[]) => unknown[];
  const command = d.command;
  const reply = d.reply;
  const replyFor = d.replyFor as ((a: unknown[]) => (raw: unknown) => unknown) | undefined;
  const max = shape.max;
  const options = shape.options;
  const optionNames = shape.optionNames;
  return function (this: Dispatcher, ...a: unknown[]): unknown {
    if (a.length > max || (options >= 0 && a.length > options && !isOptionsArg(a[options])))
      return fail(this, misuse(shape, a));
    if (optionNames !== undefined && a.length > options) {
      const unknown = unknownOption(a[options], optionNames);
      if (unknown !== undefined) return fail(this, unknownOptionError(shape, optionNames, unknown));
    }
    let wire: unknown[];
    try {
      wire = build(a);
    } catch (e) {
      return fail(this, malformed(shape, e));
    }
    return this.dispatch(command, wire, replyFor === undefined ? reply : replyFor(a));
  };
}

/**
 * Puts every command method on a prototype: the typed ones, then an untyped
 * one for each other command of the table. A name the prototype already has
 * (a class's own method, e.g. `multi()`) is left alone.
 */
export function installCommands(proto: object, fail: Fail): void {
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(proto, name, { configurable: true, writable: true, value });
  };
  for (const name of Object.keys(DECLARATIONS)) {
    if (!(name in proto)) define(name, typed(name, DECLARATIONS[name] as AnyDeclaration, fail));
  }
  for (const name of Object.keys(RAW_COMMANDS) as Array<keyof typeof RAW_COMMANDS>) {
    if (!(name in proto)) define(name, untyped(RAW_COMMANDS[name]));
  }
}
