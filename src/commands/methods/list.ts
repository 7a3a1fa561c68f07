/** List commands. */
import type { Dispatcher, RedisKey, RedisValue } from './types.js';

export interface ListCommands<S> {
  lpush(key: RedisKey, ...values: RedisValue[]): number;
  rpush(key: RedisKey, ...values: RedisValue[]): number;
  lpop(key: RedisKey): S | null;
  rpop(key: RedisKey): S | null;
  llen(key: RedisKey): number;
  lrange(key: RedisKey, start: number, stop: number): S[];
  lindex(key: RedisKey, index: number): S | null;
  /** BLPOP: `[key, value]`, or null when `timeout` seconds pass. Runs on a dedicated connection. */
  blpop(keys: RedisKey | RedisKey[], timeout: number): [S, S] | null;
  brpop(keys: RedisKey | RedisKey[], timeout: number): [S, S] | null;
}

export const listCommands: ThisType<Dispatcher> & Record<keyof ListCommands<unknown>, (...a: never[]) => unknown> = {
  lpush(key: RedisKey, ...values: RedisValue[]) {
    return this.dispatch('lpush', [key, ...values]);
  },
  rpush(key: RedisKey, ...values: RedisValue[]) {
    return this.dispatch('rpush', [key, ...values]);
  },
  lpop(key: RedisKey) {
    return this.dispatch('lpop', [key]);
  },
  rpop(key: RedisKey) {
    return this.dispatch('rpop', [key]);
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
  blpop(keys: RedisKey | RedisKey[], timeout: number) {
    return this.dispatch('blpop', [...(Array.isArray(keys) ? keys : [keys]), timeout]);
  },
  brpop(keys: RedisKey | RedisKey[], timeout: number) {
    return this.dispatch('brpop', [...(Array.isArray(keys) ? keys : [keys]), timeout]);
  },
};
