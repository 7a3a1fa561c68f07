/**
 * `npm run bench`: the end-to-end benchmark of wredis against its peers (and, with `--against`,
 * against builds of itself from other commits). See `--help` and bench/e2e/. The parent only
 * orchestrates: builds, servers, data, redis-benchmark's ceiling, one child process per (repeat,
 * workload, client), then the table, JSON, Markdown and SVG.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { isAgainst, type ClientName } from './e2e/adapters/types.js';
import { prepareAgainst, removeAllWorktrees, removeWorktree, type AgainstBuild } from './e2e/against.js';
import { ceilings as runCeilings, medianCeilings, type Ceiling } from './e2e/ceiling.js';
import { preloadCluster, preloadStandalone } from './e2e/dataset.js';
import { collectMeta } from './e2e/meta.js';
import { HELP, parseOptions, UsageError, type Options } from './e2e/options.js';
import { CHILD_NODE_FLAGS, killCurrentChild, runChild } from './e2e/orchestrate.js';
import type { ChildTask } from './e2e/protocol.js';
import {
  checkTargets,
  comparisonsText,
  fmtRate,
  notesText,
  table,
  targetsText,
  type Missing,
} from './e2e/report.js';
import { endpointsFor, primariesOf, startServers, type Servers } from './e2e/servers.js';
import { compare, summarise, type RunRecord } from './e2e/stats.js';
import { chart } from './e2e/svg.js';
import { markdown } from './e2e/markdown.js';
import { commandsProcessed } from './e2e/verify.js';
import { runsFor, type Workload } from './e2e/workloads.js';

const log = (s: string): void => {
  process.stderr.write(`[bench] ${s}\n`);
};

function plan(
  o: Options,
  w: Workload,
): { count: number; warmup: number; capMs: number; warmupCapMs: number } {
  const count = Math.max(1, Math.round((o.quick ? w.quickCount : w.count) * o.scale));
  return {
    count,
    warmup: Math.max(2, Math.ceil(count * o.warmup)),
    capMs: Math.round((o.quick ? 5000 : w.capMs * Math.max(1, o.scale)) * o.capFactor),
    warmupCapMs: Math.round((o.quick ? 1000 : 3000) * o.capFactor),
  };
}

/** A warning when other work competed for the CPUs during the runs (figures are then noisier). */
function busy(runs: readonly RunRecord[], nproc: number): string {
  const loads = runs.map((r) => r.result.loadBefore ?? 0);
  const max = loads.length > 0 ? Math.max(...loads) : 0;
  return max > nproc
    ? `\nWARNING: load average reached ${max.toFixed(1)} on ${nproc} CPUs during the runs: other processes competed, figures are noisy`
    : '';
}

function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = xs.length === 0 ? 0 : by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

