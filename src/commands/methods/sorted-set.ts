/** Sorted set commands. Scores are numbers under RESP2 (strings on the wire) and RESP3 (doubles) alike. */
import { CommandSyntaxError } from '../../errors/index.js';
import { countedKeys, intercardArgs, isRecord, keyList, limitArgs, mpopArgs, scanArgs } from './args.js';
import {
  asArray,
  scanPage,
  toNumber,
  toNumberOrNull,
  toNumberOrNullArray,
  toScoredMemberOrNull,
  toScoredMembers,
} from './transforms.js';
import type { Implementation, RedisKey, RedisValue, ScanOptions, ScanPage, ScoredMember } from './types.js';

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
  score: number;
  member: RedisValue;
}

/**
 * How ZRANGE reads `start`/`stop`: ranks (default), scores (`by: 'score'`,
 * bounds like `'(1'`, `'-inf'`) or lexicographic (`by: 'lex'`, bounds like `'[a'`, `'-'`).
 */
export interface ZRangeOptions {
  by?: 'score' | 'lex';
  /** Highest first; `start` is then the higher bound. */
  rev?: boolean;
  /** Only with `by`. */
  limit?: { offset: number; count: number };
}

/** A score or a score bound such as `'(1.5'`, `'-inf'`, `'+inf'`. */
export type ScoreBound = number | string;
/** A lexicographic bound: `'[a'`, `'(a'`, `'-'`, `'+'`. */
export type LexBound = string;

export interface ZCombineOptions {
  /** One multiplier per key. */
  weights?: readonly number[];
  aggregate?: 'SUM' | 'MIN' | 'MAX';
}

/** What BZPOPMIN / BZPOPMAX popped. */
export interface ZKeyedMember<S> extends ScoredMember<S> {
  key: S;
}

