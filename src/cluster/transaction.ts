/**
 * MULTI/EXEC in a cluster: every key of every queued command must hash to one
 * slot, and the whole block goes to that slot's primary.
 */
import { Transaction, type BatchTarget, type Queued } from '../client/pipeline.js';
import { lookupCommand } from '../commands/table.js';
import { ClusterTransactionError } from '../errors/index.js';
import { route } from './router.js';

export class ClusterTransaction extends Transaction {
  constructor(
    target: BatchTarget,
    private readonly forSlot: (slot: number) => BatchTarget,
  ) {
    super(target);
  }

  protected override targetFor(queued: readonly Queued[]): BatchTarget {
    let slot = -1;
    for (const q of queued) {
      const r = route(lookupCommand(q.name, q.args), q.name, q.args);
      if (r.kind === 'any') continue;
      if (r.kind !== 'slot' || (slot >= 0 && r.slot !== slot)) {
        throw new ClusterTransactionError('A cluster transaction needs every key in one slot', {
          command: 'MULTI',
        });
      }
      slot = r.slot;
    }
    return this.forSlot(slot);
  }
}
