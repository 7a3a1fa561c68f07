/**
 * Real Redis Cluster topologies on loopback for tests and benchmarks.
 *
 * The cluster is built with raw commands rather than `redis-cli --cluster create` (which
 * sleeps a second per step): ADDSLOTSRANGE + SET-CONFIG-EPOCH on each primary, a full mesh
 * of CLUSTER MEET, CLUSTER REPLICATE, then a bounded wait until every node agrees.
 * "Ready" means: cluster_state:ok with all 16384 slots ok on every live node, an identical
 * CLUSTER SLOTS everywhere naming only live nodes, and every replica's link up and synced.
 * A primary reports cluster_state:ok no sooner than 2 s after its start (Redis'
 * CLUSTER_WRITABLE_DELAY), which dominates start-up time.
 */
import { RawClient, RespError, parseInfo, type RespArg, type RespValue } from './raw-client.js';
import { startRedis, waitUntil, type AclUser, type RedisServerHandle } from './redis-server.js';
import { serverTlsConfig, tlsMaterial, type TlsAuthClients, type TlsMaterial } from './tls.js';

export const SLOTS = 16384;

export interface ClusterOptions {
  /** Default 3. */
  primaries?: number;
  /** Default 1; 0 gives a primaries-only cluster. */
  replicasPerPrimary?: number;
  /** `cluster-node-timeout`; default 1000 ms. */
  nodeTimeoutMs?: number;
  /** Extra arguments for every node. */
  args?: string[];
  /** Default user's password on every node (also used as `masterauth` and by MIGRATE). */
  requirepass?: string;
  /** ACL users created on every node. */
  users?: AclUser[];
  /** TLS for clients, the cluster bus and replication (`tls-cluster`, `tls-replication`). */
  tls?: boolean | { authClients?: TlsAuthClients };
  /** Bound on the wait for the cluster to become ready; default 30000 ms. */
  readyTimeoutMs?: number;
}

export type ClusterRole = 'primary' | 'replica';

export interface ClusterNode {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Current PID (changes on restart). */
  readonly pid: number;
  /** Cluster node ID (40 hex characters). */
  readonly id: string;
  /** Role as last observed by the harness (refreshed by waits, failover and `refreshRoles`). */
  readonly role: ClusterRole;
  readonly alive: boolean;
  readonly server: RedisServerHandle;
  /** Runs a command on this node over the harness's admin connection. */
  command(...args: RespArg[]): Promise<RespValue>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Restarts on the same port with its nodes.conf, so it rejoins the cluster. */
  restart(): Promise<void>;
}

/** A slot migration in progress (IMPORTING/MIGRATING set). */
export interface SlotMigration {
  readonly slot: number;
  readonly from: ClusterNode;
  readonly to: ClusterNode;
  /** Moves up to `limit` keys (default all) with MIGRATE in batches; resolves the count moved. */
  moveKeys(limit?: number): Promise<number>;
  /** Keys of the slot still on the source. */
  keysLeft(): Promise<number>;
  /** Moves the remaining keys, assigns the slot to `to` everywhere, waits until all nodes agree. */
  finish(): Promise<void>;
}

export interface WaitOptions {
  timeoutMs?: number;
}

export interface FailoverOptions extends WaitOptions {
  /** `CLUSTER FAILOVER [FORCE|TAKEOVER]`; default is the coordinated manual failover. */
  mode?: 'default' | 'force' | 'takeover';
}

