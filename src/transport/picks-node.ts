/**
 * Transport factories that pick the node themselves (a Sentinel client's asks the sentinels
 * first), so the `host`/`port` they are given is not where they connect. The connection's
 * "connecting to" debug line and `wredis:connect` context cannot name the configured address
 * then: it would be the unused default (127.0.0.1:6379). Such a factory comes with its two
 * steps apart, so the connection can learn the node before the trace starts and name it from
 * the start event on. Kept out of the public `TransportFactory` type: only the Sentinel makes
 * such factories.
 */
import type { Peer, Transport, TransportFactory, TransportTarget } from './types.js';

/** A node picked for a connect, not dialled yet. */
export interface PickedNode {
  /** Where `connect()` dials (a later lookup may end elsewhere: `Transport.peer` says). */
  readonly peer: Peer;
  connect(): Promise<Transport>;
}

/** The lookup step of a factory that picks its node. */
export type NodePicker = (target: TransportTarget) => Promise<PickedNode>;

const pickers = new WeakMap<TransportFactory, NodePicker>();

/** The factory `pick` then `connect()`, marked so a connection can run the two steps apart. */
export function picksItsNode(pick: NodePicker): TransportFactory {
  const factory: TransportFactory = async (target) => (await pick(target)).connect();
  pickers.set(factory, pick);
  return factory;
}

/** The lookup step of a factory made by {@link picksItsNode}; undefined for any other. */
export function pickerOf(factory: TransportFactory): NodePicker | undefined {
  return pickers.get(factory);
}
