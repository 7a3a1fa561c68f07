// exec() results are tuples: a slot may hold a RedisError, and there is no slot past the last command.
import type { Redis } from '../../../src/index.js';

export async function batchTuples(r: Redis): Promise<void> {
  const [value] = await r.pipeline().get('k').exec();
  const text: string | null = value; // @type-error
  void text;
  const counted = await r.multi().incr('n').exec();
  void counted[1]; // @type-error
  const n: number = counted[0]; // @type-error
  void n;
  const [a, b]: [string | null, 'OK'] = await r.pipeline().get('k').set('k', 'v').exec(); // @type-error
  void a;
  void b;
}