export interface RedisClusterHandle {
  /** All nodes, in start order (primaries first as created). */
  readonly nodes: readonly ClusterNode[];
  /** Live nodes whose last observed role is primary. */
  readonly primaries: readonly ClusterNode[];
  /** Live nodes whose last observed role is replica. */
  readonly replicas: readonly ClusterNode[];
  /** TLS material when the cluster speaks TLS. */
  readonly tls: TlsMaterial | undefined;
  /** `{ host, port }` of every node, for a client's startup list. */
  startupNodes(): { host: string; port: number }[];
  /** Waits until the cluster is settled (see the module comment). */
  waitForClusterOk(options?: WaitOptions): Promise<void>;
  /** The live primary serving `slot`, per the current CLUSTER SLOTS. */
  ownerOf(slot: number): Promise<ClusterNode>;
  /** The primary a replica follows (per ROLE). */
  primaryOf(replica: ClusterNode): Promise<ClusterNode>;
  /** Re-reads ROLE on every live node. */
  refreshRoles(): Promise<void>;
  /** Migrates a slot step by step and waits until every node agrees on the new owner. */
  migrateSlot(slot: number, from: ClusterNode, to: ClusterNode): Promise<void>;
  /**
   * Migrates many slots from one primary to another, slot after slot (IMPORTING, MIGRATING, keys
   * moved, SETSLOT NODE on both ends), waiting for the whole cluster to agree only once at the end:
   * a live reshard of hundreds of slots in seconds. Resolves the number of keys moved.
   */
  migrateSlots(slots: readonly number[], from: ClusterNode, to: ClusterNode): Promise<number>;
  /** Starts a migration and pauses: IMPORTING/MIGRATING set, no key moved yet. */
  beginSlotMigration(slot: number, from: ClusterNode, to: ClusterNode): Promise<SlotMigration>;
  /** CLUSTER FAILOVER on `replica`, then waits for roles to flip and the cluster to settle. */
  failover(replica: ClusterNode, options?: FailoverOptions): Promise<void>;
  /** Stops every node. Idempotent. */
  stop(): Promise<void>;
}

class Node implements ClusterNode {
  readonly host = '127.0.0.1' as const;
  role: ClusterRole;
  id = '';
  private admin: RawClient | undefined;

  constructor(
    readonly server: RedisServerHandle,
    role: ClusterRole,
  ) {
    this.role = role;
  }

  get port(): number {
    return this.server.port;
  }
  get pid(): number {
    return this.server.pid;
  }
  get alive(): boolean {
    return this.server.alive;
  }

  async command(...args: RespArg[]): Promise<RespValue> {
    if (this.admin === undefined || this.admin.closed) {
      this.admin = undefined;
      // Unref'd: a test that forgets stop() must still exit (the exit hook then kills the node).
      this.admin = (await this.server.client()).unref();
    }
    return this.admin.command(...args);
  }

  closeAdmin(): void {
    this.admin?.close();
    this.admin = undefined;
  }

  stop(): Promise<void> {
    this.closeAdmin();
    return this.server.stop();
  }

  kill(): Promise<void> {
    this.closeAdmin();
    return this.server.kill();
  }

  async restart(): Promise<void> {
    this.closeAdmin();
    await this.server.restart();
  }
}

/** One entry of CLUSTER SLOTS, reduced to what must agree across nodes. */
interface SlotRange {
  start: number;
  end: number;
  primaryPort: number;
  replicaPorts: number[];
}

function parseSlots(reply: RespValue): SlotRange[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS: not an array');
  const ranges = reply.map((e): SlotRange => {
    if (!Array.isArray(e) || e.length < 3) throw new Error('CLUSTER SLOTS: bad entry');
    const port = (n: RespValue) => (Array.isArray(n) ? Number(n[1]) : NaN);
    return {
      start: Number(e[0]),
      end: Number(e[1]),
      primaryPort: port(e[2] ?? null),
      replicaPorts: e
        .slice(3)
        .map(port)
        .sort((a, b) => a - b),
    };
  });
  return ranges.sort((a, b) => a.start - b.start);
}

function slotsKey(ranges: SlotRange[]): string {
  return ranges.map((r) => `${r.start}-${r.end}@${r.primaryPort}[${r.replicaPorts.join(',')}]`).join(' ');
}

class Cluster implements RedisClusterHandle {
  private stopping: Promise<void> | undefined;

