// Options that exclude each other are compile errors (plain JavaScript gets CommandSyntaxError).
import type { Redis } from '../../../src/index.js';

export async function exclusiveOptions(r: Redis, ttl: number | undefined): Promise<void> {
  await r.set('k', 'v', { ex: 10, px: 10_000 }); // @type-error
  await r.set('k', 'v', { ex: 10, keepttl: true }); // @type-error
  await r.set('k', 'v', { exat: 1, pxat: 1000 }); // @type-error
  await r.set('k', 'v', { nx: true, xx: true }); // @type-error
  r.multi().set('k', 'v', { px: 1, keepttl: true }); // @type-error
  await r.getex('k', { ex: 10, persist: true }); // @type-error
  await r.getex('k', { px: 10, exat: 10 }); // @type-error
  // One of each is fine, and so is an expiry that may be undefined.
  await r.set('k', 'v', { ex: 10, nx: true, get: true });
  await r.set('k', 'v', { ex: ttl, xx: true });
  await r.set('k', 'v', { keepttl: true, xx: true });
  await r.getex('k', { persist: true });
}
