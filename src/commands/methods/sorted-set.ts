/** Sorted set commands. Scores are numbers under RESP2 (strings on the wire) and RESP3 (doubles) alike. */
import { CommandSyntaxError } from '../../errors/index.js';
import {
  countedKeys,
  intercardArgs,
  isRecord,
  keyList,
  limitArgs,
  mpopArgs,
  scanArgs,
  restArgs,
  type Variadic,
} from './args.js';
import {
  asArray,
  scanPage,
  toNumber,
  toNumberOrNull,
  toNumberOrNullArray,
  toScoredMemberOrNull,
  toScoredMembers,
} from './transforms.js';
import type { RedisKey, RedisValue, ScanOptions, ScanPage, ScoredMember } from './types.js';
import { CACHEABLE, idempotentAll, isArg, type Declarations, type RuleSet } from '../declare.js';

export type { ScoredMember } from './types.js';

/** ZADD flags. `nx` excludes `xx`, `gt` and `lt`; `gt` excludes `lt`. */
export interface ZAddOptions {
  /** Only add new members. */
  nx?: boolean;
  /** Only update existing members. */
  xx?: boolean;
  /** Only update when the new score is greater. */
  gt?: boolean;
  /** Only update when the new score is less. */
  lt?: boolean;
  /** Count changed members, not only added ones. */
  ch?: boolean;
}

/** A member to add with its score. */
export interface ZMember {
  /** The score. */
  score: number;
  /** The member. */
  member: RedisValue;
}

/**
 * How ZRANGE reads `start`/`stop`: ranks (default), scores (`by: 'score'`,
 * bounds like `'(1'`, `'-inf'`) or lexicographic (`by: 'lex'`, bounds like `'[a'`, `'-'`).
 */
export interface ZRangeOptions {
  /** BYSCORE / BYLEX; by rank when absent. */
  by?: 'score' | 'lex';
  /** Highest first; `start` is then the higher bound. */
  rev?: boolean;
  /** Only with `by`. */
  limit?: {
    /** Elements to skip. */
    offset: number;
    /** Elements to return. */
    count: number;
  };
}

/** A score or a score bound such as `'(1.5'`, `'-inf'`, `'+inf'`. */
export type ScoreBound = number | string;
/** A lexicographic bound: `'[a'`, `'(a'`, `'-'`, `'+'`. */
export type LexBound = string;

/** Options of ZUNION / ZINTER / ZDIFF and their STORE forms. */
export interface ZCombineOptions {
  /** One multiplier per key. */
  weights?: readonly number[];
  /** How scores of a member in several sets combine (default SUM). */
  aggregate?: 'SUM' | 'MIN' | 'MAX';
}

/** What BZPOPMIN / BZPOPMAX popped. */
export interface ZKeyedMember<S> extends ScoredMember<S> {
  /** The sorted set the member came from. */
  key: S;
}

/** What ZMPOP / BZMPOP popped. */
export interface ZPop<S> {
  /** The sorted set the members came from. */
  key: S;
  /** The popped members with their scores. */
  members: Array<ScoredMember<S>>;
}

