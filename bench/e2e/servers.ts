/**
 * The servers the bench talks to: given ones (--port / --cluster-port), or throwaway
 * redis-server processes on free loopback ports (one standalone, a 3-primary cluster) that are
 * stopped by PID at the end, on SIGINT/SIGTERM, and — via test/support's parent-death signal and
 * exit hook — even when this process dies.
 */
import { startRedis, type RedisServerHandle } from '../../test/support/redis-server.js';
import { startCluster, type RedisClusterHandle } from '../../test/support/cluster.js';
import type { Endpoint } from './adapters/types.js';
import { clusterNodesOf } from './verify.js';

export interface Servers {
  standalone: Endpoint | undefined;
  cluster: Endpoint | undefined;
  /** All cluster nodes (for preloading by redirection and for the report). */
  clusterNodes: Endpoint[];
  /** PIDs of the processes this run started (empty for given servers). */
  startedPids(): number[];
  stop(): Promise<void>;
}

export interface ServerNeeds {
  standalone: boolean;
  cluster: boolean;
  host: string;
  port: number | undefined;
  clusterPort: number | undefined;
}

export async function startServers(needs: ServerNeeds, log: (s: string) => void): Promise<Servers> {
  let server: RedisServerHandle | undefined;
  let cluster: RedisClusterHandle | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all([server?.stop(), cluster?.stop()]);
  };
  const servers: Servers = {
    standalone: undefined,
    cluster: undefined,
    clusterNodes: [],
    startedPids: () => [
      ...(server !== undefined ? [server.pid] : []),
      ...(cluster !== undefined ? cluster.nodes.map((n) => n.pid) : []),
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
    if (needs.cluster) {
      if (needs.clusterPort !== undefined) {
        servers.cluster = { host: needs.host, port: needs.clusterPort };
        servers.clusterNodes = await clusterNodesOf(servers.cluster);
      } else {
        cluster = await startCluster({ primaries: 3, replicasPerPrimary: 0 });
        servers.clusterNodes = cluster.startupNodes();
        servers.cluster = servers.clusterNodes[0];
        log(`started 3-primary cluster ${cluster.nodes.map((n) => `${n.port} (pid ${n.pid})`).join(', ')}`);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return servers;
}
