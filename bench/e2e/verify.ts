/**
 * An independent check of every figure: the servers' own count of commands processed
 * (INFO stats total_commands_processed, summed over nodes) must grow by at least the number of
 * commands the child claims to have measured. A client that "finishes" without the server
 * doing the work gets no figure.
 */
import { RawClient, parseInfo } from '../../test/support/raw-client.js';
import type { Endpoint } from './adapters/types.js';

export async function commandsProcessed(nodes: readonly Endpoint[]): Promise<number> {
  let total = 0;
  for (const ep of nodes) {
    const c = await RawClient.connect({ host: ep.host, port: ep.port, timeoutMs: 10_000 });
    try {
      total += Number(parseInfo(await c.command('INFO', 'stats')).total_commands_processed ?? NaN);
    } finally {
      c.close();
    }
  }
  return total;
}

/** Every node of a cluster, from CLUSTER SLOTS asked of one of them. */
export async function clusterNodesOf(ep: Endpoint): Promise<Endpoint[]> {
  const c = await RawClient.connect({ host: ep.host, port: ep.port, timeoutMs: 10_000 });
  try {
    const slots = await c.command('CLUSTER', 'SLOTS');
    const seen = new Map<string, Endpoint>();
    for (const range of Array.isArray(slots) ? slots : []) {
      if (!Array.isArray(range)) continue;
      for (const node of range.slice(2)) {
        if (!Array.isArray(node)) continue;
        const host = String(node[0]) === '' ? ep.host : String(node[0]);
        const port = Number(node[1]);
        seen.set(`${host}:${port}`, { host, port });
      }
    }
    return seen.size > 0 ? [...seen.values()] : [ep];
  } finally {
    c.close();
  }
}
