/** Keyspace commands that work on keys of any type. */
import { toBoolean } from './transforms.js';
import type { Dispatcher, RedisKey } from './types.js';

export interface GenericCommands<S> {
  del(...keys: RedisKey[]): number;
  unlink(...keys: RedisKey[]): number;
  exists(...keys: RedisKey[]): number;
  expire(key: RedisKey, seconds: number): boolean;
  pexpire(key: RedisKey, milliseconds: number): boolean;
  ttl(key: RedisKey): number;
  pttl(key: RedisKey): number;
  persist(key: RedisKey): boolean;
  type(key: RedisKey): string;
  rename(key: RedisKey, newKey: RedisKey): 'OK';
  touch(...keys: RedisKey[]): number;
  keys(pattern: string): S[];
}

export const genericCommands: ThisType<Dispatcher> & Record<keyof GenericCommands<unknown>, (...a: never[]) => unknown> = {
  del(...keys: RedisKey[]) {
    return this.dispatch('del', keys);
  },
  unlink(...keys: RedisKey[]) {
    return this.dispatch('unlink', keys);
  },
  exists(...keys: RedisKey[]) {
    return this.dispatch('exists', keys);
  },
  expire(key: RedisKey, seconds: number) {
    return this.dispatch('expire', [key, seconds], toBoolean);
  },
  pexpire(key: RedisKey, milliseconds: number) {
    return this.dispatch('pexpire', [key, milliseconds], toBoolean);
  },
  ttl(key: RedisKey) {
    return this.dispatch('ttl', [key]);
  },
  pttl(key: RedisKey) {
    return this.dispatch('pttl', [key]);
  },
  persist(key: RedisKey) {
    return this.dispatch('persist', [key], toBoolean);
  },
  type(key: RedisKey) {
    return this.dispatch('type', [key], String);
  },
  rename(key: RedisKey, newKey: RedisKey) {
    return this.dispatch('rename', [key, newKey]);
  },
  touch(...keys: RedisKey[]) {
    return this.dispatch('touch', keys);
  },
  keys(pattern: string) {
    return this.dispatch('keys', [pattern]);
  },
};
