/**
 * Preloads the data the workloads read, over a raw RESP connection (test/support's RawClient),
 * never through a client under test. Cluster keys are placed by following MOVED replies.
 */
import { RawClient, RespError, type RespArg } from '../../test/support/raw-client.js';
import type { Endpoint } from './adapters/types.js';
import type { DataSet, Workload } from './workload.js';

export { payload } from './workload.js';

/** The data sets of these workloads, each once. */
function dataSets(workloads: readonly Workload[]): DataSet[] {
  const seen = new Map<string, DataSet>();
  for (const w of workloads) for (const d of w.data) if (!seen.has(d.id)) seen.set(d.id, d);
  return [...seen.values()];
}

async function withClient<T>(ep: Endpoint, fn: (c: RawClient) => Promise<T>): Promise<T> {
  const c = await RawClient.connect({ host: ep.host, port: ep.port, timeoutMs: 30_000 });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Sends commands `batch` at a time (pipelined on one connection), in order between batches. */
async function sendAll(c: RawClient, cmds: RespArg[][], batch = 200): Promise<void> {
  for (let i = 0; i < cmds.length; i += batch) {
    await Promise.all(cmds.slice(i, i + batch).map((args) => c.command(...args)));
  }
}

export async function preloadStandalone(ep: Endpoint, workloads: readonly Workload[]): Promise<void> {
  const sets = dataSets(workloads.filter((w) => w.mode === 'standalone'));
  if (sets.length === 0) return;
  await withClient(ep, async (c) => {
    for (const d of sets) await sendAll(c, d.commands());
  });
}

/** Writes every command to the owner of its key (`args[1]`), found by following MOVED from any node. */
export async function preloadCluster(
  nodes: readonly Endpoint[],
  workloads: readonly Workload[],
): Promise<void> {
  const first = nodes[0];
  if (first === undefined) throw new Error('no cluster node');
  const sets = dataSets(workloads.filter((w) => w.mode === 'cluster'));
  const conns = new Map<string, RawClient>();
  const conn = async (ep: Endpoint): Promise<RawClient> => {
    const id = `${ep.host}:${ep.port}`;
    let c = conns.get(id);
    if (c === undefined) {
      c = await RawClient.connect({ host: ep.host, port: ep.port, timeoutMs: 30_000 });
      conns.set(id, c);
    }
    return c;
  };
  try {
    for (const d of sets) {
      for (const args of d.commands()) {
        let target: Endpoint = first;
        for (let hop = 0; hop < 5; hop++) {
          try {
            await (await conn(target)).command(...args);
            break;
          } catch (e) {
            const m = e instanceof RespError ? /^MOVED \d+ (.*):(\d+)$/.exec(e.message) : null;
            if (m === null || hop === 4) throw e;
            target = { host: m[1] === '' ? target.host : (m[1] as string), port: Number(m[2]) };
          }
        }
      }
    }
  } finally {
    for (const c of conns.values()) c.close();
  }
}