export interface SortedSetCommands<S> {
  /** ZADD with `{ score, member }` entries and flags; returns the number added (changed with `ch`). */
  zadd(key: RedisKey, members: ZMember | readonly ZMember[], options?: ZAddOptions): number;
  /** ZADD key score member [score member …]. */
  zadd(key: RedisKey, ...scoreMembers: Array<number | RedisValue>): number;
  /** ZADD … INCR: the new score, or null when a flag prevented the update. */
  zaddIncr(key: RedisKey, increment: number, member: RedisValue, options?: ZAddOptions): number | null;
  zscore(key: RedisKey, member: RedisValue): number | null;
  zmscore(key: RedisKey, ...members: Variadic<RedisValue>): Array<number | null>;
  zincrby(key: RedisKey, increment: number, member: RedisValue): number;
  zcard(key: RedisKey): number;
  /** Members with a score within [min, max]. */
  zcount(key: RedisKey, min: ScoreBound, max: ScoreBound): number;
  zlexcount(key: RedisKey, min: LexBound, max: LexBound): number;
  /** Rank from the lowest score, or null. */
  zrank(key: RedisKey, member: RedisValue): number | null;
  zrevrank(key: RedisKey, member: RedisValue): number | null;
  zrem(key: RedisKey, ...members: Variadic<RedisValue>): number;
  /** ZRANGE by rank, score or lex (see {@link ZRangeOptions}). */
  zrange(key: RedisKey, start: ScoreBound, stop: ScoreBound, options?: ZRangeOptions): S[];
  /** ZRANGE … WITHSCORES. */
  zrangeWithScores(
    key: RedisKey,
    start: ScoreBound,
    stop: ScoreBound,
    options?: ZRangeOptions,
  ): Array<ScoredMember<S>>;
  /** ZRANGESTORE: the number of members stored. */
  zrangestore(
    destination: RedisKey,
    source: RedisKey,
    start: ScoreBound,
    stop: ScoreBound,
    options?: ZRangeOptions,
  ): number;
  zremrangebyrank(key: RedisKey, start: number, stop: number): number;
  zremrangebyscore(key: RedisKey, min: ScoreBound, max: ScoreBound): number;
  zremrangebylex(key: RedisKey, min: LexBound, max: LexBound): number;
  /** ZPOPMIN key: the lowest member, or null when empty. */
  zpopmin(key: RedisKey): ScoredMember<S> | null;
  zpopminCount(key: RedisKey, count: number): Array<ScoredMember<S>>;
  zpopmax(key: RedisKey): ScoredMember<S> | null;
  zpopmaxCount(key: RedisKey, count: number): Array<ScoredMember<S>>;
  /** BZPOPMIN: waits up to `timeout` seconds (0 = forever). Runs on a dedicated connection. */
  bzpopmin(keys: RedisKey | readonly RedisKey[], timeout: number): ZKeyedMember<S> | null;
  bzpopmax(keys: RedisKey | readonly RedisKey[], timeout: number): ZKeyedMember<S> | null;
  /** ZMPOP (Redis 7.0+): from the first non-empty sorted set. */
  zmpop(keys: RedisKey | readonly RedisKey[], which: 'MIN' | 'MAX', count?: number): ZPop<S> | null;
  /** BZMPOP (Redis 7.0+): like `zmpop`, waiting up to `timeout` seconds. */
  bzmpop(
    timeout: number,
    keys: RedisKey | readonly RedisKey[],
    which: 'MIN' | 'MAX',
    count?: number,
  ): ZPop<S> | null;
  zrandmember(key: RedisKey): S | null;
  zrandmemberCount(key: RedisKey, count: number): S[];
  zrandmemberWithScores(key: RedisKey, count: number): Array<ScoredMember<S>>;
  zunion(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions): S[];
  zunionWithScores(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions): Array<ScoredMember<S>>;
  zinter(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions): S[];
  zinterWithScores(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions): Array<ScoredMember<S>>;
  zdiff(keys: RedisKey | readonly RedisKey[]): S[];
  zdiffWithScores(keys: RedisKey | readonly RedisKey[]): Array<ScoredMember<S>>;
  /** ZUNIONSTORE: the size of the result. */
  zunionstore(destination: RedisKey, keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions): number;
  zinterstore(destination: RedisKey, keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions): number;
  zdiffstore(destination: RedisKey, keys: RedisKey | readonly RedisKey[]): number;
  /** ZINTERCARD (Redis 7.0+): the size of the intersection, counting up to `limit` (0 = all). */
  zintercard(keys: RedisKey | readonly RedisKey[], limit?: number): number;
  /** One ZSCAN page; see `zscanIterator()` for every member. */
  zscan(key: RedisKey, cursor: string | number, options?: ScanOptions): ScanPage<ScoredMember<S>>;
}

