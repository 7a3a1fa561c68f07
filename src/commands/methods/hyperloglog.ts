/** HyperLogLog commands. */
import { flatKeys, type KeysArg, restArgs, type Variadic } from './args.js';
import { toBoolean } from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

export interface HyperLogLogCommands {
  /** PFADD: true when the estimate changed. */
  pfadd(key: RedisKey, ...elements: Variadic<RedisValue>): boolean;
  /** PFCOUNT: the estimated cardinality (of the union, with several keys). */
  pfcount(...keys: KeysArg[]): number;
  pfmerge(destination: RedisKey, ...sources: Variadic<RedisKey>): 'OK';
}

export const hyperLogLogCommands = {
  pfadd: {
    command: 'pfadd',
    params: ['key', '...elements'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
    reply: toBoolean,
  },
  pfcount: {
    command: 'pfcount',
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  pfmerge: {
    command: 'pfmerge',
    params: ['destination', '...sources'],
    args: (a: [RedisKey, ...Variadic<RedisKey>]) => restArgs([a[0]], a, 1),
  },
} satisfies Declarations<HyperLogLogCommands>;

/** PFADD and PFMERGE are set unions: repeating them changes nothing. */
export const hyperLogLogRules: RuleSet = idempotentAll(['pfadd', 'pfmerge']);
