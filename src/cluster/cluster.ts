/**
 * The cluster client (the facade): options, the public methods, and lending. The slot map and
 * node connections live in ./topology.ts, command execution in ./executor.ts, and what to do
 * when a command fails (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, lost node) in ./redirect.ts.
 */
import { applyPrefix, keyPrefix, prefixed, type KeyPrefix } from '../commands/prefix.js';
import { commandChannel, commandContext, traceCommand, type CommandTraceContext } from '../diagnostics.js';
import { asError, underOptions, viewWith, type CallOptions } from '../shared/call-options.js';
import { abandon, type SendHandle, type SendOptions } from '../connection/connection.js';
import { ClientCache, type ClientSideCache } from '../cache/index.js';
import { resolveOptions, type RedisOptions, type ResolvedOptions } from '../shared/options.js';
import { isPort } from '../shared/url.js';
import { Pipeline, type BatchTarget, type Transaction } from '../shared/pipeline.js';
import type { CommandSignatures, Promised } from '../commands/methods/index.js';
import { CommandBase } from '../shared/command-base.js';
import { keySlot } from '../core/slots.js';
import { ClusterRoutingError, DataError, RedisClusterException, ResponseError } from '../errors/index.js';
import type { RedisKey } from '../commands/methods/index.js';
import { ensurePersistence, ensureReplication } from '../features/guarantees.js';
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
import { type PubSubCommands } from '../pubsub/index.js';
import { commandRefusal } from '../shared/state-commands.js';
import { clientSetName, record as recordClientName } from '../shared/client-name.js';
import { Executor, SlotOrder } from './executor.js';
import { ClusterConnection } from './lent.js';
import { lendUnderSignal } from '../shared/lend.js';
import type { NatMap } from '../shared/nat-map.js';
import { ClusterPubSub } from './pubsub.js';
import { installClusterPubSub } from './pubsub-methods.js';
import { ClusterTransaction } from './transaction.js';
import { SlotMap, nodeAddress, type NodeAddress } from './slot-map.js';
import { gainedSlots, migrationTargets, slotOwners } from './scan.js';
import { Topology, type ReadFrom } from './topology.js';
import { notAFunction } from '../commands/methods/shape.js';

/** Address of a cluster node to start from. */
export interface ClusterNodeOptions {
  /** Host name or IP address. */
  host: string;
  /** Port. */
  port: number;
}

export interface RedisClusterOptions extends RedisOptions {
  /** Seed nodes; one is enough, the rest are discovered. */
  nodes: ClusterNodeOptions[];
  /** Where read-only commands go. Default 'primary'. */
  readFrom?: ReadFrom;
  /** Redirections and retries one command may take (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, lost node). Default 16. */
  maxRedirections?: number;
  /** Milliseconds between slot-map refreshes; 0 turns the timer off. Default 30 000. */
  refreshInterval?: number;
  /**
   * Addresses the nodes announce -> addresses the client connects to (NAT, Docker, Kubernetes):
   * `{ '10.0.0.5:6379': { host: 'redis-0.example', port: 6379 } }` or a function of `{ host, port }`.
   */
  natMap?: NatMap;
}

/** Events of `RedisCluster`, with the arguments their listeners get. */
export interface RedisClusterEvents {
  /** The first slot map is loaded. */
  ready: [];
  /** A background error (a failed refresh, a lost node); commands reject on their own. */
  error: [Error];
  /** The slot map was replaced. */
  refresh: [];
  /** The client was closed. */
  end: [];
}

interface Shared {
  readonly base: ResolvedOptions;
  readonly topology: Topology;
  readonly executor: Executor;
  firstMap: Promise<void> | undefined;
  timer: ReturnType<typeof setInterval> | undefined;
  /** Pub/Sub, made on first subscribe. */
  pubsub: ClusterPubSub | undefined;
}

/** `'idle'` (no slot map yet), `'connecting'`, `'ready'` (slot map loaded) or `'closed'`. */
export type ClusterStatus = 'idle' | 'connecting' | 'ready' | 'closed';

export interface RedisCluster extends Promised<CommandSignatures<string>>, PubSubCommands<string> {}

/** A Redis Cluster client: routes each command to the node owning its keys, follows MOVED/ASK, splits multi-key commands across slots, fans keyless commands out per the server's routing tips. */
export class RedisCluster extends CommandBase<RedisClusterEvents> {
  /** @internal */
  protected readonly shared: Shared;
  /** @internal */
  protected readonly buffers: boolean = false;
  /** @internal The `keyPrefix` option (commands, pipelines, transactions, lent connections). */
  protected readonly prefix: KeyPrefix | undefined;
  /** @internal Per-call signal/timeout (set on `withOptions()` views). */
  protected readonly callOptions: CallOptions | undefined = undefined;

