/**
 * "Does this server have the command?" — decided before anything is sent, so a
 * command newer than the server rejects with CommandNotSupportedError (with the
 * server's version) and a module command without its module with
 * ModuleCommandNotSupportedError, instead of a bare "unknown command".
 *
 * Only commands that may be missing are checked: core commands newer than
 * {@link CHECKED_SINCE} and module commands. GET, SET, HSET … never are, so
 * the hot path pays nothing; a checked command pays one map lookup once the
 * server's facts are known.
 *
 * Facts: the server version from the HELLO reply, or (RESP2, where there is no
 * HELLO) from INFO server, asked once; the loaded modules from MODULE LIST,
 * asked once on the first module command. Both are forgotten on reconnect (the
 * server may have been upgraded or failed over). When a fact cannot be had
 * (MODULE LIST refused by ACL, INFO missing a version), the command is sent and
 * the server decides.
 *
 * While a fact is being fetched, later commands of the same client are held
 * behind the checked one, so the client's issue order is kept.
 */
import type { Connection, Deferred } from '../connection/connection.js';
import {
  CommandNotSupportedError,
  ConnectionError,
  ModuleCommandNotSupportedError,
  type RedisError,
} from '../errors/index.js';
import { within } from '../util/timer.js';
import { MODULES } from './newer.js';
import { compareVersions } from './table.js';
import type { CommandSpec } from './types.js';

/**
 * Core commands introduced after this version are checked: it is the oldest
 * server line the client speaks to (RESP2, no HELLO). Commands up to it are
 * assumed present.
 */
export const CHECKED_SINCE = '5.0.0';

const checked = new WeakMap<CommandSpec, boolean>();

/** Whether calls of `spec` are checked against the server before sending. */
export function needsSupportCheck(spec: CommandSpec): boolean {
  let c = checked.get(spec);
  if (c === undefined) {
    c = spec.module !== undefined || compareVersions(spec.since, CHECKED_SINCE) > 0;
    checked.set(spec, c);
  }
  return c;
}

/** The command's name for messages: `HEXPIRE`, `CLIENT NO-TOUCH`, `JSON.GET`. */
export function displayName(spec: CommandSpec): string {
  return spec.name.replace('|', ' ').toUpperCase();
}

/** Module names (as MODULE LIST gives them) whose commands ship with the server, versioned like it. */
const SERVER_VERSIONED_MODULES = new Set<string>([MODULES.vectorSets]);

/** A decision: null = supported, else how to build the error (one error object per failed call). */
type Decision = null | (() => RedisError);

/** The server version in an INFO text: Valkey's own version when present, else redis_version. */
export function versionFromInfo(info: string): string | undefined {
  const valkey = /^valkey_version:([^\r\n]+)/m.exec(info);
  if (valkey !== null) return (valkey[1] as string).trim();
  const redis = /^redis_version:([^\r\n]+)/m.exec(info);
  return redis === null ? undefined : (redis[1] as string).trim();
}

/** Module names from a MODULE LIST reply (RESP2 flat arrays or RESP3 maps; names may be bytes). */
export function modulesFromList(reply: unknown): Set<string> {
  const out = new Set<string>();
  if (!Array.isArray(reply)) return out;
  const text = (v: unknown): string =>
    typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
  for (const m of reply) {
    if (Array.isArray(m)) {
      for (let i = 0; i + 1 < m.length; i += 2) if (text(m[i]) === 'name') out.add(text(m[i + 1]));
    } else if (m !== null && typeof m === 'object' && 'name' in m) {
      out.add(text((m as { name: unknown }).name));
    }
  }
  return out;
}

/**
 * Other servers that can tell the same facts (a cluster's other primaries: one cluster, one
 * version), asked in turn when `main` gives no answer within `limit` ms.
 */
export interface OtherSources {
  /** The connections to ask after `main` (`main` itself among them is skipped). */
  readonly connections: () => readonly Connection[];
  /** How long one server is waited for (connectTimeout); 0 = no bound. */
  readonly limit: number;
}

interface Held {
  readonly gate: CommandSpec | undefined;
  readonly send: () => Promise<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  /** Accepted before close(): sent through this, so the close waits for it (Connection.defer). */
  readonly deferred: Deferred | undefined;
}

