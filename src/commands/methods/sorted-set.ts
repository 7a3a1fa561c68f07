/** Sorted set commands. */
import { toNumber, toNumberOrNull, toNumberOrNullArray, toScoredMembers } from './transforms.js';
import type { Dispatcher, RedisKey, RedisValue } from './types.js';

export interface ZAddOptions {
  nx?: boolean;
  xx?: boolean;
  gt?: boolean;
  lt?: boolean;
  ch?: boolean;
}

export interface ScoredMember<S> {
  member: S;
  score: number;
}

export interface SortedSetCommands<S> {
  /** ZADD key score member [score member …]. */
  zadd(key: RedisKey, ...scoreMembers: Array<number | RedisValue>): number;
  /** ZADD with options and `{ score, member }` pairs. */
  zaddWith(key: RedisKey, options: ZAddOptions, members: Array<{ score: number; member: RedisValue }>): number;
  zscore(key: RedisKey, member: RedisValue): number | null;
  zmscore(key: RedisKey, ...members: RedisValue[]): Array<number | null>;
  zincrby(key: RedisKey, increment: number, member: RedisValue): number;
  zcard(key: RedisKey): number;
  zrank(key: RedisKey, member: RedisValue): number | null;
  zrem(key: RedisKey, ...members: RedisValue[]): number;
  zrange(key: RedisKey, start: number | string, stop: number | string): S[];
  zrangeWithScores(key: RedisKey, start: number | string, stop: number | string): Array<ScoredMember<S>>;
}

export const sortedSetCommands: ThisType<Dispatcher> & Record<keyof SortedSetCommands<unknown>, (...a: never[]) => unknown> = {
  zadd(key: RedisKey, ...scoreMembers: Array<number | RedisValue>) {
    return this.dispatch('zadd', [key, ...scoreMembers]);
  },
  zaddWith(key: RedisKey, o: ZAddOptions, members: Array<{ score: number; member: RedisValue }>) {
    const args: unknown[] = [key];
    if (o.nx) args.push('NX');
    if (o.xx) args.push('XX');
    if (o.gt) args.push('GT');
    if (o.lt) args.push('LT');
    if (o.ch) args.push('CH');
    for (const m of members) args.push(m.score, m.member);
    return this.dispatch('zadd', args);
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
  zrank(key: RedisKey, member: RedisValue) {
    return this.dispatch('zrank', [key, member]);
  },
  zrem(key: RedisKey, ...members: RedisValue[]) {
    return this.dispatch('zrem', [key, ...members]);
  },
  zrange(key: RedisKey, start: number | string, stop: number | string) {
    return this.dispatch('zrange', [key, start, stop]);
  },
  zrangeWithScores(key: RedisKey, start: number | string, stop: number | string) {
    return this.dispatch('zrange', [key, start, stop, 'WITHSCORES'], toScoredMembers);
  },
};
