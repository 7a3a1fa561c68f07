/**
 * Running commands on a cluster: routing from the command table (one slot, a split per slot, a
 * fan-out by routing tips, any primary), the support check against one primary, and every attempt
 * under the redirection policy of ./redirect.ts.
 */
import { tracedAt, type CommandTraceContext } from '../diagnostics.js';
import type { ClientCache } from '../cache/index.js';
import { commandFlags } from '../shared/command-flags.js';
import type { BatchTarget } from '../shared/pipeline.js';
import { ServerSupport } from '../commands/support.js';
import { keyIndexes } from '../commands/keys.js';
import { byteString } from '../core/bytes.js';
import { lookupCommand } from '../commands/table.js';
import { partHandle, type BatchCommand, type SendOptions } from '../connection/connection.js';
import {
  type AskError,
  ClusterRoutingError,
  ConnectionError,
  ErrorCodes,
  MovedError,
  RedisError,
  TryAgainError,
} from '../errors/index.js';
import type { Retry } from '../retry.js';
import { mergeReplies } from './merge.js';
import { isForgedRedirect, keepAsIs, withRedirections, type Attempt, type RedirectHost } from './redirect.js';
import { mergeSplit, route, type Route } from './router.js';
import type { AddressResolver, NodeAddress, SlotMap } from './slot-map.js';
import type { TransactionHost } from './transaction.js';
import type { ReadFrom, Topology } from './topology.js';
import { closedError } from '../errors/closed.js';

const noop = (): void => undefined;
/**
 * A pipeline's commands in issue order (slot, settlement, name, arguments, write), in parallel
 * arrays. Only a retry (after MOVED, ASK, TRYAGAIN, CLUSTERDOWN, a node down) looks at them: it
 * waits until every earlier command of its slot has settled, so it never overtakes one still in
 * its own redirection loop (resent at once after ASK, a later SET ran before an earlier MSET in its
 * TRYAGAIN backoff, which then overwrote it, every result 'OK'). A first attempt only records its
 * place: a few array stores per command, no promise of its own.
 */
export class SlotOrder {
  readonly slots: number[] = [];
  readonly done: Array<Promise<unknown>> = [];
  readonly names: string[] = [];
  readonly args: Array<readonly unknown[]> = [];
  readonly writes: boolean[] = [];
}

/**
 * Before a retry of the command at `seq`: the earlier commands of its slot settle first. One held
 * by TRYAGAIN (a multi-key command during a migration) does not stop the later commands of its
 * node, so a later write of one of its keys may already have run: it then rejects with its
 * TRYAGAIN (as the standalone client's refused command does when overtaken) rather than
 * overwrite that write.
 */
async function afterEarlier(order: SlotOrder, seq: number, previous: unknown): Promise<void> {
  const slot = order.slots[seq] as number;
  const earlier: Array<Promise<unknown>> = [];
  for (let i = 0; i < seq; i++) if (order.slots[i] === slot) earlier.push(order.done[i] as Promise<unknown>);
  if (earlier.length > 0) await Promise.allSettled(earlier);
  if (!(previous instanceof TryAgainError)) return;
  const mine = new Set(keysOf(order.names[seq] as string, order.args[seq] as unknown[]));
  for (let j = seq + 1; j < order.slots.length; j++) {
    if (order.slots[j] !== slot || order.writes[j] !== true) continue;
    if (!keysOf(order.names[j] as string, order.args[j] as unknown[]).some((k) => mine.has(k))) continue;
    if (await ranAlready(order.done[j] as Promise<unknown>)) {
      keepAsIs.add(previous);
      throw previous;
    }
  }
}

/**
 * Whether `p` has already succeeded: a settled promise's reaction runs before a zero-delay timer.
 * Asked only on a retry after TRYAGAIN, so no command pays for a reaction of its own.
 */
function ranAlready(p: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 0);
    p.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

const utf8 = new TextEncoder();

/** The command's keys as bytes in latin1 (a key given as text or as its UTF-8 bytes is one key). */
function keysOf(name: string, args: readonly unknown[]): string[] {
  const spec = lookupCommand(name, args);
  if (spec === undefined) return [];
  return keyIndexes(spec, args as unknown[]).map((i) => {
    const k = args[i];
    return byteString(k instanceof Uint8Array ? k : utf8.encode(String(k)));
  });
}

