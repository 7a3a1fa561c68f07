/**
 * wredis, loaded lazily through a computed specifier: the harness must type-check and run the
 * peers even while the library is mid-rewrite, and pick wredis up as soon as it imports again.
 * The shapes below are the few calls the harness makes (see /work/shared/CONTRACT.md).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UnavailableError, type Adapter, type AdapterOptions, type Endpoint, type Mode } from './types.js';

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
  readonly clientSideCache?: { stats(): { hits: number; misses: number } };
  withBuffers?(): { get(key: string): Promise<unknown> };
}

type WCtor = new (options: object) => WClient;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Variables, so TypeScript does not resolve (and fail on) them. */
const SRC_ENTRY = '../../../src/index.js';
const DIST_ENTRY = '../../../dist/src/index.js';

function newestMtime(dir: string, depth = 0): number {
  let newest = 0;
  if (depth > 8) return newest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p, depth + 1) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Which build to measure: the compiled `dist/` (what users run, and what `npm run bench` has just
 * built) when it is at least as new as every file under src/; the TypeScript sources through tsx
 * otherwise. Loading ~100 TS files through tsx costs tens of MB of RSS that users never pay.
 * WREDIS_ENTRY=src|dist forces one.
 */
function entry(): { spec: string; note: string } {
  const forced = process.env.WREDIS_ENTRY;
  const dist = join(ROOT, 'dist/src/index.js');
  if (forced === 'src')
    return { spec: SRC_ENTRY, note: 'wredis loaded from src/ through tsx (WREDIS_ENTRY=src)' };
  if (forced === 'dist' || (existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(ROOT, 'src')))) {
    return { spec: DIST_ENTRY, note: 'wredis loaded from dist/ (compiled by npm run build)' };
  }
  return {
    spec: SRC_ENTRY,
    note: 'wredis loaded from src/ through tsx: dist/ missing or older than src/ (run npm run build)',
  };
}

/**
 * `root`: another checkout's compiled dist/ (the `wredis@<ref>` client of `--against`), loaded
 * as built there; the current tree otherwise.
 */
export async function wredisAdapter(
  mode: Mode,
  ep: Endpoint,
  root?: string,
  options: AdapterOptions = {},
): Promise<Adapter> {
  const { spec, note } =
    root === undefined
      ? entry()
      : {
          spec: pathToFileURL(join(root, 'dist/src/index.js')).href,
          note: `loaded from ${join(root, 'dist')} (built by --against)`,
        };
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec)) as Record<string, unknown>;
  } catch (e) {
    throw new UnavailableError(`wredis does not import: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  const notes: string[] = [note];
  const csc = options.clientSideCache === true ? { clientSideCache: true } : {};
  if (options.clientSideCache === true) notes.push('clientSideCache: true (10,000 entries)');
  let c: WClient;
  if (mode === 'cluster') {
    const Ctor = mod.RedisCluster;
    if (typeof Ctor !== 'function') throw new UnavailableError('wredis RedisCluster not available yet');
    c = new (Ctor as WCtor)({ nodes: [{ host: ep.host, port: ep.port }], ...csc });
  } else {
    const Ctor = mod.Redis;
    if (typeof Ctor !== 'function') throw new UnavailableError('wredis Redis not exported');
    c = new (Ctor as WCtor)({ host: ep.host, port: ep.port, lazyConnect: true, ...csc });
  }
  let bytes: { get(key: string): Promise<unknown> } | undefined;
  if (options.buffers === true) {
    if (typeof c.withBuffers !== 'function') throw new UnavailableError('wredis withBuffers() not available');
    bytes = c.withBuffers();
    notes.push('GET through withBuffers() (Buffer replies)');
  }
  const hasPipeline = typeof c.pipeline === 'function';
  if (!hasPipeline)
    notes.push('no pipeline(): W3 issues the GETs in one tick with Promise.all (auto-pipelined)');
  return {
    notes,
    cacheStats:
      options.clientSideCache === true
        ? () => (c.clientSideCache as { stats(): { hits: number; misses: number } }).stats()
        : undefined,
    connect: async () => {
      if (typeof c.connect === 'function') await c.connect();
      else await c.get('wb:probe');
    },
    get: bytes !== undefined ? (k) => bytes.get(k) : (k) => c.get(k),
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
