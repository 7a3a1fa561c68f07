/**
 * Which node serves which slot, from CLUSTER SLOTS. Slots index a compact table
 * of shards; a shard is a primary and its replicas, addressed "host:port".
 */
import { DataError } from '../errors/index.js';

export const SLOT_COUNT = 16384;

export interface NodeAddress {
  readonly host: string;
  readonly port: number;
  /** "host:port", the key nodes are known by. */
  readonly key: string;
}

export interface Shard {
  readonly primary: NodeAddress;
  readonly replicas: readonly NodeAddress[];
}

export function nodeAddress(host: string, port: number): NodeAddress {
  return { host, port, key: `${host}:${port}` };
}

export class SlotMap {
  /** Shard index per slot; -1 = not served. */
  private readonly owner = new Int16Array(SLOT_COUNT).fill(-1);
  readonly shards: Shard[] = [];

  /** Builds from a CLUSTER SLOTS reply; `fallbackHost` replaces an empty endpoint (same host as the answering node). */
  static fromClusterSlots(reply: unknown, fallbackHost: string): SlotMap {
    if (!Array.isArray(reply)) throw new DataError('CLUSTER SLOTS did not return an array');
    const map = new SlotMap();
    const byPrimary = new Map<string, number>();
    for (const range of reply) {
      if (!Array.isArray(range) || range.length < 3) throw new DataError('malformed CLUSTER SLOTS entry');
      const start = range[0] as unknown;
      const end = range[1] as unknown;
      if (!isSlot(start) || !isSlot(end) || end < start)
        throw new DataError('CLUSTER SLOTS slot out of range');
      const primary = endpoint(range[2], fallbackHost);
      const replicas = range.slice(3).map((r: unknown) => endpoint(r, fallbackHost));
      let index = byPrimary.get(primary.key);
      if (index === undefined) {
        index = map.shards.length;
        map.shards.push({ primary, replicas });
        byPrimary.set(primary.key, index);
      }
      map.owner.fill(index, start, end + 1);
    }
    return map;
  }

  shardOf(slot: number): Shard | undefined {
    const i = this.owner[slot] as number;
    return i < 0 ? undefined : this.shards[i];
  }

  /** Points one slot at a node (after MOVED) without waiting for a full refresh. */
  moveSlot(slot: number, to: NodeAddress): void {
    let index = this.shards.findIndex((s) => s.primary.key === to.key);
    if (index < 0) {
      index = this.shards.length;
      this.shards.push({ primary: to, replicas: [] });
    }
    this.owner[slot] = index;
  }

  /** Every distinct node (primaries first). */
  nodes(): NodeAddress[] {
    const seen = new Map<string, NodeAddress>();
    for (const s of this.shards) seen.set(s.primary.key, s.primary);
    for (const s of this.shards) for (const r of s.replicas) if (!seen.has(r.key)) seen.set(r.key, r);
    return [...seen.values()];
  }

  /** Primaries that serve at least one slot. */
  primaries(): NodeAddress[] {
    const used = new Set<number>();
    for (let i = 0; i < SLOT_COUNT; i++)
      if ((this.owner[i] as number) >= 0) used.add(this.owner[i] as number);
    return [...used].sort((a, b) => a - b).map((i) => (this.shards[i] as Shard).primary);
  }

  /** A stable text form, to compare the views of different nodes. */
  signature(): string {
    const parts: string[] = [];
    let start = 0;
    for (let i = 1; i <= SLOT_COUNT; i++) {
      if (i === SLOT_COUNT || this.owner[i] !== this.owner[start]) {
        const shard = this.shards[this.owner[start] as number];
        parts.push(
          `${start}-${i - 1}:${shard ? [shard.primary.key, ...shard.replicas.map((r) => r.key).sort()].join(',') : '-'}`,
        );
        start = i;
      }
    }
    return parts.join(' ');
  }
}

function isSlot(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < SLOT_COUNT;
}

function endpoint(v: unknown, fallbackHost: string): NodeAddress {
  if (!Array.isArray(v) || v.length < 2) throw new DataError('malformed CLUSTER SLOTS node');
  const rawHost = v[0] as unknown;
  const port = v[1] as unknown;
  const host =
    typeof rawHost === 'string'
      ? rawHost
      : rawHost instanceof Uint8Array
        ? new TextDecoder().decode(rawHost)
        : '';
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new DataError('CLUSTER SLOTS port out of range');
  return nodeAddress(host === '' || host === '?' ? fallbackHost : host, port);
}
