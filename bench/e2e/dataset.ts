/**
 * Preloads the data the workloads read, over a raw RESP connection (test/support's RawClient),
 * never through a client under test. Cluster keys are placed by following MOVED replies.
 */
import { RawClient, RespError, type RespArg } from '../../test/support/raw-client.js';
import type { Endpoint } from './adapters/types.js';
import { KEYS, type Workload } from './workloads.js';

/** A printable ASCII payload of exactly `size` bytes (same fast path for every client's decoder). */
export function payload(size: number, seed: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const head = `${seed}:`;
  let s = head;
  const unit = alphabet.repeat(Math.ceil(Math.min(size, 4096) / alphabet.length));
  while (s.length < size) s += unit;
  return s.slice(0, size);
}

async function withClient<T>(ep: Endpoint, fn: (c: RawClient) => Promise<T>): Promise<T> {
  const c = await RawClient.connect({ host: ep.host, port: ep.port, timeoutMs: 30_000 });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Sends commands `batch` at a time (pipelined on one connection). */
async function sendAll(c: RawClient, cmds: RespArg[][], batch = 200): Promise<void> {
  for (let i = 0; i < cmds.length; i += batch) {
    await Promise.all(cmds.slice(i, i + batch).map((args) => c.command(...args)));
  }
}

export async function preloadStandalone(ep: Endpoint, workloads: readonly Workload[]): Promise<void> {
  const ids = new Set(workloads.map((w) => w.id));
  await withClient(ep, async (c) => {
    const cmds: RespArg[][] = [];
    if (ids.has('W1') || ids.has('W2') || ids.has('W3')) {
      for (let i = 0; i < KEYS.smallCount; i++) cmds.push(['SET', KEYS.small(i), payload(KEYS.smallSize, i)]);
    }
    if (ids.has('W4-mget')) {
      for (let i = 0; i < KEYS.mediumCount; i++)
        cmds.push(['SET', KEYS.medium(i), payload(KEYS.mediumSize, i)]);
    }
    if (ids.has('W4-lrange')) {
      cmds.push(['DEL', KEYS.list]);
      for (let i = 0; i < KEYS.listLength; i += 1000) {
        const items = Array.from({ length: Math.min(1000, KEYS.listLength - i) }, (_, j) =>
          payload(KEYS.listItemSize, i + j),
        );
        cmds.push(['RPUSH', KEYS.list, ...items]);
      }
    }
    if (ids.has('W4-hgetall')) {
      cmds.push(['DEL', KEYS.hash]);
      const args: string[] = [];
      for (let i = 0; i < KEYS.hashFields; i++) args.push(`field:${i}`, payload(KEYS.hashValueSize, i));
      cmds.push(['HSET', KEYS.hash, ...args]);
    }
    if (ids.has('W5-1mb')) cmds.push(['SET', KEYS.big1, payload(KEYS.big1Size, 1)]);
    if (ids.has('W5-10mb')) cmds.push(['SET', KEYS.big10, payload(KEYS.big10Size, 10)]);
    await sendAll(c, cmds);
    const check = await c.command('LLEN', KEYS.list);
    if (ids.has('W4-lrange') && check !== KEYS.listLength)
      throw new Error(`preload: list has ${String(check)} items`);
  });
}

/** Writes the W6 keys to their owners, found by following MOVED from any node. */
export async function preloadCluster(nodes: readonly Endpoint[]): Promise<void> {
  const first = nodes[0];
  if (first === undefined) throw new Error('no cluster node');
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
    for (let i = 0; i < KEYS.smallCount; i++) {
      let target: Endpoint = first;
      for (let hop = 0; hop < 5; hop++) {
        try {
          await (await conn(target)).command('SET', KEYS.cluster(i), payload(KEYS.smallSize, i));
          break;
        } catch (e) {
          const m = e instanceof RespError ? /^MOVED \d+ (.*):(\d+)$/.exec(e.message) : null;
          if (m === null || hop === 4) throw e;
          target = { host: m[1] === '' ? target.host : (m[1] as string), port: Number(m[2]) };
        }
      }
    }
  } finally {
    for (const c of conns.values()) c.close();
  }
}
