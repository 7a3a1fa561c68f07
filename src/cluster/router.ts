/**
 * Where a command goes in a cluster, decided from the command table: the slot of
 * its keys (one batched WASM call for many keys), a split per slot for the
 * multi-key commands whose replies can be merged, a fan-out for keyless commands
 * with a request_policy tip, or any node.
 */
import { keyIndexes } from '../commands/keys.js';
import { requestPolicy, responsePolicy } from '../commands/table.js';
import type { CommandSpec } from '../commands/types.js';
import type { FanoutMerge } from './merge.js';
import { keySlot, keySlots, type KeyInput } from '../core/slots.js';
import { ClusterCrossSlotError, DataError } from '../errors/index.js';

export type Route =
  | { readonly kind: 'slot'; readonly slot: number }
  | {
      readonly kind: 'split';
      readonly merge: SplitMerge;
      readonly parts: readonly SplitPart[];
      readonly total: number;
    }
  | {
      readonly kind: 'fanout';
      readonly nodes: 'all_shards' | 'all_nodes';
      readonly response: FanoutMerge | undefined;
    }
  | { readonly kind: 'any' };

/** How split replies become one: values back in caller order, a sum, or one 'OK'. */
export type SplitMerge = 'positions' | 'sum' | 'ok';

export interface SplitPart {
  readonly slot: number;
  readonly args: unknown[];
  /** For 'positions': where each reply element goes in the merged reply. */
  readonly positions: number[];
}

/** Multi-key commands that may span slots: how their arguments group and their replies merge. */
const SPLITTABLE: ReadonlyMap<string, { step: number; merge: SplitMerge }> = new Map([
  ['mget', { step: 1, merge: 'positions' }],
  ['mset', { step: 2, merge: 'ok' }],
  ['del', { step: 1, merge: 'sum' }],
  ['unlink', { step: 1, merge: 'sum' }],
  ['exists', { step: 1, merge: 'sum' }],
  ['touch', { step: 1, merge: 'sum' }],
]);

const ANY: Route = { kind: 'any' };

function isKey(v: unknown): v is KeyInput {
  return typeof v === 'string' || typeof v === 'number' || v instanceof Uint8Array;
}

/** Routes one command; throws ClusterCrossSlotError before anything is sent. */
export function route(spec: CommandSpec | undefined, commandName: string, args: readonly unknown[]): Route {
  if (spec === undefined) return ANY;
  const indexes = keyIndexes(spec, args, true);
  if (indexes.length === 0) {
    const policy = requestPolicy(spec);
    if (policy === 'all_shards' || policy === 'all_nodes')
      return {
        kind: 'fanout',
        nodes: policy,
        response:
          responsePolicy(spec) ?? (spec.tips.includes('nondeterministic_output') ? 'any_one' : undefined),
      };
    return ANY;
  }
  if (indexes.length === 1) {
    const key = args[indexes[0] as number];
    if (!isKey(key))
      throw new DataError('a key must be a string, number, Buffer or Uint8Array', {
        command: commandName.toUpperCase(),
      });
    return { kind: 'slot', slot: keySlot(key) };
  }
  const keys: KeyInput[] = [];
  for (const i of indexes) {
    const k = args[i];
    if (!isKey(k))
      throw new DataError('a key must be a string, number, Buffer or Uint8Array', {
        command: commandName.toUpperCase(),
      });
    keys.push(k);
  }
  const slots = keySlots(keys);
  const first = slots[0] as number;
  let same = true;
  for (let i = 1; i < slots.length; i++) if (slots[i] !== first) same = false;
  if (same) return { kind: 'slot', slot: first };
  const split = SPLITTABLE.get(spec.name);
  if (split === undefined) {
    throw new ClusterCrossSlotError(`Keys of ${commandName.toUpperCase()} do not hash to the same slot`, {
      command: commandName.toUpperCase(),
      keys: keys.filter((k): k is string | Uint8Array => typeof k !== 'number'),
    });
  }
  return splitBySlot(args, indexes, slots, split.step, split.merge);
}

function splitBySlot(
  args: readonly unknown[],
  indexes: readonly number[],
  slots: Uint16Array,
  step: number,
  merge: SplitMerge,
): Route {
  const bySlot = new Map<number, { slot: number; args: unknown[]; positions: number[] }>();
  for (let k = 0; k < indexes.length; k++) {
    const slot = slots[k] as number;
    let part = bySlot.get(slot);
    if (part === undefined) {
      part = { slot, args: [], positions: [] };
      bySlot.set(slot, part);
    }
    const at = indexes[k] as number;
    for (let j = 0; j < step; j++) part.args.push(args[at + j]);
    part.positions.push(k);
  }
  return { kind: 'split', merge, parts: [...bySlot.values()], total: indexes.length };
}

/** Puts split replies back together. */
export function mergeSplit(
  merge: SplitMerge,
  parts: readonly SplitPart[],
  replies: readonly unknown[],
  total: number,
): unknown {
  if (merge === 'ok') return 'OK';
  if (merge === 'sum') return (replies as number[]).reduce((a, b) => a + b, 0);
  const out: unknown[] = new Array(total);
  parts.forEach((part, p) => {
    const values = replies[p] as unknown[];
    part.positions.forEach((pos, i) => {
      out[pos] = values[i];
    });
  });
  return out;
}
