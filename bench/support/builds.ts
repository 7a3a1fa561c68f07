/**
 * Loading a built wredis (dist/src/index.js of this tree or of another checkout) into a benchmark,
 * so that several builds can run side by side in one process.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** bench/: where relative build paths are resolved from (each script used to import them itself). */
const BENCH_DIR = resolve(import.meta.dirname, '..');

/** This tree's build, as the scripts name it by default. */
export const OWN_BUILD = '../dist/src/index.js';

/**
 * The URL of a build's entry point: a `file:` URL as it is, an absolute path, or a path relative
 * to bench/ (so `../dist/src/index.js` is this tree's build, as when a script imported it).
 */
export function buildUrl(spec: string): URL {
  if (spec.startsWith('file:')) return new URL(spec);
  return pathToFileURL(isAbsolute(spec) ? spec : resolve(BENCH_DIR, spec));
}

/** The entry point of the build in a tree (a checkout after `npm run build`). */
export function treeBuild(root: string): string {
  return `${root}/dist/src/index.js`;
}

/**
 * The builds named by WREDIS_DIST (comma-separated entry points; they alternate round by round
 * in one process), or `fallback` when it is not set.
 */
export function buildsFromEnv(fallback: string = OWN_BUILD): string[] {
  return (process.env.WREDIS_DIST ?? fallback).split(',');
}

/**
 * The `Redis` class of a build. `C` is the part of the client a script uses: each build is a
 * separate module, so the scripts describe the client structurally instead of importing src/.
 */
export async function loadRedis<C>(spec: string): Promise<new (options: object) => C> {
  const mod = (await import(buildUrl(spec).href)) as { Redis: new (options: object) => C };
  return mod.Redis;
}