  /**
   * @throws RedisClusterException for options a cluster cannot honour (a `db` other than 0:
   * clusters have only database 0).
   */
  constructor(options: RedisClusterOptions) {
    super();
    const { nodes, readFrom, maxRedirections, refreshInterval, natMap, ...rest } = options;
    if (!Array.isArray(nodes) || nodes.length === 0)
      throw new DataError('RedisCluster needs at least one seed node');
    const base = resolveOptions(rest);
    this.prefix = keyPrefix(base.keyPrefix);
    if (base.db !== 0)
      throw new RedisClusterException(`A cluster has only database 0; db ${base.db} cannot be selected`);
    const redirections = maxRedirections ?? 16;
    if (!Number.isInteger(redirections) || redirections < 0)
      throw new DataError('maxRedirections must be a non-negative integer');
    if (
      natMap !== undefined &&
      (natMap === null || (typeof natMap !== 'object' && typeof natMap !== 'function'))
    )
      throw new DataError('natMap must be an object or a function');
    const from = readFrom ?? 'primary';
    const topology = new Topology({
      base,
      seeds: nodes.map(seedAddress),
      readFrom: from,
      natMap,
      cache: base.clientSideCache === undefined ? undefined : new ClientCache(base.clientSideCache),
      refreshed: () => {
        this.emit('refresh');
        this.shared.pubsub?.refreshed();
      },
      error: (e) => this.emit('error', e),
    });
    this.shared = {
      base,
      topology,
      executor: new Executor(topology, redirections, base.retry, from, () => this.connect()),
      firstMap: undefined,
      timer: undefined,
      pubsub: undefined,
    };
    const every = refreshInterval ?? 30_000;
    if (every > 0) {
      const timer = setInterval(() => {
        this.refresh().catch((e: Error) => this.emit('error', e));
      }, every);
      (timer as { unref?: () => void }).unref?.();
      this.shared.timer = timer;
    }
    if (!base.lazyConnect) this.connect().catch((e: Error) => this.emit('error', e));
  }

  /** Loads the slot map (connecting to the nodes as needed). */
  connect(): Promise<void> {
    const s = this.shared;
    if (s.topology.map !== undefined) return Promise.resolve();
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
    if (s.topology.closed) return 'closed';
    if (s.topology.map !== undefined) return 'ready';
    return s.firstMap === undefined ? 'idle' : 'connecting';
  }

  /** The current slot map (after `connect()`). */
  get slots(): SlotMap | undefined {
    return this.shared.topology.map;
  }

  /** @internal Slot maps applied so far (tests and benchmarks count refreshes). */
  get refreshCount(): number {
    return this.shared.topology.refreshes;
  }

  /** A view whose string replies are bytes. */
  /** The client-side cache (`clientSideCache` option): `stats()` and `clear()`; undefined when off. */
  get clientSideCache(): ClientSideCache | undefined {
    return this.shared.topology.cache;
  }

  /** A view on the same node connections whose string replies are bytes (Buffer on Node). */
  withBuffers(): RedisClusterBuffers {
    const view = Object.create(this) as RedisCluster;
    Object.defineProperty(view, 'buffers', { value: true });
    return view as unknown as RedisClusterBuffers;
  }

  /**
   * A view on the same node connections whose commands (blocking ones included)
   * reject with `signal.reason` when the signal aborts, or with TimeoutError
   * after `timeout` ms, as `Redis.withOptions()`: a command not yet written to
   * a node's socket (the slot map still loading, queued, or in this tick's
   * write) is withdrawn and not sent again after a redirection; one already
   * written keeps its slot; a blocking one's dedicated connection is dropped.
   * For a command split across slots (MGET, DEL …) only the part handed to a
   * node last can be withdrawn; the others run. Pipelines and transactions of
   * the view reject `exec()` on abort or timeout (see `Redis.withOptions()`).
   */
  withOptions(options: CallOptions): this {
    return viewWith(this, this.callOptions, options);
  }

  /** Sends any command, routed by the command table. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatch(name, args);
  }

  /** Commands grouped per node, sent back to back to each; results in caller order; only redirected commands are retried. */
  pipeline(): Pipeline {
    return new Pipeline(this.batchTarget());
  }

  /**
   * MULTI/EXEC on the node of the one slot all keys share (ClusterTransactionError otherwise).
   * A block refused because its slot moved is sent again as a whole on the new owner.
   */
  multi(): Transaction {
    return new ClusterTransaction(this.batchTarget(), this.shared.executor);
  }