const ASKING: BatchCommand = { name: 'ASKING', args: [] };

export class Executor implements RedirectHost, TransactionHost {
  /** What the servers support (CommandNotSupportedError), learnt from one primary on first need. */
  private supportFacts: ServerSupport | undefined;
  /** Pauses under way, cut short by close(). */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly topology: Topology,
    readonly maxRedirections: number,
    private readonly retry: Retry,
    private readonly readFrom: ReadFrom,
    private readonly connect: () => Promise<void>,
  ) {}

  get redirects(): RedirectHost {
    return this;
  }

  // --- RedirectHost -------------------------------------------------------------------------

  delay(failures: number): number {
    return this.retry.delay(failures);
  }

  resolver(from: NodeAddress): AddressResolver {
    return this.topology.resolver(from);
  }

  moved(slot: number, to: NodeAddress): void {
    this.topology.moved(slot, to);
  }

  refresh(reason?: string): Promise<void> {
    return this.topology.refresh(reason);
  }

  sleep(ms: number): Promise<void> {
    if (this.topology.closed) return Promise.reject(closedError());
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /**
   * A redirection from `from` the caller will not follow (a lent connection for `slot`): the map
   * learns from it all the same. False, and the map left alone, when no server sent it
   * (isForgedRedirect): the caller then gets the reply as is.
   */
  redirected(e: MovedError | AskError, from: NodeAddress, slot: number): boolean {
    const resolve = this.resolver(from);
    // A lent connection always has its key's slot: the keyless-script test does not apply.
    if (isForgedRedirect(e, slot, from, resolve, false)) return false;
    if (e instanceof MovedError && e.slot >= 0) this.moved(e.slot, resolve(e.host, e.port));
    return true;
  }

  /** Ends every pause (close()): the loops then find the client closed. */
  wake(): void {
    for (const done of [...this.sleepers]) done();
  }

  // --- TransactionHost ----------------------------------------------------------------------

  ready(): Promise<void> {
    return this.topology.map === undefined ? this.connect() : Promise.resolve();
  }

  primary(slot: number): NodeAddress {
    return this.topology.pick(slot, false);
  }

  target(node: NodeAddress, asking: boolean): BatchTarget {
    const conn = this.topology.node(node).conn;
    const cache = this.topology.cache;
    return {
      buffers: false,
      send: (name, args, options) => conn.send(name, args, options),
      sendBatch: (commands) => {
        // ASKING, MULTI, the commands and EXEC enter the node's queue as one block, whole or not at
        // all (Connection.sendBatch). Sent one by one, a queue bound (maxQueued, maxOfflineQueue)
        // or an argument over maxArgumentLength refused only the commands it hit while MULTI, the
        // rest and EXEC went out: the server ran part of the transaction, or the shared connection
        // was left inside MULTI, answering QUEUED to other callers' commands.
        const block = asking ? [ASKING, ...commands] : commands;
        const sent = conn.sendBatch(block);
        if (asking) (sent.shift() as Promise<unknown>).catch(noop);
        // Past the cache, yet this client's writes.
        cache?.wroteBlock(commands, sent);
        return sent;
      },
    };
  }

  // --- commands -------------------------------------------------------------------------------

  /**
   * The support facts, asked of the first primary; when it gives no answer within connectTimeout
   * (frozen, its socket open), of the other primaries in turn, so one node cannot hold the
   * commands of every shard.
   */
  support(): ServerSupport {
    if (this.supportFacts === undefined) {
      const t = this.topology;
      const primary = (t.map as SlotMap).primaries()[0];
      if (primary === undefined) throw new ClusterRoutingError('no primary serves any slot', {});
      this.supportFacts = new ServerSupport(t.node(primary).conn, {
        connections: () => (t.closed ? [] : (t.map?.primaries() ?? []).map((p) => t.node(p).conn)),
        limit: t.connectTimeout,
      });
    }
    return this.supportFacts;
  }

  /**
   * Routes and runs one command. `viaCache`: a read may be answered from (and fill) the
   * client-side cache; false for a pipeline's, which always go to the server (as on a standalone client).
   */
  send(
    name: string,
    args: unknown[],
    base: SendOptions,
    viaCache = true,
    supportChecked = false,
    order?: SlotOrder,
  ): Promise<unknown> {
    const t = this.topology;
    if (t.closed) return Promise.reject(closedError());
    if (t.map === undefined)
      return this.connect().then(() => this.send(name, args, base, viaCache, false, order));
    const flags = commandFlags(name, args);
    if (!supportChecked && (flags.gate !== undefined || this.supportFacts?.holding === true)) {
      // A command the servers may lack: decided once, against one primary (a cluster runs one version).
      // While that primary is asked (INFO under RESP2, MODULE LIST), every later command waits behind
      // the held one, as on a standalone client: sent at once, a SET issued after a held GETDEL of the
      // same key ran first, and the GETDEL returned (and deleted) the newer value.
      return this.support().run(flags.gate, () => this.send(name, args, base, viaCache, true, order));
    }
    // One literal of a fixed shape, not a spread of `base` plus three stores: in a W6 profile
    // (3 primaries, GET/SET, 100 in flight) those stores alone were ~10 % of the CPU per command.
    const options: SendOptions = {
      buffers: base.buffers,
      transform: base.transform,
      safe: flags.safe,
      readOnly: flags.readOnly,
      blocking: flags.blocking,
      confirmations: base.confirmations,
      trace: base.trace,
      handle: base.handle,
    };
    const spec = lookupCommand(name, args);
    let r: Route;
    try {
      r = route(spec, name, args);
    } catch (e) {
      return Promise.reject(e);
    }
    // flags.readOnly is the table's read-only flag of this spec (never set on a blocking call).
    const readOnly = flags.readOnly && this.readFrom !== 'primary';
    switch (r.kind) {
      case 'slot':
        return this.onSlot(name, args, options, r.slot, readOnly, viaCache, order);
      case 'any':
        return this.onSlot(name, args, options, -1, readOnly, viaCache);
      case 'split': {
        const { transform, ...raw } = options;
        return Promise.all(
          r.parts.map((p) => this.onSlot(name, p.args, ownHandle(raw), p.slot, readOnly, viaCache, order)),
        ).then((replies) => {
          const merged = mergeSplit(r.merge, r.parts, replies, r.total);
          return transform === undefined ? merged : transform(merged);
        });
      }
      case 'fanout':
        return this.fanout(name, args, options, r.nodes, r.response);
    }
  }

  /** Runs on the node serving `slot` (-1: any primary) under the redirection policy. */
  private onSlot(
    name: string,
    args: unknown[],
    options: SendOptions,
    slot: number,
    readOnly: boolean,
    viaCache: boolean,
    order?: SlotOrder,
  ): Promise<unknown> {
    const t = this.topology;
    let target = slot;
    // A pipeline's command takes its place in issue order (see SlotOrder); a blocking one neither
    // waits nor is waited for (a retried LPUSH must not wait for the BLPOP it wakes).
    const seq = order !== undefined && slot >= 0 && options.blocking !== true ? order.slots.length : -1;
    const attempt = (a: Attempt): Promise<unknown> => {
      // A keyless command that met MOVED names its slot: follow that slot from now on.
      if (target < 0 && a.previous instanceof MovedError) target = a.previous.slot;
      const fromReplica = readOnly && a.number === 0;
      const address = a.asking ?? t.pick(target, fromReplica);
      a.node = address;
      if (fromReplica && target >= 0) {
        const primary = t.pick(target, false);
        if (primary.key !== address.key) a.primary = primary;
      }
      tracedAt(options.trace as CommandTraceContext | undefined, address.host, address.port);
      const node = t.node(address);
      // A node known to be down (its connection is reconnecting) is not sent to: that would only
      // fail, and a write would fail as "outcome unknown". Refused here, it waits for the new map.
      if (node.conn.status === 'reconnecting' && a.number < this.maxRedirections)
        throw new ConnectionError(`${address.key} is down; not sent`, {
          code: ErrorCodes.CONNECTION_REFUSED,
        });
      const asking = a.asking !== undefined;
      // Client-side cache: a read may be answered from the node's tracked entries (never on an ASKING detour).
      if (viaCache && !options.blocking && node.tracker !== undefined && !asking)
        return (t.cache as ClientCache).send(node.tracker, name, args, options, target);
      // ASKING goes on the connection the command goes on, right before it, so nothing comes
      // between them on the wire, and never without it (sendAsking: a command given up on takes
      // its ASKING along, else ASKING let the next caller's command into the importing slot). A
      // blocking command runs on a dedicated connection: sent on the shared one, ASKING was spent
      // on some other command, the importing node answered the blocking one MOVED back to the
      // source, which answered ASK again, until the budget ran out.
      let sent: Promise<unknown>;
      if (options.blocking)
        sent = node.blocking.lease((conn) =>
          asking ? conn.sendAsking(name, args, options) : conn.send(name, args, options),
        );
      else sent = asking ? node.conn.sendAsking(name, args, options) : node.conn.send(name, args, options);
      // Past the cache (a pipeline, a blocking command's own connection, an ASKING detour), yet this
      // client's write: its invalidation may come after the reply, so its keys are dropped here too.
      t.cache?.afterWrite(name, args, sent);
      return sent;
    };
    if (seq < 0) return withRedirections(this, name, this.replayable(options), slot, attempt);
    const o = order as SlotOrder;
    o.slots.push(slot);
    o.names.push(name);
    o.args.push(args);
    o.writes.push(options.readOnly !== true);
    const done = withRedirections(this, name, this.replayable(options), slot, (a) =>
      a.number === 0 ? attempt(a) : afterEarlier(o, seq, a.previous).then(() => attempt(a)),
    );
    o.done.push(done);
    return done;
  }

  /** Sent again after a lost connection: read-only commands, idempotent ones only under replay: 'idempotent'. */
  private replayable(options: SendOptions): boolean {
    return options.readOnly === true || (options.safe === true && this.retry.replay === 'idempotent');
  }

  private async fanout(
    name: string,
    args: unknown[],
    options: SendOptions,
    which: 'all_shards' | 'all_nodes',
    policy: Parameters<typeof mergeReplies>[1],
  ): Promise<unknown> {
    const map = this.topology.map as SlotMap;
    const targets = which === 'all_shards' ? map.primaries() : map.nodes();
    if (targets.length === 0)
      throw new ClusterRoutingError(`no node to run ${name.toUpperCase()} on`, {
        command: name.toUpperCase(),
      });
    const { transform, ...raw } = options;
    // A shard's part goes under the redirection policy like any command: a reply proving it did
    // not run there (READONLY from a primary demoted by a failover the map has not seen, CLUSTERDOWN,
    // TRYAGAIN, LOADING, a node that could not be reached) refreshes the map and goes again to the
    // shard's current primary, found by one of its slots. Without this nothing refreshed the map
    // (no MOVED for a keyless command, no lost socket after CLUSTER FAILOVER), so FLUSHALL or
    // FUNCTION LOAD kept failing with READONLY until the next refreshInterval. All-nodes commands
    // stay on the node named (replicas included), tried once.
    const slots = which === 'all_shards' ? map.slotPerPrimary() : undefined;
    const replayable = this.replayable(options);
    const replies = await Promise.all(
      targets.map((first) => {
        const part = ownHandle(raw);
        const slot = slots?.get(first.key);
        // `slot` only finds the shard's primary again: the command has no key, so no slot of its
        // own for a MOVED / ASK to name (-1 below).
        const sent =
          slot === undefined
            ? this.topology.node(first).conn.send(name, args, part)
            : withRedirections(this, name, replayable, -1, (a) => {
                const address = a.number === 0 ? first : this.topology.pick(slot, false);
                a.node = address;
                return this.topology.node(address).conn.send(name, args, part);
              });
        // This client's FLUSHALL / FLUSHDB: the server's flush invalidation may come after the
        // reply (and on RESP2 over another socket), so the cache is emptied by its own bookkeeping.
        this.topology.cache?.afterWrite(name, args, sent);
        return sent.then(
          (v) => v,
          (e: unknown) => (e instanceof Error ? e : new RedisError(String(e))),
        );
      }),
    );
    const merged = mergeReplies(name.toUpperCase(), policy, replies);
    return transform === undefined ? merged : transform(merged);
  }
}

/**
 * A part's options: under a withOptions() signal or timeout, a handle of its own (partHandle),
 * so giving up withdraws every part still unwritten, not only the last one sent.
 */
function ownHandle(options: SendOptions): SendOptions {
  return options.handle === undefined ? options : { ...options, handle: partHandle(options.handle) };
}
