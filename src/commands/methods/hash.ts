/** Hash commands. */
import { toBoolean, toNumber, toObject } from './transforms.js';
import type { Dispatcher, RedisKey, RedisValue } from './types.js';

export interface HashCommands<S> {
  /** HSET key field value [field value …], or an object of fields. Returns the number of new fields. */
  hset(key: RedisKey, fields: Record<string, RedisValue>): number;
  hset(key: RedisKey, ...fieldValues: RedisValue[]): number;
  hget(key: RedisKey, field: RedisValue): S | null;
  hmget(key: RedisKey, ...fields: RedisValue[]): Array<S | null>;
  /** All fields as an object (under RESP2 and RESP3 alike). */
  hgetall(key: RedisKey): Record<string, S>;
  hdel(key: RedisKey, ...fields: RedisValue[]): number;
  hexists(key: RedisKey, field: RedisValue): boolean;
  hincrby(key: RedisKey, field: RedisValue, increment: number): number;
  hincrbyfloat(key: RedisKey, field: RedisValue, increment: number): number;
  hlen(key: RedisKey): number;
  hkeys(key: RedisKey): S[];
  hvals(key: RedisKey): S[];
}

function fieldArgs(key: RedisKey, rest: unknown[]): unknown[] {
  const first = rest[0];
  if (rest.length === 1 && first !== null && typeof first === 'object' && !(first instanceof Uint8Array)) {
    const args: unknown[] = [key];
    for (const [f, v] of Object.entries(first as Record<string, unknown>)) args.push(f, v);
    return args;
  }
  return [key, ...rest];
}

export const hashCommands: ThisType<Dispatcher> & Record<keyof HashCommands<unknown>, (...a: never[]) => unknown> = {
  hset(key: RedisKey, ...rest: unknown[]) {
    return this.dispatch('hset', fieldArgs(key, rest));
  },
  hget(key: RedisKey, field: RedisValue) {
    return this.dispatch('hget', [key, field]);
  },
  hmget(key: RedisKey, ...fields: RedisValue[]) {
    return this.dispatch('hmget', [key, ...fields]);
  },
  hgetall(key: RedisKey) {
    return this.dispatch('hgetall', [key], toObject);
  },
  hdel(key: RedisKey, ...fields: RedisValue[]) {
    return this.dispatch('hdel', [key, ...fields]);
  },
  hexists(key: RedisKey, field: RedisValue) {
    return this.dispatch('hexists', [key, field], toBoolean);
  },
  hincrby(key: RedisKey, field: RedisValue, increment: number) {
    return this.dispatch('hincrby', [key, field, increment]);
  },
  hincrbyfloat(key: RedisKey, field: RedisValue, increment: number) {
    return this.dispatch('hincrbyfloat', [key, field, increment], toNumber);
  },
  hlen(key: RedisKey) {
    return this.dispatch('hlen', [key]);
  },
  hkeys(key: RedisKey) {
    return this.dispatch('hkeys', [key]);
  },
  hvals(key: RedisKey) {
    return this.dispatch('hvals', [key]);
  },
};