async function main(o: Options): Promise<void> {
  const started = Date.now();
  let servers: Servers | undefined;
  const builds: AgainstBuild[] = [];
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping the child and the servers`);
    killCurrentChild();
    removeAllWorktrees();
    void (servers?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    // Builds first: a ref that does not build stops the run before any server starts.
    for (const ref of o.against) builds.push(await prepareAgainst(ref, o.againstInstall, log));
    const rootOf = (c: ClientName) => builds.find((b) => b.client === c)?.root;

    servers = await startServers(
      {
        standalone: o.workloads.some((w) => w.mode === 'standalone'),
        clusterSizes: o.workloads.filter((w) => w.mode === 'cluster').map(primariesOf),
        host: o.host,
        port: o.port,
        clusterPort: o.clusterPort,
      },
      log,
    );
    const srv = servers;
    if (srv.standalone !== undefined) await preloadStandalone(srv.standalone, o.workloads);
    for (const [size, c] of srv.clusters)
      await preloadCluster(
        c.nodes,
        o.workloads.filter((w) => w.mode === 'cluster' && primariesOf(w) === size),
      );
    log('data preloaded');
    const meta = await collectMeta(srv.standalone ?? [...srv.clusters.values()][0]?.entry);
    meta.against = builds.map((b) => ({ client: b.client, commit: b.commit, install: b.install }));

    // redis-benchmark runs at the start of every repeat, so the ceiling sees the same machine state.
    const ceilingRuns: Ceiling[] = [];

    const endpoints = (w: Workload) => {
      const ep = endpointsFor(srv, w);
      if (ep === undefined) throw new Error(`no ${w.mode} server for ${w.id}`);
      return ep;
    };
    const endpoint = (w: Workload) => endpoints(w).entry;
    const taskOf = (client: ClientName, w: Workload): ChildTask => ({
      client,
      workload: w.id,
      endpoint: endpoint(w),
      ...plan(o, w),
      ...(isAgainst(client) ? { wredisRoot: rootOf(client) } : {}),
    });

    // One probe per client and server kind (mode and adapter options) finds clients that cannot run
    // at all (wredis mid-rewrite, a feature a peer lacks) before any measurement.
    const missing: Missing[] = [];
    const skip = new Map<string, Missing>();
    const probeKey = (w: Workload) => `${w.mode}/${primariesOf(w)}/${JSON.stringify(w.adapterOptions ?? {})}`;
    const probed = new Set<string>();
    for (const w of o.workloads) {
      for (const client of o.clients) {
        if (!runsFor(w, client) || probed.has(`${probeKey(w)}/${client}`)) continue;
        probed.add(`${probeKey(w)}/${client}`);
        const r = await runChild({ ...taskOf(client, w), probe: true }, 60_000);
        if (!r.ok) {
          log(`${client} (${w.id}): ${r.unavailable ? 'not available' : 'probe failed'}: ${r.error}`);
          for (const x of o.workloads.filter((y) => probeKey(y) === probeKey(w) && runsFor(y, client))) {
            const m = { workload: x.id, client, reason: r.error, unavailable: r.unavailable };
            skip.set(`${x.id}/${client}`, m);
            missing.push(m);
          }
        }
      }
    }

    const total =
      o.repeats * o.workloads.reduce((n, w) => n + o.clients.filter((c) => runsFor(w, c)).length, 0);
    const runs: RunRecord[] = [];
    let k = 0;
    for (let repeat = 0; repeat < o.repeats; repeat++) {
      if (o.ceiling)
        ceilingRuns.push(
          ...(await runCeilings(
            o.workloads,
            (w) => endpointsFor(srv, w)?.entry,
            o.quick ? 0.05 : 1,
            repeat,
            log,
          )),
        );
      for (const w of o.workloads) {
        const order = rotate(
          o.clients.filter((c) => runsFor(w, c)),
          repeat,
        );
        for (let pos = 0; pos < order.length; pos++) {
          const client = order[pos] as ClientName;
          k++;
          const tag = `[${String(k).padStart(String(total).length)}/${total}] repeat ${repeat + 1}/${o.repeats} ${w.id} ${client}`;
          const skipped = skip.get(`${w.id}/${client}`);
          if (skipped !== undefined) {
            log(`${tag}: skipped (${skipped.unavailable ? 'not available' : 'failed before'})`);
            continue;
          }
          const p = plan(o, w);
          const task = taskOf(client, w);
          const nodes = endpoints(w).nodes;
          const loadBefore = loadavg()[0] ?? NaN;
          const before = await commandsProcessed(nodes);
          const t0 = Date.now();
          let r = await runChild(task, 20_000 + p.warmupCapMs + p.capMs + 15_000);
          const secs = ((Date.now() - t0) / 1000).toFixed(1);
          if (r.ok) {
            const serverCommands = (await commandsProcessed(nodes)) - before;
            // Client-side cache hits (W7-csc) never reach the server: the rest must show there.
            const owed = r.hitRate === undefined ? r.commands : Math.floor(r.commands * (1 - r.hitRate));
            if (serverCommands < owed) {
              r = {
                ok: false,
                client,
                workload: w.id,
                unavailable: false,
                error: `the server processed ${serverCommands} commands, the client claims ${owed}`,
              };
            } else {
              r.serverCommands = serverCommands;
              r.loadBefore = loadBefore;
            }
          }
          if (r.ok) {
            runs.push({ repeat, order: pos, result: r });
            log(
              `${tag}: ${fmtRate(r.cmdsPerSec)} cmd/s, p50 ${r.p50Ms.toFixed(3)} ms, ${r.cpuUsPerCmd.toFixed(1)} µs CPU/cmd, RSS ${r.rssPeakMB.toFixed(0)} MB${r.capped ? ', TIME CAP HIT' : ''} (${secs} s)`,
            );
          } else {
            const m = {
              workload: w.id,
              client,
              reason: `repeat ${repeat + 1}: ${r.error}`,
              unavailable: r.unavailable,
            };
            missing.push(m);
            // A client that hung once is not run again for this workload: it would likely hang again.
            if (/^(stalled|killed after)/.test(r.error)) skip.set(`${w.id}/${client}`, m);
            log(`${tag}: FAILED ${r.error} (${secs} s)`);
          }
        }
      }
    }

    const ceilings = medianCeilings(ceilingRuns);
    const clientsShown = o.clients;
    const summaries = o.workloads.flatMap((w) =>
      clientsShown.filter((c) => runsFor(w, c)).map((c) => summarise(w.id, c, runs)),
    );
    const targets = checkTargets(o.workloads, summaries, runs, ceilingRuns);
    const comparisons = o.workloads.flatMap((w) =>
      builds.filter((b) => runsFor(w, b.client)).map((b) => compare(w.id, 'wredis', b.client, runs)),
    );
    const notes = notesText(summaries);
    const header = [
      `wredis end-to-end benchmark — ${meta.date}`,
      `node ${meta.node}, redis-server ${meta.redisServer}, ioredis ${meta.packages.ioredis}, redis ${meta.packages.redis}, glide ${meta.packages['@valkey/valkey-glide']}, wredis ${meta.packages.wredis} (${meta.git})`,
      `${meta.machine.nproc} × ${meta.machine.cpu}, ${meta.machine.memGB} GB, Linux ${meta.machine.kernel}, load ${meta.machine.loadavg.join(' ')} at start${busy(runs, meta.machine.nproc)}`,
      `${o.repeats} interleaved repeat(s), scale ${o.scale}${o.quick ? ' (quick)' : ''}; medians over repeats, (min–max); ratio = cmd/s ÷ ioredis in the same repeat, then the median`,
    ].join('\n');
    const against =
      comparisons.length > 0
        ? `\nAgainst other builds (cmd/s ratio within each repeat, median (min–max)):\n${comparisonsText(comparisons)}\n${builds.map((b) => `  ${b.client} = ${b.commit}`).join('\n')}\n`
        : '';
    const text = `${header}\n\n${table(o.workloads, clientsShown, summaries, missing, ceilings)}\n${against}\nTargets (wredis):\n${targetsText(targets)}\n${notes !== '' ? `\nNotes:\n${notes}\n` : ''}`;
    process.stdout.write(`${text}\n`);

    mkdirSync(o.outDir, { recursive: true });
    const stamp = meta.date.replace(/[:.]/g, '-');
    const jsonFile = join(o.outDir, `results-${stamp}.json`);
    const svgFile = join(o.outDir, `chart-${stamp}.svg`);
    const mdFile = join(o.outDir, `results-${stamp}.md`);
    const options = {
      clients: o.clients,
      against: builds.map((b) => ({ ref: b.ref, commit: b.commit, install: b.install })),
      workloads: o.workloads.map((w) => w.id),
      repeats: o.repeats,
      scale: o.scale,
      quick: o.quick,
      capFactor: o.capFactor,
      ceiling: o.ceiling,
      servers: {
        standalone: srv.standalone ?? null,
        clusters: Object.fromEntries([...srv.clusters].map(([n, c]) => [n, c.nodes])),
        startedPids: srv.startedPids(),
      },
    };
    const method = {
      process:
        'one child process per (repeat, workload, client); clients interleaved within a repeat, order rotated each repeat',
      childNodeFlags: CHILD_NODE_FLAGS,
      phases: `import + connect; reply shape check; warmup (${Math.round(o.warmup * 100)} % of the count, capped); gc(); measured loop`,
      plans: Object.fromEntries(
        o.workloads.map((w) => [
          w.id,
          { ...plan(o, w), kind: w.kind, inflight: w.inflight, commandsPerOp: w.commandsPerOp },
        ]),
      ),
      latency:
        "one performance.now() per operation (its end is the next one's start on the same worker) into a preallocated Float64Array; nearest-rank p50/p99",
      cpu: 'process.cpuUsage() delta of the child over the measured loop ÷ commands',
      rss: 'peak of process.memoryUsage.rss() sampled every 20 ms during the measured loop',
      ratio: 'cmd/s ÷ ioredis (plain) in the same repeat; median of those ratios',
      data: 'preloaded by the parent over a raw RESP socket (test/support/raw-client.ts)',
      ceiling:
        'redis-benchmark -3 -q --csv on the same server for the same shape at the start of every repeat; medians over repeats',
    };
    const results = {
      meta,
      options,
      method,
      ceilings,
      ceilingRuns,
      runs,
      failures: missing,
      summaries,
      targets,
      comparisons,
      text,
    };
    writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(mdFile, markdown(results));
    writeFileSync(
      svgFile,
      chart(
        o.workloads,
        clientsShown,
        summaries,
        `wredis vs peers — ${meta.date.slice(0, 10)}, ${meta.machine.nproc} × ${meta.machine.cpu}`,
      ),
    );
    process.stdout.write(`wrote ${jsonFile}\nwrote ${svgFile}\nwrote ${mdFile}\n`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    for (const b of builds) {
      removeWorktree(b.root);
      log(`removed the --against worktree ${b.root}`);
    }
    if (!stopping) {
      stopping = true;
      await servers?.stop();
      if (servers !== undefined && servers.startedPids().length > 0)
        log(`stopped redis-server pids ${servers.startedPids().join(', ')}`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`${e.message}\n\n${HELP}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
try {
  await main(options);
  process.exit(0);
} catch (e) {
  log(`error: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
}
