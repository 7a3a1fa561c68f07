/**
 * RESP2 has no pushes on a command connection, so under `protocol: 2` the server
 * sends a tracking connection's invalidations to another client (`CLIENT TRACKING
 * ON REDIRECT <id>`), as pub/sub messages on `__redis__:invalidate`. This is that
 * other client: one dedicated connection per tracked connection (the redirect
 * target must live on the same server), subscribed again after every reconnect.
 */
import { Connection, type ConnectionConfig } from '../connection/connection.js';
import { ConnectionError } from '../errors/index.js';

const CHANNEL = '__redis__:invalidate';
/**
 * The idle PING interval of a connection invalidations arrive on (this listener, a RESP3 tracked
 * connection) when the client sets no `pingInterval`.
 */
export const INVALIDATION_PING_MS = 1000;
const ascii = new TextDecoder();

export interface ListenerEvents {
  /** Subscribed: invalidations for trackers redirecting to `id` arrive from now on. */
  ready(id: number): void;
  /** The keys that changed, or null for "everything" (FLUSHALL, FLUSHDB). */
  invalidate(keys: unknown[] | null): void;
  /** The server refused the subscription (an ACL without the channel): no invalidations come. */
  refused(error: Error): void;
  /** The connection went away: invalidations may have been missed. */
  lost(): void;
}

export class InvalidationListener {
  private readonly conn: Connection;
  /** The client id while subscribed, else undefined. */
  id: number | undefined;
  /**
   * The listener's client name: a tracked connection checks (CLIENT LIST ID) that the id it
   * redirects to is this connection on its own server — client ids are small numbers, and a
   * Sentinel-managed pair could land on different nodes, where the id may name someone else.
   */
  readonly name = `wredis-invalidations-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

  constructor(
    config: ConnectionConfig,
    private readonly events: ListenerEvents,
  ) {
    this.conn = new Connection({
      ...config,
      protocol: 2,
      readOnly: false,
      clientName: this.name,
      // Nothing else is sent on this socket, so nothing else would notice it go silent (a frozen
      // network, a NAT that dropped the idle mapping) while the tracked connection works on: every
      // hit would stay stale for good. A PING when idle bounds that to about the interval plus
      // connectTimeout, and its loss flushes the cache like any lost listener.
      pingInterval:
        config.pingInterval !== undefined && config.pingInterval > 0
          ? config.pingInterval
          : INVALIDATION_PING_MS,
    });
    this.conn.routePubSub({ resp2: true });
    this.conn.on('ready', () => void this.subscribe());
    this.conn.on('close', () => this.down());
    this.conn.on('end', () => this.down());
    this.conn.on('push', (message) => this.onMessage(message));
    // A failed connect is reported through 'close'/'end' (down() above); nothing awaits it here.
    this.conn.connect().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  private async subscribe(): Promise<void> {
    try {
      const id = await this.conn.send('CLIENT', ['ID']);
      await this.conn.send('SUBSCRIBE', [CHANNEL], { confirmations: 1 });
      if (typeof id !== 'number' || this.conn.status !== 'ready') return;
      this.id = id;
      this.events.ready(id);
    } catch (e) {
      // Dropped: its reconnect subscribes again. Refused: no caching then, and the client says so.
      if (e instanceof Error && !(e instanceof ConnectionError)) this.events.refused(e);
    }
  }

  private down(): void {
    if (this.id === undefined) return;
    this.id = undefined;
    this.events.lost();
  }

  private onMessage(message: unknown[]): void {
    if (kind(message[0]) !== 'message' || text(message[1]) !== CHANNEL) return;
    const keys = message[2];
    this.events.invalidate(Array.isArray(keys) ? (keys as unknown[]) : null);
  }
}

function kind(v: unknown): string | undefined {
  return typeof v === 'string' ? v : v instanceof Uint8Array && v.length <= 12 ? ascii.decode(v) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : v instanceof Uint8Array ? ascii.decode(v) : undefined;
}
