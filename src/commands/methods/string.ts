/** String commands. */
import { CommandSyntaxError } from '../../errors/index.js';
import { flatKeys, pairArgs, type KeysArg } from './args.js';
import { toBoolean, toNumber } from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import { idempotentAll, intArg, noneOf, type Declarations, type RuleSet } from '../declare.js';

/** No expiry option set (the keys absent or undefined). */
interface NoExpiry {
  ex?: undefined;
  px?: undefined;
  exat?: undefined;
  pxat?: undefined;
}

/** Exactly one of the expiry options `K` (a number), the others absent. */
type OneExpiry<K extends keyof NoExpiry> = Omit<NoExpiry, K> & { [P in K]: number | undefined };

/**
 * Expiry of SET: one of `ex` (seconds), `px` (milliseconds), `exat` (Unix
 * seconds), `pxat` (Unix milliseconds), `keepttl`, or none. Two at once are a
 * compile error (and a CommandSyntaxError for plain-JavaScript callers).
 */
export type SetExpiry =
  | (NoExpiry & {
      /** KEEPTTL: keep the key's current expiry. */
      keepttl?: boolean;
    })
  | ((OneExpiry<'ex'> | OneExpiry<'px'> | OneExpiry<'exat'> | OneExpiry<'pxat'>) & {
      /** Not with an expiry. */
      keepttl?: false;
    });

/** `nx` (only if the key does not exist) or `xx` (only if it exists), not both. */
export type SetCondition =
  | {
      /** NX: only set if the key does not exist. */
      nx?: boolean;
      /** Not with `nx`. */
      xx?: false;
    }
  | {
      /** Not with `xx`. */
      nx?: false;
      /** XX: only set if the key exists. */
      xx?: boolean;
    };

/** Options of SET: one expiry, one condition, and `get` (return the old value: SET … GET). */
export type SetOptions = SetExpiry & SetCondition & { get?: boolean };

/** Options of GETEX: one expiry or `persist` (remove the expiry), or none to just read. */
export type GetExOptions =
  | (NoExpiry & {
      /** PERSIST: remove the expiry. */
      persist?: boolean;
    })
  | ((OneExpiry<'ex'> | OneExpiry<'px'> | OneExpiry<'exat'> | OneExpiry<'pxat'>) & {
      /** Not with an expiry. */
      persist?: false;
    });

/** Signatures with plain reply types; clients wrap them in promises. `S` is string or bytes. */
export interface StringCommands<S> {
  /** GET: the value, or null when the key does not exist. */
  get(key: RedisKey): S | null;
  /** SET: 'OK', or null when NX/XX prevented it; with `get`, the old value. */
  set(key: RedisKey, value: RedisValue, options?: SetOptions): 'OK' | S | null;
  /** SETEX key seconds value. */
  setex(key: RedisKey, seconds: number, value: RedisValue): 'OK';
  /** PSETEX key milliseconds value. */
  psetex(key: RedisKey, milliseconds: number, value: RedisValue): 'OK';
  /** SETNX: true when the key was set. */
  setnx(key: RedisKey, value: RedisValue): boolean;
  /** GETEX: the value (null when missing), changing its expiry per `options`. */
  getex(key: RedisKey, options?: GetExOptions): S | null;
  getdel(key: RedisKey): S | null;
  /** GETSET (deprecated in favour of `set(k, v, { get: true })`). */
  getset(key: RedisKey, value: RedisValue): S | null;
  /** MGET: keys one by one or as arrays; null for each missing key. */
  mget(...keys: KeysArg[]): Array<S | null>;
  /** MSET from an object, or from `key, value, key, value…`. */
  mset(entries: Record<string, RedisValue>): 'OK';
  mset(...keyValues: RedisValue[]): 'OK';
  /** MSETNX: true when every key was set (none existed). */
  msetnx(entries: Record<string, RedisValue>): boolean;
  msetnx(...keyValues: RedisValue[]): boolean;
  incr(key: RedisKey): number;
  incrby(key: RedisKey, increment: number): number;
  incrbyfloat(key: RedisKey, increment: number): number;
  decr(key: RedisKey): number;
  decrby(key: RedisKey, decrement: number): number;
  append(key: RedisKey, value: RedisValue): number;
  strlen(key: RedisKey): number;
  /** GETRANGE key start end (inclusive, negative from the end). */
  getrange(key: RedisKey, start: number, end: number): S;
  /** SETRANGE: the new length. */
  setrange(key: RedisKey, offset: number, value: RedisValue): number;
  /** LCS: the longest common subsequence of two string values. */
  lcs(key1: RedisKey, key2: RedisKey): S;
  /** LCS … LEN: its length. */
  lcsLength(key1: RedisKey, key2: RedisKey): number;
}

const EXPIRY = ['ex', 'px', 'exat', 'pxat', 'keepttl'] as const;
const GETEX_EXPIRY = ['ex', 'px', 'exat', 'pxat', 'persist'] as const;

/** The single expiry option set among `names`, or a CommandSyntaxError naming all that were set. */
function oneOf<K extends string>(
  command: string,
  method: string,
  o: Partial<Record<K, unknown>>,
  names: readonly K[],
): K | undefined {
  const set = names.filter((k) => o[k] !== undefined && o[k] !== false);
  if (set.length > 1)
    throw new CommandSyntaxError(`${method}() takes only one of ${names.join(', ')}`, {
      command,
      arguments: set,
    });
  return set[0];
}

