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
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { startRedis } from '../test/support/redis-server.js';
import { hotKeyIndex } from './e2e/workloads/hot-keys.js';

interface Client {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  mset(values: Record<string, string>): Promise<unknown>;
  close(): Promise<void>;
}
interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const root = resolve(option('tree', resolve(import.meta.dirname, '..')));
const cacheArg = option('cache', 'on');
const cache =
  cacheArg === 'off' ? {} : { clientSideCache: cacheArg === 'on' ? true : (JSON.parse(cacheArg) as object) };
const OPS = Number(option('ops', '300000'));
const SET_EVERY = Number(option('set-every', '20'));
const TOP = Number(option('top', '30'));
const N = 1000;
const VALUE = 'h'.repeat(100);
const KEY = Array.from({ length: N }, (_, i) => `w7:${i}`);

let next = 0;
async function run(r: Client, count: number): Promise<void> {
  const end = next + count;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= end) return;
      const key = KEY[hotKeyIndex(i, N)] as string;
      if (i % SET_EVERY === SET_EVERY - 1) await r.set(key, VALUE);
      else if (((await r.get(key)) as string).length !== VALUE.length) throw new Error('bad reply');
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  next = end;
}

const server = await startRedis();
try {
  const { Redis } = (await import(pathToFileURL(`${root}/dist/src/index.js`).href)) as {
    Redis: new (o: object) => Client;
  };
  const r = new Redis({ port: server.port, ...cache });
  await r.mset(Object.fromEntries(KEY.map((k) => [k, VALUE])));
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
