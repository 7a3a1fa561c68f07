/** String commands. */
import { CommandSyntaxError } from '../../errors/index.js';
import { flatKeys, pairArgs, type KeysArg } from './args.js';
import { toBoolean, toNumber } from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import {
  command,
  idempotentAll,
  intArg,
  noneOf,
  optionNames,
  type RuleSet,
  type Signatures,
} from '../declare.js';

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

const EXPIRY = ['ex', 'px', 'exat', 'pxat', 'keepttl'] as const;
const GETEX_EXPIRY = ['ex', 'px', 'exat', 'pxat', 'persist'] as const;

/** The single expiry option set among `names`, or a CommandSyntaxError naming all that were set. */
function oneOf<K extends string>(
  command: string,
  method: string,
  o: Partial<Record<K, unknown>>,
  names: readonly K[],
): K | undefined {
  // Runs on every SET with options: no array is built unless two were set (the error path).
  let found: K | undefined;
  for (const k of names) {
    const v = o[k];
    if (v === undefined || v === false) continue;
    if (found !== undefined)
      throw new CommandSyntaxError(`${method}() takes only one of ${names.join(', ')}`, {
        command,
        arguments: names.filter((n) => o[n] !== undefined && o[n] !== false),
      });
    found = k;
  }
  return found;
}

/** The wire token of each expiry option (no upper-casing per call). */
const TOKEN: Readonly<Record<'ex' | 'px' | 'exat' | 'pxat', string>> = {
  ex: 'EX',
  px: 'PX',
  exat: 'EXAT',
  pxat: 'PXAT',
};

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
  else if (e !== undefined) args.push(TOKEN[e], o[e]);
  if (o.nx) args.push('NX');
  if (o.xx) args.push('XX');
  if (o.get) args.push('GET');
  return args;
}

function getexArgs(key: RedisKey, o: GetExOptions | undefined): unknown[] {
  if (o === undefined) return [key];
  const e = oneOf('GETEX', 'getex', o, GETEX_EXPIRY);
  if (e === undefined) return [key];
  return e === 'persist' ? [key, 'PERSIST'] : [key, TOKEN[e], o[e]];
}

/**
 * The string command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link StringCommands} maps them.
 */
