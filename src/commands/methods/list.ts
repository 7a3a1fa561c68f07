/** List commands. The blocking ones (BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH) run on a dedicated connection. */
import { keyList, mpopArgs, restArgs, type Variadic } from './args.js';
import { asArray } from './transforms.js';
import type { ListEnd, RedisKey, RedisValue } from './types.js';
import { idempotentAll, intArg, type Declarations, type RuleSet } from '../declare.js';

/** Options of LPOS. */
export interface LPosOptions {
  /** Which match to return (1 = first; negative counts from the tail). */
  rank?: number;
  /** Compare at most this many elements. */
  maxlen?: number;
}

/** What LMPOP / BLMPOP popped. */
export interface ListPop<S> {
  /** The list the elements came from. */
  key: S;
  /** The popped elements. */
  elements: S[];
}

export interface ListCommands<S> {
  lpush(key: RedisKey, ...values: Variadic<RedisValue>): number;
  rpush(key: RedisKey, ...values: Variadic<RedisValue>): number;
  /** LPUSHX: only if the list exists (0 otherwise). */
  lpushx(key: RedisKey, ...values: Variadic<RedisValue>): number;
  rpushx(key: RedisKey, ...values: Variadic<RedisValue>): number;
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

export const listCommands = {
  lpush: {
    command: 'lpush',
    params: ['key', '...values'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  rpush: {
    command: 'rpush',
    params: ['key', '...values'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  lpushx: {
    command: 'lpushx',
    params: ['key', '...values'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  rpushx: {
    command: 'rpushx',
    params: ['key', '...values'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  lpop: {
    command: 'lpop',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  lpopCount: {
    command: 'lpop',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
  },
  rpop: {
    command: 'rpop',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  rpopCount: {
    command: 'rpop',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
  },
  llen: {
    command: 'llen',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  lrange: {
    command: 'lrange',
    cacheable: true,
    params: ['key', 'start', 'stop'],
    args: ([key, start, stop]: [RedisKey, number, number]) => [key, start, stop],
  },
  lindex: {
    command: 'lindex',
    cacheable: true,
    params: ['key', 'index'],
    args: ([key, index]: [RedisKey, number]) => [key, index],
  },
  linsert: {
    command: 'linsert',
    params: ['key', 'where', 'pivot', 'element'],
    args: ([key, where, pivot, element]: [RedisKey, 'BEFORE' | 'AFTER', RedisValue, RedisValue]) => [
      key,
      where,
      pivot,
      element,
    ],
  },
  lrem: {
    command: 'lrem',
    params: ['key', 'count', 'element'],
    args: ([key, count, element]: [RedisKey, number, RedisValue]) => [key, count, element],
  },
  lset: {
    command: 'lset',
    params: ['key', 'index', 'element'],
    args: ([key, index, element]: [RedisKey, number, RedisValue]) => [key, index, element],
  },
  ltrim: {
    command: 'ltrim',
    params: ['key', 'start', 'stop'],
    args: ([key, start, stop]: [RedisKey, number, number]) => [key, start, stop],
  },
  lpos: {
    command: 'lpos',
    params: ['key', 'element', '{options}?'],
    args: ([key, element, options]: [RedisKey, RedisValue, LPosOptions?]) =>
      lposArgs([key, element], options),
  },
  lposCount: {
    command: 'lpos',
    params: ['key', 'element', 'count', '{options}?'],
    args: ([key, element, count, options]: [RedisKey, RedisValue, number, LPosOptions?]) => {
      const args = lposArgs([key, element], options);
      args.push('COUNT', count);
      return args;
    },
  },
  lmove: {
    command: 'lmove',
    params: ['source', 'destination', 'from', 'to'],
    args: ([source, destination, from, to]: [RedisKey, RedisKey, ListEnd, ListEnd]) => [
      source,
      destination,
      from,
      to,
    ],
  },
  lmpop: {
    command: 'lmpop',
    params: ['keys', 'from', 'count?'],
    args: ([keys, from, count]: [RedisKey | readonly RedisKey[], ListEnd, number?]) =>
      mpopArgs([], keys, from, count),
    reply: toListPop,
  },
  rpoplpush: {
    command: 'rpoplpush',
    params: ['source', 'destination'],
    args: ([source, destination]: [RedisKey, RedisKey]) => [source, destination],
  },
  blpop: {
    command: 'blpop',
    params: ['keys', 'timeout'],
    args: ([keys, timeout]: [RedisKey | readonly RedisKey[], number]) => popKeys(keys, timeout),
  },
  brpop: {
    command: 'brpop',
    params: ['keys', 'timeout'],
    args: ([keys, timeout]: [RedisKey | readonly RedisKey[], number]) => popKeys(keys, timeout),
  },
  blmove: {
    command: 'blmove',
    params: ['source', 'destination', 'from', 'to', 'timeout'],
    args: ([source, destination, from, to, timeout]: [RedisKey, RedisKey, ListEnd, ListEnd, number]) => [
      source,
      destination,
      from,
      to,
      timeout,
    ],
  },
  blmpop: {
    command: 'blmpop',
    params: ['timeout', 'keys', 'from', 'count?'],
    args: ([timeout, keys, from, count]: [number, RedisKey | readonly RedisKey[], ListEnd, number?]) =>
      mpopArgs([timeout], keys, from, count),
    reply: toListPop,
  },
  brpoplpush: {
    command: 'brpoplpush',
    params: ['source', 'destination', 'timeout'],
    args: ([source, destination, timeout]: [RedisKey, RedisKey, number]) => [source, destination, timeout],
  },
} satisfies Declarations<ListCommands<unknown>>;

/** LTRIM keeps the same slice when repeated only if it is anchored at an end of the list. */
function ltrimAnchored(args: readonly unknown[]): boolean {
  const start = intArg(args[1]);
  const stop = intArg(args[2]);
  if (start === undefined || stop === undefined) return false;
  return (start === 0 && stop >= 0) || (start <= 0 && stop === -1);
}

/** LSET, LREM of every occurrence (count 0) and an anchored LTRIM repeat harmlessly; pushes and pops do not. */
export const listRules: RuleSet = {
  ...idempotentAll(['lset']),
  lrem: { idempotent: (a) => intArg(a[1]) === 0 },
  ltrim: { idempotent: ltrimAnchored },
};
