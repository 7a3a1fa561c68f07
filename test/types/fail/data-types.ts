// Wrong argument types of the data-type groups must not compile; only the marked lines may fail.
import type { Redis } from '../../../src/index.js';

export async function wrongDataTypeArguments(r: Redis): Promise<void> {
  await r.zadd('z', { score: '1', member: 'a' }); // @type-error
  await r.zrange('z', 0, -1, { by: 'rank' }); // @type-error
  await r.zadd('z', [{ member: 'a' }]); // @type-error
  await r.xadd('s', '*', { f: true }); // @type-error
  await r.xread({ key: 's' }); // @type-error
  await r.xreadgroup('g', 'c', { key: 's', id: '>' }, { noack: 'yes' }); // @type-error
  await r.lmove('a', 'b', 'UP', 'LEFT'); // @type-error
  await r.geosearch('g', { member: 'm' }, { radius: 1, unit: 'miles' }); // @type-error
  await r.bitfield('b', [{ op: 'GET', type: 'x8', offset: 0 }]); // @type-error
  await r.setbit('b', 1, 2); // @type-error
  await r.eval('return 1', { keys: [{}] }); // @type-error
  await r.clientUnblock(1, 'LOUDLY'); // @type-error
}
