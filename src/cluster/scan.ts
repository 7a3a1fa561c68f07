/**
 * What the cluster's `scanIterator()` needs to know once every primary has been scanned in turn:
 * which nodes received keys while that went on. A key moved from a node not yet scanned to one
 * already scanned is in neither SCAN; the nodes named here are scanned again (their keys may then
 * be yielded twice, as SCAN allows, but none is left out).
 */
import { SLOT_COUNT, type AddressResolver, type NodeAddress, type SlotMap } from './slot-map.js';

/** The primary serving each slot (its address key; undefined when none does). */
export function slotOwners(map: SlotMap): (string | undefined)[] {
  const out = new Array<string | undefined>(SLOT_COUNT);
  for (let slot = 0; slot < SLOT_COUNT; slot++) out[slot] = map.shardOf(slot)?.primary.key;
  return out;
}

/** Primaries of `now` that serve a slot another node served in `before` (a finished migration, a failover). */
export function gainedSlots(before: readonly (string | undefined)[], now: SlotMap): NodeAddress[] {
  const out = new Map<string, NodeAddress>();
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const owner = now.shardOf(slot)?.primary;
    if (owner !== undefined && owner.key !== before[slot]) out.set(owner.key, owner);
  }
  return [...out.values()];
}

const MIGRATION = /^\[\d+-([<>])-([0-9a-f]+)\]$/;

/**
 * Nodes taking in a slot, from `self`'s CLUSTER NODES: `self` when its own line shows a slot
 * IMPORTING (`[slot-<-id]`), and the target of each slot it is MIGRATING (`[slot->-id]`), which
 * may serve no slot yet (a node being added) and so be in no slot map.
 */
export function migrationTargets(nodes: string, self: NodeAddress, resolve: AddressResolver): NodeAddress[] {
  const byId = new Map<string, NodeAddress>();
  const targets: string[] = [];
  let importing = false;
  for (const line of nodes.split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const address = announced(fields[1] as string, resolve);
    if (address !== undefined) byId.set(fields[0] as string, address);
    if (!(fields[2] as string).split(',').includes('myself')) continue;
    for (const token of fields.slice(8)) {
      const m = MIGRATION.exec(token);
      if (m === null) continue;
      if (m[1] === '<') importing = true;
      else targets.push(m[2] as string);
    }
  }
  const out = targets.map((id) => byId.get(id)).filter((a): a is NodeAddress => a !== undefined);
  if (importing) out.push(self);
  return out;
}

/** `ip:port@cport[,hostname]` -> the address to connect to; undefined without a usable port. */
function announced(field: string, resolve: AddressResolver): NodeAddress | undefined {
  const at = field.indexOf('@');
  const hostPort = at < 0 ? (field.split(',')[0] as string) : field.slice(0, at);
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) return undefined;
  const port = Number(hostPort.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return resolve(hostPort.slice(0, colon), port);
}
