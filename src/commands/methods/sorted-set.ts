/** Sorted set commands. Scores are numbers under RESP2 (strings on the wire) and RESP3 (doubles) alike. */
import { CommandSyntaxError, DataError } from '../../errors/index.js';
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
  asString,
  asStringsOrEmpty,
  toPage,
  toNumber,
  toNumberOrNull,
  toNumberOrNullArray,
  toScoredMemberOrNull,
  toScoredMembers,
} from './transforms.js';
import type { RedisKey, RedisValue, ScanOptions, ScanPage, ScoredMember } from './types.js';
import {
  compileShape,
  isOptionsArg,
  misuse,
  unknownOption,
  unknownOptionError,
  type Shape,
} from './shape.js';
import {
  command,
  CACHEABLE,
  idempotentAll,
  isArg,
  optionNames,
  type RuleSet,
  type Signatures,
} from '../declare.js';

export type { ScoredMember } from './types.js';

/**
 * ZADD flags. `nx` excludes `xx`, `gt` and `lt`; `gt` excludes `lt`: such a pair
 * is a compile error (and a CommandSyntaxError for plain-JavaScript callers).
 */
export type ZAddOptions = ZAddCondition & {
  /** Count changed members, not only added ones. */
  ch?: boolean;
};

/** The conditions of ZADD that may go together: `nx` alone, or `xx` with at most one of `gt`, `lt`. */
export type ZAddCondition =
  | {
      /** NX: only add new members. */
      nx?: boolean;
      /** Not with `nx`. */
      xx?: false;
      /** Not with `nx`. */
      gt?: false;
      /** Not with `nx`. */
      lt?: false;
    }
  | {
      /** Not with `xx`, `gt`. */
      nx?: false;
      /** XX: only update existing members. */
      xx?: boolean;
      /** GT: only update when the new score is greater. */
      gt?: boolean;
      /** Not with `gt`. */
      lt?: false;
    }
  | {
      /** Not with `xx`, `lt`. */
      nx?: false;
      /** XX: only update existing members. */
      xx?: boolean;
      /** Not with `lt`. */
      gt?: false;
      /** LT: only update when the new score is less. */
      lt?: boolean;
    };

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

/** Every ZADD flag, as plain-JavaScript callers may pass them (the union rules pairs out for TypeScript). */
interface AnyZAddFlags {
  nx?: boolean;
  xx?: boolean;
  gt?: boolean;
  lt?: boolean;
  ch?: boolean;
}

const ZADD_OPTIONS = optionNames<ZAddOptions>()(['nx', 'xx', 'gt', 'lt', 'ch']);
/** The shape of `zadd(key, members, options?)`, for its own checks (see zadd). */
const ZADD_SHAPE: Shape = compileShape('zadd', {
  command: 'zadd',
  params: ['key', 'members', '{options}?'],
  example: 'zadd(key, [{ score: 1, member }], { nx: true })',
  options: ZADD_OPTIONS,
});
const ZADD_OPTION_SET = ZADD_SHAPE.optionNames as ReadonlySet<string>;

