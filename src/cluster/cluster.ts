/**
 * The cluster client: a slot map from CLUSTER SLOTS, one auto-pipelined
 * connection per node, routing from the command table, and redirections (MOVED,
 * ASK, TRYAGAIN, CLUSTERDOWN) under one budget per command.
 */
import { BlockingPool } from '../client/blocking-pool.js';
import { commandFlags } from '../client/command-flags.js';
import { resolveOptions, type RedisOptions, type ResolvedOptions } from '../client/options.js';
import { Pipeline, Transaction, type BatchTarget } from '../client/pipeline.js';
import type { CommandSignatures, Promised } from '../commands/methods/index.js';
import { CommandBase } from '../client/command-base.js';
import { ServerSupport } from '../commands/support.js';
import { isReadOnly, lookupCommand } from '../commands/table.js';
import { Connection, type SendOptions } from '../connection/connection.js';
import {
  AskError,
  ClusterDownError,
  ClusterError,
  ClusterRoutingError,
  ConnectionError,
  DataError,
  MovedError,
  RedisError,
  TimeoutError,
  TryAgainError,
} from '../errors/index.js';
import type { RedisKey } from '../commands/methods/index.js';
import { Lock, type LockOptions } from '../features/lock.js';
import { Script } from '../features/script.js';
import {
  streamConsumer as createStreamConsumer,
  type ConsumerEntry,
  type GroupConsumerEntry,
  type StreamConsumer,
  type StreamConsumerOptions,
  type StreamGroupConsumerOptions,
  type StreamReaderOptions,
} from '../features/stream-consumer.js';
import { pubSubMisuse, type PubSubCommands } from '../pubsub/index.js';
import { ClusterPubSub } from './pubsub.js';
import { installClusterPubSub } from './pubsub-methods.js';
import { ClusterTransaction } from './transaction.js';
import { mergeReplies } from './merge.js';
import { mergeSplit, route, type Route } from './router.js';
import { SlotMap, nodeAddress, type NodeAddress, type Shard } from './slot-map.js';

export interface ClusterNodeOptions {
  host: string;
  port: number;
}

export interface RedisClusterOptions extends RedisOptions {
  /** Seed nodes; one is enough, the rest are discovered. */
  nodes: ClusterNodeOptions[];
  /** Where read-only commands go. Default 'primary'. */
  readFrom?: 'primary' | 'replica' | 'preferReplica';
  /** Redirections and retries one command may take (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, lost node). Default 16. */
  maxRedirections?: number;
  /** Milliseconds between slot-map refreshes; 0 turns the timer off. Default 30 000. */
  refreshInterval?: number;
}

export interface RedisClusterEvents {
  ready: [];
  error: [Error];
  /** The slot map was replaced. */
  refresh: [];
  end: [];
}

interface NodeEntry {
  readonly address: NodeAddress;
  readonly conn: Connection;
  readonly blocking: BlockingPool;
}

interface Shared {
  readonly base: ResolvedOptions;
  readonly seeds: NodeAddress[];
  readonly readFrom: 'primary' | 'replica' | 'preferReplica';
  readonly maxRedirections: number;
  readonly nodes: Map<string, NodeEntry>;
  map: SlotMap | undefined;
  refreshing: Promise<void> | undefined;
  refreshAgain: boolean;
  firstMap: Promise<void> | undefined;
  timer: ReturnType<typeof setInterval> | undefined;
  closed: boolean;
  replicaTurn: number;
  /** Pub/Sub, made on first subscribe. */
  pubsub: ClusterPubSub | undefined;
  /** What the servers support (CommandNotSupportedError), learnt from one primary on first need. */
  support: ServerSupport | undefined;
}

/** `'idle'` (no slot map yet), `'connecting'`, `'ready'` (slot map loaded) or `'closed'`. */
export type ClusterStatus = 'idle' | 'connecting' | 'ready' | 'closed';

export interface RedisCluster extends Promised<CommandSignatures<string>>, PubSubCommands<string> {}

export class RedisCluster extends CommandBase<RedisClusterEvents> {
  /** @internal */
  protected readonly shared: Shared;
  /** @internal */
  protected readonly buffers: boolean = false;

