/**
 * The subscription state of one connection to one server: which channels, patterns and shard
 * channels are wanted, by which sinks, and the messages they receive. It works the same on a
 * RESP3 connection shared with commands (messages arrive as pushes) and on a RESP2 connection
 * reserved for it (`routePubSub({ resp2: true })`), and knows nothing of clusters: a cluster keeps one per node
 * and moves shard channels between them through `onDropped`.
 *
 * Every (un)subscribe holds its connection FIFO slot until the server confirmed each name
 * (`confirmations`), so its promise settles exactly and a refusal (-NOPERM, -MOVED) rejects it
 * rather than a neighbouring command. After a reconnect the connection replays the whole state
 * through its `resubscribe` hook before any queued command.
 */
import type { Connection } from '../connection/connection.js';
import type { ReplayedCommand } from '../connection/connection.js';
import { AuthorizationError, ConnectionError, RedisError } from '../errors/index.js';
import type { PubSubKind, PubSubName } from './types.js';
import { kindOf, nameKey } from './values.js';
import { closedError } from '../errors/closed.js';

/** Receives the messages of the names it was added to. Values are as decoded (string or bytes). */
export interface Sink {
  deliver(kind: PubSubKind, channel: unknown, message: unknown, pattern: unknown): void;
  /**
   * The sink no longer receives `key` (removed by someone else, or the subscriber ended);
   * `error` when that was a failure the sink's reader must learn (not an unsubscribe or a close).
   */
  removed(kind: PubSubKind, key: string, error?: Error): void;
}

/** Names the server unsubscribed on its own (shard slot moved), with the sinks that wanted them. */
export interface Dropped {
  name: PubSubName;
  sinks: Sink[];
}

export interface SubscriberOptions {
  /**
   * The server dropped shard channels on its own (their slot moved). Default: subscribe them
   * again on the same connection. A cluster moves them to the slot's new owner instead.
   */
  onDropped?: (kind: PubSubKind, dropped: Dropped[]) => void;
  /**
   * How the shard channels of one connection are split into SSUBSCRIBE commands when the state
   * is replayed after a reconnect. Default: one command. A cluster server refuses an SSUBSCRIBE
   * naming channels of several slots, so a cluster groups them per slot.
   */
  shardGroups?: (names: PubSubName[]) => PubSubName[][];
}

interface Entry {
  readonly key: string;
  readonly name: PubSubName;
  readonly sinks: Set<Sink>;
  /** Settles with this entry's own SUBSCRIBE: confirmed, or refused / failed for good. */
  readonly ready: Promise<void>;
}

const COMMANDS: Record<PubSubKind, readonly [subscribe: string, unsubscribe: string]> = {
  channel: ['SUBSCRIBE', 'UNSUBSCRIBE'],
  pattern: ['PSUBSCRIBE', 'PUNSUBSCRIBE'],
  shard: ['SSUBSCRIBE', 'SUNSUBSCRIBE'],
};

const KINDS: readonly PubSubKind[] = ['channel', 'pattern', 'shard'];

/** Map key of a name: its UTF-8 text (the server's pushes may carry it as a string); see nameKey. */
const keyOf = (name: PubSubName): string => nameKey(name);

export class Subscriber {
  private readonly spaces: Record<PubSubKind, Map<string, Entry>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  /** Shard channels we are unsubscribing from ourselves: their confirmations are not drops. */
  private readonly leaving = new Map<string, number>();
  private ended: Error | undefined;
  private readonly onDropped: (kind: PubSubKind, dropped: Dropped[]) => void;
  private readonly shardGroups: ((names: PubSubName[]) => PubSubName[][]) | undefined;

  constructor(
    readonly connection: Connection,
    options: SubscriberOptions = {},
  ) {
    this.onDropped = options.onDropped ?? ((kind, dropped) => this.resubscribe(kind, dropped));
    this.shardGroups = options.shardGroups;
    // Payloads arrive as bytes (binary-safe); each listener gets strings or bytes as it asked.
    connection.routePubSub({ bytes: true, subscriptions: this.hook });
    connection.on('push', this.onPush);
    connection.on('end', this.onEnd);
  }