function zaddFlags(args: unknown[], options: ZAddOptions | undefined): unknown[] {
  if (options === undefined) return args;
  const o: AnyZAddFlags = options;
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

function rangeArgs(
  args: unknown[],
  o: ZRangeOptions | undefined,
  method: string,
  command: string,
): unknown[] {
  if (o === undefined) return args;
  if (o.by === 'score') args.push('BYSCORE');
  else if (o.by === 'lex') args.push('BYLEX');
  // Anything else (`'SCORE'`, node-redis' spelling) ranged by rank: other elements, no error.
  else if (o.by !== undefined)
    throw new DataError(`${method}(): option 'by' must be 'score' or 'lex'`, { command });
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

function toKeyedMember<S>(v: unknown): ZKeyedMember<S> | null {
  if (v === null) return null;
  const a = asArray(v);
  return { key: asString<S>(a[0]), member: asString<S>(a[1]), score: toNumber(a[2]) };
}

function toZPop<S>(v: unknown): ZPop<S> | null {
  if (v === null) return null;
  const a = asArray(v);
  return { key: asString<S>(a[0]), members: toScoredMembers<S>(a[1]) };
}

function toScoredList<S>(v: unknown): Array<ScoredMember<S>> {
  return v === null ? [] : toScoredMembers<S>(v);
}

/** One list for zrange, zrangeWithScores and zrangestore (see Declaration.options). */
const ZRANGE_OPTIONS = optionNames<ZRangeOptions>()(['by', 'rev', 'limit']);

/** One list for the ZUNION, ZINTER families (see Declaration.options). */
const ZCOMBINE_OPTIONS = optionNames<ZCombineOptions>()(['weights', 'aggregate']);

/**
 * The sortedSet command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link SortedSetCommands} maps them.
 */
function declarations<S>() {
  return {
    /** ZADD with `{ score, member }` entries and flags; returns the number added (changed with `ch`). */
    zadd: command<{
      (key: RedisKey, members: ZMember | readonly ZMember[], options?: ZAddOptions): number;
      /** ZADD key score member [score member …]. */
      (key: RedisKey, ...scoreMembers: Array<number | RedisValue>): number;
    }>({
      command: 'zadd',
      params: ['key', '...rest'],
      args: ([key, ...rest]) => {
        const first = rest[0];
        if (Array.isArray(first) || isRecord(first)) {
          // The variadic form hides this form's shape from the generic checks: made here.
          const options = rest[1];
          if (rest.length > 2 || !isOptionsArg(options))
            throw misuse(ZADD_SHAPE, [key, ...rest] as unknown[]);
          const unknown = unknownOption(options, ZADD_OPTION_SET);
          if (unknown !== undefined) throw unknownOptionError(ZADD_SHAPE, ZADD_OPTION_SET, unknown);
          const args = zaddFlags([key], options as ZAddOptions | undefined);
          for (const m of (Array.isArray(first) ? first : [first]) as ZMember[]) args.push(m.score, m.member);
          return args;
        }
        return [key, ...rest];
      },
    }),
    /** ZADD … INCR: the new score, or null when a flag prevented the update. */
    zaddIncr: command<
      (key: RedisKey, increment: number, member: RedisValue, options?: ZAddOptions) => number | null
    >({
      command: 'zadd',
      params: ['key', 'increment', 'member', '{options}?'],
      options: ZADD_OPTIONS,
      args: ([key, increment, member, options]) => {
        const args = zaddFlags([key], options);
        args.push('INCR', increment, member);
        return args;
      },
      reply: toNumberOrNull,
    }),
    zscore: command<(key: RedisKey, member: RedisValue) => number | null>({
      command: 'zscore',
      cacheable: true,
      params: ['key', 'member'],
      args: ([key, member]) => [key, member],
      reply: toNumberOrNull,
    }),
    zmscore: command<(key: RedisKey, ...members: Variadic<RedisValue>) => Array<number | null>>({
      command: 'zmscore',
      cacheable: true,
      params: ['key', '...members'],
      args: (a) => restArgs([a[0]], a, 1),
      reply: toNumberOrNullArray,
    }),
    zincrby: command<(key: RedisKey, increment: number, member: RedisValue) => number>({
      command: 'zincrby',
      params: ['key', 'increment', 'member'],
      args: ([key, increment, member]) => [key, increment, member],
      reply: toNumber,
    }),
    zcard: command<(key: RedisKey) => number>({
      command: 'zcard',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** Members with a score within [min, max]. */
    zcount: command<(key: RedisKey, min: ScoreBound, max: ScoreBound) => number>({
      command: 'zcount',
      cacheable: true,
      params: ['key', 'min', 'max'],
      args: ([key, min, max]) => [key, min, max],
    }),
    zlexcount: command<(key: RedisKey, min: LexBound, max: LexBound) => number>({
      command: 'zlexcount',
      cacheable: true,
      params: ['key', 'min', 'max'],
      args: ([key, min, max]) => [key, min, max],
    }),
    /** Rank from the lowest score, or null. */
    zrank: command<(key: RedisKey, member: RedisValue) => number | null>({
      command: 'zrank',
      cacheable: true,
      params: ['key', 'member'],
      args: ([key, member]) => [key, member],
    }),
    zrevrank: command<(key: RedisKey, member: RedisValue) => number | null>({
      command: 'zrevrank',
      cacheable: true,
      params: ['key', 'member'],
      args: ([key, member]) => [key, member],
    }),
    zrem: command<(key: RedisKey, ...members: Variadic<RedisValue>) => number>({
      command: 'zrem',
      params: ['key', '...members'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    /** ZRANGE by rank, score or lex (see {@link ZRangeOptions}). */
    zrange: command<(key: RedisKey, start: ScoreBound, stop: ScoreBound, options?: ZRangeOptions) => S[]>({
      command: 'zrange',
      example: 'zrange(key, start, stop, { rev: true }), or zrangeWithScores(key, start, stop) for scores',
      cacheable: true,
      params: ['key', 'start', 'stop', '{options}?'],
      options: ZRANGE_OPTIONS,
      args: ([key, start, stop, options]) => rangeArgs([key, start, stop], options, 'zrange', 'ZRANGE'),
    }),
    /** ZRANGE … WITHSCORES. */
    zrangeWithScores: command<
      (key: RedisKey, start: ScoreBound, stop: ScoreBound, options?: ZRangeOptions) => Array<ScoredMember<S>>
    >({
      command: 'zrange',
      cacheable: true,
      params: ['key', 'start', 'stop', '{options}?'],
      options: ZRANGE_OPTIONS,
      args: ([key, start, stop, options]) => {
        const args = rangeArgs([key, start, stop], options, 'zrangeWithScores', 'ZRANGE');
        args.push('WITHSCORES');
        return args;
      },
      reply: toScoredMembers,
    }),
    /** ZRANGESTORE: the number of members stored. */
    zrangestore: command<
      (
        destination: RedisKey,
        source: RedisKey,
        start: ScoreBound,
        stop: ScoreBound,
        options?: ZRangeOptions,
      ) => number
    >({
      command: 'zrangestore',
      params: ['destination', 'source', 'start', 'stop', '{options}?'],
      options: ZRANGE_OPTIONS,
      args: ([destination, source, start, stop, options]) =>
        rangeArgs([destination, source, start, stop], options, 'zrangestore', 'ZRANGESTORE'),
    }),
    zremrangebyrank: command<(key: RedisKey, start: number, stop: number) => number>({
      command: 'zremrangebyrank',
      params: ['key', 'start', 'stop'],
      args: ([key, start, stop]) => [key, start, stop],
    }),
    zremrangebyscore: command<(key: RedisKey, min: ScoreBound, max: ScoreBound) => number>({
      command: 'zremrangebyscore',
      params: ['key', 'min', 'max'],
      args: ([key, min, max]) => [key, min, max],
    }),
    zremrangebylex: command<(key: RedisKey, min: LexBound, max: LexBound) => number>({
      command: 'zremrangebylex',
      params: ['key', 'min', 'max'],
      args: ([key, min, max]) => [key, min, max],
    }),
    /** ZPOPMIN key: the lowest member, or null when empty. */
    zpopmin: command<(key: RedisKey) => ScoredMember<S> | null>({
      command: 'zpopmin',
      params: ['key'],
      args: ([key]) => [key],
      reply: toScoredMemberOrNull,
    }),
    zpopminCount: command<(key: RedisKey, count: number) => Array<ScoredMember<S>>>({
      command: 'zpopmin',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
      reply: toScoredList<S>,
    }),
    zpopmax: command<(key: RedisKey) => ScoredMember<S> | null>({
      command: 'zpopmax',
      params: ['key'],
      args: ([key]) => [key],
      reply: toScoredMemberOrNull,
    }),
    zpopmaxCount: command<(key: RedisKey, count: number) => Array<ScoredMember<S>>>({
      command: 'zpopmax',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
      reply: toScoredList<S>,
    }),
    /** BZPOPMIN: waits up to `timeout` seconds (0 = forever). Runs on a dedicated connection. */
    bzpopmin: command<(keys: RedisKey | readonly RedisKey[], timeout: number) => ZKeyedMember<S> | null>({
      command: 'bzpopmin',
      params: ['keys', 'timeout'],
      args: ([keys, timeout]) => popArgs(keys, timeout),
      reply: toKeyedMember,
    }),
    bzpopmax: command<(keys: RedisKey | readonly RedisKey[], timeout: number) => ZKeyedMember<S> | null>({
      command: 'bzpopmax',
      params: ['keys', 'timeout'],
      args: ([keys, timeout]) => popArgs(keys, timeout),
      reply: toKeyedMember,
    }),
    /** ZMPOP (Redis 7.0+): from the first non-empty sorted set. */
    zmpop: command<
      (keys: RedisKey | readonly RedisKey[], which: 'MIN' | 'MAX', count?: number) => ZPop<S> | null
    >({
      command: 'zmpop',
      params: ['keys', 'which', 'count?'],
      args: ([keys, which, count]) => mpopArgs([], keys, which, count),
      reply: toZPop,
    }),
    /** BZMPOP (Redis 7.0+): like `zmpop`, waiting up to `timeout` seconds. */
    bzmpop: command<
      (
        timeout: number,
        keys: RedisKey | readonly RedisKey[],
        which: 'MIN' | 'MAX',
        count?: number,
      ) => ZPop<S> | null
    >({
      command: 'bzmpop',
      params: ['timeout', 'keys', 'which', 'count?'],
      args: ([timeout, keys, which, count]) => mpopArgs([timeout], keys, which, count),
      reply: toZPop,
    }),
    zrandmember: command<(key: RedisKey) => S | null>({
      command: 'zrandmember',
      params: ['key'],
      args: ([key]) => [key],
    }),
    zrandmemberCount: command<(key: RedisKey, count: number) => S[]>({
      command: 'zrandmember',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
      reply: asStringsOrEmpty<S>,
    }),
    zrandmemberWithScores: command<(key: RedisKey, count: number) => Array<ScoredMember<S>>>({
      command: 'zrandmember',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count, 'WITHSCORES'],
      reply: toScoredList<S>,
    }),
    zunion: command<(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) => S[]>({
      command: 'zunion',
      params: ['keys', '{options}?'],
      options: ZCOMBINE_OPTIONS,
      args: ([keys, options]) => combineArgs([], keys, options),
    }),
    zunionWithScores: command<
      (keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) => Array<ScoredMember<S>>
    >({
      command: 'zunion',
      params: ['keys', '{options}?'],
      options: ZCOMBINE_OPTIONS,
      args: ([keys, options]) => {
        const args = combineArgs([], keys, options);
        args.push('WITHSCORES');
        return args;
      },
      reply: toScoredMembers,
    }),
    zinter: command<(keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) => S[]>({
      command: 'zinter',
      params: ['keys', '{options}?'],
      options: ZCOMBINE_OPTIONS,
      args: ([keys, options]) => combineArgs([], keys, options),
    }),
    zinterWithScores: command<
      (keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) => Array<ScoredMember<S>>
    >({
      command: 'zinter',
      params: ['keys', '{options}?'],
      options: ZCOMBINE_OPTIONS,
      args: ([keys, options]) => {
        const args = combineArgs([], keys, options);
        args.push('WITHSCORES');
        return args;
      },
      reply: toScoredMembers,
    }),
    zdiff: command<(keys: RedisKey | readonly RedisKey[]) => S[]>({
      command: 'zdiff',
      params: ['keys'],
      args: ([keys]) => countedKeys(keys),
    }),
    zdiffWithScores: command<(keys: RedisKey | readonly RedisKey[]) => Array<ScoredMember<S>>>({
      command: 'zdiff',
      params: ['keys'],
      args: ([keys]) => {
        const args = countedKeys(keys);
        args.push('WITHSCORES');
        return args;
      },
      reply: toScoredMembers,
    }),
    /** ZUNIONSTORE: the size of the result. */
    zunionstore: command<
      (destination: RedisKey, keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) => number
    >({
      command: 'zunionstore',
      params: ['destination', 'keys', '{options}?'],
      options: ZCOMBINE_OPTIONS,
      args: ([destination, keys, options]) => combineArgs([destination], keys, options),
    }),
    zinterstore: command<
      (destination: RedisKey, keys: RedisKey | readonly RedisKey[], options?: ZCombineOptions) => number
    >({
      command: 'zinterstore',
      params: ['destination', 'keys', '{options}?'],
      options: ZCOMBINE_OPTIONS,
      args: ([destination, keys, options]) => combineArgs([destination], keys, options),
    }),
    zdiffstore: command<(destination: RedisKey, keys: RedisKey | readonly RedisKey[]) => number>({
      command: 'zdiffstore',
      params: ['destination', 'keys'],
      args: ([destination, keys]) => [destination, ...countedKeys(keys)],
    }),
    /** ZINTERCARD (Redis 7.0+): the size of the intersection, counting up to `limit` (0 = all). */
    zintercard: command<(keys: RedisKey | readonly RedisKey[], limit?: number) => number>({
      command: 'zintercard',
      params: ['keys', 'limit?'],
      args: ([keys, limit]) => intercardArgs(keys, limit),
    }),
    /** One ZSCAN page; see `zscanIterator()` for every member. */
    zscan: command<
      (key: RedisKey, cursor: string | number, options?: ScanOptions) => ScanPage<ScoredMember<S>>
    >({
      command: 'zscan',
      params: ['key', 'cursor', '{options}?'],
      options: optionNames<ScanOptions>()(['match', 'count']),
      args: ([key, cursor, options]) => scanArgs([key, cursor], options),
      reply: (v) => toPage(v, toScoredMembers<S>),
    }),
  };
}

export const sortedSetCommands = declarations();

/** The sortedSet command signatures, with plain reply types; clients wrap them in promises. */
export type SortedSetCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

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
