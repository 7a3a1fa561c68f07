/** String commands. */
import { CommandSyntaxError } from '../../errors/index.js';
import { flatKeys, pairArgs, type KeysArg } from './args.js';
import { toBoolean, toNumber } from './transforms.js';
import type { Implementation, RedisKey, RedisValue } from './types.js';

/** Options of SET. `ex`/`px`/`exat`/`pxat`/`keepttl` exclude each other, as do `nx`/`xx`. */
export interface SetOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time in seconds. */
  exat?: number;
  /** Expire at this Unix time in milliseconds. */
  pxat?: number;
  keepttl?: boolean;
  /** Only set if the key does not exist. */
  nx?: boolean;
  /** Only set if the key exists. */
  xx?: boolean;
  /** Return the old value (SET … GET). */
  get?: boolean;
}

/** Options of GETEX: one of them, or none to just read. */
export interface GetExOptions {
  ex?: number;
  px?: number;
  exat?: number;
  pxat?: number;
  /** Remove the expiry. */
  persist?: boolean;
}

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

export const stringCommands: Implementation<StringCommands<unknown>> = {
  get(key: RedisKey) {
    return this.dispatch('get', [key]);
  },
  set(key: RedisKey, value: RedisValue, options?: SetOptions) {
    return this.dispatch('set', options === undefined ? [key, value] : setArgs(key, value, options));
  },
  setex(key: RedisKey, seconds: number, value: RedisValue) {
    return this.dispatch('setex', [key, seconds, value]);
  },
  psetex(key: RedisKey, milliseconds: number, value: RedisValue) {
    return this.dispatch('psetex', [key, milliseconds, value]);
  },
  setnx(key: RedisKey, value: RedisValue) {
    return this.dispatch('setnx', [key, value], toBoolean);
  },
  getex(key: RedisKey, options?: GetExOptions) {
    return this.dispatch('getex', getexArgs(key, options));
  },
  getdel(key: RedisKey) {
    return this.dispatch('getdel', [key]);
  },
  getset(key: RedisKey, value: RedisValue) {
    return this.dispatch('getset', [key, value]);
  },
  mget(...keys: KeysArg[]) {
    return this.dispatch('mget', flatKeys(keys));
  },
  mset(...rest: unknown[]) {
    return this.dispatch('mset', pairArgs([], rest));
  },
  msetnx(...rest: unknown[]) {
    return this.dispatch('msetnx', pairArgs([], rest), toBoolean);
  },
  incr(key: RedisKey) {
    return this.dispatch('incr', [key]);
  },
  incrby(key: RedisKey, increment: number) {
    return this.dispatch('incrby', [key, increment]);
  },
  incrbyfloat(key: RedisKey, increment: number) {
    return this.dispatch('incrbyfloat', [key, increment], toNumber);
  },
  decr(key: RedisKey) {
    return this.dispatch('decr', [key]);
  },
  decrby(key: RedisKey, decrement: number) {
    return this.dispatch('decrby', [key, decrement]);
  },
  append(key: RedisKey, value: RedisValue) {
    return this.dispatch('append', [key, value]);
  },
  strlen(key: RedisKey) {
    return this.dispatch('strlen', [key]);
  },
  getrange(key: RedisKey, start: number, end: number) {
    return this.dispatch('getrange', [key, start, end]);
  },
  setrange(key: RedisKey, offset: number, value: RedisValue) {
    return this.dispatch('setrange', [key, offset, value]);
  },
  lcs(key1: RedisKey, key2: RedisKey) {
    return this.dispatch('lcs', [key1, key2]);
  },
  lcsLength(key1: RedisKey, key2: RedisKey) {
    return this.dispatch('lcs', [key1, key2, 'LEN']);
  },
};