/** What ZMPOP / BZMPOP popped. */
export interface ZPop<S> {
  key: S;
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
  zmscore(key: RedisKey, ...members: RedisValue[]): Array<number | null>;
  zincrby(key: RedisKey, increment: number, member: RedisValue): number;
  zcard(key: RedisKey): number;
  /** Members with a score within [min, max]. */
  zcount(key: RedisKey, min: ScoreBound, max: ScoreBound): number;
  zlexcount(key: RedisKey, min: LexBound, max: LexBound): number;
  /** Rank from the lowest score, or null. */
  zrank(key: RedisKey, member: RedisValue): number | null;
  zrevrank(key: RedisKey, member: RedisValue): number | null;
  zrem(key: RedisKey, ...members: RedisValue[]): number;
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

export const sortedSetCommands: Implementation<SortedSetCommands<unknown>> = {
  zadd(key: RedisKey, ...rest: unknown[]) {
    const first = rest[0];
    if (Array.isArray(first) || isRecord(first)) {
      const args = zaddFlags([key], rest[1] as ZAddOptions | undefined);
      for (const m of (Array.isArray(first) ? first : [first]) as ZMember[]) args.push(m.score, m.member);
      return this.dispatch('zadd', args);
    }
    return this.dispatch('zadd', [key, ...rest]);
  },
  zaddIncr(key: RedisKey, increment: number, member: RedisValue, options?: ZAddOptions) {
    const args = zaddFlags([key], options);
    args.push('INCR', increment, member);
    return this.dispatch('zadd', args, toNumberOrNull);
  },
  zscore(key: RedisKey, member: RedisValue) {
    return this.dispatch('zscore', [key, member], toNumberOrNull);
  },
  zmscore(key: RedisKey, ...members: RedisValue[]) {
    return this.dispatch('zmscore', [key, ...members], toNumberOrNullArray);
  },
  zincrby(key: RedisKey, increment: number, member: RedisValue) {
    return this.dispatch('zincrby', [key, increment, member], toNumber);
  },
  zcard(key: RedisKey) {
    return this.dispatch('zcard', [key]);
  },
  zcount(key: RedisKey, min: ScoreBound, max: ScoreBound) {
    return this.dispatch('zcount', [key, min, max]);
  },
  zlexcount(key: RedisKey, min: LexBound, max: LexBound) {
    return this.dispatch('zlexcount', [key, min, max]);
  },
  zrank(key: RedisKey, member: RedisValue) {
    return this.dispatch('zrank', [key, member]);
  },
  zrevrank(key: RedisKey, member: RedisValue) {
    return this.dispatch('zrevrank', [key, member]);
  },
  zrem(key: RedisKey, ...members: RedisValue[]) {
    return this.dispatch('zrem', [key, ...members]);
  },
  zrange(key: RedisKey, start: ScoreBound, stop: ScoreBound, options?: ZRangeOptions) {
    return this.dispatch('zrange', rangeArgs([key, start, stop], options));
  },
  zrangeWithScores(key: RedisKey, start: ScoreBound, stop: ScoreBound, options?: ZRangeOptions) {
    const args = rangeArgs([key, start, stop], options);
    args.push('WITHSCORES');
    return this.dispatch('zrange', args, toScoredMembers);
  },
  zrangestore(
    destination: RedisKey,
    source: RedisKey,
    start: ScoreBound,
    stop: ScoreBound,
    options?: ZRangeOptions,
  ) {
    return this.dispatch('zrangestore', rangeArgs([destination, source, start, stop], options));
  },
  zremrangebyrank(key: RedisKey, start: number, stop: number) {
    return this.dispatch('zremrangebyrank', [key, start, stop]);
  },
  zremrangebyscore(key: RedisKey, min: ScoreBound, max: ScoreBound) {
    return this.dispatch('zremrangebyscore', [key, min, max]);
  },
  zremrangebylex(key: RedisKey, min: LexBound, max: LexBound) {
    return this.dispatch('zremrangebylex', [key, min, max]);
  },
  zpopmin(key: RedisKey) {
    return this.dispatch('zpopmin', [key], toScoredMemberOrNull);
  },
  zpopminCount(key: RedisKey, count: number) {
    return this.dispatch('zpopmin', [key, count], toScoredList);
  },
  zpopmax(key: RedisKey) {
    return this.dispatch('zpopmax', [key], toScoredMemberOrNull);
  },
  zpopmaxCount(key: RedisKey, count: number) {
    return this.dispatch('zpopmax', [key, count], toScoredList);
  },
  bzpopmin(keys: RedisKey | readonly RedisKey[], timeout: number) {
    return this.dispatch('bzpopmin', popArgs(keys, timeout), toKeyedMember);
  },
  bzpopmax(keys: RedisKey | readonly RedisKey[], timeout: number) {
    return this.dispatch('bzpopmax', popArgs(keys, timeout), toKeyedMember);
  },
  zmpop(keys: RedisKey | readonly RedisKey[], which: 'MIN' | 'MAX', count?: number) {
    return this.dispatch('zmpop', mpopArgs([], keys, which, count), toZPop);
  },
  bzmpop(timeout: number, keys: RedisKey | readonly RedisKey[], which: 'MIN' | 'MAX', count?: number) {
    return this.dispatch('bzmpop', mpopArgs([timeout], keys, which, count), toZPop);
  },
  zrandmember(key: RedisKey) {
    return this.dispatch('zrandmember', [key]);
  },
  zrandmemberCount(key: RedisKey, count: number) {
    return this.dispatch('zrandmember', [key, count], toList);
  },
  zrandmemberWithScores(key: RedisKey, count: number) {
    return this.dispatch('zrandmember', [key, count, 'WITHSCORES'], toScoredList);
  },
  zunion(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) {
    return this.dispatch('zunion', combineArgs([], keys, options));
  },
  zunionWithScores(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) {
    const args = combineArgs([], keys, options);
    args.push('WITHSCORES');
    return this.dispatch('zunion', args, toScoredMembers);
  },
  zinter(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) {
    return this.dispatch('zinter', combineArgs([], keys, options));
  },
  zinterWithScores(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) {
    const args = combineArgs([], keys, options);
    args.push('WITHSCORES');
    return this.dispatch('zinter', args, toScoredMembers);
  },
  zdiff(keys: RedisKey | readonly RedisKey[]) {
    return this.dispatch('zdiff', countedKeys(keys));
  },
  zdiffWithScores(keys: RedisKey | readonly RedisKey[]) {
    const args = countedKeys(keys);
    args.push('WITHSCORES');
    return this.dispatch('zdiff', args, toScoredMembers);
  },
  zunionstore(destination: RedisKey, keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) {
    return this.dispatch('zunionstore', combineArgs([destination], keys, options));
  },
  zinterstore(destination: RedisKey, keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) {
    return this.dispatch('zinterstore', combineArgs([destination], keys, options));
  },
  zdiffstore(destination: RedisKey, keys: RedisKey | readonly RedisKey[]) {
    return this.dispatch('zdiffstore', [destination, ...countedKeys(keys)]);
  },
  zintercard(keys: RedisKey | readonly RedisKey[], limit?: number) {
    return this.dispatch('zintercard', intercardArgs(keys, limit));
  },
  zscan(key: RedisKey, cursor: string | number, options?: ScanOptions) {
    return this.dispatch('zscan', scanArgs([key, cursor], options), toScoredPage);
  },
};