function zaddFlags(args: unknown[], o: ZAddOptions | undefined): unknown[] {
  if (o === undefined) return args;
  const bad = (names: string[]): never => {
    throw new CommandSyntaxError(`zadd() takes only one of ${names.join(', ')}`, {
      command: 'ZADD',
      arguments: names,
    });
  };
  if (o.nx && o.xx) bad(['nx', 'xx']);
  if (o.gt && o.lt) bad(['gt', 'lt']);
  if (o.nx && (o.gt || o.lt)) bad(['nx', o.gt ? 'gt' : 'lt']);
  if (o.nx) args.push('NX');
  if (o.xx) args.push('XX');
  if (o.gt) args.push('GT');
  if (o.lt) args.push('LT');
  if (o.ch) args.push('CH');
  return args;
}

function rangeArgs(args: unknown[], o: ZRangeOptions | undefined): unknown[] {
  if (o === undefined) return args;
  if (o.by === 'score') args.push('BYSCORE');
  else if (o.by === 'lex') args.push('BYLEX');
  if (o.rev) args.push('REV');
  return limitArgs(args, o.limit);
}

function combineArgs(
  head: unknown[],
  keys: RedisKey | readonly RedisKey[],
  o: ZCombineOptions | undefined,
): unknown[] {
  const args = [...head, ...countedKeys(keys)];
  if (o?.weights !== undefined) args.push('WEIGHTS', ...o.weights);
  if (o?.aggregate !== undefined) args.push('AGGREGATE', o.aggregate);
  return args;
}

function popArgs(keys: RedisKey | readonly RedisKey[], timeout: number): unknown[] {
  const args: unknown[] = keyList(keys);
  args.push(timeout);
  return args;
}

function toKeyedMember(v: unknown): ZKeyedMember<unknown> | null {
  if (v === null) return null;
  const a = asArray(v);
  return { key: a[0], member: a[1], score: toNumber(a[2]) };
}

function toZPop(v: unknown): ZPop<unknown> | null {
  if (v === null) return null;
  const a = asArray(v);
  return { key: a[0], members: toScoredMembers(a[1]) };
}

const toScoredPage = scanPage(toScoredMembers);
const toList = (v: unknown): unknown[] => (v === null ? [] : asArray(v));
const toScoredList = (v: unknown): Array<ScoredMember<unknown>> => (v === null ? [] : toScoredMembers(v));

