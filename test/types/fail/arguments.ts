// Wrong argument types must not compile. Each line marked `@type-error` must have an error; no other line may.
import type { Redis } from '../../../src/index.js';

export async function wrongArguments(r: Redis): Promise<void> {
  await r.set('k', 'v', { ex: '10' }); // @type-error
  await r.set('k', 'v', { expire: 10 }); // @type-error
  await r.set('k', { not: 'a value' }); // @type-error
  await r.get(['a', 'b']); // @type-error
  await r.get(null); // @type-error
  await r.get(true); // @type-error
  await r.expire('k', 10, 'SOMETIMES'); // @type-error
  await r.hset('h', { a: true }); // @type-error
  await r.incrby('n', '5'); // @type-error
}
