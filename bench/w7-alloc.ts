/**
 * Where the W7 shape allocates: bench/w7-one.ts's loop under V8's sampling heap profiler
 * with objects collected by minor and major GCs included (so short-lived garbage shows),
 * reporting bytes per operation by allocating function. For finding allocations to remove;
 * the figures are sampled (every 512 bytes by default), not exact.
 *
 *   node --import tsx bench/w7-alloc.ts [--cache on|off|JSON] [--ops N] [--set-every N] [--top N]
 *
 * Starts its own redis-server on a free loopback port and stops it by PID.
 */
import { Session } from 'node:inspector/promises';
import { startRedis } from '../test/support/redis-server.js';
import { option } from './support/args.js';
import { openW7Client, singleW7Options, w7Runner, type W7Client } from './support/w7.js';

interface Client extends W7Client {
  close(): Promise<void>;
}
interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const opts = singleW7Options(300_000);
const { cache, ops: OPS, setEvery: SET_EVERY } = opts;
const TOP = Number(option('top', '30'));
const run = w7Runner(SET_EVERY);

const server = await startRedis();
try {
  const r = await openW7Client<Client>(server, opts);
  await run(r, 100_000);
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await run(r, OPS);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } };
  const self = new Map<string, number>();
  const walk = (n: Node): void => {
    const f = n.callFrame;
    const k = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(profile.head);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${JSON.stringify(cache)} set-every ${SET_EVERY}: ${(total / OPS).toFixed(0)} B/op sampled`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(`${(v / OPS).toFixed(1).padStart(7)} B/op  ${k}`);
  session.disconnect();
  await r.close();
} finally {
  await server.stop();
}