  constructor(options: RedisClusterOptions) {
    super();
    const { nodes, readFrom, maxRedirections, refreshInterval, ...rest } = options;
    if (!Array.isArray(nodes) || nodes.length === 0)
      throw new DataError('RedisCluster needs at least one seed node');
    const base = resolveOptions(rest);
    const redirections = maxRedirections ?? 16;
    if (!Number.isInteger(redirections) || redirections < 0)
      throw new DataError('maxRedirections must be a non-negative integer');
    this.shared = {
      base,
      seeds: nodes.map((n) => nodeAddress(n.host, n.port)),
      readFrom: readFrom ?? 'primary',
      maxRedirections: redirections,
      nodes: new Map(),
      map: undefined,
      refreshing: undefined,
      refreshAgain: false,
      firstMap: undefined,
      timer: undefined,
      closed: false,
      replicaTurn: 0,
      pubsub: undefined,
      support: undefined,
    };
    const every = refreshInterval ?? 30_000;
    if (every > 0) {
      const timer = setInterval(() => this.refresh().catch((e: Error) => this.emit('error', e)), every);
      (timer as { unref?: () => void }).unref?.();
      this.shared.timer = timer;
    }
    if (!base.lazyConnect) this.connect().catch((e: Error) => this.emit('error', e));
  }

  /** Loads the slot map (connecting to the nodes as needed). */
  connect(): Promise<void> {
    const s = this.shared;
    if (s.map !== undefined) return Promise.resolve();
    s.firstMap ??= this.refresh().then(
      () => this.emit('ready'),
      (e: unknown) => {
        s.firstMap = undefined;
        throw e;
      },
    );
    return s.firstMap;
  }

  /** Where the client stands; `'closed'` after `close()` / `disconnect()` (stream consumers stop quietly then). */
  get status(): ClusterStatus {
    const s = this.shared;
    if (s.closed) return 'closed';
    if (s.map !== undefined) return 'ready';
    return s.firstMap === undefined ? 'idle' : 'connecting';
  }

  /** The current slot map (after `connect()`). */
  get slots(): SlotMap | undefined {
    return this.shared.map;
  }

  /** A view whose string replies are bytes. */
  withBuffers(): RedisClusterBuffers {
    const view = Object.create(this) as RedisCluster;
    Object.defineProperty(view, 'buffers', { value: true });
    return view as unknown as RedisClusterBuffers;
  }

  /** Sends any command, routed by the command table. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatch(name, args);
  }

  /** Commands grouped per node in one write each; results in caller order; only redirected commands are retried. */
  pipeline(): Pipeline {
    return new Pipeline(this.batchTarget());
  }

  /** MULTI/EXEC on the node of the one slot all keys share; ClusterTransactionError otherwise. */
  multi(): Transaction {
    return new ClusterTransaction(this.batchTarget(), (slot) => this.transactionTarget(slot));
  }

  /** A Lua script run by digest on the node of its keys (EVALSHA; loaded there on NOSCRIPT, as each node has its own cache). */
  script(lua: string | Uint8Array): Script {
    return new Script(this, lua);
  }

  /** A distributed lock on `name`, held on the node that owns the key's slot (times in ms). */
  lock(name: RedisKey, options?: LockOptions): Lock {
    return new Lock(this, name, options);
  }

  /**
   * Async iterator over stream entries (XREADGROUP with `group`, else XREAD). Several streams
   * must share a slot (hash tags); with `block` the read waits on a blocking connection of the
   * stream's node.
   */
  streamConsumer(options: StreamGroupConsumerOptions): StreamConsumer<GroupConsumerEntry>;
  streamConsumer(options: StreamReaderOptions): StreamConsumer<ConsumerEntry>;
  streamConsumer(options: StreamConsumerOptions): StreamConsumer<ConsumerEntry<unknown>> {
    return createStreamConsumer(this, options);
  }

  /** @internal Pub/Sub state, shared with `withBuffers()` views; made on first use. */
  get clusterPubSub(): ClusterPubSub {
    const s = this.shared;
    s.pubsub ??= new ClusterPubSub({
      options: s.base,
      maxRedirections: s.maxRedirections,
      map: () => s.map,
      connect: () => this.connect(),
      refresh: () => this.refresh(),
      connection: (address) => this.node(address).conn,
      protocol: () => this.protocol(),
      error: (e) => this.emit('error', e),
    });
    return s.pubsub;
  }

