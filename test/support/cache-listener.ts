/**
 * The RESP2 invalidation listener of a client with `clientSideCache` (internal): tests use one
 * round trip on it as a barrier, since every invalidation the server sent before its PONG has
 * then been read by the client (same socket, in order). Users have no such barrier; see the
 * README's RESP2 limit.
 */
import assert from 'node:assert/strict';
import type { Redis } from '../../src/index.js';

interface Internals {
  shared: {
    cache: { tracker: { listener?: { conn: { send(name: string, args: unknown[]): Promise<unknown> } } } };
  };
}

/** A PING on `r`'s RESP2 listener connection: resolves once every earlier invalidation was read. */
export async function listenerRoundTrip(r: Redis): Promise<void> {
  const listener = (r as unknown as Internals).shared.cache.tracker.listener;
  assert.ok(listener !== undefined, 'RESP2: the listener connection exists');
  await listener.conn.send('PING', []);
}
