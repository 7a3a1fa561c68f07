/** String commands. */
import { CommandSyntaxError } from '../../errors/index.js';
import { toNumber } from './transforms.js';
import type { Dispatcher, RedisKey, RedisValue } from './types.js';

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

/** Signatures with plain reply types; clients wrap them in promises. `S` is string or bytes. */
export interface StringCommands<S> {
  /** GET: the value, or null when the key does not exist. */
  get(key: RedisKey): S | null;
  /** SET: 'OK', or null when NX/XX prevented it; with `get`, the old value. */
  set(key: RedisKey, value: RedisValue, options?: SetOptions): 'OK' | S | null;
  mget(...keys: RedisKey[]): Array<S | null>;
  mset(...keyValues: Array<RedisKey | RedisValue>): 'OK';
  incr(key: RedisKey): number;
  incrby(key: RedisKey, increment: number): number;
  incrbyfloat(key: RedisKey, increment: number): number;
  decr(key: RedisKey): number;
  decrby(key: RedisKey, decrement: number): number;
  append(key: RedisKey, value: RedisValue): number;
  strlen(key: RedisKey): number;
  getdel(key: RedisKey): S | null;
  setnx(key: RedisKey, value: RedisValue): number;
}

const EXPIRY = ['ex', 'px', 'exat', 'pxat', 'keepttl'] as const;

function setArgs(key: RedisKey, value: RedisValue, o: SetOptions | undefined): unknown[] {
  const args: unknown[] = [key, value];
  if (o === undefined) return args;
  const expiry = EXPIRY.filter((k) => o[k] !== undefined && o[k] !== false);
  if (expiry.length > 1) {
    throw new CommandSyntaxError(`set() takes only one of ${EXPIRY.join(', ')}`, { command: 'SET', arguments: expiry });
  }
  if (o.nx && o.xx) throw new CommandSyntaxError('set() takes only one of nx, xx', { command: 'SET', arguments: ['nx', 'xx'] });
  const e = expiry[0];
  if (e === 'keepttl') args.push('KEEPTTL');
  else if (e !== undefined) args.push(e.toUpperCase(), o[e]);
  if (o.nx) args.push('NX');
  if (o.xx) args.push('XX');
  if (o.get) args.push('GET');
  return args;
}

export const stringCommands: ThisType<Dispatcher> & Record<keyof StringCommands<unknown>, (...a: never[]) => unknown> = {
  get(key: RedisKey) {
    return this.dispatch('get', [key]);
  },
  set(key: RedisKey, value: RedisValue, options?: SetOptions) {
    return this.dispatch('set', setArgs(key, value, options));
  },
  mget(...keys: RedisKey[]) {
    return this.dispatch('mget', keys);
  },
  mset(...keyValues: Array<RedisKey | RedisValue>) {
    return this.dispatch('mset', keyValues);
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
  getdel(key: RedisKey) {
    return this.dispatch('getdel', [key]);
  },
  setnx(key: RedisKey, value: RedisValue) {
    return this.dispatch('setnx', [key, value]);
  },
};
