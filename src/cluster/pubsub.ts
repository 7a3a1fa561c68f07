/**
 * Pub/Sub on a cluster. Shard channels (SSUBSCRIBE) live on the primary that owns their slot,
 * one SSUBSCRIBE per slot; classic channels and patterns are broadcast cluster-wide, so they
 * live on one node. Each node's subscription state is a `Subscriber` (the standalone client's
 * building block) on that node's shared connection under RESP3, or on a dedicated connection
 * under RESP2 (a subscribed RESP2 connection refuses other commands).
 *
 * What callers want is kept here, apart from where it lives: a want (kind + name) has its sinks
 * and the node it is placed on. Each node has one relay sink that forwards the node's messages
 * to the wants placed there and drops the rest, so a channel briefly subscribed on two nodes
 * during a move is never delivered twice. Wants move when:
 * - the server drops a shard channel (`sunsubscribe` push: its slot migrated or failed over),
 * - the node's connection ends, or stays down (then the slot map is polled until it names
 *   another owner: kill -9 of a primary, then failover),
 * - a slot-map refresh names another owner (or, for classic channels, no longer lists the node),
 * - SSUBSCRIBE is answered with MOVED (map updated, retried within `maxRedirections`).
 * Delivery is at most once, as Pub/Sub itself: messages published while a subscription moves
 * may be lost.
 */
import type { ResolvedOptions } from '../shared/options.js';
import { Connection } from '../connection/connection.js';
import { keySlot } from '../core/slots.js';
import {
  ClusterError,
  ClusterRoutingError,
  ConnectionError,
  DataError,
  ErrorCodes,
  MovedError,
  RedisError,
} from '../errors/index.js';
import { SUBSCRIBE, nameList } from '../pubsub/pubsub.js';
import { subscribeUnder } from '../pubsub/view.js';
import type { CallOptions } from '../shared/call-options.js';
import { Subscriber, type Dropped, type Sink } from '../pubsub/subscriber.js';
import { Subscription } from '../pubsub/subscription.js';
import type {
  MessageListener,
  PatternListener,
  PubSubKind,
  PubSubName,
  SubscribeOptions,
} from '../pubsub/types.js';
import { nameKey } from '../pubsub/values.js';
import { budgetSpent, classify, type RedirectHost } from './redirect.js';
import { SingleFlight } from './single-flight.js';
import type { NodeAddress, SlotMap } from './slot-map.js';
import { closedError } from '../errors/closed.js';

/** What the cluster client lends its Pub/Sub. */
export interface ClusterPubSubHost {
  readonly options: ResolvedOptions;
  /** The cluster's redirection policy (budget, address resolution, slot updates). */
  readonly redirects: RedirectHost;
  /** The slot map, once loaded. */
  map(): SlotMap | undefined;
  /** Loads the slot map if it is not yet. */
  connect(): Promise<void>;
  /** Re-reads the slot map (single-flight). */
  refresh(): Promise<void>;
  /** The node's shared command connection, made on first use. */
  connection(address: NodeAddress): Connection;
  /** The protocol the nodes' shared connections speak (after their handshake). */
  protocol(): Promise<2 | 3>;
  /** Background failures, for the client's `error` event. */
  error(error: Error): void;
}

interface Want {
  readonly kind: PubSubKind;
  readonly key: string;
  readonly name: PubSubName;
  /** The slot of a shard channel; -1 for channels and patterns. */
  readonly slot: number;
  readonly sinks: Set<Sink>;
  /** The node it is placed (or being placed) on; its relay delivers only from there. */
  node: string | undefined;
  /** The node confirmed the subscription and has not dropped it since. */
  confirmed: boolean;
  /** The placement under way, if any. */
  placing: Promise<void> | undefined;
  /**
   * A node that dropped this shard channel (`sunsubscribe`): it no longer owns the slot, so a map
   * still naming it is stale. Without this a stale map would send the channel back there — and
   * a former primary, now a replica, accepts SSUBSCRIBE for its primary's slots.
   */
  avoid: string | undefined;
}

/** One node's subscription state and what is known of its connection. */
interface NodeSub {
  readonly address: NodeAddress;
  readonly subscriber: Subscriber;
  readonly relay: Sink;
  /** A connection of our own (RESP2), closed with the node. */
  readonly dedicated: boolean;
  /** The socket went away and has not been re-established. */
  down: boolean;
  ended: boolean;
  detach(): void;
}