function declarations<S>() {
  return {
    /** GET: the value, or null when the key does not exist. */
    get: command<(key: RedisKey) => S | null>({
      command: 'get',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** SET: 'OK', or null when NX/XX prevented it; with `get`, the old value. */
    set: command<(key: RedisKey, value: RedisValue, options?: SetOptions) => 'OK' | S | null>({
      command: 'set',
      example: 'set(key, value, { ex: 60 })',
      params: ['key', 'value', '{options}?'],
      options: optionNames<SetOptions>()(['ex', 'px', 'exat', 'pxat', 'keepttl', 'nx', 'xx', 'get']),
      args: ([key, value, options]) => (options === undefined ? [key, value] : setArgs(key, value, options)),
    }),
    /** SETEX key seconds value. */
    setex: command<(key: RedisKey, seconds: number, value: RedisValue) => 'OK'>({
      command: 'setex',
      params: ['key', 'seconds', 'value'],
      args: ([key, seconds, value]) => [key, seconds, value],
    }),
    /** PSETEX key milliseconds value. */
    psetex: command<(key: RedisKey, milliseconds: number, value: RedisValue) => 'OK'>({
      command: 'psetex',
      params: ['key', 'milliseconds', 'value'],
      args: ([key, milliseconds, value]) => [key, milliseconds, value],
    }),
    /** SETNX: true when the key was set. */
    setnx: command<(key: RedisKey, value: RedisValue) => boolean>({
      command: 'setnx',
      params: ['key', 'value'],
      args: ([key, value]) => [key, value],
      reply: toBoolean,
    }),
    /** GETEX: the value (null when missing), changing its expiry per `options`. */
    getex: command<(key: RedisKey, options?: GetExOptions) => S | null>({
      command: 'getex',
      example: 'getex(key, { ex: 60 })',
      params: ['key', '{options}?'],
      options: optionNames<GetExOptions>()(['ex', 'px', 'exat', 'pxat', 'persist']),
      args: ([key, options]) => getexArgs(key, options),
    }),
    getdel: command<(key: RedisKey) => S | null>({
      command: 'getdel',
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** GETSET (deprecated in favour of `set(k, v, { get: true })`). */
    getset: command<(key: RedisKey, value: RedisValue) => S | null>({
      command: 'getset',
      params: ['key', 'value'],
      args: ([key, value]) => [key, value],
    }),
    /** MGET: keys one by one or as arrays; null for each missing key. */
    mget: command<(...keys: KeysArg[]) => Array<S | null>>({
      command: 'mget',
      cacheable: true,
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    /** MSET from an object, or from `key, value, key, value…`. */
    mset: command<{
      (entries: Record<string, RedisValue>): 'OK';
      (...keyValues: RedisValue[]): 'OK';
    }>({
      command: 'mset',
      params: ['...rest'],
      args: (rest) => pairArgs([], rest),
    }),
    /** MSETNX: true when every key was set (none existed). */
    msetnx: command<{
      (entries: Record<string, RedisValue>): boolean;
      (...keyValues: RedisValue[]): boolean;
    }>({
      command: 'msetnx',
      params: ['...rest'],
      args: (rest) => pairArgs([], rest),
      reply: toBoolean,
    }),
    incr: command<(key: RedisKey) => number>({
      command: 'incr',
      params: ['key'],
      args: ([key]) => [key],
    }),
    incrby: command<(key: RedisKey, increment: number) => number>({
      command: 'incrby',
      params: ['key', 'increment'],
      args: ([key, increment]) => [key, increment],
    }),
    incrbyfloat: command<(key: RedisKey, increment: number) => number>({
      command: 'incrbyfloat',
      params: ['key', 'increment'],
      args: ([key, increment]) => [key, increment],
      reply: toNumber,
    }),
    decr: command<(key: RedisKey) => number>({
      command: 'decr',
      params: ['key'],
      args: ([key]) => [key],
    }),
    decrby: command<(key: RedisKey, decrement: number) => number>({
      command: 'decrby',
      params: ['key', 'decrement'],
      args: ([key, decrement]) => [key, decrement],
    }),
    append: command<(key: RedisKey, value: RedisValue) => number>({
      command: 'append',
      params: ['key', 'value'],
      args: ([key, value]) => [key, value],
    }),
    strlen: command<(key: RedisKey) => number>({
      command: 'strlen',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** GETRANGE key start end (inclusive, negative from the end). */
    getrange: command<(key: RedisKey, start: number, end: number) => S>({
      command: 'getrange',
      cacheable: true,
      params: ['key', 'start', 'end'],
      args: ([key, start, end]) => [key, start, end],
    }),
    /** SETRANGE: the new length. */
    setrange: command<(key: RedisKey, offset: number, value: RedisValue) => number>({
      command: 'setrange',
      params: ['key', 'offset', 'value'],
      args: ([key, offset, value]) => [key, offset, value],
    }),
    /** LCS: the longest common subsequence of two string values. */
    lcs: command<(key1: RedisKey, key2: RedisKey) => S>({
      command: 'lcs',
      params: ['key1', 'key2'],
      args: ([key1, key2]) => [key1, key2],
    }),
    /** LCS … LEN: its length. */
    lcsLength: command<(key1: RedisKey, key2: RedisKey) => number>({
      command: 'lcs',
      params: ['key1', 'key2'],
      args: ([key1, key2]) => [key1, key2, 'LEN'],
    }),
  };
}

export const stringCommands = declarations();

/** Signatures with plain reply types; clients wrap them in promises. `S` is string or bytes. */
export type StringCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

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
