/** List commands. The blocking ones (BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH) run on a dedicated connection. */
import { keyList, mpopArgs, restArgs, type Variadic } from './args.js';
import { asArray, asString, asStrings } from './transforms.js';
import type { ListEnd, RedisKey, RedisValue } from './types.js';
import { command, idempotentAll, intArg, optionNames, type RuleSet, type Signatures } from '../declare.js';

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

function lposArgs(args: unknown[], o: LPosOptions | undefined): unknown[] {
  if (o?.rank !== undefined) args.push('RANK', o.rank);
  if (o?.maxlen !== undefined) args.push('MAXLEN', o.maxlen);
  return args;
}

function toListPop<S>(v: unknown): ListPop<S> | null {
  if (v === null) return null;
  const a = asArray(v);
  return { key: asString<S>(a[0]), elements: asStrings<S>(a[1]) };
}

function popKeys(keys: RedisKey | readonly RedisKey[], timeout: number): unknown[] {
  const args: unknown[] = keyList(keys);
  args.push(timeout);
  return args;
}

/** One list for lpos and lposCount (see Declaration.options). */
const LPOS_OPTIONS = optionNames<LPosOptions>()(['rank', 'maxlen']);

/**
 * The list command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link ListCommands} maps them.
 */
function declarations<S>() {
  return {
    lpush: command<(key: RedisKey, ...values: Variadic<RedisValue>) => number>({
      command: 'lpush',
      params: ['key', '...values'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    rpush: command<(key: RedisKey, ...values: Variadic<RedisValue>) => number>({
      command: 'rpush',
      params: ['key', '...values'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    /** LPUSHX: only if the list exists (0 otherwise). */
    lpushx: command<(key: RedisKey, ...values: Variadic<RedisValue>) => number>({
      command: 'lpushx',
      params: ['key', '...values'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    rpushx: command<(key: RedisKey, ...values: Variadic<RedisValue>) => number>({
      command: 'rpushx',
      params: ['key', '...values'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    lpop: command<(key: RedisKey) => S | null>({
      command: 'lpop',
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** LPOP key count: up to `count` elements, or null when the list does not exist. */
    lpopCount: command<(key: RedisKey, count: number) => S[] | null>({
      command: 'lpop',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
    }),
    rpop: command<(key: RedisKey) => S | null>({
      command: 'rpop',
      params: ['key'],
      args: ([key]) => [key],
    }),
    rpopCount: command<(key: RedisKey, count: number) => S[] | null>({
      command: 'rpop',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
    }),
    llen: command<(key: RedisKey) => number>({
      command: 'llen',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    lrange: command<(key: RedisKey, start: number, stop: number) => S[]>({
      command: 'lrange',
      cacheable: true,
      params: ['key', 'start', 'stop'],
      args: ([key, start, stop]) => [key, start, stop],
    }),
    lindex: command<(key: RedisKey, index: number) => S | null>({
      command: 'lindex',
      cacheable: true,
      params: ['key', 'index'],
      args: ([key, index]) => [key, index],
    }),
    /** LINSERT: the new length, -1 when `pivot` is absent, 0 when the key is. */
    linsert: command<
      (key: RedisKey, where: 'BEFORE' | 'AFTER', pivot: RedisValue, element: RedisValue) => number
    >({
      command: 'linsert',
      params: ['key', 'where', 'pivot', 'element'],
      args: ([key, where, pivot, element]) => [key, where, pivot, element],
    }),
    /** LREM: removes `count` occurrences (from the head if > 0, tail if < 0, all if 0). */
    lrem: command<(key: RedisKey, count: number, element: RedisValue) => number>({
      command: 'lrem',
      params: ['key', 'count', 'element'],
      args: ([key, count, element]) => [key, count, element],
    }),
    lset: command<(key: RedisKey, index: number, element: RedisValue) => 'OK'>({
      command: 'lset',
      params: ['key', 'index', 'element'],
      args: ([key, index, element]) => [key, index, element],
    }),
    ltrim: command<(key: RedisKey, start: number, stop: number) => 'OK'>({
      command: 'ltrim',
      params: ['key', 'start', 'stop'],
      args: ([key, start, stop]) => [key, start, stop],
    }),
    /** LPOS: index of the first match (per `rank`), or null. */
    lpos: command<(key: RedisKey, element: RedisValue, options?: LPosOptions) => number | null>({
      command: 'lpos',
      params: ['key', 'element', '{options}?'],
      options: LPOS_OPTIONS,
      args: ([key, element, options]) => lposArgs([key, element], options),
    }),
    /** LPOS … COUNT n (0 = all): indexes of the matches. */
    lposCount: command<
      (key: RedisKey, element: RedisValue, count: number, options?: LPosOptions) => number[]
    >({
      command: 'lpos',
      params: ['key', 'element', 'count', '{options}?'],
      options: LPOS_OPTIONS,
      args: ([key, element, count, options]) => {
        const args = lposArgs([key, element], options);
        args.push('COUNT', count);
        return args;
      },
    }),
    /** LMOVE: the element moved, or null when `source` is empty. */
    lmove: command<(source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd) => S | null>({
      command: 'lmove',
      params: ['source', 'destination', 'from', 'to'],
      args: ([source, destination, from, to]) => [source, destination, from, to],
    }),
    /** LMPOP (Redis 7.0+): from the first non-empty list. */
    lmpop: command<
      (keys: RedisKey | readonly RedisKey[], from: ListEnd, count?: number) => ListPop<S> | null
    >({
      command: 'lmpop',
      params: ['keys', 'from', 'count?'],
      args: ([keys, from, count]) => mpopArgs([], keys, from, count),
      reply: toListPop,
    }),
    /** RPOPLPUSH (deprecated in favour of `lmove`). */
    rpoplpush: command<(source: RedisKey, destination: RedisKey) => S | null>({
      command: 'rpoplpush',
      params: ['source', 'destination'],
      args: ([source, destination]) => [source, destination],
    }),
    /** BLPOP: `[key, value]`, or null when `timeout` seconds pass (0 = forever). Runs on a dedicated connection. */
    blpop: command<(keys: RedisKey | readonly RedisKey[], timeout: number) => [S, S] | null>({
      command: 'blpop',
      params: ['keys', 'timeout'],
      args: ([keys, timeout]) => popKeys(keys, timeout),
    }),
    brpop: command<(keys: RedisKey | readonly RedisKey[], timeout: number) => [S, S] | null>({
      command: 'brpop',
      params: ['keys', 'timeout'],
      args: ([keys, timeout]) => popKeys(keys, timeout),
    }),
    /** BLMOVE: like `lmove`, waiting up to `timeout` seconds. */
    blmove: command<
      (source: RedisKey, destination: RedisKey, from: ListEnd, to: ListEnd, timeout: number) => S | null
    >({
      command: 'blmove',
      params: ['source', 'destination', 'from', 'to', 'timeout'],
      args: ([source, destination, from, to, timeout]) => [source, destination, from, to, timeout],
    }),
    /** BLMPOP (Redis 7.0+): like `lmpop`, waiting up to `timeout` seconds. */
    blmpop: command<
      (
        timeout: number,
        keys: RedisKey | readonly RedisKey[],
        from: ListEnd,
        count?: number,
      ) => ListPop<S> | null
    >({
      command: 'blmpop',
      params: ['timeout', 'keys', 'from', 'count?'],
      args: ([timeout, keys, from, count]) => mpopArgs([timeout], keys, from, count),
      reply: toListPop,
    }),
    brpoplpush: command<(source: RedisKey, destination: RedisKey, timeout: number) => S | null>({
      command: 'brpoplpush',
      params: ['source', 'destination', 'timeout'],
      args: ([source, destination, timeout]) => [source, destination, timeout],
    }),
  };
}

export const listCommands = declarations();

/** The list command signatures, with plain reply types; clients wrap them in promises. */
export type ListCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

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
