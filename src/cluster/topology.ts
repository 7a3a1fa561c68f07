/**
 * The cluster's view of itself: the slot map, the registry of node connections, and the
 * refresh that re-reads the map from several nodes (CLUSTER SHARDS on Redis >= 7.0, CLUSTER
 * SLOTS before) and keeps the view most of them share. Refreshes are single-flight: any number
 * of triggers during one fold into one follow-up. Announced addresses go through `natMap`.
 */
import { refreshChannel } from '../diagnostics.js';
import { debug, debugging } from '../debug-log.js';
import { BlockingPool } from '../shared/blocking-pool.js';
import type { ResolvedOptions } from '../shared/options.js';
import type { ClientCache, Tracker } from '../cache/index.js';
import { Connection } from '../connection/connection.js';
import { ClusterRoutingError, ConnectionError, ResponseError } from '../errors/index.js';
import { Retry } from '../retry.js';
import { within } from '../util/timer.js';
import { translateAddress, type NatMap } from '../shared/nat-map.js';
import { SingleFlight } from './single-flight.js';
import { SlotMap, nodeAddress, type AddressResolver, type NodeAddress, type Shard } from './slot-map.js';
import { closedError } from '../errors/closed.js';

/** Where read-only cluster commands go: `'primary'` (default), or replicas (`'replica'`, `'preferReplica'`; see the README's Cluster section). */
export type ReadFrom = 'primary' | 'replica' | 'preferReplica';

export interface NodeEntry {
  readonly address: NodeAddress;
  /** The shared, auto-pipelined connection. */
  readonly conn: Connection;
  /** Dedicated connections: blocking commands and `withConnection`. */
  readonly blocking: BlockingPool;
  /** Client-side caching: tracking on `conn` (when the option is on). */
  readonly tracker: Tracker | undefined;
}

export interface TopologyConfig {
  readonly base: ResolvedOptions;
  readonly seeds: readonly NodeAddress[];
  readonly readFrom: ReadFrom;
  readonly natMap: NatMap | undefined;
  /** The client-side cache, when the option is on: each node connection tracks its own keys. */
  readonly cache: ClientCache | undefined;
  /** A new map was applied. */
  refreshed(): void;
  error(e: Error): void;
}

/** Nodes asked per refresh (their views are compared; the most common wins). */
const VOTERS = 3;

export class Topology {
  map: SlotMap | undefined;
  readonly nodes = new Map<string, NodeEntry>();
  closed = false;
  /** Slot maps applied so far (tests and benchmarks count them). */
  refreshes = 0;
  /** Set once a node refused CLUSTER SHARDS (Redis < 7.0 does not know it). */
  private slotsOnly = false;
  private replicaTurn = 0;
  private readonly flight = new SingleFlight<void>(
    () => this.load(),
    undefined,
    () => this.closed,
  );
  /** Node connections retry nothing themselves: the cluster's redirection policy decides. */
  private readonly nodeRetry: Retry;

  constructor(private readonly config: TopologyConfig) {
    this.nodeRetry = new Retry({ retries: 0, backoff: config.base.retry.backoff });
  }

  /** How long one node's answer is waited for where another node can give it (connectTimeout). */
  get connectTimeout(): number {
    return this.config.base.connectTimeout;
  }

  /** The client-side cache, when the option is on. */
  get cache(): ClientCache | undefined {
    return this.config.cache;
  }

  /** Why the latest refresh was asked for (reported by `wredis:cluster:refresh`). */
  private refreshReason = 'requested';

  /** Re-reads the slot map; calls during a refresh fold into one follow-up. */
  refresh(reason = 'requested'): Promise<void> {
    this.refreshReason = reason;
    if (this.closed) return Promise.reject(closedError());
    return this.flight.run(undefined);
  }

  /** MOVED: the slot is `to`'s now; the rest of the map is re-read unless it already says so. */
  moved(slot: number, to: NodeAddress): void {
    const map = this.map;
    if (map === undefined || map.shardOf(slot)?.primary.key === to.key) return;
    map.moveSlot(slot, to);
    this.flushMovedSlots();
    // The slot is already moved locally; a failed refresh is retried on the next MOVED, lost node or interval.
    this.refresh('MOVED').catch(() => undefined);
  }

  /** Announced address -> the address to connect to (natMap). */
  translate(host: string, port: number): NodeAddress {
    const to = translateAddress(this.config.natMap, host, port);
    return nodeAddress(to.host, to.port);
  }

  /** Resolves addresses named in `from`'s replies: no host means `from`'s host (as reached, so not translated). */
  resolver(from: NodeAddress): AddressResolver {
    return (host, port) => (host === '' ? nodeAddress(from.host, port) : this.translate(host, port));
  }