  /**
   * Lends a dedicated connection to the primary that owns `key`'s slot for the duration of `fn`:
   * WATCH / MULTI / EXEC and blocking commands run there. Keys of other slots reject with
   * ClusterCrossSlotError; a redirection (the slot moved) rejects with WatchError while keys are
   * watched, else with ClusterError — nothing is run on another node. A MOVED or ASK a script
   * returned itself (another slot, or this very node) rejects as is.
   *
   * `options.signal` (else the signal of a `withOptions()` view), as `Redis.withConnection()`:
   * aborted before the connection is lent (connecting, or waiting for a free one), the call
   * rejects with the signal's reason and `fn` never runs; aborted while `fn` runs, the lent
   * connection is dropped (a blocking command on it ends) and the call rejects with the reason
   * at once; once `fn` has settled, its outcome is the call's (an abort then only drops the
   * connection if its UNWATCH is still unanswered).
   */
  async withConnection<T>(
    key: RedisKey,
    fn: (conn: ClusterConnection) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T> {
    if (typeof fn !== 'function') throw notAFunction('withConnection(key, fn)');
    const { topology, executor } = this.shared;
    // The slot of the key as the server sees it: a hash tag in the prefix decides it.
    const slot = keySlot(this.prefix === undefined ? key : (prefixed(this.prefix, key) as RedisKey));
    let node: ReturnType<Topology['node']>;
    return lendUnderSignal(
      options?.signal ?? this.callOptions?.signal,
      async (body) => {
        await this.connect();
        node = topology.node(topology.pick(slot, false));
        return node.blocking.lease(body);
      },
      (conn) =>
        new ClusterConnection(
          conn,
          this.buffers,
          executor.support(),
          slot,
          (e) => executor.redirected(e, node.address, slot),
          this.prefix,
          topology.cache,
        ),
      fn,
    );
  }

  /** Runs `fn` on a connection to `key`'s primary (see withConnection), then WAIT there; ReplicationError when too few replicas acknowledged. */
  ensureReplication<T>(
    key: RedisKey,
    replicas: number,
    timeout: number,
    fn: (conn: ClusterConnection) => Promise<T>,
  ): Promise<T> {
    return ensureReplication(this.lender(key), replicas, timeout, fn);
  }

  /**
   * Runs `fn` on a connection to `key`'s primary, then WAITAOF there (Redis 7.2+):
   * PersistenceError, or CommandNotSupportedError before `fn` runs on older servers.
   */
  ensurePersistence<T>(
    key: RedisKey,
    local: number,
    replicas: number,
    timeout: number,
    fn: (conn: ClusterConnection) => Promise<T>,
  ): Promise<T> {
    return ensurePersistence(this.lender(key), local, replicas, timeout, fn);
  }

  private lender(key: RedisKey): { withConnection<T>(fn: (c: ClusterConnection) => Promise<T>): Promise<T> } {
    return { withConnection: (fn) => this.withConnection(key, fn) };
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
      redirects: s.executor,
      map: () => s.topology.map,
      connect: () => this.connect(),
      refresh: () => this.refresh(),
      connection: (address) => s.topology.node(address).conn,
      protocol: () => this.protocol(),
      error: (e) => this.emit('error', e),
    });
    return s.pubsub;
  }

  /**
   * Every key of the cluster: SCAN on each primary in turn (each primary's own cursor), then
   * again on each node that received keys meanwhile (a slot migrated or under way, a failover):
   * such keys may be yielded twice, never left out. Keys are yielded one at a time; stop early
   * with `break`.
   */
  async *scanIterator(
    options: { match?: string; count?: number; type?: string } = {},
  ): AsyncIterableIterator<string> {
    const co = this.callOptions;
    // Everything goes to the node connections directly, past send(): a withOptions() view's
    // signal and timeout are applied here, per command as to any other, else a frozen node held
    // the loop for good and an abort went unheard while every remaining key was still yielded.
    const bounded = <T>(command: string, run: () => Promise<T>, handle?: SendHandle): Promise<T> =>
      co === undefined ? run() : this.underView(co, command, run, handle);
    await bounded('SCAN', () => this.connect());
    const args: unknown[] = [];
    if (options.match !== undefined) args.push('MATCH', options.match);
    if (options.count !== undefined) args.push('COUNT', options.count);
    if (options.type !== undefined) args.push('TYPE', options.type);
    const topology = this.shared.topology;
    const map = topology.map as SlotMap;
    const owners = slotOwners(map);
    for (const primary of map.primaries()) yield* this.scanNode(primary, args, bounded);
    // A key that moved from a node not yet scanned to one already scanned was in neither SCAN,
    // and the loop ended as if there were no more keys.
    for (const node of await this.receivedDuringScan(owners, bounded))
      yield* this.scanNode(node, args, bounded);
  }

  /** One node's keys, SCAN from cursor 0 until it is 0 again. */
  private async *scanNode(
    address: NodeAddress,
    args: readonly unknown[],
    bounded: <T>(command: string, run: () => Promise<T>, handle?: SendHandle) => Promise<T>,
  ): AsyncIterableIterator<string> {
    const conn = this.shared.topology.node(address).conn;
    let cursor = '0';
    // A full SCAN returns to cursor 0; the round bound only guards against a misbehaving server.
    for (let round = 0; round < 100_000_000; round++) {
      // Sent on the node's connection, past dispatch(): keyPrefix is applied here as dispatch()
      // would (MATCH prefixed, or MATCH prefix* added; the prefix stripped from the keys), else
      // the iterator walked every namespace and yielded the keys with the prefix on.
      const scanArgs: unknown[] = [cursor, ...args];
      const transform =
        this.prefix === undefined ? undefined : applyPrefix(this.prefix, 'SCAN', scanArgs, undefined);
      const handle: SendHandle = {};
      const options = { buffers: this.buffers, safe: true, readOnly: true, transform, handle };
      const reply = (await bounded('SCAN', () => conn.send('SCAN', scanArgs, options), handle)) as [
        unknown,
        unknown[],
      ];
      cursor = String(reply[0]);
      for (const key of reply[1]) yield key as string;
      if (cursor === '0') return;
    }
  }

  /**
   * Nodes that may have received keys after their SCAN: owners of slots that changed hands since
   * `owners` (the map is read again), and the targets of migrations still under way (each
   * primary's CLUSTER NODES; one that refuses it, e.g. by ACL, cannot tell and is passed over).
   */
  private async receivedDuringScan(
    owners: readonly (string | undefined)[],
    bounded: <T>(command: string, run: () => Promise<T>, handle?: SendHandle) => Promise<T>,
  ): Promise<NodeAddress[]> {
    const topology = this.shared.topology;
    await bounded('CLUSTER', () => this.refresh());
    const map = topology.map as SlotMap;
    const nodes = new Map(gainedSlots(owners, map).map((a) => [a.key, a]));
    await Promise.all(
      map.primaries().map(async (primary) => {
        const handle: SendHandle = {};
        const conn = topology.node(primary).conn;
        let reply: unknown;
        try {
          reply = await bounded(
            'CLUSTER',
            () => conn.send('CLUSTER', ['NODES'], { safe: true, readOnly: true, handle }),
            handle,
          );
        } catch (e) {
          if (e instanceof ResponseError) return;
          throw e;
        }
        for (const a of migrationTargets(String(reply), primary, topology.resolver(primary)))
          nodes.set(a.key, a);
      }),
    );
    return [...nodes.values()];
  }

  /**
   * Sends AUTH with fresh credentials (the `credentials` provider's, else the configured
   * password) on every live connection of the client: each node's shared connection, its
   * dedicated (blocking, lent) ones and the Pub/Sub ones. For short-lived tokens; later
   * connects call the provider anyway.
   */
  async reauthenticate(): Promise<void> {
    const s = this.shared;
    const conns = new Set([...s.topology.connections(), ...(s.pubsub?.connections() ?? [])]);
    // An AUTH not awaited (behind a blocking command, after a lent MULTI) reports a refusal here:
    // pooled and lent connections have no 'error' listener of their own.
    const report = (e: Error): void => this.emit('error', e);
    await Promise.all([...conns].map((c) => c.reauthenticate(report)));
  }

  /** Graceful: in-flight replies arrive, then every node connection closes. */
  async close(): Promise<void> {
    const s = this.shared;
    this.stopTimers();
    // Made here if never used: one made after close() would try to subscribe on closed nodes.
    const pubsub = this.clusterPubSub.close();
    await s.topology.close();
    await pubsub;
    this.emit('end');
  }

  /** Immediate: every node connection drops; pending commands reject. */
  disconnect(): void {
    const s = this.shared;
    this.stopTimers();
    // disconnect() is synchronous and immediate: Pub/Sub connections close in the background, no caller to tell.
    this.clusterPubSub.close(false).catch(() => undefined);
    s.topology.disconnect();
    this.emit('end');
  }

  private stopTimers(): void {
    const s = this.shared;
    s.topology.closed = true;
    if (s.timer !== undefined) clearInterval(s.timer);
    s.executor.wake();
  }

  /**
   * Re-reads the slot map. Only one refresh runs at a time; calls during one
   * are folded into a single follow-up.
   */
  refresh(): Promise<void> {
    return this.shared.topology.refresh();
  }

  /** @internal The single path every command takes. */
  dispatch(name: string, args: unknown[], transform?: (reply: unknown) => unknown): Promise<unknown> {
    const refused = commandRefusal(name, args, 'shared');
    if (refused !== undefined) return Promise.reject(refused);
    const clientName = name.length === 6 ? clientSetName(name, args) : undefined;
    if (clientName !== undefined) return this.setClientName(clientName);
    // Before routing: the slot is the prefixed key's (a hash tag in the prefix is honoured).
    if (this.prefix !== undefined) transform = applyPrefix(this.prefix, name, args, transform);
    if (commandChannel.hasSubscribers) {
      // Routed after start: the executor fills in the node of each attempt (database is always 0).
      const ctx = commandContext(undefined, name);
      ctx.protocol = this.shared.base.protocol;
      return traceCommand(ctx, (trace) => this.send(name, args, transform, trace));
    }
    return this.send(name, args, transform, undefined);
  }

  /** To the executor, under a withOptions() view's signal/timeout when there is one. */
  private send(
    name: string,
    args: unknown[],
    transform: ((reply: unknown) => unknown) | undefined,
    trace: CommandTraceContext | undefined,
  ): Promise<unknown> {
    const executor = this.shared.executor;
    const co = this.callOptions;
    if (co === undefined) return executor.send(name, args, { buffers: this.buffers, transform, trace });
    const handle: SendHandle = {};
    const options: SendOptions = { buffers: this.buffers, transform, trace, handle };
    return this.underView(co, name, () => executor.send(name, args, options), handle);
  }

  /**
   * `run` under a withOptions() view's signal and timeout: given up on, the command behind
   * `handle` is withdrawn if still unsent (abandon).
   */
  private underView<T>(
    co: CallOptions,
    name: string,
    run: () => Promise<T>,
    handle?: SendHandle,
  ): Promise<T> {
    return underOptions(
      co,
      name,
      run,
      undefined,
      handle === undefined ? undefined : (error) => abandon(handle, asError(error)),
    );
  }

  /**
   * CLIENT SETNAME names the shared connection of every node (a random node's alone would
   * label one connection of many), records it so each is named again after a reconnect, and
   * names the connections of nodes met later. Rejects with the first refusal.
   */
  private async setClientName(clientName: string): Promise<unknown> {
    const s = this.shared;
    if (s.topology.map === undefined) await this.connect();
    s.base.clientName = clientName === '' ? undefined : clientName;
    const nodes = [...s.topology.nodes.values()];
    const replies = await Promise.allSettled(
      nodes.map(async (n) => {
        const reply = await n.conn.send('CLIENT', ['SETNAME', clientName], { buffers: this.buffers });
        recordClientName(n.conn, clientName);
        return reply;
      }),
    );
    const failed = replies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return 'OK';
  }

  /** The protocol the node connections negotiated: a connection already up tells, else the first primary's handshake. */
  private async protocol(): Promise<2 | 3> {
    const t = this.shared.topology;
    for (const n of t.nodes.values()) if (n.conn.status === 'ready') return n.conn.hello.protocol;
    if (t.map === undefined) await this.connect();
    const first = (t.map as SlotMap).primaries()[0];
    if (first === undefined) throw new ClusterRoutingError('no primary serves any slot', {});
    const conn = t.node(first).conn;
    await conn.connect();
    return conn.hello.protocol;
  }

  private batchTarget(): BatchTarget {
    const executor = this.shared.executor;
    const order = new SlotOrder();
    return {
      buffers: this.buffers,
      // Pipelines always go to the server (their writes still drop the cached keys), as on a standalone client.
      // Retries keep the pipeline's per-slot issue order (see SlotOrder).
      send: (name, args, options) => executor.send(name, [...args], options, false, false, order),
      keyPrefix: this.prefix,
      callOptions: this.callOptions,
    };
  }
}

installClusterPubSub(RedisCluster.prototype);

/** The cluster client with string replies as bytes. */
export interface RedisClusterBuffers
  extends
    Omit<RedisCluster, keyof CommandSignatures<string> | keyof PubSubCommands<string>>,
    Promised<CommandSignatures<Uint8Array>>,
    PubSubCommands<Uint8Array> {}

/** A seed's port is checked here, as a client's own is, not first by a dial that fails. */
function seedAddress(node: ClusterNodeOptions): NodeAddress {
  if (!isPort(node?.port)) throw new DataError('each of nodes must have a port from 1 to 65535');
  return nodeAddress(node.host, node.port);
}
