/**
 * The cluster client's cost of a large topology, against a simulated cluster (one scripted server
 * answering CLUSTER SHARDS / CLUSTER SLOTS for `--shards` shards of a primary and `--replicas`
 * replicas; test/support/simulated-cluster.ts):
 * - apply: wall time of `cluster.refresh()` (request, decode, build the slot map, vote, apply);
 * - build: SlotMap.fromClusterShards / fromClusterSlots alone on a decoded reply;
 * - memory: the slot map's own estimate, and the heap growth per retained map (after gc).
 *
 *   node --expose-gc --import tsx bench/cluster-topology.ts [--shards 1000] [--replicas 1] [--runs 30]
 */
import { parseArgs } from 'node:util';
import { RedisCluster } from '../src/index.js';
import { SlotMap, nodeAddress } from '../src/cluster/slot-map.js';
import { Connection } from '../src/connection/connection.js';
import { resolveOptions } from '../src/shared/options.js';
import { startSimulatedCluster } from '../test/support/simulated-cluster.js';

const { values } = parseArgs({
  options: {
    shards: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '1' },
    runs: { type: 'string', default: '30' },
  },
});
const shards = Number(values.shards);
const replicas = Number(values.replicas);
const runs = Number(values.runs);
const gc = (globalThis as { gc?: () => void }).gc;

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return `median ${q(0.5).toFixed(2)} ms (min ${(s[0] as number).toFixed(2)}, p90 ${q(0.9).toFixed(2)}, max ${(s[s.length - 1] as number).toFixed(2)}; n=${s.length})`;
}

const sim = await startSimulatedCluster(shards, replicas);
try {
  // Decoded replies, fetched once, for building maps without the network.
  const conn = new Connection(resolveOptions({ port: sim.server.port }));
  const replies = {
    SHARDS: await conn.send('CLUSTER', ['SHARDS']),
    SLOTS: await conn.send('CLUSTER', ['SLOTS']),
  };
  conn.disconnect();
  const resolve = (host: string, port: number) => nodeAddress(host || '127.0.0.1', port);
  for (const source of ['SHARDS', 'SLOTS'] as const) {
    const reply = replies[source];
    const build = (): SlotMap =>
      source === 'SHARDS'
        ? SlotMap.fromClusterShards(reply, resolve, { tls: false })
        : SlotMap.fromClusterSlots(reply, resolve);
    if (gc !== undefined) {
      // Settled heap before and after building 50 maps that stay referenced.
      for (let i = 0; i < 3; i++) gc();
      const before = process.memoryUsage().heapUsed;
      const kept = Array.from({ length: 50 }, build);
      for (let i = 0; i < 3; i++) gc();
      const per = (process.memoryUsage().heapUsed - before) / kept.length;
      console.log(
        `CLUSTER ${source}: heap per retained slot map (50 kept, after gc): ${(per / 1024).toFixed(0)} KiB; ` +
          `the map's own estimate ~${(build().approximateBytes() / 1024).toFixed(0)} KiB`,
      );
      kept.length = 0;
    } else console.log('(run with --expose-gc for the heap figure)');
    const built: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      build().signature();
      built.push(performance.now() - t);
    }
    console.log(`CLUSTER ${source}: build + signature alone: ${stats(built)}`);
  }

  for (const source of ['SHARDS', 'SLOTS'] as const) {
    sim.refuseShards = source === 'SLOTS';
    const r = new RedisCluster({
      nodes: [{ host: '127.0.0.1', port: sim.server.port }],
      refreshInterval: 0,
      connectTimeout: 200,
      lazyConnect: true,
    });
    r.on('error', () => undefined);
    await r.connect();
    const apply: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await r.refresh();
      apply.push(performance.now() - t);
    }
    const map = r.slots as SlotMap;
    console.log(
      `CLUSTER ${source}, ${shards} shards x ${1 + replicas} nodes: refresh() ${stats(apply)}; ` +
        `map: ${map.primaries().length} primaries, ${map.nodes().length} nodes`,
    );
    r.disconnect();
  }
} finally {
  await sim.close();
}