export const sortedSetCommands = {
  zadd: {
    command: 'zadd',
    params: ['key', '...rest'],
    args: ([key, ...rest]: [RedisKey, ...unknown[]]) => {
      const first = rest[0];
      if (Array.isArray(first) || isRecord(first)) {
        const args = zaddFlags([key], rest[1] as ZAddOptions | undefined);
        for (const m of (Array.isArray(first) ? first : [first]) as ZMember[]) args.push(m.score, m.member);
        return args;
      }
      return [key, ...rest];
    },
  },
  zaddIncr: {
    command: 'zadd',
    params: ['key', 'increment', 'member', '{options}?'],
    args: ([key, increment, member, options]: [RedisKey, number, RedisValue, ZAddOptions?]) => {
      const args = zaddFlags([key], options);
      args.push('INCR', increment, member);
      return args;
    },
    reply: toNumberOrNull,
  },
  zscore: {
    command: 'zscore',
    cacheable: true,
    params: ['key', 'member'],
    args: ([key, member]: [RedisKey, RedisValue]) => [key, member],
    reply: toNumberOrNull,
  },
  zmscore: {
    command: 'zmscore',
    cacheable: true,
    params: ['key', '...members'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
    reply: toNumberOrNullArray,
  },
  zincrby: {
    command: 'zincrby',
    params: ['key', 'increment', 'member'],
    args: ([key, increment, member]: [RedisKey, number, RedisValue]) => [key, increment, member],
    reply: toNumber,
  },
  zcard: {
    command: 'zcard',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  zcount: {
    command: 'zcount',
    cacheable: true,
    params: ['key', 'min', 'max'],
    args: ([key, min, max]: [RedisKey, ScoreBound, ScoreBound]) => [key, min, max],
  },
  zlexcount: {
    command: 'zlexcount',
    cacheable: true,
    params: ['key', 'min', 'max'],
    args: ([key, min, max]: [RedisKey, LexBound, LexBound]) => [key, min, max],
  },
  zrank: {
    command: 'zrank',
    cacheable: true,
    params: ['key', 'member'],
    args: ([key, member]: [RedisKey, RedisValue]) => [key, member],
  },
  zrevrank: {
    command: 'zrevrank',
    cacheable: true,
    params: ['key', 'member'],
    args: ([key, member]: [RedisKey, RedisValue]) => [key, member],
  },
  zrem: {
    command: 'zrem',
    params: ['key', '...members'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  zrange: {
    command: 'zrange',
    example: 'zrange(key, start, stop, { rev: true }), or zrangeWithScores(key, start, stop) for scores',
    cacheable: true,
    params: ['key', 'start', 'stop', '{options}?'],
    args: ([key, start, stop, options]: [RedisKey, ScoreBound, ScoreBound, ZRangeOptions?]) =>
      rangeArgs([key, start, stop], options),
  },
  zrangeWithScores: {
    command: 'zrange',
    cacheable: true,
    params: ['key', 'start', 'stop', '{options}?'],
    args: ([key, start, stop, options]: [RedisKey, ScoreBound, ScoreBound, ZRangeOptions?]) => {
      const args = rangeArgs([key, start, stop], options);
      args.push('WITHSCORES');
      return args;
    },
    reply: toScoredMembers,
  },
  zrangestore: {
    command: 'zrangestore',
    params: ['destination', 'source', 'start', 'stop', '{options}?'],
    args: ([destination, source, start, stop, options]: [
      RedisKey,
      RedisKey,
      ScoreBound,
      ScoreBound,
      ZRangeOptions?,
    ]) => rangeArgs([destination, source, start, stop], options),
  },
  zremrangebyrank: {
    command: 'zremrangebyrank',
    params: ['key', 'start', 'stop'],
    args: ([key, start, stop]: [RedisKey, number, number]) => [key, start, stop],
  },
  zremrangebyscore: {
    command: 'zremrangebyscore',
    params: ['key', 'min', 'max'],
    args: ([key, min, max]: [RedisKey, ScoreBound, ScoreBound]) => [key, min, max],
  },
  zremrangebylex: {
    command: 'zremrangebylex',
    params: ['key', 'min', 'max'],
    args: ([key, min, max]: [RedisKey, LexBound, LexBound]) => [key, min, max],
  },
  zpopmin: {
    command: 'zpopmin',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
    reply: toScoredMemberOrNull,
  },
  zpopminCount: {
    command: 'zpopmin',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
    reply: toScoredList,
  },
  zpopmax: {
    command: 'zpopmax',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
    reply: toScoredMemberOrNull,
  },
  zpopmaxCount: {
    command: 'zpopmax',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
    reply: toScoredList,
  },
  bzpopmin: {
    command: 'bzpopmin',
    params: ['keys', 'timeout'],
    args: ([keys, timeout]: [RedisKey | readonly RedisKey[], number]) => popArgs(keys, timeout),
    reply: toKeyedMember,
  },
  bzpopmax: {
    command: 'bzpopmax',
    params: ['keys', 'timeout'],
    args: ([keys, timeout]: [RedisKey | readonly RedisKey[], number]) => popArgs(keys, timeout),
    reply: toKeyedMember,
  },
  zmpop: {
    command: 'zmpop',
    params: ['keys', 'which', 'count?'],
    args: ([keys, which, count]: [RedisKey | readonly RedisKey[], 'MIN' | 'MAX', number?]) =>
      mpopArgs([], keys, which, count),
    reply: toZPop,
  },
  bzmpop: {
    command: 'bzmpop',
    params: ['timeout', 'keys', 'which', 'count?'],
    args: ([timeout, keys, which, count]: [number, RedisKey | readonly RedisKey[], 'MIN' | 'MAX', number?]) =>
      mpopArgs([timeout], keys, which, count),
    reply: toZPop,
  },
  zrandmember: {
    command: 'zrandmember',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  zrandmemberCount: {
    command: 'zrandmember',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
    reply: toList,
  },
  zrandmemberWithScores: {
    command: 'zrandmember',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count, 'WITHSCORES'],
    reply: toScoredList,
  },
  zunion: {
    command: 'zunion',
    params: ['keys', '{options}?'],
    args: ([keys, options]: [RedisKey | readonly RedisKey[], ZCombineOptions?]) =>
      combineArgs([], keys, options),
  },
  zunionWithScores: {
    command: 'zunion',
    params: ['keys', '{options}?'],
    args: ([keys, options]: [RedisKey | readonly RedisKey[], ZCombineOptions?]) => {
      const args = combineArgs([], keys, options);
      args.push('WITHSCORES');
      return args;
    },
    reply: toScoredMembers,
  },
  zinter: {
    command: 'zinter',
    params: ['keys', '{options}?'],
    args: ([keys, options]: [RedisKey | readonly RedisKey[], ZCombineOptions?]) =>
      combineArgs([], keys, options),
  },
  zinterWithScores: {
    command: 'zinter',
    params: ['keys', '{options}?'],
    args: ([keys, options]: [RedisKey | readonly RedisKey[], ZCombineOptions?]) => {
      const args = combineArgs([], keys, options);
      args.push('WITHSCORES');
      return args;
    },
    reply: toScoredMembers,
  },
  zdiff: {
    command: 'zdiff',
    params: ['keys'],
    args: ([keys]: [RedisKey | readonly RedisKey[]]) => countedKeys(keys),
  },
  zdiffWithScores: {
    command: 'zdiff',
    params: ['keys'],
    args: ([keys]: [RedisKey | readonly RedisKey[]]) => {
      const args = countedKeys(keys);
      args.push('WITHSCORES');
      return args;
    },
    reply: toScoredMembers,
  },
  zunionstore: {
    command: 'zunionstore',
    params: ['destination', 'keys', '{options}?'],
    args: ([destination, keys, options]: [RedisKey, RedisKey | readonly RedisKey[], ZCombineOptions?]) =>
      combineArgs([destination], keys, options),
  },
  zinterstore: {
    command: 'zinterstore',
    params: ['destination', 'keys', '{options}?'],
    args: ([destination, keys, options]: [RedisKey, RedisKey | readonly RedisKey[], ZCombineOptions?]) =>
      combineArgs([destination], keys, options),
  },
  zdiffstore: {
    command: 'zdiffstore',
    params: ['destination', 'keys'],
    args: ([destination, keys]: [RedisKey, RedisKey | readonly RedisKey[]]) => [
      destination,
      ...countedKeys(keys),
    ],
  },
  zintercard: {
    command: 'zintercard',
    params: ['keys', 'limit?'],
    args: ([keys, limit]: [RedisKey | readonly RedisKey[], number?]) => intercardArgs(keys, limit),
  },
  zscan: {
    command: 'zscan',
    params: ['key', 'cursor', '{options}?'],
    args: ([key, cursor, options]: [RedisKey, string | number, ScanOptions?]) =>
      scanArgs([key, cursor], options),
    reply: toScoredPage,
  },
} satisfies Declarations<SortedSetCommands<unknown>>;

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member …: INCR turns it into an increment. */
function zaddWithoutIncr(args: readonly unknown[]): boolean {
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (isArg(a, 'INCR')) return false;
    if (!(isArg(a, 'NX') || isArg(a, 'XX') || isArg(a, 'GT') || isArg(a, 'LT') || isArg(a, 'CH')))
      return true;
  }
  return true;
}

/**
 * ZADD without INCR, ZREM and ZREMRANGEBY{SCORE,LEX} repeat harmlessly; ZINCRBY, ZPOP*, ZREMRANGEBYRANK do not.
 * The older ZRANGE forms (untyped: zrange covers them) are cacheable like ZRANGE.
 */
export const sortedSetRules: RuleSet = {
  ...idempotentAll(['zrem', 'zremrangebyscore', 'zremrangebylex']),
  zadd: { idempotent: zaddWithoutIncr },
  zrangebyscore: CACHEABLE,
  zrangebylex: CACHEABLE,
  zrevrange: CACHEABLE,
  zrevrangebyscore: CACHEABLE,
  zrevrangebylex: CACHEABLE,
};
