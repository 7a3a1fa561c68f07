/**
 * wredis, loaded lazily through a computed specifier: the harness must type-check and run the
 * peers even while the library is mid-rewrite, and pick wredis up as soon as it imports again.
 * The shapes below are the few calls the harness makes (see /work/shared/CONTRACT.md).
 */
import { UnavailableError, type Adapter, type Endpoint, type Mode } from './types.js';

interface WPipeline {
  get(key: string): WPipeline;
  exec(): Promise<unknown>;
}

interface WClient {
  connect?(): Promise<void>;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  mget(...keys: string[]): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<unknown>;
  hgetall(key: string): Promise<unknown>;
  pipeline?(): WPipeline;
  close(): Promise<void>;
}

type WCtor = new (options: object) => WClient;

/** Relative to this file; a variable so TypeScript does not resolve (and fail on) it. */
const ENTRY = '../../../src/index.js';

export async function wredisAdapter(mode: Mode, ep: Endpoint): Promise<Adapter> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ENTRY)) as Record<string, unknown>;
  } catch (e) {
    throw new UnavailableError(`wredis does not import: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  const notes: string[] = [];
  let c: WClient;
  if (mode === 'cluster') {
    const Ctor = mod.RedisCluster;
    if (typeof Ctor !== 'function') throw new UnavailableError('wredis RedisCluster not available yet');
    c = new (Ctor as WCtor)({ nodes: [{ host: ep.host, port: ep.port }] });
  } else {
    const Ctor = mod.Redis;
    if (typeof Ctor !== 'function') throw new UnavailableError('wredis Redis not exported');
    c = new (Ctor as WCtor)({ host: ep.host, port: ep.port, lazyConnect: true });
  }
  const hasPipeline = typeof c.pipeline === 'function';
  if (!hasPipeline) notes.push('no pipeline(): W3 issues the GETs in one tick with Promise.all (auto-pipelined)');
  return {
    notes,
    connect: async () => {
      if (typeof c.connect === 'function') await c.connect();
      else await c.get('wb:probe');
    },
    get: (k) => c.get(k),
    set: (k, v) => c.set(k, v),
    mget: (keys) => c.mget(...keys),
    lrange: (k) => c.lrange(k, 0, -1),
    hgetall: (k) => c.hgetall(k),
    pipelineGet: hasPipeline
      ? (keys) => {
        const p = (c.pipeline as () => WPipeline).call(c);
        for (let i = 0; i < keys.length; i++) p.get(keys[i] as string);
        return p.exec();
      }
      : (keys) => {
        const all = new Array<Promise<unknown>>(keys.length);
        for (let i = 0; i < keys.length; i++) all[i] = c.get(keys[i] as string);
        return Promise.all(all);
      },
    close: () => c.close(),
  };
}