  /** Names currently wanted, as given by their first subscriber. */
  names(kind: PubSubKind): PubSubName[] {
    return [...this.spaces[kind].values()].map((e) => e.name);
  }

  /** Number of names wanted, all kinds together. */
  get size(): number {
    return this.spaces.channel.size + this.spaces.pattern.size + this.spaces.shard.size;
  }

  /**
   * Adds `sink` to every name and resolves once the server confirmed each. On failure the sink
   * is taken off all of them again (names it alone wanted are unsubscribed) and the error is thrown.
   */
  async add(kind: PubSubKind, names: readonly PubSubName[], sink: Sink): Promise<void> {
    if (this.ended !== undefined) throw this.ended;
    const space = this.spaces[kind];
    const fresh: Entry[] = [];
    const waits: Array<Promise<void>> = [];
    const byKey = new Map<string, PubSubName>();
    for (const name of names) byKey.set(keyOf(name), name);
    let ready: Promise<void> | undefined;
    if ([...byKey.keys()].some((k) => !space.has(k))) {
      const created = [...byKey].filter(([k]) => !space.has(k));
      ready = this.connection
        .send(
          COMMANDS[kind][0],
          created.map(([, n]) => n),
          { confirmations: created.length, safe: true },
        )
        .then(() => undefined);
      ready.catch(() => this.refused(kind, fresh));
      for (const [key, name] of created) {
        const entry: Entry = { key, name, sinks: new Set(), ready };
        space.set(key, entry);
        fresh.push(entry);
      }
    }
    for (const key of byKey.keys()) {
      const entry = space.get(key)!;
      entry.sinks.add(sink);
      if (entry.ready !== ready) waits.push(entry.ready);
    }
    if (ready !== undefined) waits.push(ready);
    try {
      await Promise.all(waits);
    } catch (e) {
      // Undoing a failed subscribe: the caller gets the original error `e`, rethrown below.
      await this.remove(kind, [...byKey.values()], (s) => s === sink).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Takes the sinks matching `which` (all when undefined) off `names` (all names of the kind when
   * undefined) and unsubscribes the names left without sinks. Resolves when the server confirmed;
   * a connection lost meanwhile counts as done (the server forgot them with it).
   */
  async remove(
    kind: PubSubKind,
    names: readonly PubSubName[] | undefined,
    which?: (sink: Sink) => boolean,
  ): Promise<void> {
    const space = this.spaces[kind];
    const keys = names === undefined ? [...space.keys()] : [...new Set(names.map(keyOf))];
    const emptied: Entry[] = [];
    for (const key of keys) {
      const entry = space.get(key);
      if (entry === undefined) continue;
      for (const sink of [...entry.sinks]) {
        if (which !== undefined && !which(sink)) continue;
        entry.sinks.delete(sink);
        sink.removed(kind, key);
      }
      if (entry.sinks.size === 0) {
        space.delete(key);
        emptied.push(entry);
      }
    }
    if (emptied.length === 0 || this.ended !== undefined) return;
    const shard = kind === 'shard';
    if (shard) for (const e of emptied) this.leaving.set(e.key, (this.leaving.get(e.key) ?? 0) + 1);
    try {
      await this.connection.send(
        COMMANDS[kind][1],
        emptied.map((e) => e.name),
        { confirmations: emptied.length, safe: true },
      );
    } catch (e) {
      if (shard) for (const entry of emptied) this.left(entry.key);
      if (!(e instanceof ConnectionError)) throw e;
    }
  }

  /**
   * Stops for good: waiters reject with `error`, sinks learn they receive nothing more (and, when
   * `failed`, that `error` ended them rather than a close).
   */
  end(error: Error = closedError(), failed = false): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    this.connection.off('push', this.onPush).off('end', this.onEnd);
    if (this.connection.subscriptions === this.hook)
      this.connection.routePubSub({ subscriptions: undefined });
    const reason = failed ? error : undefined;
    for (const kind of KINDS) {
      const space = this.spaces[kind];
      for (const entry of space.values())
        for (const sink of entry.sinks) sink.removed(kind, entry.key, reason);
      space.clear();
    }
  }

  // --- internals --------------------------------------------------------------

  private readonly hook = (): ReplayedCommand[] => this.state();

  /** What a fresh connection must send to restore every subscription. */
  private state(): ReplayedCommand[] {
    const out: ReplayedCommand[] = [];
    for (const kind of KINDS) {
      const space = this.spaces[kind];
      if (space.size === 0) continue;
      const names = [...space.values()].map((e) => e.name);
      const groups = kind === 'shard' && this.shardGroups !== undefined ? this.shardGroups(names) : [names];
      for (const args of groups) {
        if (args.length > 0)
          out.push({ name: COMMANDS[kind][0], args, refused: (e) => this.replayRefused(kind, args, e) });
      }
    }
    return out;
  }

  /**
   * The server refused a replayed (P|S)SUBSCRIBE. An ACL that now forbids one of its names
   * refuses the whole command, so the names are asked for one at a time: only those refused on
   * their own end (their subscriptions learn it), the others are restored. Other refusals
   * (-MOVED: the slot has another owner) end the names at once: replaying them on every
   * reconnect would only be refused again, and a cluster places them anew.
   */
  private replayRefused(kind: PubSubKind, names: readonly PubSubName[], error: Error): void {
    if (this.ended !== undefined) return;
    const space = this.spaces[kind];
    const entries = names.map((n) => space.get(keyOf(n))).filter((e): e is Entry => e !== undefined);
    if (entries.length <= 1 || !(error instanceof AuthorizationError)) {
      this.refused(kind, entries);
      return;
    }
    for (const entry of entries) {
      this.connection
        .send(COMMANDS[kind][0], [entry.name], { confirmations: 1, safe: true })
        // A lost socket replays the name with the rest; only a refusal of its own ends it.
        .catch((e: unknown) => {
          if (!(e instanceof ConnectionError)) this.refused(kind, [entry]);
        });
    }
  }

  /** Our SUBSCRIBE failed for good: its entries go, with every sink that joined them. */
  private refused(kind: PubSubKind, entries: readonly Entry[]): void {
    const space = this.spaces[kind];
    for (const entry of entries) {
      if (space.get(entry.key) !== entry) continue;
      space.delete(entry.key);
      for (const sink of entry.sinks) sink.removed(kind, entry.key);
    }
  }

  private left(key: string): boolean {
    const n = this.leaving.get(key);
    if (n === undefined) return false;
    if (n <= 1) this.leaving.delete(key);
    else this.leaving.set(key, n - 1);
    return true;
  }

  private resubscribe(kind: PubSubKind, dropped: readonly Dropped[]): void {
    for (const d of dropped)
      // Re-adding channels the server dropped runs in the background: there is no caller to report a failure to.
      for (const sink of d.sinks) this.add(kind, [d.name], sink).catch(() => undefined);
  }

  private readonly onEnd = (): void => this.end();

  private readonly onPush = (push: unknown[]): void => {
    switch (kindOf(push[0])) {
      case 'message':
        this.deliver('channel', push[1], push[1], push[2], undefined);
        break;
      case 'pmessage':
        this.deliver('pattern', push[1], push[2], push[3], push[1]);
        break;
      case 'smessage':
        this.deliver('shard', push[1], push[1], push[2], undefined);
        break;
      case 'sunsubscribe': {
        const key = keyOf(push[1] as PubSubName);
        if (this.left(key)) break;
        const entry = this.spaces.shard.get(key);
        if (entry === undefined) break;
        // The server let go of a channel we still want: its slot moved.
        this.spaces.shard.delete(key);
        this.onDropped('shard', [{ name: entry.name, sinks: [...entry.sinks] }]);
        break;
      }
      default:
    }
  };

  private deliver(
    kind: PubSubKind,
    name: unknown,
    channel: unknown,
    message: unknown,
    pattern: unknown,
  ): void {
    const entry = this.spaces[kind].get(keyOf(name as PubSubName));
    if (entry === undefined) return;
    for (const sink of entry.sinks) {
      try {
        sink.deliver(kind, channel, message, pattern);
      } catch (e) {
        // A listener's bug must not stop the others or the connection's reader: it surfaces
        // like an event listener's exception would.
        queueMicrotask(() => {
          throw e instanceof Error ? e : new RedisError(String(e));
        });
      }
    }
  }
}