  /** The node for a slot (-1: any primary): its primary, or a replica for reads when readFrom asks. */
  pick(slot: number, readFromReplica: boolean): NodeAddress {
    const map = this.map as SlotMap;
    let shard: Shard | undefined;
    if (slot < 0) {
      const first = map.primaries()[0];
      if (first !== undefined) return first;
    } else shard = map.shardOf(slot);
    if (shard === undefined) throw new ClusterRoutingError(`slot ${slot} is not served by any node`, {});
    if (readFromReplica && shard.replicas.length > 0) {
      const replica = shard.replicas[this.replicaTurn++ % shard.replicas.length] as NodeAddress;
      if (this.config.readFrom === 'replica') return replica;
      const status = this.nodes.get(replica.key)?.conn.status;
      if (status === undefined || status === 'ready' || status === 'idle' || status === 'connecting')
        return replica;
    }
    return shard.primary;
  }

  /** The connections to a node, made on first use (ConnectionError once the client is closed). */
  node(address: NodeAddress): NodeEntry {
    let entry = this.nodes.get(address.key);
    if (entry === undefined) {
      // Closed: no connection is made any more. A command woken from its backoff by close() or
      // disconnect() went on to its next attempt and opened one here that nobody closed (its
      // socket kept the process alive), and sent itself after disconnect().
      if (this.closed) throw closedError();
      const { base, readFrom } = this.config;
      const config = {
        ...base,
        host: address.host,
        port: address.port,
        path: undefined,
        readOnly: readFrom !== 'primary',
        retry: this.nodeRetry,
        // The cluster's redirection policy owns TRYAGAIN, CLUSTERDOWN, LOADING … under one budget.
        retryReplies: false,
      };
      const conn = new Connection(config);
      conn.on('close', () => {
        // A failed refresh is retried on the next MOVED, lost node or interval; a lost node has no caller to tell.
        if (!this.closed) this.refresh(`connection to ${address.key} closed`).catch(() => undefined);
      });
      conn.on('error', (e) => this.config.error(e));
      const pool = new BlockingPool(
        { ...config, readOnly: false },
        base.maxBlockingConnections,
        base.blockingConnectionTimeout,
      );
      // keyPrefix: broadcast-mode tracking prefixes are the keys as the server sees them.
      entry = { address, conn, blocking: pool, tracker: this.config.cache?.track(conn, base.keyPrefix) };
      this.nodes.set(address.key, entry);
    }
    return entry;
  }

  /** Every live connection to every node: shared and dedicated (blocking, lent). */
  connections(): Connection[] {
    const out: Connection[] = [];
    for (const n of this.nodes.values()) out.push(n.conn, ...n.blocking.connections());
    return out;
  }

  /** Graceful: in-flight replies arrive, then every node connection closes. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([
      ...[...this.nodes.values()].map((n) => Promise.all([n.conn.close(), n.blocking.close()])),
      this.config.cache?.close(),
    ]);
    this.nodes.clear();
  }

  disconnect(): void {
    this.closed = true;
    for (const n of this.nodes.values()) {
      n.conn.disconnect();
      n.blocking.disconnect();
    }
    // Closing: the cache closes in the background, no caller to tell.
    this.config.cache?.close().catch(() => undefined);
    this.nodes.clear();
  }

  /**
   * Asks a few nodes for the map and keeps the view most of them share. Nodes whose connection
   * is up are asked first, then the seeds, then the rest (those known to be down last), three at
   * a time until some answer: a refresh of a 1,000-node cluster opens no connection to nodes it
   * does not need.
   */
  private async load(): Promise<void> {
    const known = this.map?.nodes() ?? [];
    const status = (a: NodeAddress): string | undefined => this.nodes.get(a.key)?.conn.status;
    const ready = known.filter((k) => status(k) === 'ready');
    // Nodes known to be down (reconnecting) last: asking them waits for their next connect attempt.
    const up = known.filter((k) => status(k) !== 'reconnecting');
    const down = known.filter((k) => status(k) === 'reconnecting');
    const ordered = new Map<string, NodeAddress>();
    for (const a of [...ready, ...this.config.seeds, ...up, ...down])
      if (!ordered.has(a.key)) ordered.set(a.key, a);
    const candidates = [...ordered.values()];
    let views: SlotMap[] = [];
    // A node that serves no slot and knows no node that does (a fresh node not yet met, or one
    // CLUSTER RESET) answers an empty map. Counted as a view, it tied with the real one when
    // only two nodes answered and won as the first asked: a fresh node listed first among the
    // seeds left every slot unserved, and every command rejected with ClusterRoutingError.
    let empty: SlotMap | undefined;
    for (let at = 0; at < candidates.length && views.length === 0 && !this.closed; at += VOTERS) {
      const answers = await this.ask(candidates.slice(at, at + VOTERS));
      views = answers.filter((v) => v.primaries().length > 0);
      empty ??= answers.find((v) => v.primaries().length === 0);
    }
    if (views.length === 0) {
      if (empty === undefined)
        throw new ConnectionError('no cluster node answered CLUSTER SHARDS / CLUSTER SLOTS');
      // Every node that answered serves nothing: a map that does stands until one says otherwise.
      if (this.map !== undefined && this.map.primaries().length > 0) return;
      views = [empty];
    }
    const votes = new Map<string, { map: SlotMap; count: number }>();
    for (const v of views) {
      const sig = v.signature();
      const entry = votes.get(sig);
      if (entry) entry.count++;
      else votes.set(sig, { map: v, count: 1 });
    }
    let best: { map: SlotMap; count: number } | undefined;
    for (const v of votes.values()) if (best === undefined || v.count > best.count) best = v;
    if (this.closed) return;
    this.map = (best as { map: SlotMap }).map;
    this.refreshes++;
    this.dropUnknownNodes();
    this.flushMovedSlots();
    this.config.refreshed();
    if (refreshChannel.hasSubscribers || debugging) {
      const nodes = this.map.nodes().map((n) => n.key);
      if (refreshChannel.hasSubscribers) refreshChannel.publish({ reason: this.refreshReason, nodes });
      if (debugging) debug('cluster slot map refreshed (%s): %d nodes', this.refreshReason, nodes.length);
    }
  }

