/**
 * Manual probe (not part of `npm test`): the load of cluster.test.ts's "survives CLUSTER FAILOVER
 * under load" through several manual failovers, recording for every GET that did not return its
 * own SET's value: the value, the node the GET was last sent to, and what the cluster holds for
 * the key once settled (stale read vs lost write vs misattributed), with the client's MOVED and
 * slot-map refreshes around it.
 *   FREEZE=1 node --import tsx test/manual/failover-probe.ts [rounds]
 * FREEZE=1 first freezes a primary (SIGSTOP) until its replica took over and wakes it, as the test
 * before that one does, then fails over back to it. Seen under 6 busy-looping processes on 2 cores
 * (about 1 round in 40): 23 GETs answered null by the demoted primary, each key holding its value
 * afterwards (stale reads, Redis' failover window), none misattributed.
 */
import dc from 'node:diagnostics_channel';
import { RedisCluster } from '../../src/index.js';
import type { CommandTraceContext } from '../../src/diagnostics.js';
import { startCluster, type ClusterNode } from '../support/cluster.js';

const rounds = Number(process.argv[2] ?? 6);
const t0 = Date.now();
const now = (): number => Date.now() - t0;
const events: string[] = [];

let current: string | undefined;
const keyOf = new WeakMap<object, string>();
const lastPort = new Map<string, number | undefined>();
const tc = dc.tracingChannel('wredis:command');
tc.subscribe({
  start(ctx) {
    if (current !== undefined) keyOf.set(ctx, current);
  },
  end() {},
  asyncStart() {},
  asyncEnd(ctx) {
    const k = keyOf.get(ctx);
    if (k !== undefined) lastPort.set(k, (ctx as CommandTraceContext).serverPort);
  },
  error() {},
});
let watch: (() => string) | undefined;
dc.subscribe('wredis:cluster:refresh', (m) => {
  events.push(`${now()} refresh ${(m as { reason: string }).reason}: ${watch?.() ?? ''}`);
});
dc.subscribe('wredis:cluster:redirect', (m) => {
  const x = m as { kind: string; from: string; to: string };
  events.push(`${now()} ${x.kind} ${x.from} -> ${x.to}`);
});

const cluster = await startCluster({ primaries: 3, replicasPerPrimary: 1, nodeTimeoutMs: 1000 });
const r = new RedisCluster({
  nodes: [cluster.startupNodes()[0] as { host: string; port: number }],
  maxRedirections: 16,
});
await r.connect();
const check = new RedisCluster({ nodes: cluster.startupNodes() });

let totalStale = 0;
let totalLost = 0;
let totalWrong = 0;
try {
  for (let round = 0; round < rounds; round++) {
    let replica = cluster.replicas[round % cluster.replicas.length] as ClusterNode;
    if (process.env.FREEZE === '1') {
      // As cluster.test.ts does before: a primary frozen until its replica took over, then woken.
      const victim = cluster.primaries[round % cluster.primaries.length] as ClusterNode;
      process.kill(victim.pid, 'SIGSTOP');
      const tf = Date.now();
      for (let i = 0; i < 300; i++) {
        await new Promise((res) => setTimeout(res, 50));
        const roles = await Promise.all(
          cluster.replicas.map(async (n) => [n, await n.command('ROLE')] as const),
        );
        if (roles.some(([, role]) => Array.isArray(role) && role[0] === 'master')) break;
      }
      process.kill(victim.pid, 'SIGCONT');
      await cluster.waitForClusterOk({ timeoutMs: 30_000 });
      await cluster.refreshRoles();
      console.log(`round ${round}: froze ${victim.port} for ${Date.now() - tf} ms`);
      replica = victim;
    }
    const old = await cluster.primaryOf(replica);
    events.length = 0;
    const prefix = `fo${round}`;
    // The primaries the client's map names after each refresh.
    watch = () =>
      (r.slots?.primaries() ?? [])
        .map((p) => p.port)
        .sort()
        .join(',');
    events.push(`${now()} start: map primaries ${watch()}`);
    const odd: Array<{ i: number; v: unknown; at: number; port: number | undefined }> = [];
    let ok = 0;
    let failed = 0;
    const inFlight: Array<Promise<void>> = [];
    const load = (async () => {
      for (let i = 0; i < 3000; i++) {
        const key = `${prefix}:${i}`;
        inFlight.push(
          r.set(key, `v${i}`).then(
            () => {
              current = key;
              const p = r.get(key);
              current = undefined;
              return p.then(
                (v) => {
                  if (v === `v${i}`) ok++;
                  else odd.push({ i, v, at: now(), port: lastPort.get(key) });
                },
                () => void failed++,
              );
            },
            () => void failed++,
          ),
        );
        if (i % 50 === 49) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    })();
    const fs = now();
    events.push(`${fs} failover ${replica.port} (old primary ${old.port})`);
    try {
      await cluster.failover(replica);
      events.push(`${now()} failover settled`);
    } catch (e) {
      console.log(`round ${round}: failover failed: ${String(e)}`);
      for (const n of [old, replica]) console.log(`--- ${n.port} log\n${n.server.logTail(40)}`);
      await load;
      break;
    }
    await load;
    await cluster.waitForClusterOk({ timeoutMs: 30_000 });
    let stale = 0;
    let lost = 0;
    let wrong = 0;
    for (const o of odd) {
      const after = await check.get(`${prefix}:${o.i}`);
      const kind = o.v !== null ? 'MISATTRIBUTED' : after === `v${o.i}` ? 'stale-read' : 'lost-write';
      if (kind === 'stale-read') stale++;
      else if (kind === 'lost-write') lost++;
      else wrong++;
      console.log(
        `  ${prefix}:${o.i} got ${JSON.stringify(o.v)} at ${o.at} from ${o.port}: ${kind} (now ${JSON.stringify(after)})`,
      );
    }
    totalStale += stale;
    totalLost += lost;
    totalWrong += wrong;
    console.log(
      `round ${round}: old ${old.port} -> new ${replica.port}: ok ${ok} failed ${failed} stale ${stale} lost ${lost} misattributed ${wrong}`,
    );
    if (odd.length > 0) for (const e of events) console.log(`    ${e}`);
  }
} finally {
  console.log(`TOTAL stale ${totalStale} lost ${totalLost} misattributed ${totalWrong}`);
  check.disconnect();
  r.disconnect();
  await cluster.stop();
}
