/**
 * Rules of module commands that have no typed declaration (RedisJSON, Bloom,
 * vector sets): which of their calls repeat harmlessly, and which may be cached.
 */
import { CACHEABLE, idempotentAll, noneOf, type RuleSet } from '../declare.js';

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
  // JSON.GET key [paths…]: the document at `key`, invalidated as any key is (needs the module).
  'json.get': CACHEABLE,
};
