/** Set commands. RESP3 set replies arrive as arrays, like RESP2's. */
import { flatKeys, intercardArgs, scanArgs, type KeysArg, restArgs, type Variadic } from './args.js';
import { asArray, scanPage, toBoolean, toBooleanArray } from './transforms.js';
import type { RedisKey, RedisValue, ScanOptions, ScanPage } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

export interface SetCommands<S> {
  /** SADD: the number of members added. */
  sadd(key: RedisKey, ...members: Variadic<RedisValue>): number;
  srem(key: RedisKey, ...members: Variadic<RedisValue>): number;
  smembers(key: RedisKey): S[];
  sismember(key: RedisKey, member: RedisValue): boolean;
  /** SMISMEMBER: one boolean per member. */
  smismember(key: RedisKey, ...members: Variadic<RedisValue>): boolean[];
  scard(key: RedisKey): number;
  /** SPOP key: one random member removed, or null. */
  spop(key: RedisKey): S | null;
  spopCount(key: RedisKey, count: number): S[];
  /** SRANDMEMBER key: one random member, or null. */
  srandmember(key: RedisKey): S | null;
  /** SRANDMEMBER key count: distinct members when `count` > 0, possibly repeated when < 0. */
  srandmemberCount(key: RedisKey, count: number): S[];
  /** SMOVE: true when moved. */
  smove(source: RedisKey, destination: RedisKey, member: RedisValue): boolean;
  sinter(...keys: KeysArg[]): S[];
  sunion(...keys: KeysArg[]): S[];
  sdiff(...keys: KeysArg[]): S[];
  /** SINTERSTORE destination key…: the size of the result. */
  sinterstore(destination: RedisKey, ...keys: Variadic<RedisKey>): number;
  sunionstore(destination: RedisKey, ...keys: Variadic<RedisKey>): number;
  sdiffstore(destination: RedisKey, ...keys: Variadic<RedisKey>): number;
  /** SINTERCARD (Redis 7.0+): the size of the intersection, counting up to `limit` (0 = all). */
  sintercard(keys: RedisKey | readonly RedisKey[], limit?: number): number;
  /** One SSCAN page; see `sscanIterator()` for every member. */
  sscan(key: RedisKey, cursor: string | number, options?: ScanOptions): ScanPage<S>;
}

const toMemberPage = scanPage((v) => asArray(v));
const toList = (v: unknown): unknown[] => (v === null ? [] : asArray(v));

export const setCommands = {
  sadd: {
    command: 'sadd',
    params: ['key', '...members'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  srem: {
    command: 'srem',
    params: ['key', '...members'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  smembers: {
    command: 'smembers',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  sismember: {
    command: 'sismember',
    cacheable: true,
    params: ['key', 'member'],
    args: ([key, member]: [RedisKey, RedisValue]) => [key, member],
    reply: toBoolean,
  },
  smismember: {
    command: 'smismember',
    cacheable: true,
    params: ['key', '...members'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
    reply: toBooleanArray,
  },
  scard: {
    command: 'scard',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  spop: {
    command: 'spop',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  spopCount: {
    command: 'spop',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
    reply: toList,
  },
  srandmember: {
    command: 'srandmember',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  srandmemberCount: {
    command: 'srandmember',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
    reply: toList,
  },
  smove: {
    command: 'smove',
    params: ['source', 'destination', 'member'],
    args: ([source, destination, member]: [RedisKey, RedisKey, RedisValue]) => [source, destination, member],
    reply: toBoolean,
  },
  sinter: {
    command: 'sinter',
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  sunion: {
    command: 'sunion',
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  sdiff: {
    command: 'sdiff',
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  sinterstore: {
    command: 'sinterstore',
    params: ['destination', '...keys'],
    args: (a: [RedisKey, ...Variadic<RedisKey>]) => restArgs([a[0]], a, 1),
  },
  sunionstore: {
    command: 'sunionstore',
    params: ['destination', '...keys'],
    args: (a: [RedisKey, ...Variadic<RedisKey>]) => restArgs([a[0]], a, 1),
  },
  sdiffstore: {
    command: 'sdiffstore',
    params: ['destination', '...keys'],
    args: (a: [RedisKey, ...Variadic<RedisKey>]) => restArgs([a[0]], a, 1),
  },
  sintercard: {
    command: 'sintercard',
    params: ['keys', 'limit?'],
    args: ([keys, limit]: [RedisKey | readonly RedisKey[], number?]) => intercardArgs(keys, limit),
  },
  sscan: {
    command: 'sscan',
    params: ['key', 'cursor', '{options}?'],
    args: ([key, cursor, options]: [RedisKey, string | number, ScanOptions?]) =>
      scanArgs([key, cursor], options),
    reply: toMemberPage,
  },
} satisfies Declarations<SetCommands<unknown>>;

/** SADD/SREM repeat harmlessly (the count differs, the set does not); SPOP, SMOVE and *STORE do not. */
export const setRules: RuleSet = idempotentAll(['sadd', 'srem']);
