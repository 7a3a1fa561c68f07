/**
 * MULTI/EXEC in a cluster: every key of every queued command must hash to one slot, and the whole
 * block goes to that slot's primary. A block refused because the slot moved (MOVED / ASK on a
 * queued command or on EXEC, TRYAGAIN during a migration, CLUSTERDOWN) did not run anywhere, so it
 * is sent again as a whole, per the redirection policy (ASK: ASKING before MULTI on the importing
 * node); when the budget is spent it rejects with ClusterTransactionError. A block whose
 * connection was lost is never resent (it may have run), nor one whose `withOptions()` caller
 * gave up meanwhile.
 */
import { tracedAt } from '../diagnostics.js';
import { Transaction, type BatchTarget, type GaveUp, type Queued } from '../shared/pipeline.js';
import { lookupCommand } from '../commands/table.js';
import {
  ClusterCrossSlotError,
  ClusterDownError,
  ClusterError,
  ClusterTransactionError,
  ExecAbortError,
  TryAgainError,
} from '../errors/index.js';
import { isRedirect, withRedirections, type RedirectHost } from './redirect.js';
import { route } from './router.js';
import type { NodeAddress } from './slot-map.js';

export interface TransactionHost {
  readonly redirects: RedirectHost;
  /** Resolves once the slot map is loaded. */
  ready(): Promise<void>;
  /** The primary serving `slot` (-1: any primary). */
  primary(slot: number): NodeAddress;
  /** Sends on `node`'s shared connection; `asking`: ASKING goes right before MULTI. */
  target(node: NodeAddress, asking: boolean): BatchTarget;
}

/**
 * The one slot of a transaction's keys (-1 when keyless); ClusterTransactionError when they span
 * slots. Its message names the queued command that broke the rule (upper-cased, as every error
 * names a command), the slots only: keys may be user data.
 */
export function transactionSlot(queued: readonly Queued[]): number {
  let slot = -1;
  for (const q of queued) {
    let r;
    try {
      r = route(lookupCommand(q.name, q.args), q.name, q.args);
    } catch (e) {
      // ClusterCrossSlotError (keys of several slots, not splittable) or DataError (a bad key).
      const why =
        e instanceof ClusterCrossSlotError ? 'hash to several slots' : `cannot be routed (${String(e)})`;
      throw spansSlots(`the keys of ${q.name.toUpperCase()} ${why}`, e);
    }
    if (r.kind === 'any' || r.kind === 'fanout') continue;
    // A split kind: a multi-key command (MSET, DEL …) whose keys hash to several slots.
    if (r.kind !== 'slot') throw spansSlots(`the keys of ${q.name.toUpperCase()} hash to several slots`);
    if (slot >= 0 && r.slot !== slot)
      throw spansSlots(
        `${q.name.toUpperCase()} is for slot ${r.slot}, the commands before it for slot ${slot}`,
      );
    slot = r.slot;
  }
  return slot;
}

function spansSlots(why: string, cause?: unknown): ClusterTransactionError {
  return new ClusterTransactionError(
    `A cluster transaction needs every key in one slot: ${why}`,
    cause === undefined ? { command: 'MULTI' } : { command: 'MULTI', cause },
  );
}

/** The redirection hidden in a refused block: EXEC itself redirected, or EXECABORT caused by a queued command's. */
function blockRedirect(e: unknown): unknown {
  if (!(e instanceof ExecAbortError)) return e;
  const cause = e.cause;
  return isRedirect(cause) || cause instanceof TryAgainError || cause instanceof ClusterDownError ? cause : e;
}

export class ClusterTransaction extends Transaction {
  private current: BatchTarget | undefined;

  constructor(
    target: BatchTarget,
    private readonly host: TransactionHost,
  ) {
    super(target);
  }

  protected override async sendBlock(queued: Queued[], gave?: GaveUp): Promise<unknown[]> {
    const slot = transactionSlot(queued);
    await this.host.ready();
    try {
      return await withRedirections(this.host.redirects, 'EXEC', false, slot, async (a) => {
        // The caller gave up (withOptions) after a refused attempt: a resend now would run the
        // block after it was told the transaction timed out or was aborted.
        if (gave?.up !== undefined) throw gave.up;
        const node = a.asking ?? this.host.primary(slot);
        a.node = node;
        for (const q of queued) tracedAt(q.trace, node.host, node.port);
        this.current = { ...this.host.target(node, a.asking !== undefined), buffers: this.target.buffers };
        try {
          return await super.sendBlock(queued, gave);
        } catch (e) {
          throw blockRedirect(e);
        }
      });
    } catch (e) {
      // Only a spent budget ends as ClusterError here (nothing else raises one): the block never ran.
      if (e instanceof ClusterError)
        throw new ClusterTransactionError(`EXEC: the transaction's slot kept moving (${e.message})`, {
          command: 'EXEC',
          cause: e.cause,
        });
      throw e;
    }
  }

  protected override targetFor(_queued: readonly Queued[]): BatchTarget {
    return this.current as BatchTarget;
  }
}
