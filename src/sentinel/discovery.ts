/**
 * Asking sentinels where a service lives: the primary's address (SENTINEL
 * GET-MASTER-ADDR-BY-NAME) and the usable replicas (SENTINEL REPLICAS, minus those marked down
 * or disconnected). Sentinels are tried in order; the one that answered moves to the front, so
 * the next lookup asks it first.
 */
import { Redis } from '../client/redis.js';
import type { RedisOptions } from '../shared/options.js';
import {
  ConnectionError,
  ErrorCodes,
  PrimaryNotFoundError,
  ReplicaNotFoundError,
  ResponseError,
} from '../errors/index.js';
import { Retry } from '../retry.js';

/** A server address. */
export interface NodeAddress {
  /** Host name or IP address. */
  host: string;
  /** Port. */
  port: number;
}

/** Flags that make a replica unusable (redis-py, ioredis and node-redis skip the same). */
const UNUSABLE = ['s_down', 'o_down', 'disconnected'];

export class Discovery {
  private readonly order: NodeAddress[];
  private readonly clients = new Map<string, Redis>();
  private closed = false;

  constructor(
    readonly name: string,
    sentinels: readonly NodeAddress[],
    /** Options of the connections to the sentinels themselves. */
    private readonly sentinelOptions: RedisOptions,
    /** Called with every sentinel client when it is created (to watch its events). */
    private readonly onClient: (client: Redis, address: NodeAddress) => void = () => undefined,
  ) {
    this.order = sentinels.map((s) => ({ host: s.host, port: s.port }));
  }

  /** The sentinels, in the order they will be asked. */
  get sentinels(): readonly NodeAddress[] {
    return this.order;
  }

  /** The client talking to one sentinel (created on first use, kept for watching). */
  client(address: NodeAddress): Redis {
    const key = `${address.host}:${address.port}`;
    let c = this.clients.get(key);
    if (c === undefined) {
      c = new Redis({
        ...this.sentinelOptions,
        host: address.host,
        port: address.port,
        lazyConnect: true,
        // A sentinel that does not answer is skipped, not waited for.
        retry: new Retry({ retries: 0 }),
        commandTimeout: this.sentinelOptions.commandTimeout ?? this.sentinelOptions.connectTimeout ?? 10_000,
      });
      this.clients.set(key, c);
      this.onClient(c, address);
    }
    return c;
  }

  /** Every sentinel client created so far. */
  get created(): Redis[] {
    return [...this.clients.values()];
  }

  /**
   * The primary's address as the first answering sentinel names it. With `accept`, an address it
   * refuses (false, or a throw: the named node is a replica, or does not answer) sends the lookup
   * on to the next sentinel: a stale or partitioned sentinel keeps naming the old primary, and,
   * having answered, it would otherwise stay first in line and be believed at every reconnect.
   * Each address is checked once per lookup; the error then names the last refusal.
   */
  async primary(accept?: (address: NodeAddress) => Promise<boolean>): Promise<NodeAddress> {
    let cause: unknown;
    let unknownName = 0;
    let refused: NodeAddress | undefined;
    const checked = new Map<string, Promise<boolean>>();
    for (const sentinel of [...this.order]) {
      let addr: NodeAddress | undefined;
      try {
        const reply = await this.ask(sentinel, ['GET-MASTER-ADDR-BY-NAME', this.name]);
        addr = readAddress(reply);
      } catch (e) {
        cause = e;
        continue;
      }
      if (addr === undefined) {
        unknownName++;
        continue;
      }
      if (accept !== undefined) {
        const key = `${addr.host}:${addr.port}`;
        let verdict = checked.get(key);
        if (verdict === undefined) {
          verdict = accept(addr);
          checked.set(key, verdict);
        }
        let ok = false;
        try {
          ok = await verdict;
        } catch (e) {
          cause = e;
        }
        if (!ok) {
          refused = addr;
          continue;
        }
      }
      this.promote(sentinel);
      return addr;
    }
    if (refused !== undefined)
      throw new PrimaryNotFoundError(
        `${refused.host}:${refused.port}, named primary of "${this.name}", is not a primary (yet)`,
        cause === undefined ? undefined : { cause },
      );
    const why =
      unknownName > 0
        ? `${unknownName} of ${this.order.length} sentinels do not know it`
        : `no sentinel answered`;
    throw new PrimaryNotFoundError(
      `No primary found for "${this.name}": ${why}`,
      cause === undefined ? undefined : { cause },
    );
  }

