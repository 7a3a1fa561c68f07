/**
 * Tracking on one connection whose reads are cached. `CLIENT TRACKING ON` is sent
 * on every new socket (with `REDIRECT` to an {@link InvalidationListener} under
 * RESP2); replies are stored only while tracking is confirmed on the socket that
 * carried the read: `active` turns on when the server acknowledged tracking, and
 * `epoch` changes whenever that may no longer hold (socket lost, listener lost,
 * tracking re-sent), so a read started before the change is never stored after it.
 * When the socket (or the RESP2 listener) is lost, the entries read through it are
 * flushed: invalidations may have been missed in between.
 */
import type { Connection, SendOptions } from '../connection/connection.js';
import { ConnectionError } from '../errors/index.js';
import { INVALIDATION_PING_MS, InvalidationListener } from './listener.js';
import type { ResolvedCacheOptions } from './options.js';
import type { Owner } from './store.js';

/** Sends one command on a tracked connection. */
export type Sender = (name: string, args: readonly unknown[], options: SendOptions) => Promise<unknown>;

/** What a tracker tells its cache. */
export interface TrackerSink {
  /** The server says these keys changed (null: all of this connection's keys). */
  invalidate(tracker: Tracker, keys: unknown[] | null): void;
  /** Everything read through `tracker` may be stale: drop it, and store nothing in flight. */
  flush(tracker: Tracker): void;
}

const ascii = new TextDecoder();

export class Tracker implements Owner {
  /** Tracking acknowledged on the current socket (and, under RESP2, the listener subscribed). */
  active = false;
  epoch = 0;
  /**
   * Counts flushes of everything read through this connection (lost, FLUSHDB/FLUSHALL, a slot
   * moved, `clear()`): a read in flight records it when sent and is not stored if it moved on.
   */
  flushes = 0;
  private listener: InvalidationListener | undefined;
  private closed = false;
  /** Sends on the tracked connection. */
  readonly send: Sender = (name, args, options) => this.conn.send(name, args, options);

  constructor(
    readonly conn: Connection,
    private readonly options: ResolvedCacheOptions,
    /** `keyPrefix` of the client, prepended to broadcast prefixes. */
    private readonly keyPrefix: string | Uint8Array | undefined,
    private readonly sink: TrackerSink,
  ) {
    conn.on('ready', () => this.enable());
    conn.on('close', () => this.lost());
    conn.on('end', () => this.lost());
    conn.on('push', (value) => {
      if (kind(value[0]) === 'invalidate') {
        const keys = value[1];
        this.sink.invalidate(this, Array.isArray(keys) ? (keys as unknown[]) : null);
      }
    });
    if (conn.status === 'ready') this.enable();
  }

  /** Stops tracking for good (the client closes). */
  close(): Promise<void> {
    this.closed = true;
    this.lost();
    return this.listener?.close() ?? Promise.resolve();
  }

  /** Whether a reply read now may be stored once it arrives. */
  get storing(): boolean {
    return this.active;
  }

  private enable(): void {
    if (this.closed) return;
    if (this.conn.hello.protocol === 3) {
      // Invalidations arrive on this socket only, and hits send nothing on it: gone silent (a
      // frozen network, a NAT that dropped the idle mapping), it would leave every hit stale for
      // good. A PING when idle (as on the RESP2 listener) bounds that to about the interval plus
      // connectTimeout; the connection is then dropped, which flushes the cache.
      this.conn.keepAlive(INVALIDATION_PING_MS);
      this.sendTracking([]);
      return;
    }
    // RESP2: invalidations go to a listener connection on the same server.
    if (this.listener === undefined) {
      this.listener = new InvalidationListener(this.conn.config, {
        ready: () => this.enable(),
        invalidate: (keys) => this.sink.invalidate(this, keys),
        lost: () => this.lost(),
        refused: (e) => this.refused(e),
      });
    }
    const id = this.listener.id;
    if (id !== undefined) this.sendTracking(['REDIRECT', id], this.listener.name);
  }

  /** CLIENT TRACKING ON on the current socket; `listener`: the name the REDIRECT target must have. */
  private sendTracking(redirect: unknown[], listener?: string): void {
    if (this.conn.status !== 'ready') return;
    this.lost();
    const epoch = this.epoch;
    const args: unknown[] = ['TRACKING', 'ON', ...redirect];
    if (this.options.mode === 'broadcast') {
      args.push('BCAST');
      for (const p of this.prefixes()) args.push('PREFIX', p);
    }
    const send = (): void => {
      // OFF first: the options of a connection already tracking (a new REDIRECT) cannot be changed in place.
      this.conn.send('CLIENT', ['TRACKING', 'OFF']).catch(() => undefined);
      this.conn.send('CLIENT', args).then(
        () => {
          // Only if nothing was lost meanwhile: reads sent from now on are tracked.
          if (this.epoch !== epoch || this.closed) return;
          this.active = true;
          this.epoch++;
        },
        // Refused (a server without tracking, an ACL without it) or lost: reads pass through uncached.
        (e: unknown) => this.refused(e),
      );
    };
    if (listener === undefined) {
      send();
      return;
    }
    this.conn.send('CLIENT', ['LIST', 'ID', redirect[1]]).then(
      (list) => {
        // Another server (the listener landed elsewhere): no caching until both reconnect together.
        if (this.epoch === epoch && String(list).includes(`name=${listener} `)) send();
      },
      (e: unknown) => this.refused(e),
    );
  }

  /**
   * A refusal of what tracking needs (NOPERM for CLIENT TRACKING, CLIENT LIST or the listener's
   * SUBSCRIBE): reads still pass through uncached, but the client says why on its 'error' event;
   * swallowed, the cache stayed off without a word. A lost socket says nothing (it sets up again).
   */
  private refused(e: unknown): void {
    if (!this.closed && e instanceof Error && !(e instanceof ConnectionError)) this.conn.reportError(e);
  }

  /** The broadcast prefixes as the server sees them (keyPrefix in front); none = every key. */
  prefixes(): Array<string | Uint8Array> {
    const pre = this.keyPrefix;
    const given = this.options.prefixes;
    if (pre === undefined || pre.length === 0) return [...given];
    if (given.length === 0) return [pre];
    return given.map((p) => (typeof p === 'string' && typeof pre === 'string' ? pre + p : concat(pre, p)));
  }

  /** Tracking can no longer be trusted on this socket: drop what it read, store nothing in flight. */
  private lost(): void {
    this.active = false;
    this.epoch++;
    this.sink.flush(this);
  }
}

function kind(v: unknown): string | undefined {
  return typeof v === 'string' ? v : v instanceof Uint8Array && v.length <= 12 ? ascii.decode(v) : undefined;
}

const utf8 = new TextEncoder();

function concat(a: string | Uint8Array, b: string | Uint8Array): Uint8Array {
  const x = typeof a === 'string' ? utf8.encode(a) : a;
  const y = typeof b === 'string' ? utf8.encode(b) : b;
  const out = new Uint8Array(x.length + y.length);
  out.set(x, 0);
  out.set(y, x.length);
  return out;
}
