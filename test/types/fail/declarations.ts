// A declaration whose builder, parameter names or transform disagree with its signature does not compile.
import { command } from '../../../src/commands/declare.js';
import { toNumber, toText } from '../../../src/commands/methods/transforms.js';
import type { RedisKey } from '../../../src/index.js';

export const wrongTransform = command<(key: RedisKey) => number>({
  command: 'strlen',
  params: ['key'],
  args: ([key]) => [key],
  reply: toText, // @type-error
});

export const wrongParamCount = command<(key: RedisKey, by: number) => number>({
  command: 'incrby',
  params: ['key'], // @type-error
  args: ([key, by]) => [key, by],
});

export const wrongBuilder = command<(key: RedisKey) => number>({
  command: 'incr',
  params: ['key'],
  args: ([key, by]: [RedisKey, number]) => [key, by], // @type-error
});

// Generic over the string type of replies: a transform that fixes it to string does not fit.
export function stringTyped<S>(): unknown {
  return command<(key: RedisKey) => S | null>({
    command: 'get',
    params: ['key'],
    args: ([key]) => [key],
    reply: toText, // @type-error
  });
}

// And the matching declaration compiles.
export const fits = command<(key: RedisKey) => number>({
  command: 'strlen',
  params: ['key'],
  args: ([key]) => [key],
  reply: toNumber,
});
