/**
 * GLIDE (`@valkey/valkey-glide`): a Rust core (redis-rs) behind a Node N-API binding, with its
 * defaults (RESP3, string decoder). Pipelines are non-atomic `Batch` / `ClusterBatch` objects.
 * Imported lazily by the adapter index: the native binary exists for a few platforms only, and a
 * machine without it reports GLIDE as not available instead of failing the run.
 */
import { Batch, ClusterBatch, Decoder, GlideClient, GlideClusterClient } from '@valkey/valkey-glide';
import type { Adapter, AdapterOptions, Endpoint, Mode } from './types.js';

export function glideAdapter(mode: Mode, ep: Endpoint, options: AdapterOptions = {}): Adapter {
  // GLIDE's default request timeout (250 ms) fails GET 10 MB on a loaded machine; the other clients
  // have no per-request timeout by default, so a generous one keeps the comparison about speed.
  const config = { addresses: [{ host: ep.host, port: ep.port }], requestTimeout: 30_000 };
  let c: GlideClient | GlideClusterClient | undefined;
  const client = (): GlideClient | GlideClusterClient => {
    if (c === undefined) throw new Error('glide: not connected');
    return c;
  };
  return {
    notes: [
      'requestTimeout: 30000 (default 250 ms times out GET 10 MB under load)',
      ...(options.buffers === true ? ['GET with decoder: Decoder.Bytes (Buffer replies)'] : []),
    ],
    connect: async () => {
      c =
        mode === 'cluster'
          ? await GlideClusterClient.createClient(config)
          : await GlideClient.createClient(config);
    },
    get:
      options.buffers === true ? (k) => client().get(k, { decoder: Decoder.Bytes }) : (k) => client().get(k),
    set: (k, v) => client().set(k, v),
    mget: (keys) => client().mget(keys),
    lrange: (k) => client().lrange(k, 0, -1),
    hgetall: (k) => client().hgetall(k),
    pipelineGet: (keys) => {
      const x = client();
      if (x instanceof GlideClusterClient) {
        const b = new ClusterBatch(false);
        for (let i = 0; i < keys.length; i++) b.get(keys[i] as string);
        return x.exec(b, true);
      }
      const b = new Batch(false);
      for (let i = 0; i < keys.length; i++) b.get(keys[i] as string);
      return x.exec(b, true);
    },
    close: async () => {
      c?.close();
    },
  };
}
