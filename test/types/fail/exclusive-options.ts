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
  await r.zadd('z', { score: 1, member: 'm' }, { nx: true, xx: true }); // @type-error
  await r.zadd('z', { score: 1, member: 'm' }, { nx: true, gt: true }); // @type-error
  await r.zadd('z', { score: 1, member: 'm' }, { gt: true, lt: true }); // @type-error
  await r.zaddIncr('z', 1, 'm', { nx: true, lt: true }); // @type-error
  await r.geoadd('g', { longitude: 1, latitude: 1, member: 'm' }, { nx: true, xx: true }); // @type-error
  await r.hgetex('h', ['f'], { ex: 1, persist: true }); // @type-error
  await r.hsetex('h', { f: 'v' }, { ex: 1, px: 1000 }); // @type-error
  await r.hsetex('h', { f: 'v' }, { fnx: true, fxx: true }); // @type-error
  await r.xadd('s', '*', { f: 'v' }, { maxlen: 10, minid: '0' }); // @type-error
  await r.xtrim('s', { maxlen: 10, minid: '0' }); // @type-error
  r.pipeline().zadd('z', { score: 1, member: 'm' }, { gt: true, lt: true }); // @type-error
  // One of each is fine, and so is an expiry that may be undefined.
  await r.set('k', 'v', { ex: 10, nx: true, get: true });
  await r.set('k', 'v', { ex: ttl, xx: true });
  await r.set('k', 'v', { keepttl: true, xx: true });
  await r.getex('k', { persist: true });
  await r.zadd('z', { score: 1, member: 'm' }, { xx: true, gt: true, ch: true });
  await r.zadd('z', { score: 1, member: 'm' }, { nx: true, ch: true });
  await r.zaddIncr('z', 1, 'm', { xx: true, lt: true });
  await r.geoadd('g', { longitude: 1, latitude: 1, member: 'm' }, { xx: true, ch: true });
  await r.hgetex('h', ['f'], { px: ttl });
  await r.hsetex('h', { f: 'v' }, { fxx: true, keepttl: true });
  await r.xadd('s', '*', { f: 'v' }, { minid: '0', approx: true, limit: 10, nomkstream: true });
  await r.xtrim('s', { maxlen: 10, approx: true });
}