  /**
   * Usable replicas as the first sentinel that knows some lists them. With `choose`, a list from
   * which it picks none (each listed node is not a replica, or does not answer: a stale sentinel)
   * sends the lookup on to the next sentinel; the chosen one is returned alone.
   */
  async replicas(
    choose?: (listed: NodeAddress[]) => Promise<NodeAddress | undefined>,
  ): Promise<NodeAddress[]> {
    let cause: unknown;
    let answered = 0;
    for (const sentinel of [...this.order]) {
      try {
        const reply = await this.ask(sentinel, ['REPLICAS', this.name]).catch(async (e: unknown) => {
          // Before Redis 5 the command was called SLAVES.
          if (e instanceof ResponseError && /unknown subcommand/i.test(e.message))
            return this.ask(sentinel, ['SLAVES', this.name]);
          throw e;
        });
        answered++;
        const usable = usableReplicas(reply);
        if (usable.length > 0) {
          if (choose !== undefined) {
            const chosen = await choose(usable);
            if (chosen === undefined) continue;
            this.promote(sentinel);
            return [chosen];
          }
          this.promote(sentinel);
          return usable;
        }
      } catch (e) {
        cause = e;
      }
    }
    const why = answered > 0 ? `${answered} sentinels list none that is up` : 'no sentinel answered';
    throw new ReplicaNotFoundError(
      `No usable replica for "${this.name}": ${why}`,
      cause === undefined ? undefined : { cause },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.created.map((c) => c.close()));
  }

  disconnect(): void {
    this.closed = true;
    for (const c of this.created) c.disconnect();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private ask(sentinel: NodeAddress, args: unknown[]): Promise<unknown> {
    // A lookup under way when close()/disconnect() dropped its sentinel's connection goes on to
    // the next sentinel: asking it would open a connection nobody closes (the process would not exit).
    if (this.closed)
      return Promise.reject(
        new ConnectionError('Sentinel is closed', { code: ErrorCodes.CONNECTION_CLOSED }),
      );
    return this.client(sentinel).call('SENTINEL', ...args);
  }

  private promote(sentinel: NodeAddress): void {
    const i = this.order.indexOf(sentinel);
    if (i > 0) {
      this.order.splice(i, 1);
      this.order.unshift(sentinel);
    }
  }
}

/** `[ip, port]` from GET-MASTER-ADDR-BY-NAME; undefined when the sentinel does not know the name. */
export function readAddress(reply: unknown): NodeAddress | undefined {
  if (!Array.isArray(reply) || reply.length < 2) return undefined;
  const port = Number(text(reply[1]));
  const host = text(reply[0]);
  // An empty host is no address: Node would dial localhost, whatever listens there.
  if (host === '' || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { host, port };
}

/** SENTINEL REPLICAS entries (flat arrays under RESP2, maps under RESP3) that are up. */
export function usableReplicas(reply: unknown): NodeAddress[] {
  if (!Array.isArray(reply)) return [];
  const out: NodeAddress[] = [];
  for (const entry of reply) {
    const f = replyFields(entry);
    const flags = (f.flags ?? '').split(',');
    if (flags.some((x) => UNUSABLE.includes(x))) continue;
    const port = Number(f.port);
    if (f.ip === undefined || f.ip === '' || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    out.push({ host: f.ip, port });
  }
  return out;
}

/** The name/value pairs of a reply entry (a RESP2 flat array or a RESP3 map) as text. */
export function replyFields(entry: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(entry)) {
    for (let i = 0; i + 1 < entry.length; i += 2) out[text(entry[i])] = text(entry[i + 1]);
  } else if (entry !== null && typeof entry === 'object') {
    for (const [k, v] of Object.entries(entry)) out[k] = text(v);
  }
  return out;
}

function text(v: unknown): string {
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
}
