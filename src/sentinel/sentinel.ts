/**
 * Redis Sentinel: clients for a service name whose address comes from the sentinels.
 *
 * `primary()` and `replica()` return ordinary `Redis` clients at once. What makes them follow
 * the service is their transport: every (re)connect first asks the sentinels for an address,
 * checks the node's ROLE, then opens the socket there. When a sentinel announces
 * `+switch-master`, sockets to the wrong node are dropped and the clients reconnect — to the
 * new primary, or away from a replica that was promoted.
 */
import { debug, debugging } from '../debug-log.js';
import { Connection } from '../connection/connection.js';
import { tlsOption, type RedisOptions, type ResolvedOptions } from '../shared/options.js';
import { Redis } from '../client/redis.js';
import {
  ConnectionError,
  DataError,
  ErrorCodes,
  ReplicaNotFoundError,
  ResponseError,
} from '../errors/index.js';
import { isPermanentSetupError } from '../connection/handshake.js';
import { pubsubFor } from '../pubsub/pubsub.js';
import { Retry } from '../retry.js';
import type { TlsOptions, Transport, TransportFactory, TransportTarget } from '../transport/types.js';
import { picksItsNode, type PickedNode } from '../transport/picks-node.js';
import { translateAddress, type NatMap } from '../shared/nat-map.js';
import { Discovery, replyFields, type NodeAddress } from './discovery.js';
import { inspectAs } from '../util/redact.js';
import { isPort } from '../shared/url.js';

/** Options of `Sentinel`: where the sentinels are, and the options of the clients it makes. */
export interface SentinelOptions extends Omit<RedisOptions, 'url' | 'host' | 'port' | 'path'> {
  /** Sentinels to ask, in order (the one that answers is asked first next time). */
  sentinels: ReadonlyArray<{
    /** Host name or IP address of a sentinel. */
    host: string;
    /** Its port (default 26379, the sentinels' own port, as in ioredis). */
    port?: number;
  }>;
  /** The service name sentinels monitor (`sentinel monitor <name> …`). */
  name: string;
  /** ACL user on the sentinels (default: none). */
  sentinelUsername?: string;
  /** Password of the sentinels (`requirepass` in sentinel.conf); the data nodes use `password`. */
  sentinelPassword?: string;
  /** TLS towards the sentinels; defaults to `tls`. */
  sentinelTls?: boolean | TlsOptions;
  /** Check each node's ROLE before using it (default true). */
  roleCheck?: boolean;
  /**
   * Addresses the sentinels name -> addresses the client connects to (NAT, Docker, Kubernetes):
   * `{ '10.0.0.5:6379': { host: 'redis.example', port: 6379 } }` or a function of `{ host, port }`.
   */
  natMap?: NatMap;
}

/** A node client's kind. */
type Role = 'primary' | 'replica';

interface Tracked {
  readonly role: Role;
  readonly address: NodeAddress;
  /** Tears the socket down and tells its connection at once (see `tracking`). */
  readonly drop: (error: Error) => void;
}

const SWITCH_MASTER = '+switch-master';

/** Redis Sentinel: makes clients of a monitored service that follow its failovers (`primary()`, `replica()`). */
export class Sentinel {
  private readonly discovery: Discovery;
  private readonly dataOptions: RedisOptions;
  private readonly roleCheck: boolean;
  private readonly clients = new Set<Redis>();
  private readonly live = new Set<Tracked>();
  private readonly watched = new Set<Redis>();
  private watching = false;
  private closed = false;
  private nextReplica = 0;
  /** Where the latest `+switch-master` said the primary went; tried first until a sentinel agrees. */
  private switchedTo: NodeAddress | undefined;
  /** How many `+switch-master` were heard, and where the latest went (kept, unlike `switchedTo`). */
  private switches = 0;
  private switchedLast: NodeAddress | undefined;
  private readonly natMap: NatMap | undefined;

