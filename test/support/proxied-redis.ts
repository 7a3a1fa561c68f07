/**
 * A redis-server with a fault proxy in front of it, for tests of one client under network faults:
 * `r` connects through the proxy (its faults hit `r` alone), `admin` straight to the server.
 */
import { Redis } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startRedis, type RedisServerHandle } from './redis-server.js';

export interface ProxiedRedis {
  server: RedisServerHandle;
  proxy: FaultProxy;
  /** The client under test, through the proxy. */
  r: Redis;
  /** A client that sees the server directly (for checking what happened there). */
  admin: Redis;
  /** Resumes the proxy, drops both clients, closes the proxy and stops the server. */
  stop(): Promise<void>;
}

export async function startProxiedRedis(): Promise<ProxiedRedis> {
  const server = await startRedis();
  const proxy = await startFaultProxy(server.port);
  const r = new Redis({ host: server.host, port: proxy.port });
  const admin = new Redis({ host: server.host, port: server.port });
  return {
    server,
    proxy,
    r,
    admin,
    async stop() {
      proxy.resume();
      r.disconnect();
      admin.disconnect();
      await proxy.close();
      await server.stop();
    },
  };
}
