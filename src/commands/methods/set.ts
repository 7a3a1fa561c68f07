/** Set commands. RESP3 set replies arrive as arrays, like RESP2's. */
import { flatKeys, intercardArgs, scanArgs, type KeysArg } from './args.js';
import { asArray, scanPage, toBoolean, toBooleanArray } from './transforms.js';
import type { Implementation, RedisKey, RedisValue, ScanOptions, ScanPage } from './types.js';

export interface SetCommands<S> {
  /** SADD: the number of members added. */
  sadd(key: RedisKey, ...members: RedisValue[]): number;
  srem(key: RedisKey, ...members: RedisValue[]): number;
  smembers(key: RedisKey): S[];
  sismember(key: RedisKey, member: RedisValue): boolean;
  /** SMISMEMBER: one boolean per member. */
  smismember(key: RedisKey, ...members: RedisValue[]): boolean[];
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
  sinterstore(destination: RedisKey, ...keys: RedisKey[]): number;
  sunionstore(destination: RedisKey, ...keys: RedisKey[]): number;
  sdiffstore(destination: RedisKey, ...keys: RedisKey[]): number;
  /** SINTERCARD (Redis 7.0+): the size of the intersection, counting up to `limit` (0 = all). */
  sintercard(keys: RedisKey | readonly RedisKey[], limit?: number): number;
  /** One SSCAN page; see `sscanIterator()` for every member. */
  sscan(key: RedisKey, cursor: string | number, options?: ScanOptions): ScanPage<S>;
}

const toMemberPage = scanPage((v) => asArray(v));
const toList = (v: unknown): unknown[] => (v === null ? [] : asArray(v));

export const setCommands: Implementation<SetCommands<unknown>> = {
  sadd(key: RedisKey, ...members: RedisValue[]) {
    return this.dispatch('sadd', [key, ...members]);
  },
  srem(key: RedisKey, ...members: RedisValue[]) {
    return this.dispatch('srem', [key, ...members]);
  },
  smembers(key: RedisKey) {
    return this.dispatch('smembers', [key]);
  },
  sismember(key: RedisKey, member: RedisValue) {
    return this.dispatch('sismember', [key, member], toBoolean);
  },
  smismember(key: RedisKey, ...members: RedisValue[]) {
    return this.dispatch('smismember', [key, ...members], toBooleanArray);
  },
  scard(key: RedisKey) {
    return this.dispatch('scard', [key]);
  },
  spop(key: RedisKey) {
    return this.dispatch('spop', [key]);
  },
  spopCount(key: RedisKey, count: number) {
    return this.dispatch('spop', [key, count], toList);
  },
  srandmember(key: RedisKey) {
    return this.dispatch('srandmember', [key]);
  },
  srandmemberCount(key: RedisKey, count: number) {
    return this.dispatch('srandmember', [key, count], toList);
  },
  smove(source: RedisKey, destination: RedisKey, member: RedisValue) {
    return this.dispatch('smove', [source, destination, member], toBoolean);
  },
  sinter(...keys: KeysArg[]) {
    return this.dispatch('sinter', flatKeys(keys));
  },
  sunion(...keys: KeysArg[]) {
    return this.dispatch('sunion', flatKeys(keys));
  },
  sdiff(...keys: KeysArg[]) {
    return this.dispatch('sdiff', flatKeys(keys));
  },
  sinterstore(destination: RedisKey, ...keys: RedisKey[]) {
    return this.dispatch('sinterstore', [destination, ...keys]);
  },
  sunionstore(destination: RedisKey, ...keys: RedisKey[]) {
    return this.dispatch('sunionstore', [destination, ...keys]);
  },
  sdiffstore(destination: RedisKey, ...keys: RedisKey[]) {
    return this.dispatch('sdiffstore', [destination, ...keys]);
  },
  sintercard(keys: RedisKey | readonly RedisKey[], limit?: number) {
    return this.dispatch('sintercard', intercardArgs(keys, limit));
  },
  sscan(key: RedisKey, cursor: string | number, options?: ScanOptions) {
    return this.dispatch('sscan', scanArgs([key, cursor], options), toMemberPage);
  },
};
