/**
 * The servers the bench talks to: given ones (--port / --cluster-port), or throwaway
 * redis-server processes on free loopback ports (one standalone; one cluster per size the selected
 * workloads ask for, 3 primaries by default) that are stopped by PID at the end, on SIGINT/SIGTERM,
 * and — via test/support's parent-death signal and exit hook — even when this process dies.
 */
import { startRedis, type RedisServerHandle } from '../../test/support/redis-server.js';
import { startCluster, type RedisClusterHandle } from '../../test/support/cluster.js';
import type { Endpoint } from './adapters/types.js';
import { clusterNodesOf } from './verify.js';
import type { Workload } from './workload.js';

/** One cluster: the node clients start from, and every node (for preloading and the checks). */
export interface ClusterEndpoints {
  entry: Endpoint;
  nodes: Endpoint[];
}

export interface Servers {
  standalone: Endpoint | undefined;
  /** Clusters by number of primaries (a given --cluster-port serves every size). */
  clusters: Map<number, ClusterEndpoints>;
  /** PIDs of the processes this run started (empty for given servers). */
  startedPids(): number[];
  stop(): Promise<void>;
}

export interface ServerNeeds {
  standalone: boolean;
  /** Sizes (primaries) of the clusters needed. */
  clusterSizes: number[];
  host: string;
  port: number | undefined;
  clusterPort: number | undefined;
}

export const DEFAULT_PRIMARIES = 3;

export const primariesOf = (w: Workload): number => w.primaries ?? DEFAULT_PRIMARIES;

/** The endpoint a workload's clients connect to, and every node whose counters verify the run. */
export function endpointsFor(srv: Servers, w: Workload): ClusterEndpoints | undefined {
  if (w.mode === 'standalone') return srv.standalone && { entry: srv.standalone, nodes: [srv.standalone] };
  return srv.clusters.get(primariesOf(w));
}

export async function startServers(needs: ServerNeeds, log: (s: string) => void): Promise<Servers> {
  let server: RedisServerHandle | undefined;
  const clusters: RedisClusterHandle[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all([server?.stop(), ...clusters.map((c) => c.stop())]);
  };
  const servers: Servers = {
    standalone: undefined,
    clusters: new Map(),
    startedPids: () => [
      ...(server !== undefined ? [server.pid] : []),
      ...clusters.flatMap((c) => c.nodes.map((n) => n.pid)),
    ],
    stop,
  };
  try {
    if (needs.standalone) {
      if (needs.port !== undefined) {
        servers.standalone = { host: needs.host, port: needs.port };
      } else {
        // Plenty of output buffer for 10 MB replies, no persistence (startRedis sets --save '').
        server = await startRedis({ args: ['--appendonly', 'no'] });
        servers.standalone = { host: server.host, port: server.port };
        log(`started redis-server ${server.host}:${server.port} (pid ${server.pid})`);
      }
    }
    for (const primaries of new Set(needs.clusterSizes)) {
      if (needs.clusterPort !== undefined) {
        const entry = { host: needs.host, port: needs.clusterPort };
        servers.clusters.set(primaries, { entry, nodes: await clusterNodesOf(entry) });
        continue;
      }
      const c = await startCluster({ primaries, replicasPerPrimary: 0 });
      clusters.push(c);
      const nodes = c.startupNodes();
      servers.clusters.set(primaries, { entry: nodes[0] as Endpoint, nodes });
      log(
        `started ${primaries}-primary cluster ${c.nodes.map((n) => `${n.port} (pid ${n.pid})`).join(', ')}`,
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return servers;
}
