// Untyped methods take wire arguments only; unknown methods do not exist; batches are not promises.
import type { Redis } from '../../../src/index.js';

export async function wrongUntypedAndBatchUse(r: Redis): Promise<void> {
  await r.lolwut({ version: 5 }); // @type-error
  await r.notACommand(); // @type-error
  await r.select(1); // @type-error
  const v: string | null = await r.pipeline().get('k'); // @type-error
  void v;
  r.pipeline().set('k', 'v', { nx: 1 }); // @type-error
  r.multi().hgetall(1n); // @type-error
  for await (const k of r.scanIterator({ type: 1 })) void k; // @type-error
  for await (const fv of r.hscanIterator('h')) void fv.member; // @type-error
  await r.withConnection(async (c) => c.watch({})); // @type-error
}
