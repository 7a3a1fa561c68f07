// Replies have precise types: using them as something else must not compile.
import type { Redis } from '../../../src/index.js';

export async function wrongReplyUse(r: Redis): Promise<void> {
  const n: number = await r.get('k'); // @type-error
  const s: string = await r.zscore('z', 'm'); // @type-error
  const b: string | null = await r.withBuffers().get('k'); // @type-error
  const h: Record<string, number> = await r.hgetall('h'); // @type-error
  const e = await r.xrange('s', '-', '+');
  e[0]?.fields.f?.toFixed(); // @type-error
  const m = await r.zpopmin('z');
  m?.score.toUpperCase(); // @type-error
  const ok: boolean = await r.set('k', 'v'); // @type-error
  void n;
  void s;
  void b;
  void h;
  void ok;
}