/**
 * Per client (shared by its `withBuffers()` views, its blocking connections
 * and the connections `withConnection` lends: they all reach the same server).
 */
export class ServerSupport {
  /** Version from INFO (RESP2); '' = asked, none given. */
  private infoVersion: string | undefined;
  /** Loaded modules; null = cannot be known (MODULE LIST refused). */
  private modules: Set<string> | null | undefined;
  private readonly decisions = new Map<CommandSpec, Decision>();
  /** The version the cached decisions were made against. */
  private decidedFor: string | undefined;
  private fetching: Promise<void> | undefined;
  /** Commands waiting for facts, in issue order; undefined when nothing waits. */
  private held: Held[] | undefined;

  constructor(
    private readonly main: Connection,
    private readonly others?: OtherSources,
  ) {
    main.on('ready', () => this.forget());
  }

  /** True while commands are held; the client then routes every command through {@link run}. (A field: read on every dispatch.) */
  holding = false;

  /** Drops what was learnt about the server (on every new connection). */
  forget(): void {
    this.infoVersion = undefined;
    this.modules = undefined;
    this.decisions.clear();
    this.decidedFor = undefined;
  }

  /** The server version, when known without asking. */
  private version(): string | undefined {
    const hello = this.main.status === 'ready' ? this.main.hello.version : undefined;
    return hello ?? this.infoVersion;
  }

  /** The cached or fresh decision for `spec`; undefined while a fact is missing. */
  decide(spec: CommandSpec): Decision | undefined {
    const version = this.version();
    if (version !== this.decidedFor) {
      this.decisions.clear();
      this.decidedFor = version;
    }
    const known = this.decisions.get(spec);
    if (known !== undefined) return known;
    const d = this.compute(spec, version);
    if (d !== undefined) this.decisions.set(spec, d);
    return d;
  }

  private compute(spec: CommandSpec, version: string | undefined): Decision | undefined {
    const name = displayName(spec);
    const module = spec.module;
    if (module !== undefined) {
      if (this.modules === undefined) return undefined;
      if (this.modules !== null && !this.modules.has(module)) {
        return () =>
          new ModuleCommandNotSupportedError(
            `${name} needs the ${module} module, which the server has not loaded`,
            { command: name, module },
          );
      }
      if (!SERVER_VERSIONED_MODULES.has(module)) return null;
    }
    if (version === undefined) return undefined;
    if (version === '' || compareVersions(spec.since, version) <= 0) return null;
    if (module !== undefined) {
      return () =>
        new ModuleCommandNotSupportedError(`${name} needs server ${spec.since}; the server runs ${version}`, {
          command: name,
          module,
          currentVersion: version,
        });
    }
    return () =>
      new CommandNotSupportedError(`${name} needs server ${spec.since}; the server runs ${version}`, {
        command: name,
        currentVersion: version,
      });
  }

  /**
   * Sends the command through `send` once it is known to be supported (or
   * rejects with the decision's error). `gate` undefined: an unchecked command,
   * which only waits when commands ahead of it are held.
   */
  run(gate: CommandSpec | undefined, send: () => Promise<unknown>): Promise<unknown> {
    if (this.held === undefined) {
      if (gate === undefined) return send();
      const d = this.decide(gate);
      if (d === null) return send();
      if (d !== undefined) return Promise.reject(d());
    }
    return new Promise((resolve, reject) => {
      (this.held ??= []).push({ gate, send, resolve, reject, deferred: this.main.defer() });
      this.holding = true;
      this.fetchFacts();
    });
  }

  /** A batch accepted now and sent once the facts are known (see Connection.defer). */
  defer(): Deferred | undefined {
    return this.main.defer();
  }

  /** Resolves when the facts `gates` need are known (or cannot be); for batches checked as a whole. */
  async prepare(gates: readonly CommandSpec[]): Promise<void> {
    for (let round = 0; round < 3; round++) {
      if (gates.every((g) => this.decide(g) !== undefined)) return;
      await this.fetch(gates.some((g) => g.module !== undefined));
    }
  }