  constructor(options: SentinelOptions) {
    const { sentinels, name, sentinelUsername, sentinelPassword, sentinelTls, roleCheck, natMap, ...data } =
      options;
    if (!Array.isArray(sentinels) || sentinels.length === 0)
      throw new DataError('sentinels must list at least one { host, port }');
    if (typeof name !== 'string' || name === '')
      throw new DataError('name must be the service name the sentinels monitor');
    // Checked here, not first when a sentinel client is made (inside a lookup, as its cause).
    for (const tls of [sentinelTls, data.tls])
      if (tls !== undefined && (tls as unknown) !== null) tlsOption(tls);
    this.dataOptions = data;
    this.natMap = natMap;
    this.roleCheck = roleCheck !== false;
    const sentinelOptions: RedisOptions = {
      username: sentinelUsername,
      password: sentinelPassword,
      tls: sentinelTls ?? data.tls,
      protocol: data.protocol,
      connectTimeout: data.connectTimeout,
      clientName: data.clientName,
    };
    this.discovery = new Discovery(name, sentinels.map(sentinelAddress), sentinelOptions, (client) =>
      this.watch(client),
    );
  }

  /** The service name. */
  get name(): string {
    return this.discovery.name;
  }

  /**
   * A client of the current primary, returned at once; it connects (unless `lazyConnect`) to
   * whatever the sentinels name, and follows failovers. Connecting fails with
   * `PrimaryNotFoundError` when no sentinel names a primary that answers as one.
   */
  primary(options?: RedisOptions): Redis {
    return this.client('primary', options);
  }

  /**
   * A client of one usable replica (round robin over those the sentinels list as up). Connecting
   * fails with `ReplicaNotFoundError` when there is none.
   */
  replica(options?: RedisOptions): Redis {
    return this.client('replica', options);
  }

  /** Asks the sentinels for the primary's address (after `natMap`). */
  async primaryAddress(): Promise<NodeAddress> {
    return this.translate(await this.discovery.primary());
  }

  /** Asks the sentinels for the usable replicas (after `natMap`). */
  async replicaAddresses(): Promise<NodeAddress[]> {
    return (await this.discovery.replicas()).map((a) => this.translate(a));
  }

  /** An address a sentinel named -> the one to connect to. */
  private translate(a: NodeAddress): NodeAddress {
    return translateAddress(this.natMap, a.host, a.port);
  }

  /** Closes every client made by `primary()` / `replica()` and the connections to the sentinels. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.clients].map((c) => c.close()));
    await this.discovery.close();
  }

  /** Drops every connection at once. */
  disconnect(): void {
    this.closed = true;
    for (const c of this.clients) c.disconnect();
    this.discovery.disconnect();
  }

  // --- internals --------------------------------------------------------------

  private client(role: Role, options: RedisOptions | undefined): Redis {
    const merged: RedisOptions = { ...this.dataOptions, ...options };
    const redis = new Redis({ ...merged, lazyConnect: true });
    const resolved = redis.resolvedOptions;
    // The seam: this client's connections (shared, blocking, subscriber) all open through it.
    (resolved as { transport: TransportFactory }).transport = this.transportFor(
      role,
      resolved,
      resolved.transport,
    );
    // duplicate() is a client of the same service: made from the constructor's options alone it
    // would connect to the default localhost:6379 (they name no node; the seam above is not in them).
    (redis as unknown as { shared: { reopen: (o?: RedisOptions) => Redis } }).shared.reopen = (overrides) =>
      this.client(role, { ...options, ...overrides });
    this.clients.add(redis);
    redis.on('end', () => this.clients.delete(redis));
    if (this.closed) redis.disconnect();
    else {
      this.startWatching();
      // Connecting eagerly, not awaited: a failure reaches commands (they reject) and the client's 'error' event.
      if (merged.lazyConnect !== true) redis.connect().catch(() => undefined);
    }
    return redis;
  }

