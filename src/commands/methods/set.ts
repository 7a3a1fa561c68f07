/** Set commands. RESP3 set replies arrive as arrays, like RESP2's. */
import { flatKeys, intercardArgs, scanArgs, type KeysArg, restArgs, type Variadic } from './args.js';
import { asStrings, asStringsOrEmpty, toBoolean, toBooleanArray, toPage } from './transforms.js';
import type { RedisKey, RedisValue, ScanOptions, ScanPage } from './types.js';
import { command, idempotentAll, optionNames, type RuleSet, type Signatures } from '../declare.js';

/**
 * The set command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link SetCommands} maps them.
 */
function declarations<S>() {
  return {
    /** SADD: the number of members added. */
    sadd: command<(key: RedisKey, ...members: Variadic<RedisValue>) => number>({
      command: 'sadd',
      params: ['key', '...members'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    srem: command<(key: RedisKey, ...members: Variadic<RedisValue>) => number>({
      command: 'srem',
      params: ['key', '...members'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    smembers: command<(key: RedisKey) => S[]>({
      command: 'smembers',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    sismember: command<(key: RedisKey, member: RedisValue) => boolean>({
      command: 'sismember',
      cacheable: true,
      params: ['key', 'member'],
      args: ([key, member]) => [key, member],
      reply: toBoolean,
    }),
    /** SMISMEMBER: one boolean per member. */
    smismember: command<(key: RedisKey, ...members: Variadic<RedisValue>) => boolean[]>({
      command: 'smismember',
      cacheable: true,
      params: ['key', '...members'],
      args: (a) => restArgs([a[0]], a, 1),
      reply: toBooleanArray,
    }),
    scard: command<(key: RedisKey) => number>({
      command: 'scard',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** SPOP key: one random member removed, or null. */
    spop: command<(key: RedisKey) => S | null>({
      command: 'spop',
      params: ['key'],
      args: ([key]) => [key],
    }),
    spopCount: command<(key: RedisKey, count: number) => S[]>({
      command: 'spop',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
      reply: asStringsOrEmpty<S>,
    }),
    /** SRANDMEMBER key: one random member, or null. */
    srandmember: command<(key: RedisKey) => S | null>({
      command: 'srandmember',
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** SRANDMEMBER key count: distinct members when `count` > 0, possibly repeated when < 0. */
    srandmemberCount: command<(key: RedisKey, count: number) => S[]>({
      command: 'srandmember',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
      reply: asStringsOrEmpty<S>,
    }),
    /** SMOVE: true when moved. */
    smove: command<(source: RedisKey, destination: RedisKey, member: RedisValue) => boolean>({
      command: 'smove',
      params: ['source', 'destination', 'member'],
      args: ([source, destination, member]) => [source, destination, member],
      reply: toBoolean,
    }),
    sinter: command<(...keys: KeysArg[]) => S[]>({
      command: 'sinter',
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    sunion: command<(...keys: KeysArg[]) => S[]>({
      command: 'sunion',
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    sdiff: command<(...keys: KeysArg[]) => S[]>({
      command: 'sdiff',
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    /** SINTERSTORE destination key…: the size of the result. */
    sinterstore: command<(destination: RedisKey, ...keys: Variadic<RedisKey>) => number>({
      command: 'sinterstore',
      params: ['destination', '...keys'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    sunionstore: command<(destination: RedisKey, ...keys: Variadic<RedisKey>) => number>({
      command: 'sunionstore',
      params: ['destination', '...keys'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    sdiffstore: command<(destination: RedisKey, ...keys: Variadic<RedisKey>) => number>({
      command: 'sdiffstore',
      params: ['destination', '...keys'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    /** SINTERCARD (Redis 7.0+): the size of the intersection, counting up to `limit` (0 = all). */
    sintercard: command<(keys: RedisKey | readonly RedisKey[], limit?: number) => number>({
      command: 'sintercard',
      params: ['keys', 'limit?'],
      args: ([keys, limit]) => intercardArgs(keys, limit),
    }),
    /** One SSCAN page; see `sscanIterator()` for every member. */
    sscan: command<(key: RedisKey, cursor: string | number, options?: ScanOptions) => ScanPage<S>>({
      command: 'sscan',
      params: ['key', 'cursor', '{options}?'],
      options: optionNames<ScanOptions>()(['match', 'count']),
      args: ([key, cursor, options]) => scanArgs([key, cursor], options),
      reply: (v) => toPage(v, asStrings<S>),
    }),
  };
}

export const setCommands = declarations();

/** The set command signatures, with plain reply types; clients wrap them in promises. */
export type SetCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

/** SADD/SREM repeat harmlessly (the count differs, the set does not); SPOP, SMOVE and *STORE do not. */
export const setRules: RuleSet = idempotentAll(['sadd', 'srem']);
