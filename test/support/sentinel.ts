/**
 * A real Sentinel topology on loopback: one primary, its replicas and a few sentinels.
 *
 * Replicas are synced before the sentinels start, because a sentinel refreshes a replica's
 * link state only every 10 s: it must see it "ok" on its first INFO. Sentinels discover
 * each other through hello messages every 2 s, which dominates start-up time.
 */
import { parseInfo, type RespValue } from './raw-client.js';
import { startRedis, waitUntil, type AclUser, type RedisServerHandle } from './redis-server.js';

export interface SentinelOptions {
  /** Default 2. */
  replicas?: number;
  /** Default 3. */
  sentinels?: number;
  /** Default 'mymaster'. */
  masterName?: string;
  /** Default 2. */
  quorum?: number;
  /** `down-after-milliseconds`; default 1000. */
  downAfterMs?: number;
  /** `failover-timeout`; default 3000. */
  failoverTimeoutMs?: number;
  /** Password of the data nodes' default user (sentinels get it as `auth-pass`). */
  requirepass?: string;
  /** Password of the sentinels themselves. */
  sentinelPassword?: string;
  /** ACL users on the data nodes. */
  users?: AclUser[];
  /** Extra arguments for the data nodes. */
  args?: string[];
  /** Bound on each wait; default 30000 ms. */
  readyTimeoutMs?: number;
}

export interface SentinelFailoverOptions {
  timeoutMs?: number;
  /**
   * Default true: once the sentinels name the new primary, the harness itself sends the old
   * primary `REPLICAOF <new primary>` and waits for the whole topology to settle. Sentinel
   * would make the same change on its own, but only ~8 s later (it waits four publish
   * periods before converting a stale primary). With false, `failover` resolves as soon as
   * the sentinels agree on a new, writable primary and leaves the rest to Sentinel.
   */
  demoteOldPrimary?: boolean;
}

export interface SentinelTopology {
  readonly masterName: string;
  /** Data nodes in start order (the first was the initial primary). */
  readonly servers: readonly RedisServerHandle[];
  /** The primary as last observed (updated by `failover` and `waitForReady`). */
  readonly primary: RedisServerHandle;
  /** Live data nodes other than `primary`. */
  readonly replicas: readonly RedisServerHandle[];
  readonly sentinels: readonly RedisServerHandle[];
  /** `{ host, port }` of every sentinel, for a client's sentinel list. */
  sentinelNodes(): { host: string; port: number }[];
  /** Waits until every live sentinel names the same live primary, sees the others and the replicas. */
  waitForReady(options?: { timeoutMs?: number }): Promise<void>;
  /** SENTINEL FAILOVER, then waits until every sentinel names the new primary and it is writable. */
  failover(options?: SentinelFailoverOptions): Promise<{ from: RedisServerHandle; to: RedisServerHandle }>;
  /** Stops the sentinels, then the data nodes. Idempotent. */
  stop(): Promise<void>;
}

/** Flat `[k1, v1, k2, v2, ...]` (SENTINEL REPLICAS / SENTINELS entries) to an object. */
function fields(v: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
  return out;
}

class Topology implements SentinelTopology {
  private stopping: Promise<void> | undefined;

  constructor(
    readonly masterName: string,
    readonly servers: RedisServerHandle[],
    readonly sentinels: RedisServerHandle[],
    public primary: RedisServerHandle,
    private readonly timeoutMs: number,
  ) {}

  get replicas(): RedisServerHandle[] {
    return this.servers.filter((s) => s !== this.primary && s.alive);
  }

  sentinelNodes(): { host: string; port: number }[] {
    return this.sentinels.map((s) => ({ host: s.host, port: s.port }));
  }

  private byPort(port: number): RedisServerHandle | undefined {
    return this.servers.find((s) => s.port === port);
  }

