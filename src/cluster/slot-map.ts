/**
 * Which node serves which slot, from CLUSTER SHARDS (Redis >= 7.0) or CLUSTER SLOTS. Slots index
 * a compact table of shards (16384 × 2 bytes whatever the cluster size); a shard is a primary and
 * its usable replicas, addressed "host:port" as the client reaches them (after `natMap`).
 */
import { DataError, ErrorCodes } from '../errors/index.js';

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

/**
 * Turns an address a node announced into the one the client connects to. `host` is '' when the
 * server left it out (same host as the node that answered); natMap translation happens here.
 */
export type AddressResolver = (host: string, port: number) => NodeAddress;

/** What the client connects with, which decides the port it takes from CLUSTER SHARDS. */
export interface ShardsOptions {
  /** The client speaks TLS: take `tls-port` where a node has one. */
  tls: boolean;
}

export class SlotMap {
  /** Shard index per slot; -1 = not served. */
  private readonly owner = new Int16Array(SLOT_COUNT).fill(-1);
  readonly shards: Shard[] = [];
  private primaryList: NodeAddress[] | undefined;
  private nodeList: NodeAddress[] | undefined;

  /** Builds from a CLUSTER SLOTS reply. */
  static fromClusterSlots(reply: unknown, resolve: AddressResolver): SlotMap {
    if (!Array.isArray(reply))
      throw new DataError('CLUSTER SLOTS did not return an array', { code: ErrorCodes.UNEXPECTED_REPLY });
    const map = new SlotMap();
    const byPrimary = new Map<string, number>();
    for (const range of reply) {
      if (!Array.isArray(range) || range.length < 3)
        throw new DataError('malformed CLUSTER SLOTS entry', { code: ErrorCodes.UNEXPECTED_REPLY });
      const start = range[0] as unknown;
      const end = range[1] as unknown;
      if (!isSlot(start) || !isSlot(end) || end < start)
        throw new DataError('CLUSTER SLOTS slot out of range', { code: ErrorCodes.UNEXPECTED_REPLY });
      const primary = endpoint(range[2], resolve);
      let index = byPrimary.get(primary.key);
      if (index === undefined) {
        index = map.addShard(
          primary,
          range.slice(3).map((r: unknown) => endpoint(r, resolve)),
        );
        byPrimary.set(primary.key, index);
      }
      map.owner.fill(index, start, end + 1);
    }
    return map;
  }

  /**
   * Builds from a CLUSTER SHARDS reply (maps under RESP3, flat key/value arrays under RESP2).
   * Replicas whose health is not `online` (loading, fail) are left out; a primary is kept
   * whatever its health, so its slots stay mapped until a failover names another.
   */
  static fromClusterShards(reply: unknown, resolve: AddressResolver, options: ShardsOptions): SlotMap {
    if (!Array.isArray(reply))
      throw new DataError('CLUSTER SHARDS did not return an array', { code: ErrorCodes.UNEXPECTED_REPLY });
    const map = new SlotMap();
    for (const raw of reply) {
      const shard = record(raw, 'shard');
      const slots = shard.slots;
      const nodes = shard.nodes;
      if (!Array.isArray(slots) || !Array.isArray(nodes) || slots.length % 2 !== 0)
        throw new DataError('malformed CLUSTER SHARDS entry', { code: ErrorCodes.UNEXPECTED_REPLY });
      if (slots.length === 0) continue;
      let primary: NodeAddress | undefined;
      let primaryOnline = false;
      const replicas: NodeAddress[] = [];
      for (const n of nodes) {
        const node = record(n, 'node');
        const address = shardNode(node, resolve, options);
        const online = text(node.health) === 'online';
        // After a failover the shard may list the failed old primary next to the new one.
        if (text(node.role) === 'master') {
          if (primary === undefined || (online && !primaryOnline)) {
            primary = address;
            primaryOnline = online;
          }
        } else if (online) replicas.push(address);
      }
      if (primary === undefined) continue;
      const index = map.addShard(primary, replicas);
      for (let i = 0; i < slots.length; i += 2) {
        const start = slots[i] as unknown;
        const end = slots[i + 1] as unknown;
        if (!isSlot(start) || !isSlot(end) || end < start)
          throw new DataError('CLUSTER SHARDS slot out of range', { code: ErrorCodes.UNEXPECTED_REPLY });
        map.owner.fill(index, start, end + 1);
      }
    }
    return map;
  }