  constructor(
    readonly nodes: Node[],
    readonly tls: TlsMaterial | undefined,
    private readonly password: string | undefined,
    private readonly defaultTimeoutMs: number,
  ) {}

  get primaries(): Node[] {
    return this.nodes.filter((n) => n.alive && n.role === 'primary');
  }
  get replicas(): Node[] {
    return this.nodes.filter((n) => n.alive && n.role === 'replica');
  }

  startupNodes(): { host: string; port: number }[] {
    return this.nodes.map((n) => ({ host: n.host, port: n.port }));
  }

  private byPort(port: number): Node | undefined {
    return this.nodes.find((n) => n.port === port);
  }

  private node(n: ClusterNode): Node {
    const found = this.nodes.find((x) => x === n);
    if (found === undefined) throw new Error('node is not part of this cluster');
    return found;
  }

  async refreshRoles(): Promise<void> {
    await Promise.all(
      this.nodes
        .filter((n) => n.alive)
        .map(async (n) => {
          const role = await n.command('ROLE');
          if (Array.isArray(role)) n.role = role[0] === 'master' ? 'primary' : 'replica';
        }),
    );
  }

  /** Why the cluster is not settled yet, or undefined when it is. */
  private async unsettled(extra?: (slots: SlotRange[]) => string | undefined): Promise<string | undefined> {
    const live = this.nodes.filter((n) => n.alive);
    const views = await Promise.all(
      live.map(async (n) => {
        const [info, slots, role] = await Promise.all([
          n.command('CLUSTER', 'INFO'),
          n.command('CLUSTER', 'SLOTS'),
          n.command('ROLE'),
        ]);
        return { n, info: parseInfo(info), slots: parseSlots(slots), role };
      }),
    );
    for (const { n, info, role } of views) {
      if (info.cluster_state !== 'ok') return `${n.port}: cluster_state ${info.cluster_state}`;
      if (info.cluster_slots_ok !== String(SLOTS))
        return `${n.port}: cluster_slots_ok ${info.cluster_slots_ok}`;
      if (!Array.isArray(role)) return `${n.port}: bad ROLE`;
      n.role = role[0] === 'master' ? 'primary' : 'replica';
      // ROLE of a replica: [slave, ip, port, state, offset]; 'connected' = link up, sync done.
      if (n.role === 'replica' && role[3] !== 'connected')
        return `${n.port}: replica link ${String(role[3])}`;
    }
    const first = views[0];
    if (first === undefined) return 'no live node';
    const key = slotsKey(first.slots);
    for (const v of views) {
      if (slotsKey(v.slots) !== key) return `${v.n.port} disagrees on CLUSTER SLOTS`;
    }
    // A replica shows in CLUSTER SLOTS only once its replication offset is non-zero (Redis
    // 7 hides replicas that never received data); clients reading from replicas need it there.
    for (const { n, role } of views) {
      if (n.role !== 'replica' || !Array.isArray(role)) continue;
      const ranges = first.slots.filter((r) => r.primaryPort === Number(role[2]));
      if (ranges.some((r) => !r.replicaPorts.includes(n.port)))
        return `CLUSTER SLOTS does not list replica ${n.port} yet`;
    }
    let covered = 0;
    for (const r of first.slots) {
      covered += r.end - r.start + 1;
      for (const p of [r.primaryPort, ...r.replicaPorts]) {
        const node = this.byPort(p);
        if (node === undefined || !node.alive) return `CLUSTER SLOTS still names ${p}, which is down`;
      }
      if (this.byPort(r.primaryPort)?.role !== 'primary') return `${r.primaryPort} is not a primary yet`;
    }
    if (covered !== SLOTS) return `only ${covered} slots covered`;
    return extra?.(first.slots);
  }

  async waitForClusterOk(options: WaitOptions = {}): Promise<void> {
    await waitUntil('cluster ok', options.timeoutMs ?? this.defaultTimeoutMs, () => this.unsettled());
  }

