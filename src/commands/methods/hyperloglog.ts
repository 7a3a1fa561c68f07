/** HyperLogLog commands. */
import { flatKeys, type KeysArg } from './args.js';
import { toBoolean } from './transforms.js';
import type { Implementation, RedisKey, RedisValue } from './types.js';

export interface HyperLogLogCommands {
  /** PFADD: true when the estimate changed. */
  pfadd(key: RedisKey, ...elements: RedisValue[]): boolean;
  /** PFCOUNT: the estimated cardinality (of the union, with several keys). */
  pfcount(...keys: KeysArg[]): number;
  pfmerge(destination: RedisKey, ...sources: RedisKey[]): 'OK';
}

export const hyperLogLogCommands: Implementation<HyperLogLogCommands> = {
  pfadd(key: RedisKey, ...elements: RedisValue[]) {
    return this.dispatch('pfadd', [key, ...elements], toBoolean);
  },
  pfcount(...keys: KeysArg[]) {
    return this.dispatch('pfcount', flatKeys(keys));
  },
  pfmerge(destination: RedisKey, ...sources: RedisKey[]) {
    return this.dispatch('pfmerge', [destination, ...sources]);
  },
};
