/**
 * One `npm run bench` measurement (bench/e2e/child.ts, its own process) repeated under variants of
 * the Node flags and environment, interleaved round by round, against one redis-server:
 *
 *   VARIANTS='wredis||;wredis|--no-concurrent-array-buffer-sweeping|;ioredis||MALLOC_TRIM_THRESHOLD_=268435456' \
 *     node --import tsx bench/child-variants.ts [workload] [rounds] [count]
 *
 * A variant is `client|node flags|VAR=value,VAR=value|checkout`: the checkout (optional) is the
 * root of another build, measured as client `wredis@…`. PREFIX='perf stat -o /tmp/%C.txt' runs each
 * child under a command (%C: the client). Prints, per child, ops/s, CPU (user, system) per op and
 * RSS (before the measured loop, and its peak during it).
 * The workload defaults to W5-1mb-buf (GET 1 MB as a Buffer), whose cost is mostly the collector's
 * and the C library's (bench/RESULTS.md).
 */
import { spawnSync } from 'node:child_process';
import { startRedis } from '../test/support/redis-server.js';
import { preloadStandalone } from './e2e/dataset.js';
import { CHILD_NODE_FLAGS } from './e2e/orchestrate.js';
import type { ChildTask } from './e2e/protocol.js';
import { WORKLOADS } from './e2e/workloads.js';
import type { ClientName } from './e2e/adapters/types.js';

const id = process.argv[2] ?? 'W5-1mb-buf';
const rounds = Number(process.argv[3] ?? 2);
const count = Number(process.argv[4] ?? 2400);
const variants = (process.env.VARIANTS ?? 'wredis||;ioredis||').split(';');
const prefix = (process.env.PREFIX ?? '').split(' ').filter(Boolean);

const w = WORKLOADS.find((x) => x.id === id);
if (w === undefined || w.mode !== 'standalone') throw new Error(`${id}: not a standalone workload`);

const server = await startRedis({ args: ['--appendonly', 'no', '--save', ''] });
try {
  await preloadStandalone({ host: server.host, port: server.port }, [w]);
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const [client = 'wredis', flags = '', env = '', root = ''] = v.split('|');
      const task: ChildTask = {
        client: client as ClientName,
        workload: id,
        endpoint: { host: server.host, port: server.port },
        count,
        warmup: count,
        capMs: 60_000,
        warmupCapMs: 60_000,
        ...(root !== '' ? { wredisRoot: root } : {}),
      };
      const node = [
        ...flags.split(' ').filter(Boolean),
        ...CHILD_NODE_FLAGS,
        'bench/e2e/child.ts',
        JSON.stringify(task),
      ];
      const pre = prefix.map((a) => a.replace('%C', client));
      const extra = Object.fromEntries(
        env
          .split(',')
          .filter(Boolean)
          .map((kv) => kv.split('=') as [string, string]),
      );
      const [cmd, ...args] =
        pre.length > 0 ? [...pre, process.execPath, ...node] : [process.execPath, ...node];
      const p = spawnSync(cmd as string, args, { encoding: 'utf8', env: { ...process.env, ...extra } });
      const line = p.stdout.trim().split('\n').pop() ?? '';
      const res = JSON.parse(line.replace(/^RESULT /, '')) as {
        ok: boolean;
        opsPerSec?: number;
        ops?: number;
        cpuUserMs?: number;
        cpuSystemMs?: number;
        rssBeforeMB?: number;
        rssPeakMB?: number;
        error?: string;
      };
      if (!res.ok || res.ops === undefined || res.ops === 0) {
        console.log(`${r} ${v}: failed ${res.error ?? p.stderr.slice(0, 300)}`);
        continue;
      }
      const per = (ms = 0): string =>
        ((ms * 1000) / (res.ops as number)).toFixed((res.ops as number) > 100_000 ? 2 : 0);
      console.log(
        `${r} ${v.padEnd(40)} ${res.opsPerSec?.toFixed(0)} ops/s, CPU µs/op user ${per(res.cpuUserMs)} system ${per(res.cpuSystemMs)}, RSS MB ${res.rssBeforeMB?.toFixed(0)} -> peak ${res.rssPeakMB?.toFixed(0)}`,
      );
    }
  }
} finally {
  await server.stop();
}
