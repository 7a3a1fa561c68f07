/** Versions and machine facts recorded with every result, so figures can be reproduced. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { rawCommand, parseInfo } from '../../test/support/raw-client.js';
import type { Endpoint } from './adapters/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Meta {
  date: string;
  node: string;
  redisServer: string;
  packages: Record<string, string>;
  git: string;
  /** Builds of wredis from other commits measured in the same run (--against). */
  against?: { client: string; commit: string; install: string }[];
  machine: { nproc: number; cpu: string; memGB: number; kernel: string; loadavg: number[] };
}

function pkgVersion(name: string): string {
  try {
    const file = name === 'wredis' ? `${ROOT}package.json` : `${ROOT}node_modules/${name}/package.json`;
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The code measured: git HEAD (+ dirty mark), or BENCH_SOURCE when run from a copy without .git. */
function git(): string {
  if (process.env.BENCH_SOURCE !== undefined && process.env.BENCH_SOURCE !== '')
    return process.env.BENCH_SOURCE;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'assembly'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty === '' ? head : `${head} + uncommitted changes in src/assembly`;
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1] !== undefined) return m[1].trim();
  } catch {
    /* not Linux */
  }
  return cpus()[0]?.model ?? 'unknown';
}

export async function collectMeta(server: Endpoint | undefined): Promise<Meta> {
  let redisServer = 'unknown';
  if (server !== undefined) {
    try {
      redisServer =
        parseInfo(await rawCommand({ host: server.host, port: server.port }, 'INFO', 'server'))
          .redis_version ?? 'unknown';
    } catch {
      /* reported as unknown */
    }
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    redisServer,
    packages: Object.fromEntries(
      ['wredis', 'ioredis', 'redis', '@redis/client', '@valkey/valkey-glide', 'tsx'].map((n) => [
        n,
        pkgVersion(n),
      ]),
    ),
    git: git(),
    machine: {
      nproc: cpus().length,
      cpu: cpuModel(),
      memGB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    },
  };
}
