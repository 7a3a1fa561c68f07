/**
 * What a connection's socket holds, as data. On every new socket each piece is either
 * re-applied by the handshake (db, client name, READONLY, tracking, subscriptions) or
 * declared lost to whoever holds it: `generation` counts sockets, so a holder of state
 * that a reconnect cannot restore (WATCH, an open MULTI on a lent connection) compares
 * the generation it started on with the current one and fails instead of running on a
 * fresh socket.
 */
import type { Peer } from '../transport/types.js';

/** A command re-sent on every new socket (SUBSCRIBE and friends). */
export interface ReplayedCommand {
  name: string;
  args: readonly unknown[];
  /** The server refused it (an error reply, not a lost socket); it is reported as an `error` event too. */
  refused?: (error: Error) => void;
}

/** What the server said about itself in the handshake. */
export interface ServerHello {
  protocol: 2 | 3;
  version: string | undefined;
  id: number | undefined;
}

export class ConnectionState {
  /** Incremented each time a new socket is opened; 0 before the first. */
  generation = 0;
  /** The database the handshake selects. */
  db: number;
  /** The name the handshake sets (CLIENT SETNAME is re-applied after reconnects). */
  clientName: string | undefined;
  /** Cluster replica reads: READONLY after the handshake. */
  readOnly: boolean;
  /** CLIENT TRACKING arguments to re-apply (client-side caching), or undefined. */
  tracking: readonly unknown[] | undefined;
  /** What the server said in the last handshake. */
  hello: ServerHello = { protocol: 2, version: undefined, id: undefined };
  /** The subscriptions to restore, asked for at each handshake. */
  subscriptions: (() => readonly ReplayedCommand[]) | undefined;
  /** Pub/Sub messages are told from replies only as RESP3 pushes (not routed as RESP2 arrays). */
  pushesOnly = true;
  /**
   * The node the latest socket reached when its transport says so (`Transport.peer`: Sentinel
   * clients), else undefined (the configured address is the node). Kept after the socket is lost,
   * so the close and reconnect lines still name it.
   */
  peer: Peer | undefined = undefined;

  constructor(initial: { db: number; clientName: string | undefined; readOnly: boolean }) {
    this.db = initial.db;
    this.clientName = initial.clientName;
    this.readOnly = initial.readOnly;
  }
}