const KINDS: readonly PubSubKind[] = ['channel', 'pattern', 'shard'];
const noop = (): void => undefined;

export class ClusterPubSub {
  private readonly wants: Record<PubSubKind, Map<string, Want>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  private readonly nodes = new Map<string, NodeSub>();
  /** Where channels and patterns live (any node receives every PUBLISH). */
  private broadcast: NodeAddress | undefined;
  /** Reconciliation rounds, one at a time; the flag asks for a slot-map refresh first (any caller's wins). */
  private readonly reconciler = new SingleFlight<boolean>(
    async (refresh) => {
      if (refresh) await this.host.refresh().catch(noop);
      await this.placeMisplaced();
    },
    (a, b) => a || b,
    () => this.closed,
  );
  private watching = false;
  /** Pauses under way, cut short by close(). */
  private readonly sleepers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  private closed = false;

  constructor(private readonly host: ClusterPubSubHost) {}

  /** Subscribes `listener` (or an iterator when none) to `names`; resolves once every name's node confirmed. */
  async subscribe<M>(
    kind: PubSubKind,
    names: PubSubName | readonly PubSubName[],
    listener: MessageListener<M> | PatternListener<M> | undefined,
    bytes: boolean,
    options: SubscribeOptions = {},
    view?: CallOptions,
  ): Promise<Subscription<M>> {
    const list = nameList(names, kind);
    if (listener !== undefined && typeof listener !== 'function')
      throw new DataError('listener must be a function');
    if (this.closed) throw closedError();
    return subscribeUnder<M>(view, SUBSCRIBE[kind], (hold) =>
      this.start(kind, list, listener, bytes, options, hold),
    );
  }

  /** subscribe() once its arguments are checked; `hold` as in subscribeUnder(). */
  private async start<M>(
    kind: PubSubKind,
    list: PubSubName[],
    listener: MessageListener<M> | PatternListener<M> | undefined,
    bytes: boolean,
    options: SubscribeOptions,
    hold: (sub: Subscription<M>) => boolean,
  ): Promise<Subscription<M>> {
    await this.host.connect();
    if (this.closed) throw closedError();
    const shape = { bytes, buffer: this.host.options.binary === 'buffer' };
    const sub = new Subscription<M>(kind, list, listener, shape, options, (sink) =>
      this.remove(kind, list, (s) => s === sink),
    );
    if (!hold(sub)) return sub;
    const waits: Array<Promise<void>> = [];
    const fresh = new Set<Want>();
    const space = this.wants[kind];
    for (const name of list) {
      const key = nameKey(name);
      let want = space.get(key);
      if (want === undefined) {
        want = {
          kind,
          key,
          name,
          slot: kind === 'shard' ? keySlot(name) : -1,
          sinks: new Set(),
          node: undefined,
          confirmed: false,
          placing: undefined,
          avoid: undefined,
        };
        space.set(key, want);
      }
      want.sinks.add(sub.sink);
      if (want.placing !== undefined) waits.push(want.placing);
      else if (!want.confirmed) fresh.add(want);
    }
    waits.push(...this.place(fresh));
    try {
      await Promise.all(waits);
    } catch (e) {
      await this.remove(kind, list, (s) => s === sub.sink).catch(noop);
      throw e;
    }
    return sub;
  }

  /**
   * Removes the sinks matching `which` (all when undefined) from `names` (every name of the kind
   * when undefined); names left without sinks are unsubscribed on their node.
   */
  async remove(
    kind: PubSubKind,
    names: readonly PubSubName[] | undefined,
    which?: (sink: Sink) => boolean,
  ): Promise<void> {
    const space = this.wants[kind];
    const keys = names === undefined ? [...space.keys()] : [...new Set(names.map(nameKey))];
    const leaving = new Map<string, { node: string; names: PubSubName[] }>();
    for (const key of keys) {
      const want = space.get(key);
      if (want === undefined) continue;
      for (const sink of [...want.sinks]) {
        if (which !== undefined && !which(sink)) continue;
        want.sinks.delete(sink);
        sink.removed(kind, key);
      }
      // A want being placed is cleaned up when its placement settles.
      if (want.sinks.size > 0 || want.placing !== undefined) continue;
      space.delete(key);
      if (want.node === undefined) continue;
      // One command per node and slot: a cluster refuses SUNSUBSCRIBE across slots.
      const group = `${want.node}|${want.slot}`;
      let g = leaving.get(group);
      if (g === undefined) leaving.set(group, (g = { node: want.node, names: [] }));
      g.names.push(want.name);
    }
    await Promise.all([...leaving.values()].map((g) => this.leave(g.node, kind, g.names)));
  }

