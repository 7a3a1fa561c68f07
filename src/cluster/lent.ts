/**
 * The connection `cluster.withConnection(key, fn)` lends: a dedicated connection to the primary
 * owning the key's slot, with the standalone lent connection's rules (WATCH, MULTI/EXEC, blocking
 * commands) plus the cluster's: every key must hash to that one slot (ClusterCrossSlotError
 * before sending otherwise), and a redirection is never followed — the connection's state (WATCH,
 * MULTI) lives on this node, so a MOVED or ASK rejects with WatchError while keys are watched,
 * else with ClusterError, and the slot map is updated for the next caller. A MOVED or ASK no server
 * would send (a script's own error reply, see isForgedRedirect) is the command's reply, as is.
 */
import { Transaction, type BatchTarget, type Queued } from '../shared/pipeline.js';
import { DedicatedConnection } from '../shared/dedicated.js';
import { flatKeys, type KeysArg } from '../commands/methods/args.js';
import { applyPrefix, type KeyPrefix } from '../commands/prefix.js';
import type { ServerSupport } from '../commands/support.js';
import { lookupCommand } from '../commands/table.js';
import type { Connection } from '../connection/connection.js';
import type { ClientCache } from '../cache/index.js';
import {
  ClusterCrossSlotError,
  ClusterError,
  ExecAbortError,
  WatchError,
  type AskError,
  type MovedError,
} from '../errors/index.js';
import { isRedirect } from './redirect.js';
import { route } from './router.js';

/** Keys of `name args` outside `slot`, as the error to reject with; undefined when all are in it. */
function foreignKeys(slot: number, name: string, args: readonly unknown[]): Error | undefined {
  try {
    const r = route(lookupCommand(name, args), name, args);
    if (r.kind === 'any' || r.kind === 'fanout' || (r.kind === 'slot' && r.slot === slot)) return undefined;
  } catch (e) {
    return e instanceof Error ? e : new ClusterCrossSlotError(String(e), {});
  }
  return new ClusterCrossSlotError(
    `${name.toUpperCase()}: keys outside the slot of this connection (${slot})`,
    { command: name.toUpperCase() },
  );
}

/** The connection `cluster.withConnection(key, fn)` lends: a connection to the node owning the key's slot; commands whose keys lie in another slot reject with `ClusterCrossSlotError`. */
export class ClusterConnection extends DedicatedConnection {
  private watching = false;

  /** @internal */
  constructor(
    node: Connection,
    bytes: boolean,
    checks: ServerSupport | undefined,
    /** The slot every key must hash to. */
    readonly slot: number,
    /** Told of a redirection; false when it is no server's (isForgedRedirect): the caller gets it as is. */
    private readonly onRedirect: (e: MovedError | AskError) => boolean,
    prefix?: KeyPrefix,
    cache?: ClientCache,
  ) {
    super(node, bytes, checks, prefix, cache);
  }

  /** The arguments as the server will see them (keyPrefix applied to a copy), for the slot check. */
  private served(name: string, args: readonly unknown[]): readonly unknown[] {
    if (this.prefix === undefined) return args;
    const copy = args.slice();
    applyPrefix(this.prefix, name, copy, undefined);
    return copy;
  }

  override watch(...keys: KeysArg[]): Promise<'OK'> {
    const wrong = foreignKeys(this.slot, 'WATCH', this.served('WATCH', flatKeys(keys)));
    if (wrong !== undefined) return Promise.reject(wrong);
    return this.guard(super.watch(...keys), 'WATCH').then((ok) => {
      this.watching = true;
      return ok;
    });
  }

  override unwatch(): Promise<'OK'> {
    return super.unwatch().then((ok) => {
      this.watching = false;
      return ok;
    });
  }

  override multi(): Transaction {
    return new LentTransaction(this.batchTarget(), this);
  }

  /** @internal */
  override dispatch(
    name: string,
    args: unknown[],
    transform?: (reply: unknown) => unknown,
  ): Promise<unknown> {
    const wrong = foreignKeys(this.slot, name, this.served(name, args));
    if (wrong !== undefined) return Promise.reject(wrong);
    return this.guard(super.dispatch(name, args, transform), name);
  }

  /** @internal Turns a redirection into the error the lender promises; EXEC ends the watches. */
  guard<T>(p: Promise<T>, name: string, exec = false): Promise<T> {
    return p.then(
      (v) => {
        if (exec) this.watching = false;
        return v;
      },
      (e: unknown) => {
        const watched = this.watching;
        if (exec) this.watching = false;
        const redirect = isRedirect(e)
          ? e
          : e instanceof ExecAbortError && isRedirect(e.cause)
            ? e.cause
            : undefined;
        // A redirection the command made up (a script's error reply) is its answer: it ran here,
        // and a WatchError would tell an optimistic-locking loop to run it again.
        if (redirect === undefined || !this.onRedirect(redirect)) throw e;
        const command = name.toUpperCase();
        if (watched)
          throw new WatchError(`${command}: the watched slot ${this.slot} moved to another node`, {
            command,
            cause: redirect,
          });
        throw new ClusterError(
          `${command}: slot ${this.slot} moved; a lent connection does not follow redirections`,
          { command, cause: redirect },
        );
      },
    );
  }

  /** @internal Checks a transaction's keys against the slot. */
  checkKeys(queued: readonly Queued[]): void {
    for (const q of queued) {
      if (q.error !== undefined) continue;
      const wrong = foreignKeys(this.slot, q.name, q.args);
      if (wrong !== undefined) throw wrong;
    }
  }
}

/** MULTI/EXEC on the lent connection: keys checked against its slot, redirections refused. */
class LentTransaction<T extends unknown[] = []> extends Transaction<T> {
  constructor(
    target: BatchTarget,
    private readonly owner: ClusterConnection,
  ) {
    super(target);
  }

  override exec(): Promise<T> {
    try {
      this.owner.checkKeys(this.queued);
    } catch (e) {
      this.queued.length = 0;
      return Promise.reject(e);
    }
    return this.owner.guard(super.exec(), 'EXEC', true);
  }
}
