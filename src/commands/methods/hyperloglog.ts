/** HyperLogLog commands. */
import { flatKeys, type KeysArg, restArgs, type Variadic } from './args.js';
import { toBoolean } from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import { command, idempotentAll, type RuleSet, type Signatures } from '../declare.js';

/**
 * The hyperLogLog command declarations.
 * Each method's signature and TSDoc are written here once; {@link HyperLogLogCommands} maps them.
 */
function declarations() {
  return {
    /** PFADD: true when the estimate changed. */
    pfadd: command<(key: RedisKey, ...elements: Variadic<RedisValue>) => boolean>({
      command: 'pfadd',
      params: ['key', '...elements'],
      args: (a) => restArgs([a[0]], a, 1),
      reply: toBoolean,
    }),
    /** PFCOUNT: the estimated cardinality (of the union, with several keys). */
    pfcount: command<(...keys: KeysArg[]) => number>({
      command: 'pfcount',
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    pfmerge: command<(destination: RedisKey, ...sources: Variadic<RedisKey>) => 'OK'>({
      command: 'pfmerge',
      params: ['destination', '...sources'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
  };
}

export const hyperLogLogCommands = declarations();

/** The hyperLogLog command signatures, with plain reply types; clients wrap them in promises. */
export type HyperLogLogCommands = Signatures<ReturnType<typeof declarations>>;

/** PFADD and PFMERGE are set unions: repeating them changes nothing. */
export const hyperLogLogRules: RuleSet = idempotentAll(['pfadd', 'pfmerge']);