  private transportFor(role: Role, config: ResolvedOptions, base: TransportFactory): TransportFactory {
    // The lookup apart from the dial: the connection's own host/port are not dialled, its debug
    // line and connect trace name the node looked up, from the start of the attempt.
    const pick = async (target: TransportTarget): Promise<PickedNode> => {
      if (this.closed)
        throw new ConnectionError('Sentinel is closed', { code: ErrorCodes.CONNECTION_CLOSED });
      const switches = this.switches;
      const address =
        role === 'primary' ? await this.findPrimary(config, base) : await this.findReplica(config, base);
      return {
        peer: { host: address.host, port: address.port },
        connect: async () => {
          const inner = await base({ ...target, host: address.host, port: address.port });
          // A +switch-master that arrived during the lookup found no socket of this connect to drop,
          // and the answer may predate it (a ROLE probe waits up to connectTimeout for a frozen old
          // primary, which then still says "master"): writes acknowledged there are lost when the
          // sentinels demote it. Such an address is given up and the lookup made again.
          if (switches !== this.switches && wrongNode(role, address, this.switchedLast as NodeAddress)) {
            inner.destroy();
            return (await pick(target)).connect();
          }
          const { transport, drop } = tracking(inner, address, () => this.live.delete(tracked));
          const tracked: Tracked = { role, address, drop };
          this.live.add(tracked);
          return transport;
        },
      };
    };
    return picksItsNode(pick);
  }

  private async findPrimary(config: ResolvedOptions, base: TransportFactory): Promise<NodeAddress> {
    const hint = this.switchedTo;
    if (hint !== undefined) {
      if (await this.hasRole(hint, 'master', config, base).catch(() => false)) return hint;
      if (this.switchedTo === hint) this.switchedTo = undefined;
    }
    // The role check runs per sentinel answer: an address that is not a primary (or does not
    // answer) sends the lookup on to the next sentinel instead of failing the connect, so one
    // stale sentinel ahead in the list cannot keep the client off the real primary.
    const named = await this.discovery
      .primary(this.roleCheck ? (a) => this.hasRole(this.translate(a), 'master', config, base) : undefined)
      .catch((e: unknown) => Promise.reject(nodeRefusal(causeOf(e)) ?? e));
    const address = this.translate(named);
    if (debugging) debug('sentinel: primary of "%s" is %s:%d', this.name, address.host, address.port);
    if (hint !== undefined && same(hint, address)) this.switchedTo = undefined;
    return address;
  }

