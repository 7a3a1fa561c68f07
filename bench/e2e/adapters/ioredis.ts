/** ioredis: `Redis` / `Cluster`, plain or with `enableAutoPipelining` (the `ioredis-ap` variant). */
import { Cluster, Redis } from 'ioredis';
import type { Adapter, AdapterOptions, Endpoint, Mode } from './types.js';

type Client = Redis | Cluster;

export function ioredisAdapter(
  mode: Mode,
  ep: Endpoint,
  autoPipelining: boolean,
  options: AdapterOptions = {},
): Adapter {
  // Defaults otherwise; lazyConnect only so that connect() can be awaited like the others.
  const common = { lazyConnect: true, enableAutoPipelining: autoPipelining };
  const c: Client =
    mode === 'cluster'
      ? new Cluster([{ host: ep.host, port: ep.port }], common)
      : new Redis({ host: ep.host, port: ep.port, ...common });
  return {
    notes: [
      ...(autoPipelining ? ['enableAutoPipelining: true'] : []),
      ...(options.clientSideCache === true
        ? ['no client-side cache in ioredis: runs without one (the baseline)']
        : []),
      ...(options.buffers === true ? ['GET through getBuffer() (Buffer replies)'] : []),
    ],
    connect: () => c.connect(),
    get: options.buffers === true ? (k) => c.getBuffer(k) : (k) => c.get(k),
    set: (k, v) => c.set(k, v),
    mget: (keys) => c.mget(keys),
    lrange: (k) => c.lrange(k, 0, -1),
    hgetall: (k) => c.hgetall(k),
    pipelineGet: (keys) => {
      const p = c.pipeline();
      for (let i = 0; i < keys.length; i++) p.get(keys[i] as string);
      return p.exec();
    },
    close: async () => {
      await c.quit();
    },
  };
}