function setArgs(key: RedisKey, value: RedisValue, o: SetOptions | undefined): unknown[] {
  const args: unknown[] = [key, value];
  if (o === undefined) return args;
  const e = oneOf('SET', 'set', o, EXPIRY);
  if (o.nx && o.xx)
    throw new CommandSyntaxError('set() takes only one of nx, xx', {
      command: 'SET',
      arguments: ['nx', 'xx'],
    });
  if (e === 'keepttl') args.push('KEEPTTL');
  else if (e !== undefined) args.push(e.toUpperCase(), o[e]);
  if (o.nx) args.push('NX');
  if (o.xx) args.push('XX');
  if (o.get) args.push('GET');
  return args;
}

function getexArgs(key: RedisKey, o: GetExOptions | undefined): unknown[] {
  if (o === undefined) return [key];
  const e = oneOf('GETEX', 'getex', o, GETEX_EXPIRY);
  if (e === undefined) return [key];
  return e === 'persist' ? [key, 'PERSIST'] : [key, e.toUpperCase(), o[e]];
}

export const stringCommands = {
  get: {
    command: 'get',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  set: {
    command: 'set',
    example: 'set(key, value, { ex: 60 })',
    params: ['key', 'value', '{options}?'],
    args: ([key, value, options]: [RedisKey, RedisValue, SetOptions?]) =>
      options === undefined ? [key, value] : setArgs(key, value, options),
  },
  setex: {
    command: 'setex',
    params: ['key', 'seconds', 'value'],
    args: ([key, seconds, value]: [RedisKey, number, RedisValue]) => [key, seconds, value],
  },
  psetex: {
    command: 'psetex',
    params: ['key', 'milliseconds', 'value'],
    args: ([key, milliseconds, value]: [RedisKey, number, RedisValue]) => [key, milliseconds, value],
  },
  setnx: {
    command: 'setnx',
    params: ['key', 'value'],
    args: ([key, value]: [RedisKey, RedisValue]) => [key, value],
    reply: toBoolean,
  },
  getex: {
    command: 'getex',
    example: 'getex(key, { ex: 60 })',
    params: ['key', '{options}?'],
    args: ([key, options]: [RedisKey, GetExOptions?]) => getexArgs(key, options),
  },
  getdel: {
    command: 'getdel',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  getset: {
    command: 'getset',
    params: ['key', 'value'],
    args: ([key, value]: [RedisKey, RedisValue]) => [key, value],
  },
  mget: {
    command: 'mget',
    cacheable: true,
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  mset: {
    command: 'mset',
    params: ['...rest'],
    args: (rest: unknown[]) => pairArgs([], rest),
  },
  msetnx: {
    command: 'msetnx',
    params: ['...rest'],
    args: (rest: unknown[]) => pairArgs([], rest),
    reply: toBoolean,
  },
  incr: {
    command: 'incr',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  incrby: {
    command: 'incrby',
    params: ['key', 'increment'],
    args: ([key, increment]: [RedisKey, number]) => [key, increment],
  },
  incrbyfloat: {
    command: 'incrbyfloat',
    params: ['key', 'increment'],
    args: ([key, increment]: [RedisKey, number]) => [key, increment],
    reply: toNumber,
  },
  decr: {
    command: 'decr',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  decrby: {
    command: 'decrby',
    params: ['key', 'decrement'],
    args: ([key, decrement]: [RedisKey, number]) => [key, decrement],
  },
  append: {
    command: 'append',
    params: ['key', 'value'],
    args: ([key, value]: [RedisKey, RedisValue]) => [key, value],
  },
  strlen: {
    command: 'strlen',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  getrange: {
    command: 'getrange',
    cacheable: true,
    params: ['key', 'start', 'end'],
    args: ([key, start, end]: [RedisKey, number, number]) => [key, start, end],
  },
  setrange: {
    command: 'setrange',
    params: ['key', 'offset', 'value'],
    args: ([key, offset, value]: [RedisKey, number, RedisValue]) => [key, offset, value],
  },
  lcs: {
    command: 'lcs',
    params: ['key1', 'key2'],
    args: ([key1, key2]: [RedisKey, RedisKey]) => [key1, key2],
  },
  lcsLength: {
    command: 'lcs',
    params: ['key1', 'key2'],
    args: ([key1, key2]: [RedisKey, RedisKey]) => [key1, key2, 'LEN'],
  },
} satisfies Declarations<StringCommands<unknown>>;

const CONDITIONAL_SET = ['GET', 'NX', 'XX', 'IFEQ', 'IFNE', 'IFDEQ', 'IFDNE'];

/** MSETEX numkeys key value … [NX|XX] [expiration]: conditional writes are excluded. */
function msetexUnconditional(args: readonly unknown[]): boolean {
  const n = intArg(args[0]);
  return n !== undefined && n >= 0 && noneOf(args, 1 + 2 * n, ['NX', 'XX']);
}

/**
 * What the raw arguments of string commands tell the client (see CommandRules).
 * SET is idempotent unless NX/XX/GET/IF* make its reply the caller's decision;
 * SETNX, MSETNX, INCR*, APPEND, GETSET, GETDEL are not.
 */
export const stringRules: RuleSet = {
  ...idempotentAll(['mset', 'setex', 'psetex', 'setrange', 'getex']),
  set: { idempotent: (a) => noneOf(a, 2, CONDITIONAL_SET) },
  msetex: { idempotent: msetexUnconditional },
};
