/**
 * One measurement in its own process: one client, one workload. Own process so RSS and CPU time
 * belong to that client alone and no GC state leaks between clients. Prints one RESULT line.
 *
 * Phases: import + connect; warmup (also checks replies); GC; measured loop with CPU, RSS and
 * latencies recorded; close.
 */
import { performance } from 'node:perf_hooks';
import { createAdapter } from './adapters/index.js';
import { UnavailableError, type Adapter } from './adapters/types.js';
import {
  inflight,
  percentiles,
  progress,
  RssSampler,
  sequential,
  type LoopResult,
  type Op,
} from './measure.js';
import { RESULT_PREFIX, type ChildResult, type ChildTask } from './protocol.js';
import { WORKLOADS, type Workload } from './workloads.js';

const MB = 1024 * 1024;

function emit(r: ChildResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(r)}\n`);
}

async function runLoop(
  w: Workload,
  op: Op,
  count: number,
  deadline: number,
  lat: Float64Array | undefined,
): Promise<LoopResult> {
  return w.kind === 'inflight'
    ? inflight(op, count, w.inflight, deadline, lat)
    : sequential(op, count, deadline, lat);
}

async function main(task: ChildTask): Promise<ChildResult> {
  const w = WORKLOADS.find((x) => x.id === task.workload);
  if (w === undefined) throw new Error(`unknown workload ${task.workload}`);
  const adapter: Adapter = await createAdapter(
    task.client,
    w.mode,
    task.endpoint,
    w.adapterOptions,
    task.wredisRoot,
  );
  await adapter.connect();
  const op = w.operation(adapter);

  // Correctness first: one reply of each shape the loop will see (GET and SET for mixed loads).
  for (let i = 0; i < 2; i++) {
    const bad = w.check(i, await op(i));
    if (bad !== undefined) throw new Error(`wrong reply: ${bad}`);
  }
  if (task.probe === true) {
    await adapter.close();
    return {
      ok: true,
      client: task.client,
      workload: w.id,
      ops: 0,
      commands: 0,
      elapsedMs: 0,
      capped: false,
      opsPerSec: 0,
      cmdsPerSec: 0,
      p50Ms: NaN,
      p99Ms: NaN,
      meanMs: NaN,
      cpuUsPerCmd: NaN,
      cpuUserMs: 0,
      cpuSystemMs: 0,
      rssBeforeMB: 0,
      rssPeakMB: 0,
      maxRssMB: 0,
      heapUsedMB: 0,
      notes: adapter.notes,
    };
  }

  await runLoop(w, op, task.warmup, performance.now() + task.warmupCapMs, undefined);
  const lat = new Float64Array(task.count);
  globalThis.gc?.();
  const rss = new RssSampler();
  const rssBefore = process.memoryUsage.rss();
  rss.start();
  const cache0 = adapter.cacheStats?.();
  const cpu0 = process.cpuUsage();
  const r = await runLoop(w, op, task.count, performance.now() + task.capMs, lat);
  const cpu = process.cpuUsage(cpu0);
  const cache1 = adapter.cacheStats?.();
  rss.stop();
  const heapUsed = process.memoryUsage().heapUsed;
  await adapter.close();

  const [p50, p99] = percentiles(lat, r.done, [50, 99]);
  let sum = 0;
  for (let i = 0; i < r.done; i++) sum += lat[i] as number;
  const commands = r.done * w.commandsPerOp;
  const secs = r.elapsedMs / 1000;
  return {
    ok: true,
    client: task.client,
    workload: w.id,
    ops: r.done,
    commands,
    elapsedMs: r.elapsedMs,
    capped: r.capped,
    opsPerSec: r.done / secs,
    cmdsPerSec: commands / secs,
    p50Ms: p50 as number,
    p99Ms: p99 as number,
    meanMs: r.done > 0 ? sum / r.done : NaN,
    cpuUsPerCmd: commands > 0 ? (cpu.user + cpu.system) / commands : NaN,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssBeforeMB: rssBefore / MB,
    rssPeakMB: rss.peak / MB,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    heapUsedMB: heapUsed / MB,
    notes: adapter.notes,
    ...(cache0 !== undefined && cache1 !== undefined
      ? {
          hitRate:
            (cache1.hits - cache0.hits) /
            Math.max(1, cache1.hits - cache0.hits + cache1.misses - cache0.misses),
        }
      : {}),
  };
}

const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;

/** A lost reply would hang the loop until the parent's kill; say so sooner and precisely. */
const STALL_MS = 10_000;
let seen = -1;
let lastMove = Date.now();
const watchdog = setInterval(() => {
  if (progress.done !== seen) {
    seen = progress.done;
    lastMove = Date.now();
  } else if (Date.now() - lastMove > STALL_MS) {
    emit({
      ok: false,
      client: task.client,
      workload: task.workload,
      unavailable: false,
      error: `stalled: no operation completed for ${STALL_MS / 1000} s (${progress.done} completed so far)`,
    });
    process.exit(1);
  }
}, 500);
watchdog.unref();

try {
  emit(await main(task));
  process.exit(0);
} catch (e) {
  const err = e as Error;
  emit({
    ok: false,
    client: task.client,
    workload: task.workload,
    unavailable: err instanceof UnavailableError,
    error: err.message ?? String(e),
  });
  // Exit even if a half-connected client keeps sockets or timers alive.
  process.exit(err instanceof UnavailableError ? 0 : 1);
}