  /**
   * Every key of the cluster: SCAN on each primary in turn (each primary's own
   * cursor). Keys are yielded one at a time; stop early with `break`.
   */
  async *scanIterator(
    options: { match?: string; count?: number; type?: string } = {},
  ): AsyncIterableIterator<string> {
    await this.connect();
    const args: unknown[] = [];
    if (options.match !== undefined) args.push('MATCH', options.match);
    if (options.count !== undefined) args.push('COUNT', options.count);
    if (options.type !== undefined) args.push('TYPE', options.type);
    for (const primary of (this.shared.map as SlotMap).primaries()) {
      const conn = this.node(primary).conn;
      let cursor = '0';
      // A full SCAN returns to cursor 0; the round bound only guards against a misbehaving server.
      for (let round = 0; round < 100_000_000; round++) {
        const reply = (await conn.send('SCAN', [cursor, ...args], {
          buffers: this.buffers,
          safe: true,
          readOnly: true,
        })) as [unknown, unknown[]];
        cursor = String(reply[0]);
        for (const key of reply[1]) yield key as string;
        if (cursor === '0') break;
      }
    }
  }

  /** Graceful: in-flight replies arrive, then every node connection closes. */
  async close(): Promise<void> {
    const s = this.shared;
    s.closed = true;
    if (s.timer !== undefined) clearInterval(s.timer);
    const pubsub = s.pubsub?.close();
    await Promise.all([...s.nodes.values()].map((n) => Promise.all([n.conn.close(), n.blocking.close()])));
    await pubsub;
    s.nodes.clear();
    this.emit('end');
  }

  /** Immediate: every node connection drops; pending commands reject. */
  disconnect(): void {
    const s = this.shared;
    s.closed = true;
    if (s.timer !== undefined) clearInterval(s.timer);
    s.pubsub?.close(false).catch(() => undefined);
    for (const n of s.nodes.values()) {
      n.conn.disconnect();
      n.blocking.disconnect();
    }
    s.nodes.clear();
    this.emit('end');
  }