  private addShard(primary: NodeAddress, replicas: NodeAddress[]): number {
    if (this.shards.length >= 0x7fff)
      throw new DataError('more shards than a slot map can index', { code: ErrorCodes.UNEXPECTED_REPLY });
    this.shards.push({ primary, replicas });
    this.primaryList = this.nodeList = undefined;
    return this.shards.length - 1;
  }

  shardOf(slot: number): Shard | undefined {
    const i = this.owner[slot] as number;
    return i < 0 ? undefined : this.shards[i];
  }

  /** Points one slot at a node (after MOVED) without waiting for a full refresh. */
  moveSlot(slot: number, to: NodeAddress): void {
    let index = this.shards.findIndex((s) => s.primary.key === to.key);
    if (index < 0) index = this.addShard(to, []);
    if (this.owner[slot] === index) return;
    this.owner[slot] = index;
    this.primaryList = undefined;
  }

  /** Every distinct node (primaries first). */
  nodes(): NodeAddress[] {
    if (this.nodeList !== undefined) return this.nodeList;
    const seen = new Map<string, NodeAddress>();
    for (const s of this.shards) seen.set(s.primary.key, s.primary);
    for (const s of this.shards) for (const r of s.replicas) if (!seen.has(r.key)) seen.set(r.key, r);
    this.nodeList = [...seen.values()];
    return this.nodeList;
  }

  /** Primaries that serve at least one slot. */
  primaries(): NodeAddress[] {
    if (this.primaryList !== undefined) return this.primaryList;
    const used = new Uint8Array(this.shards.length);
    for (let i = 0; i < SLOT_COUNT; i++) {
      const o = this.owner[i] as number;
      if (o >= 0) used[o] = 1;
    }
    const out: NodeAddress[] = [];
    for (let i = 0; i < used.length; i++) if (used[i] === 1) out.push((this.shards[i] as Shard).primary);
    this.primaryList = out;
    return out;
  }

  /** One slot served by each primary (its key -> the slot): where a fan-out finds the shard's owner again. */
  slotPerPrimary(): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < SLOT_COUNT; i++) {
      const o = this.owner[i] as number;
      if (o < 0) continue;
      const key = (this.shards[o] as Shard).primary.key;
      if (!out.has(key)) out.set(key, i);
    }
    return out;
  }

  /** Bytes held by the slot table and the shard records' strings (an estimate for the latter). */
  approximateBytes(): number {
    let bytes = this.owner.byteLength;
    for (const s of this.shards) for (const n of [s.primary, ...s.replicas]) bytes += 64 + 2 * n.key.length;
    return bytes;
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

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : '';
}

/** An endpoint as announced: '?' (unknown) and '' both mean "the host of the node that answered". */
function announcedHost(v: unknown): string {
  const host = text(v);
  return host === '?' ? '' : host;
}

function endpoint(v: unknown, resolve: AddressResolver): NodeAddress {
  if (!Array.isArray(v) || v.length < 2)
    throw new DataError('malformed CLUSTER SLOTS node', { code: ErrorCodes.UNEXPECTED_REPLY });
  const port = v[1] as unknown;
  if (!isPort(port))
    throw new DataError('CLUSTER SLOTS port out of range', { code: ErrorCodes.UNEXPECTED_REPLY });
  return resolve(announcedHost(v[0]), port);
}

/** A RESP3 map (plain object) or a RESP2 flat key/value array, as a record. */
function record(v: unknown, what: string): Record<string, unknown> {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < v.length; i += 2) out[text(v[i])] = v[i + 1];
    return out;
  }
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) return v as Record<string, unknown>;
  throw new DataError(`malformed CLUSTER SHARDS ${what}`, { code: ErrorCodes.UNEXPECTED_REPLY });
}

/** The address of a CLUSTER SHARDS node: its preferred endpoint (ip or hostname), TLS port for TLS clients. */
function shardNode(
  node: Record<string, unknown>,
  resolve: AddressResolver,
  options: ShardsOptions,
): NodeAddress {
  const tlsPort = node['tls-port'];
  const port = options.tls && isPort(tlsPort) ? tlsPort : node.port;
  if (!isPort(port))
    throw new DataError('CLUSTER SHARDS port out of range', { code: ErrorCodes.UNEXPECTED_REPLY });
  const endpointHost = announcedHost(node.endpoint);
  return resolve(endpointHost !== '' ? endpointHost : announcedHost(node.ip), port);
}