  private async slotMap(): Promise<SlotRange[]> {
    const n = this.nodes.find((x) => x.alive);
    if (n === undefined) throw new Error('no live node');
    return parseSlots(await n.command('CLUSTER', 'SLOTS'));
  }

  async ownerOf(slot: number): Promise<ClusterNode> {
    const r = (await this.slotMap()).find((x) => x.start <= slot && slot <= x.end);
    const n = r === undefined ? undefined : this.byPort(r.primaryPort);
    if (n === undefined) throw new Error(`slot ${slot} is not served`);
    return n;
  }

  async primaryOf(replica: ClusterNode): Promise<ClusterNode> {
    const role = await this.node(replica).command('ROLE');
    if (!Array.isArray(role) || role[0] !== 'slave') throw new Error(`${replica.port} is not a replica`);
    const p = this.byPort(Number(role[2]));
    if (p === undefined) throw new Error(`${replica.port} follows an unknown node ${String(role[2])}`);
    return p;
  }

  async beginSlotMigration(slot: number, fromNode: ClusterNode, toNode: ClusterNode): Promise<SlotMigration> {
    const from = this.node(fromNode);
    const to = this.node(toNode);
    if (from === to) throw new Error('migration to the same node');
    // Target first, so a client redirected by ASK finds the slot importing.
    await to.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
    await from.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
    const moveKeys = async (limit = Number.POSITIVE_INFINITY): Promise<number> => {
      // A separate Buffer-mode connection: key names are binary-safe.
      const c = await RawClient.connect({
        ...from.server.connectOptions(),
        buffers: true,
        timeoutMs: 30_000,
      });
      let moved = 0;
      try {
        for (let round = 0; round < 100_000 && moved < limit; round++) {
          const batch = Math.min(100, limit - moved);
          const keys = await c.command('CLUSTER', 'GETKEYSINSLOT', slot, batch);
          if (!Array.isArray(keys) || keys.length === 0) break;
          const auth = this.password !== undefined ? ['AUTH', this.password] : [];
          await c.command('MIGRATE', to.host, to.port, '', 0, 10_000, ...auth, 'KEYS', ...(keys as Buffer[]));
          moved += keys.length;
        }
      } finally {
        c.close();
      }
      return moved;
    };
    const keysLeft = async () => Number(await from.command('CLUSTER', 'COUNTKEYSINSLOT', slot));
    const finish = async (): Promise<void> => {
      await moveKeys();
      await to.command('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
      await from.command('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
      for (const p of this.primaries) {
        if (p === from || p === to) continue;
        await p.command('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
      }
      await waitUntil(`slot ${slot} owned by ${to.port} everywhere`, this.defaultTimeoutMs, () =>
        this.unsettled((slots) => {
          const r = slots.find((x) => x.start <= slot && slot <= x.end);
          return r?.primaryPort === to.port ? undefined : `slot ${slot} still on ${r?.primaryPort}`;
        }),
      );
    };
    return { slot, from, to, moveKeys, keysLeft, finish };
  }

  async migrateSlots(slots: readonly number[], fromNode: ClusterNode, toNode: ClusterNode): Promise<number> {
    const from = this.node(fromNode);
    const to = this.node(toNode);
    if (from === to) throw new Error('migration to the same node');
    const c = await RawClient.connect({ ...from.server.connectOptions(), buffers: true, timeoutMs: 30_000 });
    let moved = 0;
    const one = async (slot: number): Promise<void> => {
      await to.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
      await from.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
      for (let round = 0; round < 100_000; round++) {
        const keys = await c.command('CLUSTER', 'GETKEYSINSLOT', slot, 100);
        if (!Array.isArray(keys) || keys.length === 0) break;
        const auth = this.password !== undefined ? ['AUTH', this.password] : [];
        await c.command('MIGRATE', to.host, to.port, '', 0, 10_000, ...auth, 'KEYS', ...(keys as Buffer[]));
        moved += keys.length;
      }
      // Target first: it bumps its epoch, so its claim wins when gossip reaches the others.
      await to.command('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
      await from.command('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
    };
    try {
      // A few slots at a time (each slot's steps in order): the admin connections pipeline them.
      for (let at = 0; at < slots.length; at += 16) await Promise.all(slots.slice(at, at + 16).map(one));
    } finally {
      c.close();
    }
    const wanted = new Set(slots);
    await waitUntil(`${slots.length} slots owned by ${to.port} everywhere`, this.defaultTimeoutMs, () =>
      this.unsettled((ranges) => {
        for (const r of ranges) {
          if (r.primaryPort === to.port) continue;
          for (const slot of wanted)
            if (r.start <= slot && slot <= r.end) return `slot ${slot} still on ${r.primaryPort}`;
        }
        return undefined;
      }),
    );
    return moved;
  }

  async migrateSlot(slot: number, from: ClusterNode, to: ClusterNode): Promise<void> {
    const m = await this.beginSlotMigration(slot, from, to);
    await m.finish();
  }

  async failover(replicaNode: ClusterNode, options: FailoverOptions = {}): Promise<void> {
    const replica = this.node(replicaNode);
    const old = await this.primaryOf(replica);
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const mode = options.mode === undefined || options.mode === 'default' ? [] : [options.mode.toUpperCase()];
    const deadline = Date.now() + timeoutMs;
    // A manual failover that loses its election is silently abandoned after 5 s (CLUSTER_MF_TIMEOUT);
    // ask again then, a bounded number of times.
    for (let attempt = 0; attempt < 3; attempt++) {
      await replica.command('CLUSTER', 'FAILOVER', ...mode);
      try {
        await waitUntil(
          `${replica.port} promoted`,
          Math.min(6000, Math.max(1, deadline - Date.now())),
          async () => {
            const role = await replica.command('ROLE');
            return Array.isArray(role) && role[0] === 'master' ? undefined : 'still a replica';
          },
        );
        break;
      } catch (e) {
        if (attempt === 2 || Date.now() > deadline) throw e;
      }
    }
    replica.role = 'primary';
    await waitUntil(`failover to ${replica.port} settled`, Math.max(1, deadline - Date.now()), () =>
      this.unsettled(() => (old.alive && old.role !== 'replica' ? `${old.port} still a primary` : undefined)),
    );
  }

  stop(): Promise<void> {
    this.stopping ??= Promise.all(this.nodes.map((n) => n.stop())).then(() => undefined);
    return this.stopping;
  }
}

/** Contiguous, even split of the slot space over `n` primaries. */
export function slotRanges(n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    out.push([Math.floor((i * SLOTS) / n), Math.floor(((i + 1) * SLOTS) / n) - 1]);
  }
  return out;
}

/**
 * Starts `primaries × (1 + replicasPerPrimary)` cluster nodes, creates the cluster and waits
 * until it is settled. Stop it with `stop()` in `after()`.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<RedisClusterHandle> {
  const nPrimaries = options.primaries ?? 3;
  const rpp = options.replicasPerPrimary ?? 1;
  if (!Number.isInteger(nPrimaries) || nPrimaries < 1) throw new RangeError('primaries must be >= 1');
  if (!Number.isInteger(rpp) || rpp < 0) throw new RangeError('replicasPerPrimary must be >= 0');
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const material = options.tls !== undefined && options.tls !== false ? await tlsMaterial() : undefined;
  const authClients = typeof options.tls === 'object' ? (options.tls.authClients ?? 'no') : 'no';
  const args = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(options.nodeTimeoutMs ?? 1000),
    '--cluster-announce-ip',
    '127.0.0.1',
    // Replicas sync at once instead of waiting 5 s for more replicas to join the transfer.
    '--repl-diskless-sync-delay',
    '0',
    ...(options.requirepass !== undefined ? ['--masterauth', options.requirepass] : []),
    ...(material !== undefined ? ['--tls-cluster', 'yes', '--tls-replication', 'yes'] : []),
    ...(options.args ?? []),
  ];
  const total = nPrimaries * (1 + rpp);
  const started = await Promise.allSettled(
    Array.from({ length: total }, () =>
      startRedis({
        args,
        clusterBus: true,
        ...(options.requirepass !== undefined ? { requirepass: options.requirepass } : {}),
        ...(options.users !== undefined ? { users: options.users } : {}),
        ...(material !== undefined ? { tls: serverTlsConfig(material, authClients) } : {}),
      }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const nodes = servers.map((s, i) => new Node(s, i < nPrimaries ? 'primary' : 'replica'));
  const cluster = new Cluster(nodes, material, options.requirepass, readyTimeoutMs);
  try {
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await create(cluster, nodes, nPrimaries, rpp, readyTimeoutMs);
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

/** A cluster of primaries only (no replicas), e.g. for benchmarks. */
export function startPrimariesOnlyCluster(
  options: Omit<ClusterOptions, 'replicasPerPrimary'> = {},
): Promise<RedisClusterHandle> {
  return startCluster({ ...options, replicasPerPrimary: 0 });
}

async function create(
  cluster: Cluster,
  nodes: Node[],
  nPrimaries: number,
  rpp: number,
  timeoutMs: number,
): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      n.id = String(await n.command('CLUSTER', 'MYID'));
    }),
  );
  const ranges = slotRanges(nPrimaries);
  await Promise.all(
    nodes.slice(0, nPrimaries).map(async (n, i) => {
      const [start, end] = ranges[i] ?? [0, -1];
      await n.command('CLUSTER', 'ADDSLOTSRANGE', start, end);
      // Distinct epochs up front spare the cluster its epoch-collision resolution.
      await n.command('CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
    }),
  );
  // Full mesh of MEETs: every pair shakes hands directly instead of waiting for gossip.
  await Promise.all(
    nodes.map(async (a, i) => {
      for (const b of nodes.slice(i + 1)) {
        await a.command('CLUSTER', 'MEET', b.host, b.port, b.server.clusterPort ?? b.port + 10000);
      }
    }),
  );
  await waitUntil('all nodes know each other', timeoutMs, async () => {
    for (const n of nodes) {
      const lines = String(await n.command('CLUSTER', 'NODES'))
        .trim()
        .split('\n');
      if (lines.length !== nodes.length) return `${n.port} knows ${lines.length} nodes`;
      if (lines.some((l) => /handshake|noaddr|fail/.test(l.split(' ')[2] ?? '')))
        return `${n.port}: handshake pending`;
    }
    return undefined;
  });
  await Promise.all(
    nodes.slice(nPrimaries).map(async (n, j) => {
      const primary = nodes[Math.floor(j / rpp)];
      if (primary === undefined) throw new Error('replica without primary');
      // REPLICATE fails with "Unknown node" until the primary's ID reached this node; retry briefly.
      await waitUntil(`${n.port} replicates ${primary.port}`, timeoutMs, async () => {
        try {
          await n.command('CLUSTER', 'REPLICATE', primary.id);
          return undefined;
        } catch (e) {
          if (e instanceof RespError) return e.message;
          throw e;
        }
      });
    }),
  );
  await waitUntil('replicas synced', timeoutMs, async () => {
    for (const n of nodes.slice(nPrimaries)) {
      const role = await n.command('ROLE');
      if (!Array.isArray(role) || role[3] !== 'connected') return `${n.port} not synced`;
    }
    return undefined;
  });
  // FLUSHALL is always replicated: once the replicas are attached it moves their offsets off
  // zero, so CLUSTER SLOTS lists them, and it leaves the (empty) dataset as it was.
  await Promise.all(nodes.slice(0, nPrimaries).map((n) => n.command('FLUSHALL')));
  await cluster.waitForClusterOk({ timeoutMs });
}