  /**
   * Re-reads the slot map. Only one refresh runs at a time; calls during one
   * are folded into a single follow-up.
   */
  refresh(): Promise<void> {
    const s = this.shared;
    // After close(), a refresh would open connections again.
    if (s.closed) return Promise.reject(new ConnectionError('Connection is closed'));
    if (s.refreshing !== undefined) {
      s.refreshAgain = true;
      return s.refreshing;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          s.refreshAgain = false;
          await this.loadSlotMap();
        } while (s.refreshAgain && !s.closed);
      } finally {
        s.refreshing = undefined;
      }
    };
    s.refreshing = run();
    return s.refreshing;
  }

  /** @internal The single path every command takes. */
  dispatch(name: string, args: unknown[], transform?: (reply: unknown) => unknown): Promise<unknown> {
    const misuse = pubSubMisuse(name);
    if (misuse !== undefined) return Promise.reject(misuse);
    return this.send(name, args, { buffers: this.buffers, transform });
  }

  // --- routing and execution ------------------------------------------------------

  private support(): ServerSupport {
    const s = this.shared;
    if (s.support === undefined) {
      const primary = (s.map as SlotMap).primaries()[0] ?? s.seeds[0];
      s.support = new ServerSupport(this.node(primary as NodeAddress).conn);
    }
    return s.support;
  }

  private send(name: string, args: unknown[], base: SendOptions, supportChecked = false): Promise<unknown> {
    const s = this.shared;
    if (s.closed) return Promise.reject(new ConnectionError('Connection is closed'));
    if (s.map === undefined) return this.connect().then(() => this.send(name, args, base));
    const flags = commandFlags(name, args);
    if (flags.gate !== undefined && !supportChecked) {
      // A command the servers may lack: decided once, against one primary (a cluster runs one version).
      return this.support().run(flags.gate, () => this.send(name, args, base, true));
    }
    const options: SendOptions = {
      ...base,
      safe: flags.safe,
      readOnly: flags.readOnly,
      blocking: flags.blocking,
    };
    const spec = lookupCommand(name, args);
    let r: Route;
    try {
      r = route(spec, name, args);
    } catch (e) {
      return Promise.reject(e);
    }
    const readOnly = flags.safe && s.readFrom !== 'primary' && spec !== undefined && isReadOnly(spec);
    switch (r.kind) {
      case 'slot':
        return this.onSlot(name, args, options, r.slot, readOnly);
      case 'any':
        return this.onSlot(name, args, options, -1, readOnly);
      case 'split': {
        const { transform, ...raw } = options;
        return Promise.all(r.parts.map((p) => this.onSlot(name, p.args, raw, p.slot, readOnly))).then(
          (replies) => {
            const merged = mergeSplit(r.merge, r.parts, replies, r.total);
            return transform === undefined ? merged : transform(merged);
          },
        );
      }
      case 'fanout':
        return this.fanout(name, args, options, r.nodes, r.response);
    }
  }

  /** Runs on the node serving `slot` (-1: any primary), following redirections within the budget. */
  private async onSlot(
    name: string,
    args: unknown[],
    options: SendOptions,
    slot: number,
    readOnly: boolean,
  ): Promise<unknown> {
    const s = this.shared;
    let asking: NodeAddress | undefined;
    let last: unknown;
    for (let attempt = 0; attempt <= s.maxRedirections; attempt++) {
      let target: NodeAddress;
      if (asking !== undefined) target = asking;
      else target = this.pickNode(slot, readOnly && attempt === 0);
      const node = this.node(target);
      try {
        if (asking !== undefined) {
          // ASKING and the command leave in the same write, so nothing comes between them.
          node.conn.send('ASKING', [], {}).catch(() => undefined);
          asking = undefined;
        }
        if (options.blocking) return await node.blocking.run(name, args, options);
        return await node.conn.send(name, args, options);
      } catch (e) {
        last = e;
        if (e instanceof MovedError) {
          const to = nodeAddress(e.host === '' ? target.host : e.host, e.port);
          if (e.slot >= 0) s.map?.moveSlot(e.slot, to);
          this.refresh().catch(() => undefined);
          if (slot < 0) slot = e.slot;
        } else if (e instanceof AskError) {
          asking = nodeAddress(e.host === '' ? target.host : e.host, e.port);
        } else if (e instanceof TryAgainError || e instanceof ClusterDownError) {
          await sleep(s.base.retry.delay(attempt + 1));
        } else if (e instanceof ConnectionError && !(e instanceof TimeoutError) && options.safe === true) {
          // The node may be gone (failover): learn the new map, then go again.
          await sleep(s.base.retry.delay(attempt + 1));
          await this.refresh().catch(() => undefined);
        } else {
          // Not repeatable here, but the node may be gone: the next command should find the new map.
          if (e instanceof ConnectionError && !(e instanceof TimeoutError))
            this.refresh().catch(() => undefined);
          throw e;
        }
      }
    }
    const command = name.toUpperCase();
    if (last instanceof ClusterDownError)
      throw new ClusterDownError(`${command}: the cluster stayed down through ${s.maxRedirections} retries`, {
        cause: last,
        command,
      });
    throw new ClusterError(`${command}: redirection budget (${s.maxRedirections}) spent`, {
      cause: last,
      command,
    });
  }

  private async fanout(
    name: string,
    args: unknown[],
    options: SendOptions,
    which: 'all_shards' | 'all_nodes',
    policy: Parameters<typeof mergeReplies>[1],
  ): Promise<unknown> {
    const map = this.shared.map as SlotMap;
    const targets = which === 'all_shards' ? map.primaries() : map.nodes();
    if (targets.length === 0)
      throw new ClusterRoutingError(`no node to run ${name.toUpperCase()} on`, {
        command: name.toUpperCase(),
      });
    const { transform, ...raw } = options;
    const replies = await Promise.all(
      targets.map((t) =>
        this.node(t)
          .conn.send(name, args, raw)
          .then(
            (v) => v,
            (e: unknown) => (e instanceof Error ? e : new RedisError(String(e))),
          ),
      ),
    );
    const merged = mergeReplies(name.toUpperCase(), policy, replies);
    return transform === undefined ? merged : transform(merged);
  }

  /** The node for a slot: its primary, or a replica for reads when readFrom asks for one. */
  private pickNode(slot: number, readFromReplica: boolean): NodeAddress {
    const s = this.shared;
    const map = s.map as SlotMap;
    let shard: Shard | undefined;
    if (slot < 0) {
      const primaries = map.primaries();
      shard =
        primaries.length === 0 ? undefined : map.shards.find((x) => x.primary.key === primaries[0]?.key);
    } else shard = map.shardOf(slot);
    if (shard === undefined) throw new ClusterRoutingError(`slot ${slot} is not served by any node`, {});
    if (readFromReplica && shard.replicas.length > 0) {
      const replica = shard.replicas[s.replicaTurn++ % shard.replicas.length] as NodeAddress;
      if (s.readFrom === 'replica') return replica;
      const status = s.nodes.get(replica.key)?.conn.status;
      if (status === undefined || status === 'ready' || status === 'idle' || status === 'connecting')
        return replica;
    }
    return shard.primary;
  }

  /** The connection to a node, made on first use. */
  private node(address: NodeAddress): NodeEntry {
    const s = this.shared;
    let entry = s.nodes.get(address.key);
    if (entry === undefined) {
      const config = {
        ...s.base,
        host: address.host,
        port: address.port,
        path: undefined,
        readOnly: s.readFrom !== 'primary',
        // The cluster's redirection policy owns TRYAGAIN, CLUSTERDOWN, LOADING … under one budget.
        retryReplies: false,
      };
      const conn = new Connection(config);
      conn.on('close', () => {
        if (!s.closed) this.refresh().catch(() => undefined);
      });
      conn.on('error', (e) => this.emit('error', e));
      entry = { address, conn, blocking: new BlockingPool(config) };
      s.nodes.set(address.key, entry);
    }
    return entry;
  }

  /** Asks several nodes for CLUSTER SLOTS and keeps the view most of them share. */
  private async loadSlotMap(): Promise<void> {
    const s = this.shared;
    const known = s.map?.nodes() ?? [];
    const candidates = [...known, ...s.seeds.filter((a) => !known.some((k) => k.key === a.key))];
    const asked = candidates.slice(0, Math.max(3, 1));
    let views = await this.askSlots(asked);
    if (views.length === 0 && candidates.length > asked.length)
      views = await this.askSlots(candidates.slice(asked.length));
    if (views.length === 0) throw new ConnectionError('no cluster node answered CLUSTER SLOTS');
    const votes = new Map<string, { map: SlotMap; count: number }>();
    for (const v of views) {
      const sig = v.signature();
      const entry = votes.get(sig);
      if (entry) entry.count++;
      else votes.set(sig, { map: v, count: 1 });
    }
    let best: { map: SlotMap; count: number } | undefined;
    for (const v of votes.values()) if (best === undefined || v.count > best.count) best = v;
    s.map = (best as { map: SlotMap }).map;
    this.dropUnknownNodes();
    this.emit('refresh');
    s.pubsub?.refreshed();
  }

  /** The protocol the node connections negotiated: a connection already up tells, else the first primary's handshake. */
  private async protocol(): Promise<2 | 3> {
    const s = this.shared;
    for (const n of s.nodes.values()) if (n.conn.status === 'ready') return n.conn.hello.protocol;
    if (s.map === undefined) await this.connect();
    const first = (s.map as SlotMap).primaries()[0];
    if (first === undefined) throw new ClusterRoutingError('no primary serves any slot', {});
    const conn = this.node(first).conn;
    await conn.connect();
    return conn.hello.protocol;
  }

  private async askSlots(addresses: readonly NodeAddress[]): Promise<SlotMap[]> {
    if (this.shared.closed) return [];
    const replies = await Promise.all(
      addresses.map((a) =>
        this.node(a)
          .conn.send('CLUSTER', ['SLOTS'], { safe: true, readOnly: true })
          .then(
            (reply) => SlotMap.fromClusterSlots(reply, a.host),
            () => undefined,
          ),
      ),
    );
    return replies.filter((m): m is SlotMap => m !== undefined);
  }

  /** Connections to nodes that left the map are closed (gracefully: their replies still arrive). */
  private dropUnknownNodes(): void {
    const s = this.shared;
    const keep = new Set((s.map as SlotMap).nodes().map((n) => n.key));
    for (const seed of s.seeds) keep.add(seed.key);
    for (const [key, entry] of s.nodes) {
      if (!keep.has(key)) {
        s.nodes.delete(key);
        entry.conn.close().catch(() => undefined);
        entry.blocking.close().catch(() => undefined);
      }
    }
  }

  private batchTarget(): BatchTarget {
    return { buffers: this.buffers, send: (name, args, options) => this.send(name, [...args], options) };
  }

  private transactionTarget(slot: number): BatchTarget {
    const node = this.node(this.pickNode(slot, false));
    return { buffers: this.buffers, send: (name, args, options) => node.conn.send(name, args, options) };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

installClusterPubSub(RedisCluster.prototype);

/** The cluster client with string replies as bytes. */
export interface RedisClusterBuffers
  extends
    Omit<RedisCluster, keyof CommandSignatures<string> | keyof PubSubCommands<string>>,
    Promised<CommandSignatures<Uint8Array>>,
    PubSubCommands<Uint8Array> {}