  private fetchFacts(): void {
    if (this.fetching !== undefined) return;
    const needModules = this.held?.some((h) => h.gate?.module !== undefined) ?? false;
    // fetch() records a failure as an unknown fact instead of rejecting (see run() below).
    void this.fetch(needModules).then(() => this.release());
  }

  /** Lets held commands go, in order, until one still lacks a fact. */
  private release(): void {
    const held = this.held;
    if (held === undefined) return;
    while (held.length > 0) {
      const h = held[0] as Held;
      let d: Decision | undefined = null;
      if (h.gate !== undefined) d = this.decide(h.gate);
      if (d === undefined) {
        this.fetchFacts();
        return;
      }
      held.shift();
      if (d === null)
        (h.deferred === undefined ? h.send() : h.deferred.send(h.send)).then(h.resolve, h.reject);
      else {
        h.deferred?.release();
        h.reject(d());
      }
    }
    this.held = undefined;
    this.holding = false;
  }

  /** Asks the server for what is missing. Never rejects: a fact that cannot be had is marked unknowable. */
  private fetch(needModules: boolean): Promise<void> {
    if (this.fetching !== undefined) return this.fetching;
    const run = async (): Promise<void> => {
      // A server that does not answer at all (frozen: SIGSTOP, a paused VM, its socket still open)
      // held every command of the client behind the held one for good, those for the other
      // nodes of a cluster too: where another server can tell, it is asked after `limit` ms.
      const others = this.others;
      const limit = others === undefined ? 0 : others.limit;
      if (await this.askOne(this.main, needModules, limit)) return;
      for (const conn of others?.connections() ?? []) {
        if (this.known(needModules)) return;
        if (conn !== this.main && (await this.askOne(conn, needModules, limit))) return;
      }
      // No server answered: let the commands go and fail (or queue) the usual way.
      this.infoVersion ??= '';
      if (needModules) this.modules ??= null;
    };
    const p = run().finally(() => {
      this.fetching = undefined;
    });
    this.fetching = p;
    return p;
  }

  /** Whether the facts a fetch is for are in (known, or known to be unknowable). */
  private known(needModules: boolean): boolean {
    return this.version() !== undefined && (!needModules || this.modules !== undefined);
  }

  /**
   * Asks `conn` for the missing facts; true once they are in (an error reply counts: the fact is
   * then unknowable), false when the server could not be reached or gave no answer within `limit`
   * (an answer after that is still recorded).
   */
  private askOne(conn: Connection, needModules: boolean, limit: number): Promise<boolean> {
    let abandoned = false;
    const asked = (async (): Promise<boolean> => {
      // Asked for commands accepted before a close() that may come meanwhile: asked all the same.
      const deferred = conn.defer();
      try {
        await conn.connect();
      } catch {
        deferred?.release();
        return false;
      }
      if (abandoned) {
        deferred?.release();
        return false;
      }
      const asks: Array<Promise<boolean>> = [];
      // An answer is recorded, and so is a refusal (the fact is then unknowable); a lost
      // connection is no answer (false: the next server is asked).
      const record = (
        sent: Promise<unknown>,
        answer: (reply: unknown) => void,
        refused: () => void,
      ): void => {
        asks.push(
          sent.then(
            (reply) => {
              answer(reply);
              return true;
            },
            (e: unknown) => {
              if (e instanceof ConnectionError) return false;
              refused();
              return true;
            },
          ),
        );
      };
      const ask = (): void => {
        if (this.version() === undefined)
          record(
            conn.send('INFO', ['server'], { transform: (v) => (typeof v === 'string' ? v : String(v)) }),
            (info) => (this.infoVersion = versionFromInfo(info as string) ?? ''),
            () => (this.infoVersion = ''),
          );
        if (needModules && this.modules === undefined)
          record(
            conn.send('MODULE', ['LIST'], {}),
            (reply) => (this.modules = modulesFromList(reply)),
            () => (this.modules = null),
          );
      };
      if (deferred === undefined) ask();
      else deferred.send(ask);
      return (await Promise.all(asks)).every(Boolean);
    })();
    return within(asked, limit, false).finally(() => {
      abandoned = true;
    });
  }
}