  /** Called by the cluster after each slot-map load: moves what the new map places elsewhere. */
  refreshed(): void {
    if (!this.closed && this.size > 0) this.reconcile(false).catch(noop);
  }

  /** Ends every subscription and closes the dedicated connections (gracefully unless `graceful` is false). */
  async close(graceful = true): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.resolve();
    }
    this.sleepers.clear();
    for (const kind of KINDS) {
      const space = this.wants[kind];
      for (const want of space.values()) for (const sink of want.sinks) sink.removed(kind, want.key);
      space.clear();
    }
    const closing: Array<Promise<void>> = [];
    for (const ns of this.nodes.values()) {
      ns.detach();
      ns.subscriber.end();
      if (!ns.dedicated) continue;
      if (graceful) closing.push(ns.subscriber.connection.close().catch(noop));
      else ns.subscriber.connection.disconnect();
    }
    this.nodes.clear();
    await Promise.all(closing);
  }

  /** The connections subscriptions live on (a node's own under RESP2, its shared one under RESP3). */
  connections(): Connection[] {
    return [...this.nodes.values()].map((ns) => ns.subscriber.connection);
  }

  /** Names wanted, all kinds together. */
  get size(): number {
    return this.wants.channel.size + this.wants.pattern.size + this.wants.shard.size;
  }

  // --- placement ----------------------------------------------------------------------------------

  /** Places wants in groups (one per kind and slot); each want's `placing` is its group's promise. */
  private place(wants: Iterable<Want>): Array<Promise<void>> {
    const groups = new Map<string, Want[]>();
    for (const w of wants) {
      if (w.placing !== undefined) continue;
      const id = `${w.kind}|${w.slot}`;
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = []));
      g.push(w);
    }
    const out: Array<Promise<void>> = [];
    for (const group of groups.values()) {
      const first = group[0] as Want;
      const p: Promise<void> = this.placeGroup(first.kind, first.slot, group).then(
        () => this.settle(group, p, undefined),
        (e: unknown) => this.settle(group, p, e),
      );
      for (const w of group) w.placing = p;
      out.push(p);
    }
    return out;
  }

  /** Subscribes a group on its node: the slot's owner, or the broadcast node; redirections within the budget. */
  private async placeGroup(kind: PubSubKind, slot: number, group: readonly Want[]): Promise<void> {
    const max = this.host.redirects.maxRedirections;
    let last: unknown;
    for (let attempt = 0; attempt <= max; attempt++) {
      if (this.closed) throw closedError();
      const live = group.filter((w) => this.isWanted(w));
      if (live.length === 0) return;
      const map = this.host.map();
      const address =
        map === undefined
          ? undefined
          : kind === 'shard'
            ? map.shardOf(slot)?.primary
            : this.broadcastNode(map);
      try {
        if (address === undefined)
          throw new ClusterRoutingError(
            kind === 'shard' ? `slot ${slot} is not served by any node` : 'no node to subscribe on',
            {},
          );
        if (attempt < max && live.some((w) => w.avoid === address.key)) {
          // The map is older than the node's own word: read it again.
          last = new ClusterError(`slot ${slot} still mapped to a node that gave it up`, {
            command: 'SSUBSCRIBE',
          });
          await this.pause(attempt + 1);
          await this.host.refresh().catch(noop);
          continue;
        }
        const ns = await this.nodeSub(address);
        for (const w of live) {
          const prev = w.node;
          // Switch first: the relay of the previous node stops delivering, and its removal below is not taken for a loss.
          w.node = address.key;
          w.confirmed = false;
          if (prev !== undefined && prev !== address.key) this.leave(prev, kind, [w.name]).catch(noop);
        }
        await ns.subscriber.add(
          kind,
          live.map((w) => w.name),
          ns.relay,
        );
        for (const w of live) {
          if (w.node !== address.key) continue;
          w.confirmed = true;
          w.avoid = undefined;
        }
        return;
      } catch (e) {
        last = e;
        // A subscription may be placed twice harmlessly: it is always "safe" to repeat.
        const action = classify(
          e,
          true,
          address === undefined
            ? this.host.redirects.resolver({ host: '', port: 0, key: '' })
            : this.host.redirects.resolver(address),
        );
        switch (action.kind) {
          case 'follow':
            if (action.slot >= 0) this.host.redirects.moved(action.slot, action.to);
            else this.host.refresh().catch(noop);
            break;
          case 'ask':
          case 'wait':
            // A slot in migration: the channel lives on the source until the slot is handed over.
            await this.pause(attempt + 1);
            break;
          case 'refresh':
            await this.pause(attempt + 1);
            await this.host.refresh().catch(noop);
            break;
          case 'fail':
            throw e;
        }
      }
    }
    const command = kind === 'shard' ? 'SSUBSCRIBE' : kind === 'pattern' ? 'PSUBSCRIBE' : 'SUBSCRIBE';
    throw budgetSpent(command, max, last);
  }

  /** A placement ended: refused wants are dropped, abandoned ones forgotten, the rest watched. */
  private settle(group: readonly Want[], p: Promise<void>, error: unknown): void {
    for (const w of group) if (w.placing === p) w.placing = undefined;
    if (error !== undefined && !isRetryable(error)) {
      // Refused for good (e.g. -NOPERM): like the standalone client, the subscriptions end.
      for (const w of group) {
        for (const sink of w.sinks) sink.removed(w.kind, w.key);
        w.sinks.clear();
      }
    }
    for (const w of group) if (w.placing === undefined && w.sinks.size === 0) this.forget(w);
    if (error === undefined) return;
    if (group.some((w) => w.sinks.size > 0)) this.watch();
    throw error;
  }

  /** A want nobody listens to any more leaves the books and its node. */
  private forget(w: Want): void {
    const space = this.wants[w.kind];
    if (space.get(w.key) !== w) return;
    space.delete(w.key);
    if (w.node !== undefined) this.leave(w.node, w.kind, [w.name]).catch(noop);
  }

  private isWanted(w: Want): boolean {
    return w.sinks.size > 0 && this.wants[w.kind].get(w.key) === w;
  }

  /**
   * Unsubscribes `names` on a node (a connection lost meanwhile counts as done, and so does
   * -MOVED: the node no longer serves the slot, and dropped its channels when the slot left).
   */
  private leave(nodeKey: string, kind: PubSubKind, names: readonly PubSubName[]): Promise<void> {
    const ns = this.nodes.get(nodeKey);
    if (ns === undefined || ns.ended) return Promise.resolve();
    return ns.subscriber
      .remove(kind, names, (s) => s === ns.relay)
      .catch((e: unknown) => {
        if (!(e instanceof MovedError)) throw e;
      });
  }

  /** The node channels and patterns live on: kept while the map lists it and it is up, else a random live primary. */
  private broadcastNode(map: SlotMap): NodeAddress | undefined {
    const b = this.broadcast;
    if (b !== undefined && this.nodes.get(b.key)?.down !== true && map.nodes().some((n) => n.key === b.key))
      return b;
    const primaries = map.primaries();
    const up = primaries.filter((p) => p.key !== b?.key && this.nodes.get(p.key)?.down !== true);
    const pool = up.length > 0 ? up : primaries;
    this.broadcast = pool.length === 0 ? undefined : pool[Math.floor(Math.random() * pool.length)];
    return this.broadcast;
  }

  // --- keeping wants where they belong ----------------------------------------------------------------

  /** Re-places every want the map (or a lost node) says is misplaced. Single-flight; calls meanwhile fold into one more round. */
  private reconcile(refreshFirst: boolean): Promise<void> {
    return this.reconciler.run(refreshFirst);
  }

  private async placeMisplaced(): Promise<void> {
    const map = this.host.map();
    if (map === undefined || this.closed) return;
    const known = new Set(map.nodes().map((n) => n.key));
    for (const ns of [...this.nodes.values()]) if (!known.has(ns.address.key)) this.discard(ns);
    const misplaced: Want[] = [];
    for (const kind of KINDS) {
      for (const w of this.wants[kind].values()) {
        if (w.placing !== undefined || w.sinks.size === 0) continue;
        const target = kind === 'shard' ? map.shardOf(w.slot)?.primary.key : this.broadcastNode(map)?.key;
        if (!w.confirmed || w.node !== target) misplaced.push(w);
      }
    }
    const results = await Promise.allSettled(this.place(misplaced));
    for (const r of results) {
      if (r.status === 'rejected')
        this.host.error(r.reason instanceof Error ? r.reason : new RedisError(String(r.reason)));
    }
  }

  /** Every want confirmed on a node whose connection is up. */
  private healthy(): boolean {
    for (const kind of KINDS) {
      for (const w of this.wants[kind].values()) {
        if (w.sinks.size === 0) continue;
        if (!w.confirmed || w.node === undefined) return false;
        const ns = this.nodes.get(w.node);
        if (ns === undefined || ns.down || ns.ended) return false;
      }
    }
    return true;
  }

  /**
   * Reconciles now, then polls the slot map (refresh, backoff capped at 1 s) for as long as some
   * want is unplaced or sits on a node that is down: nothing else refreshes the map while a
   * dead primary waits for its failover, when no command is failing over it.
   */
  private watch(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    const run = async (): Promise<void> => {
      for (let n = 0; !this.closed; n++) {
        if (n > 0) await this.pause(n);
        if (this.closed) break;
        await this.reconcile(true).catch(noop);
        if (this.healthy()) break;
      }
    };
    // run() catches what each round throws (reconcile(...).catch(noop)); nothing to await here.
    void run().finally(() => {
      this.watching = false;
    });
  }

  /** A backoff pause that close() cuts short. */
  private pause(failures: number): Promise<void> {
    const ms = Math.min(1000, Math.max(20, this.host.options.retry.delay(failures)));
    return new Promise((resolve) => {
      if (this.closed) {
        resolve();
        return;
      }
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  // --- nodes -------------------------------------------------------------------------------------

  private mode: Promise<'shared' | 'dedicated'> | undefined;

  /** RESP3: subscriptions share the node's command connection (messages are pushes); RESP2: a connection of their own. */
  private chooseMode(): Promise<'shared' | 'dedicated'> {
    this.mode ??= (async (): Promise<'shared' | 'dedicated'> => {
      if (this.host.options.protocol !== 3) return 'dedicated';
      return (await this.host.protocol()) === 3 ? 'shared' : 'dedicated';
    })().catch((e: unknown) => {
      this.mode = undefined;
      throw e;
    });
    return this.mode;
  }

  /** The node's subscription state, made (or remade after its connection ended) on demand. */
  private async nodeSub(address: NodeAddress): Promise<NodeSub> {
    const mode = await this.chooseMode();
    if (this.closed) throw closedError();
    const existing = this.nodes.get(address.key);
    if (existing !== undefined) {
      const conn = existing.subscriber.connection;
      const current = existing.dedicated || conn === this.host.connection(address);
      if (current && !existing.ended && conn.status !== 'closed' && conn.status !== 'closing')
        return existing;
      this.discard(existing);
    }
    let made = this.creating.get(address.key);
    if (made === undefined) {
      made = this.createNodeSub(address, mode).finally(() => this.creating.delete(address.key));
      this.creating.set(address.key, made);
    }
    return made;
  }

  private readonly creating = new Map<string, Promise<NodeSub>>();

  private async createNodeSub(address: NodeAddress, mode: 'shared' | 'dedicated'): Promise<NodeSub> {
    let conn: Connection;
    if (mode === 'shared') conn = this.host.connection(address);
    else {
      conn = new Connection({
        ...this.host.options,
        host: address.host,
        port: address.port,
        path: undefined,
      });
      conn.routePubSub({ resp2: true });
    }
    // Up before the state is attached: a handshake replays the state, and an SSUBSCRIBE queued
    // behind it would go out twice.
    try {
      await conn.connect();
      if (this.closed) throw closedError();
    } catch (e) {
      if (mode === 'dedicated') conn.disconnect();
      throw e;
    }
    const ns = this.attach(address, conn, mode === 'dedicated');
    this.nodes.set(address.key, ns);
    return ns;
  }

  private attach(address: NodeAddress, conn: Connection, dedicated: boolean): NodeSub {
    const key = address.key;
    const relay: Sink = {
      deliver: (kind, channel, message, pattern) => {
        const want = this.wants[kind].get(nameKey(kind === 'pattern' ? pattern : channel));
        if (want === undefined || want.node !== key) return;
        for (const sink of want.sinks) {
          try {
            sink.deliver(kind, channel, message, pattern);
          } catch (e) {
            // One listener's bug must not starve the others; it surfaces like an event listener's would.
            queueMicrotask(() => {
              throw e instanceof Error ? e : new RedisError(String(e));
            });
          }
        }
      },
      removed: (kind, name) => {
        // The node let go of it (its connection ended): place it again.
        const want = this.wants[kind].get(name);
        if (want === undefined || want.node !== key || !want.confirmed) return;
        want.confirmed = false;
        this.watch();
      },
    };
    const subscriber = new Subscriber(conn, {
      onDropped: (kind, dropped) => this.dropped(key, kind, dropped),
      shardGroups: groupBySlot,
    });
    const onClose = (cause: Error | undefined): void => {
      ns.down = true;
      if (!this.hosts(key)) return;
      // Restored (on this node or another) by the watch, but what is published meanwhile is missed:
      // silent, that gap could not be told from a quiet channel (the cluster has no per-node close event).
      this.host.error(
        new ConnectionError(
          `The Pub/Sub connection to ${key} was lost: messages published until its subscriptions are restored are missed`,
          { cause, code: ErrorCodes.CONNECTION_LOST },
        ),
      );
      this.watch();
    };
    const onReady = (): void => {
      ns.down = false;
    };
    const onEnd = (): void => {
      ns.ended = true;
      ns.detach();
      if (this.nodes.get(key) === ns) this.nodes.delete(key);
    };
    const onError = (e: Error): void => {
      // A replayed SSUBSCRIBE refused after a reconnect: the node no longer owns that slot.
      if (e instanceof MovedError) this.unconfirm(key, e.slot);
      if (dedicated) this.host.error(e);
    };
    conn.on('close', onClose).on('ready', onReady).on('end', onEnd).on('error', onError);
    const ns: NodeSub = {
      address,
      subscriber,
      relay,
      dedicated,
      down: false,
      ended: false,
      detach: () => {
        conn.off('close', onClose).off('ready', onReady).off('end', onEnd).off('error', onError);
      },
    };
    return ns;
  }

  /** Stops using a node: its state ends (confirmed wants there lose their confirmation), a dedicated connection closes. */
  private discard(ns: NodeSub): void {
    if (this.nodes.get(ns.address.key) === ns) this.nodes.delete(ns.address.key);
    ns.detach();
    ns.ended = true;
    ns.subscriber.end();
    if (ns.dedicated) ns.subscriber.connection.close().catch(noop);
  }

  /** The server unsubscribed shard channels on its own: their slot has another owner now. */
  private dropped(nodeKey: string, kind: PubSubKind, dropped: readonly Dropped[]): void {
    for (const d of dropped) {
      const want = this.wants[kind].get(nameKey(d.name));
      if (want === undefined || want.node !== nodeKey) continue;
      want.confirmed = false;
      want.avoid = nodeKey;
    }
    this.watch();
  }

  private unconfirm(nodeKey: string, slot: number): void {
    for (const w of this.wants.shard.values()) if (w.node === nodeKey && w.slot === slot) w.confirmed = false;
    this.watch();
  }

  /** Whether confirmed wants sit on the node. */
  private hosts(nodeKey: string): boolean {
    for (const kind of KINDS)
      for (const w of this.wants[kind].values()) if (w.node === nodeKey && w.confirmed) return true;
    return false;
  }
}

/** Shard channels per slot, for replaying SSUBSCRIBE after a reconnect. */
function groupBySlot(names: PubSubName[]): PubSubName[][] {
  const bySlot = new Map<number, PubSubName[]>();
  for (const n of names) {
    const slot = keySlot(n);
    const g = bySlot.get(slot);
    if (g === undefined) bySlot.set(slot, [n]);
    else g.push(n);
  }
  return [...bySlot.values()];
}

/** Errors after which a placement is tried again later rather than given up. */
function isRetryable(e: unknown): boolean {
  return e instanceof ClusterError || e instanceof ConnectionError || e instanceof ClusterRoutingError;
}