  /** The primary every live sentinel names, or a reason why there is none yet. */
  private async agreedPrimary(): Promise<RedisServerHandle | string> {
    let port: number | undefined;
    for (const s of this.sentinels.filter((x) => x.alive)) {
      const addr = await s.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName);
      const p = Array.isArray(addr) ? Number(addr[1]) : NaN;
      if (port !== undefined && p !== port) return `sentinels disagree (${port} vs ${p})`;
      port = p;
    }
    const server = port === undefined ? undefined : this.byPort(port);
    if (server === undefined) return `sentinels name unknown port ${String(port)}`;
    if (!server.alive) return `sentinels name ${server.port}, which is down`;
    return server;
  }

  private async unsettled(): Promise<string | undefined> {
    const agreed = await this.agreedPrimary();
    if (typeof agreed === 'string') return agreed;
    const role = await agreed.command('ROLE');
    if (!Array.isArray(role) || role[0] !== 'master') return `${agreed.port} is not a master yet`;
    this.primary = agreed;
    const live = this.sentinels.filter((x) => x.alive);
    for (const s of live) {
      const others = await s.command('SENTINEL', 'SENTINELS', this.masterName);
      const ok = Array.isArray(others) ? others.map(fields).filter((f) => f.flags === 'sentinel') : [];
      if (ok.length < live.length - 1)
        return `sentinel ${s.port} sees ${ok.length} of ${live.length - 1} other sentinels`;
      const reps = await s.command('SENTINEL', 'REPLICAS', this.masterName);
      const seen = Array.isArray(reps) ? reps.map(fields) : [];
      for (const r of this.replicas) {
        const f = seen.find((x) => Number(x.port) === r.port);
        if (f === undefined) return `sentinel ${s.port} does not know replica ${r.port}`;
        // Not master-link-status: a sentinel refreshes it only every 10 s; the replica's own
        // INFO below is the truth about its link.
        if (f.flags !== 'slave') return `sentinel ${s.port} sees replica ${r.port} as ${f.flags}`;
      }
    }
    for (const r of this.replicas) {
      const info = parseInfo(await r.command('INFO', 'replication'));
      if (info.role !== 'slave' || Number(info.master_port) !== agreed.port)
        return `${r.port} does not follow ${agreed.port}`;
      if (info.master_link_status !== 'up' || info.master_sync_in_progress !== '0')
        return `${r.port} not synced`;
    }
    return undefined;
  }

  async waitForReady(options: { timeoutMs?: number } = {}): Promise<void> {
    await waitUntil('sentinel topology ready', options.timeoutMs ?? this.timeoutMs, () => this.unsettled());
  }

  async failover(
    options: SentinelFailoverOptions = {},
  ): Promise<{ from: RedisServerHandle; to: RedisServerHandle }> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const from = this.primary;
    const sentinel = this.sentinels.find((s) => s.alive);
    if (sentinel === undefined) throw new Error('no live sentinel');
    await sentinel.command('SENTINEL', 'FAILOVER', this.masterName);
    let to: RedisServerHandle | undefined;
    await waitUntil('sentinel failover', timeoutMs, async () => {
      const agreed = await this.agreedPrimary();
      if (typeof agreed === 'string') return agreed;
      if (agreed === from) return 'sentinels still name the old primary';
      const role = await agreed.command('ROLE');
      if (!Array.isArray(role) || role[0] !== 'master') return `${agreed.port} is not a master yet`;
      to = agreed;
      return undefined;
    });
    if (to === undefined) throw new Error('unreachable: failover without a new primary');
    this.primary = to;
    if (options.demoteOldPrimary !== false) {
      if (from.alive) await from.command('REPLICAOF', to.host, to.port);
      await this.waitForReady({ timeoutMs });
    }
    return { from, to };
  }

  stop(): Promise<void> {
    // Sentinels first: otherwise they would fail over while the data nodes shut down.
    this.stopping ??= (async () => {
      await Promise.all(this.sentinels.map((s) => s.stop()));
      await Promise.all(this.servers.map((s) => s.stop()));
    })();
    return this.stopping;
  }
}

/** Starts a primary, its replicas (synced) and the sentinels, and waits until all agree. */
export async function startSentinel(options: SentinelOptions = {}): Promise<SentinelTopology> {
  const name = options.masterName ?? 'mymaster';
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const pass = options.requirepass;
  const dataArgs = [
    // Replicas sync at once instead of waiting 5 s for more replicas to join the transfer.
    '--repl-diskless-sync-delay',
    '0',
    ...(pass !== undefined ? ['--masterauth', pass] : []),
    ...(options.args ?? []),
  ];
  const common = {
    ...(pass !== undefined ? { requirepass: pass } : {}),
    ...(options.users !== undefined ? { users: options.users } : {}),
  };
  const servers: RedisServerHandle[] = [];
  const sentinels: RedisServerHandle[] = [];
  const cleanup = async () => {
    await Promise.all(sentinels.map((s) => s.stop()));
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const primary = await startRedis({ ...common, args: dataArgs });
    servers.push(primary);
    const replicas = await Promise.allSettled(
      Array.from({ length: options.replicas ?? 2 }, () =>
        startRedis({
          ...common,
          args: [...dataArgs, '--replicaof', primary.host, String(primary.port)],
        }),
      ),
    );
    for (const r of replicas) if (r.status === 'fulfilled') servers.push(r.value);
    for (const r of replicas) if (r.status === 'rejected') throw r.reason;
    await waitUntil('replicas synced', timeoutMs, async () => {
      for (const r of servers.slice(1)) {
        const info = parseInfo(await r.command('INFO', 'replication'));
        if (info.master_link_status !== 'up' || info.master_sync_in_progress !== '0')
          return `${r.port} not synced`;
      }
      return undefined;
    });
    const config = [
      `sentinel monitor ${name} ${primary.host} ${primary.port} ${options.quorum ?? 2}`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 3000}`,
      `sentinel parallel-syncs ${name} 1`,
      ...(pass !== undefined ? [`sentinel auth-pass ${name} ${pass}`] : []),
      ...(options.sentinelPassword !== undefined
        ? [`sentinel sentinel-pass ${options.sentinelPassword}`]
        : []),
    ];
    const started = await Promise.allSettled(
      Array.from({ length: options.sentinels ?? 3 }, () =>
        startRedis({
          sentinel: true,
          config,
          ...(options.sentinelPassword !== undefined ? { requirepass: options.sentinelPassword } : {}),
        }),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') sentinels.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const topology = new Topology(name, servers, sentinels, primary, timeoutMs);
    await topology.waitForReady();
    return topology;
  } catch (e) {
    await cleanup();
    throw e;
  }
}