  private async ask(addresses: readonly NodeAddress[]): Promise<SlotMap[]> {
    if (this.closed) return [];
    // A node that cannot answer gives no map; the answers of the others decide (the caller checks none came).
    // A node that does not answer at all (frozen: SIGSTOP, a paused VM, a black-holed link, its
    // socket still open) gives none either once connectTimeout has passed. Unbounded, its
    // CLUSTER SHARDS held the refresh forever, and every later refresh (MOVED, lost node,
    // interval) folded into that one: the client never learnt the map of the failover that
    // replaced the node, and kept sending the slot's commands to it.
    const limit = this.config.base.connectTimeout;
    // A node that cannot answer gives no map (the others' answers decide; see above).
    const bounded = (a: NodeAddress): Promise<SlotMap | undefined> =>
      within(
        this.askOne(a).catch(() => undefined),
        limit,
        undefined,
      );
    const maps = await Promise.all(addresses.map(bounded));
    return maps.filter((m): m is SlotMap => m !== undefined);
  }

  /** One node's view: CLUSTER SHARDS, or CLUSTER SLOTS where SHARDS is unknown or unreadable. */
  private async askOne(address: NodeAddress): Promise<SlotMap> {
    const conn = this.node(address).conn;
    const resolve = this.resolver(address);
    if (!this.slotsOnly) {
      try {
        const reply = await conn.send('CLUSTER', ['SHARDS'], { safe: true, readOnly: true });
        return SlotMap.fromClusterShards(reply, resolve, { tls: this.config.base.tls !== undefined });
      } catch (e) {
        // An error reply means the node lacks it; a reply it could not parse falls back this once.
        if (e instanceof ResponseError) this.slotsOnly = true;
        else if (e instanceof ConnectionError) throw e;
      }
    }
    return SlotMap.fromClusterSlots(
      await conn.send('CLUSTER', ['SLOTS'], { safe: true, readOnly: true }),
      resolve,
    );
  }

  /** Client-side cache: entries read from a node whose slot it no longer serves are dropped. */
  private flushMovedSlots(): void {
    const map = this.map;
    const cache = this.config.cache;
    if (map === undefined || cache === undefined) return;
    const nodeOf = new Map<Tracker, string>();
    for (const [key, entry] of this.nodes) if (entry.tracker !== undefined) nodeOf.set(entry.tracker, key);
    cache.dropMovedSlots((slot, tracker) => {
      const shard = map.shardOf(slot);
      const key = nodeOf.get(tracker);
      return shard !== undefined && (shard.primary.key === key || shard.replicas.some((r) => r.key === key));
    });
  }

  /** Connections to nodes that left the map are closed (gracefully: their replies still arrive). */
  private dropUnknownNodes(): void {
    const keep = new Set((this.map as SlotMap).nodes().map((n) => n.key));
    for (const seed of this.config.seeds) keep.add(seed.key);
    for (const [key, entry] of this.nodes) {
      if (!keep.has(key)) {
        this.nodes.delete(key);
        // The node left the slot map: its tracking and connections close in the background, no caller to tell.
        if (entry.tracker !== undefined) this.config.cache?.untrack(entry.tracker).catch(() => undefined);
        entry.conn.close().catch(() => undefined);
        entry.blocking.close().catch(() => undefined);
      }
    }
  }
}