  private async findReplica(config: ResolvedOptions, base: TransportFactory): Promise<NodeAddress> {
    // Taken before any await, so clients connecting together spread over the replicas.
    const start = this.nextReplica++;
    let cause: unknown;
    let refused = false;
    // A list in which no node answers as a replica (a stale sentinel naming the promoted node, or
    // nodes that are gone) sends the lookup on to the next sentinel instead of failing the connect.
    const choose = async (named: NodeAddress[]): Promise<NodeAddress | undefined> => {
      const replicas = named.map((a) => this.translate(a));
      for (let i = 0; i < replicas.length; i++) {
        const address = replicas[(start + i) % replicas.length]!;
        if (!this.roleCheck) return address;
        try {
          if (await this.hasRole(address, 'slave', config, base)) return address;
        } catch (e) {
          cause = e;
        }
      }
      refused = true;
      return undefined;
    };
    let chosen: NodeAddress | undefined;
    try {
      chosen = (await this.discovery.replicas(choose))[0];
    } catch (e) {
      // No list had a node answering as a replica: that is the error to report, not "none listed".
      if (!refused) throw e;
    }
    if (chosen !== undefined) return chosen;
    // The probe could not log in (or set up) with the client's own options: that is the error the
    // client's commands get, as for any client, not "no replica".
    const setup = nodeRefusal(cause);
    if (setup !== undefined) throw setup;
    throw new ReplicaNotFoundError(
      `No replica of "${this.name}" answers as a replica`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** ROLE on a short-lived connection with the client's own credentials. */
  private async hasRole(
    address: NodeAddress,
    role: 'master' | 'slave',
    config: ResolvedOptions,
    base: TransportFactory,
  ): Promise<boolean> {
    const probe = new Connection({
      ...config,
      host: address.host,
      port: address.port,
      transport: base,
      retry: new Retry({ retries: 0 }),
      commandTimeout: config.connectTimeout,
      readOnly: false,
    });
    try {
      let reply: unknown;
      try {
        reply = await probe.send('ROLE', []);
      } catch (e) {
        const setup = setupRefusal(e);
        if (setup !== undefined) {
          refusedByNode.add(setup);
          throw setup;
        }
        // ROLE is an @admin @dangerous command: a least-privilege ACL user may not run it (or a
        // managed service renamed it), and every node then looked like "not a primary (yet)".
        // HELLO (@connection, which the handshake needs anyway) names the role too.
        if (!(e instanceof ResponseError)) throw e;
        const hello = await probe.send('HELLO', [probe.hello.protocol]);
        // HELLO names the role as ROLE does, in its `role` field (a map under RESP3, pairs under RESP2).
        return replyFields(hello).role === (role === 'master' ? 'master' : 'replica');
      }
      const first: unknown = Array.isArray(reply) ? reply[0] : undefined;
      const actual = first instanceof Uint8Array ? new TextDecoder().decode(first) : first;
      return actual === role;
    } finally {
      probe.disconnect();
    }
  }

  /** From the first node client on, every sentinel is watched for `+switch-master`. */
  private startWatching(): void {
    if (this.watching) return;
    this.watching = true;
    for (const s of this.discovery.sentinels) {
      const client = this.discovery.client(s);
      client.connect().then(
        () => this.subscribeOn(client),
        () => undefined,
      );
    }
  }

  /** Called for each sentinel client as it is made: a failed subscription is tried again on reconnect. */
  private watch(client: Redis): void {
    client.on('ready', () => this.subscribeOn(client));
  }

  private subscribeOn(client: Redis): void {
    if (!this.watching || this.closed || this.watched.has(client)) return;
    this.watched.add(client);
    pubsubFor(client)
      .subscribe<string>('channel', SWITCH_MASTER, (message) => this.onSwitch(message), false)
      .catch(() => this.watched.delete(client));
  }

  /** `<name> <old ip> <old port> <new ip> <new port>`: drop sockets to the wrong node. */
  private onSwitch(message: string): void {
    const fields = message.split(' ');
    const [name, , , host, portText] = fields;
    if (name !== this.name) {
      // Routine where sentinels monitor several services; logged so a missed failover can be told from this.
      if (debugging)
        debug('sentinel: +switch-master of "%s" ignored: this client follows "%s"', name, this.name);
      return;
    }
    const port = portText !== undefined && /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
    if (host === undefined || host === '' || port < 1 || port > 65535) {
      // Not the error event: nothing failed that a caller can act on, the next reconnect asks the
      // sentinels anyway. The text is left out of the line: it is not known to be what a sentinel writes.
      if (debugging)
        debug(
          'sentinel: +switch-master of "%s" refused: not "<name> <old ip> <old port> <new ip> <new port>" (%d fields)',
          name,
          fields.length,
        );
      return;
    }
    const to = this.translate({ host, port });
    if (debugging) debug('sentinel: primary of "%s" switched to %s:%d', name, to.host, to.port);
    this.switchedTo = to;
    this.switchedLast = to;
    this.switches++;
    for (const t of [...this.live]) {
      if (!wrongNode(t.role, t.address, to)) continue;
      const at = `${t.address.host}:${t.address.port}`;
      const error = new ConnectionError(
        t.role === 'primary'
          ? `Primary of "${this.name}" moved to ${to.host}:${to.port} (+switch-master): dropped the connection to ${at}`
          : `Replica ${at} of "${this.name}" was promoted to primary (+switch-master): dropped the connection`,
        { code: ErrorCodes.CONNECTION_LOST },
      );
      // Its connection learns of it now, inside this message's delivery: its 'close' listeners run
      // here (an exception of theirs is rethrown from a microtask, see Emitter), its reconnect is a timer.
      t.drop(error);
    }
  }
}

/**
 * Set-up refusals (wrong password, NOPERM on SELECT, …) a data node gave a role probe with the
 * client's own options: the connect fails with such a one, typed and without retries, as it would
 * without Sentinel. As a PrimaryNotFoundError ("is not a primary (yet)") it read as a topology
 * problem and was retried as one. A sentinel's own refusal stays the cause of that error.
 */
const refusedByNode = new WeakSet<Error>();

function nodeRefusal(error: unknown): Error | undefined {
  return error instanceof Error && refusedByNode.has(error) ? error : undefined;
}

/** The set-up refusal behind a probe's error, as the handshake marked it (see isPermanentSetupError). */
function setupRefusal(error: unknown): Error | undefined {
  if (isPermanentSetupError(error)) return error;
  const cause = causeOf(error);
  return isPermanentSetupError(cause) ? cause : undefined;
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

/** After a switch to `to`: a primary client elsewhere, or a replica client on it, is on the wrong node. */
function wrongNode(role: Role, address: NodeAddress, to: NodeAddress): boolean {
  return role === 'primary' ? !same(address, to) : same(address, to);
}

function same(a: NodeAddress, b: NodeAddress): boolean {
  return a.host === b.host && a.port === b.port;
}

/**
 * The transport, naming the node it reached (`peer`) and reporting when its socket is gone; `drop(error)` tears the socket down and
 * reports it at once, with `error`. Node emits 'close' for a destroyed socket only a libuv close
 * callback later: commands issued in between would be written to the dead socket and, counted as
 * sent, rejected as "outcome unknown" though not a byte left. Told at once, the connection
 * detaches its queue first (as its own `drop()` does), so they wait for the next socket. The
 * close is reported once: the socket's own 'close' that follows is not reported again.
 */
function tracking(
  inner: Transport,
  address: NodeAddress,
  gone: () => void,
): { transport: Transport; drop(error: Error): void } {
  let listener: ((error: Error | undefined) => void) | undefined;
  let reported = false;
  let dropped: Error | undefined;
  const report = (error: Error | undefined): void => {
    if (reported) return;
    reported = true;
    gone();
    listener?.(error);
  };
  const transport: Transport = {
    write: (data, onWritten) => inner.write(data, onWritten),
    flushed: () => inner.flushed?.() === true,
    cork: () => inner.cork(),
    uncork: () => inner.uncork(),
    end: () => inner.end(),
    destroy: () => inner.destroy(),
    onData: (l, readInto) => inner.onData(l, readInto),
    onClose: (l) => {
      listener = l;
      inner.onClose((error) => report(dropped ?? error));
    },
    // The node the sentinels named (after natMap): the connection's own host/port are not it.
    peer: { host: address.host, port: address.port },
  };
  const drop = (error: Error): void => {
    dropped ??= error;
    inner.destroy();
    // Not listened to yet: the connection has not taken the transport (it listens in the same step
    // as it attaches its queue), so nothing of a caller's was written; the socket's 'close' reports it.
    if (listener !== undefined) report(error);
  };
  return { transport, drop };
}

// util.inspect shows the service name only: the options hold the sentinels' and the data nodes' passwords.
inspectAs(Sentinel.prototype, (s: Sentinel) => ({ name: s.name }));

/**
 * One `sentinels` entry as an address. A port left out is the sentinels' own (26379): the client
 * default (6379) is the data node's, so such an entry asked a Redis server, not a sentinel.
 */
function sentinelAddress(entry: { host: string; port?: number }): NodeAddress {
  const port = entry?.port ?? 26379;
  if (typeof entry?.host !== 'string' || entry.host === '' || !isPort(port))
    throw new DataError(
      'each of sentinels must be { host, port? } with a host name and a port from 1 to 65535',
    );
  return { host: entry.host, port };
}
