/**
 * Transport factories that pick the node themselves (a Sentinel client's asks the sentinels
 * first), so the `host`/`port` they are given is not where they connect. The connection's
 * "connecting to" debug line and `wredis:connect` context cannot name the configured address
 * then: it would be the unused default (127.0.0.1:6379). Kept out of the public
 * `TransportFactory` type: only the Sentinel makes such factories.
 */
import type { TransportFactory } from './types.js';

const picking = new WeakSet<TransportFactory>();

/** Marks `factory` as one that picks its node; returns it. */
export function picksItsNode(factory: TransportFactory): TransportFactory {
  picking.add(factory);
  return factory;
}

/** True for a factory marked by {@link picksItsNode}: its node is known once it returns (`Transport.peer`). */
export function pickingNode(factory: TransportFactory): boolean {
  return picking.has(factory);
}
