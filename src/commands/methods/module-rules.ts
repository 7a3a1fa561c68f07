/**
 * Rules of module commands that have no typed declaration (RedisJSON, Bloom,
 * vector sets): which of their calls repeat harmlessly.
 */
import { idempotentAll, noneOf, type RuleSet } from '../declare.js';

export const moduleRules: RuleSet = {
  ...idempotentAll([
    'json.del',
    'json.forget',
    'json.clear',
    'json.merge',
    'json.mset',
    'bf.add',
    'bf.madd',
    'bf.insert',
    'vadd',
    'vrem',
    'vsetattr',
  ]),
  'json.set': { idempotent: (a) => noneOf(a, 3, ['NX', 'XX']) },
};
