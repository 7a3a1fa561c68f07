/** List commands. The blocking ones (BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH) run on a dedicated connection. */
import { keyList, mpopArgs } from './args.js';
import { asArray } from './transforms.js';
import type { Implementation, ListEnd, RedisKey, RedisValue } from './types.js';

export interface LPosOptions {
  /** Which match to return (1 = first; negative counts from the tail). */
  rank?: number;
  /** Compare at most this many elements. */
  maxlen?: number;
}

/** What LMPOP / BLMPOP popped. */
export interface ListPop<S> {
  key: S;
  elements: S[];
}

export interface ListCommands<S> {
  lpush(key: RedisKey, ...values: RedisValue[]): number;
  rpush(key: RedisKey, ...values: RedisValue[]): number;
  /** LPUSHX: only if the list exists (0 otherwise). */
  lpushx(key: RedisKey, ...values: RedisValue[]): number;
  rpushx(key: RedisKey, ...values: RedisValue[]): number;
  lpop(key: RedisKey): S | null;
  /** LPOP key count: up to `count` elements, or null when the list does not exist. */
  lpopCount(key: RedisKey, count: number): S[] | null;
  rpop(key: RedisKey): S | null;
  rpopCount(key: RedisKey, count: number): S[] | null;
  llen(key: RedisKey): number;
  lrange(key: RedisKey, start: number, stop: number): S[];
  lindex(key: RedisKey, index: number): S | null;
  /** LINSERT: the new length, -1 when `pivot` is absent, 0 when the key is. */
  linsert(key: RedisKey, where: 'BEFORE' | 'AFTER', pivot: RedisValue, element: RedisValue): number;
  /** LREM: removes `count` occurrences (from the head if > 0, tail if < 0, all if 0). */
  lrem(key: RedisKey, count: number, element: RedisValue): number;
  lset(key: RedisKey, index: number, element: RedisValue): 'OK';
  ltrim(key: RedisKey, start: number, stop: number): 'OK';
  /** LPOS: index of the first match (per `rank`), or null. */
  lpos(key: RedisKey, element: RedisValue, options?: LPosOptions): number | null;
  /** LPOS … COUNT n (0 = all): indexes of the matches. */
  lposCount(key: RedisKey, element: RedisValue, count: number, options?: LPosOptions): number[];
  /** LMOVE: the element moved, or null when `source` is empty. */
  lmove(source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd): S | null;
  /** LMPOP (Redis 7.0+): from the first non-empty list. */
  lmpop(keys: RedisKey | readonly RedisKey[], from: ListEnd, count?: number): ListPop<S> | null;
  /** RPOPLPUSH (deprecated in favour of `lmove`). */
  rpoplpush(source: RedisKey, destination: RedisKey): S | null;
  /** BLPOP: `[key, value]`, or null when `timeout` seconds pass (0 = forever). Runs on a dedicated connection. */
  blpop(keys: RedisKey | readonly RedisKey[], timeout: number): [S, S] | null;
  brpop(keys: RedisKey | readonly RedisKey[], timeout: number): [S, S] | null;
  /** BLMOVE: like `lmove`, waiting up to `timeout` seconds. */
  blmove(source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd, timeout: number): S | null;
  /** BLMPOP (Redis 7.0+): like `lmpop`, waiting up to `timeout` seconds. */
  blmpop(
    timeout: number,
    keys: RedisKey | readonly RedisKey[],
    from: ListEnd,
    count?: number,
  ): ListPop<S> | null;
  brpoplpush(source: RedisKey, destination: RedisKey, timeout: number): S | null;
}

function lposArgs(args: unknown[], o: LPosOptions | undefined): unknown[] {
  if (o?.rank !== undefined) args.push('RANK', o.rank);
  if (o?.maxlen !== undefined) args.push('MAXLEN', o.maxlen);
  return args;
}

function toListPop(v: unknown): ListPop<unknown> | null {
  if (v === null) return null;
  const a = asArray(v);
  return { key: a[0], elements: asArray(a[1]) };
}

function popKeys(keys: RedisKey | readonly RedisKey[], timeout: number): unknown[] {
  const args: unknown[] = keyList(keys);
  args.push(timeout);
  return args;
}

export const listCommands: Implementation<ListCommands<unknown>> = {
  lpush(key: RedisKey, ...values: RedisValue[]) {
    return this.dispatch('lpush', [key, ...values]);
  },
  rpush(key: RedisKey, ...values: RedisValue[]) {
    return this.dispatch('rpush', [key, ...values]);
  },
  lpushx(key: RedisKey, ...values: RedisValue[]) {
    return this.dispatch('lpushx', [key, ...values]);
  },
  rpushx(key: RedisKey, ...values: RedisValue[]) {
    return this.dispatch('rpushx', [key, ...values]);
  },
  lpop(key: RedisKey) {
    return this.dispatch('lpop', [key]);
  },
  lpopCount(key: RedisKey, count: number) {
    return this.dispatch('lpop', [key, count]);
  },
  rpop(key: RedisKey) {
    return this.dispatch('rpop', [key]);
  },
  rpopCount(key: RedisKey, count: number) {
    return this.dispatch('rpop', [key, count]);
  },
  llen(key: RedisKey) {
    return this.dispatch('llen', [key]);
  },
  lrange(key: RedisKey, start: number, stop: number) {
    return this.dispatch('lrange', [key, start, stop]);
  },
  lindex(key: RedisKey, index: number) {
    return this.dispatch('lindex', [key, index]);
  },
  linsert(key: RedisKey, where: 'BEFORE' | 'AFTER', pivot: RedisValue, element: RedisValue) {
    return this.dispatch('linsert', [key, where, pivot, element]);
  },
  lrem(key: RedisKey, count: number, element: RedisValue) {
    return this.dispatch('lrem', [key, count, element]);
  },
  lset(key: RedisKey, index: number, element: RedisValue) {
    return this.dispatch('lset', [key, index, element]);
  },
  ltrim(key: RedisKey, start: number, stop: number) {
    return this.dispatch('ltrim', [key, start, stop]);
  },
  lpos(key: RedisKey, element: RedisValue, options?: LPosOptions) {
    return this.dispatch('lpos', lposArgs([key, element], options));
  },
  lposCount(key: RedisKey, element: RedisValue, count: number, options?: LPosOptions) {
    const args = lposArgs([key, element], options);
    args.push('COUNT', count);
    return this.dispatch('lpos', args);
  },
  lmove(source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd) {
    return this.dispatch('lmove', [source, destination, from, to]);
  },
  lmpop(keys: RedisKey | readonly RedisKey[], from: ListEnd, count?: number) {
    return this.dispatch('lmpop', mpopArgs([], keys, from, count), toListPop);
  },
  rpoplpush(source: RedisKey, destination: RedisKey) {
    return this.dispatch('rpoplpush', [source, destination]);
  },
  blpop(keys: RedisKey | readonly RedisKey[], timeout: number) {
    return this.dispatch('blpop', popKeys(keys, timeout));
  },
  brpop(keys: RedisKey | readonly RedisKey[], timeout: number) {
    return this.dispatch('brpop', popKeys(keys, timeout));
  },
  blmove(source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd, timeout: number) {
    return this.dispatch('blmove', [source, destination, from, to, timeout]);
  },
  blmpop(timeout: number, keys: RedisKey | readonly RedisKey[], from: ListEnd, count?: number) {
    return this.dispatch('blmpop', mpopArgs([timeout], keys, from, count), toListPop);
  },
  brpoplpush(source: RedisKey, destination: RedisKey, timeout: number) {
    return this.dispatch('brpoplpush', [source, destination, timeout]);
  },
};
