/**
 * Dedicated connections for blocking commands (BLPOP, XREAD BLOCK, WAIT …), so a
 * command that waits on the server never holds up the shared pipelined one, and
 * for `withConnection`. Connections are made on demand up to `max`, one command
 * (or one lease) at a time each, reused, and closed with the client; callers
 * beyond `max` (`maxBlockingConnections`) wait for a free one, at most `timeout` ms
 * (`blockingConnectionTimeout`, 0 = no limit) before rejecting with ConnectionError
 * `ERR_WREDIS_POOL_TIMEOUT`.
 */
import { Connection, type ConnectionConfig, type SendOptions } from '../connection/connection.js';
import { ConnectionError, ErrorCodes } from '../errors/index.js';
import { timerFor } from '../util/timer.js';
import { closedError } from '../errors/closed.js';

/** Code of the ConnectionError a caller gets when no dedicated connection came free in time. */
export const POOL_TIMEOUT = ErrorCodes.POOL_TIMEOUT;

interface Waiter {
  resolve(c: Connection): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class BlockingPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly max = 16,
    private readonly timeout = 0,
  ) {}

  /** Connections open now (busy or idle). */
  get size(): number {
    return this.all.size;
  }

  async run(name: string, args: readonly unknown[], options: SendOptions): Promise<unknown> {
    return this.lease((conn) => conn.send(name, args, options));
  }

  /** Lends a connection to `fn` for its whole duration. */
  async lease<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      this.release(conn);
    }
  }

  private acquire(): Promise<Connection> {
    if (this.closed) return Promise.reject(closedError());
    // An idle connection may have ended meanwhile (maxReconnectAttempts spent): skip it.
    for (let ready = this.idle.pop(); ready !== undefined; ready = this.idle.pop())
      if (ready.status !== 'closed') return Promise.resolve(ready);
    if (this.all.size < this.max) {
      // commandTimeout stays: the connection exempts commands sent as blocking (BLPOP, XREAD BLOCK,
      // WAIT …), which wait on their own timeout, while the other commands of a lent connection
      // (withConnection) keep the client's limit.
      const conn = new Connection({ ...this.config });
      this.all.add(conn);
      conn.on('end', () => this.all.delete(conn));
      return Promise.resolve(conn);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      // Beyond the timer maximum means no limit: setTimeout would turn it into 1 ms.
      if (timerFor(this.timeout)) {
        waiter.timer = setTimeout(() => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(
            new ConnectionError(
              `No dedicated connection came free within ${this.timeout} ms (maxBlockingConnections: ${this.max})`,
              { code: POOL_TIMEOUT },
            ),
          );
        }, this.timeout);
        (waiter.timer as { unref?: () => void }).unref?.();
      }
      this.waiters.push(waiter);
    });
  }

  private release(conn: Connection): void {
    if (this.closed || conn.status === 'closed') {
      this.all.delete(conn);
      // A slot came free: the next waiter gets a new connection.
      this.handOn();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter === undefined) {
      this.idle.push(conn);
      return;
    }
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    waiter.resolve(conn);
  }

  /** Gives a waiter a fresh connection when the pool has room again. */
  private handOn(): void {
    if (this.closed || this.waiters.length === 0 || this.all.size >= this.max) return;
    const waiter = this.waiters.shift() as Waiter;
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    this.acquire().then(waiter.resolve, waiter.reject);
  }

  private rejectWaiters(): void {
    for (const w of this.waiters.splice(0)) {
      if (w.timer !== undefined) clearTimeout(w.timer);
      w.reject(closedError());
    }
  }

  /**
   * Connections close gracefully, lent ones too (a `withConnection` transaction already sent gets
   * its EXEC's reply); one still blocked (BLPOP 0, XREAD BLOCK 0) would never let a graceful close
   * finish, so it is dropped and its command rejects with ConnectionError.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.rejectWaiters();
    await Promise.all(
      [...this.all].map((c) => {
        if (!c.blocked) return c.close();
        c.disconnect();
        return undefined;
      }),
    );
  }

  /** Every connection of the pool, idle or lent (for `reauthenticate()`). */
  connections(): Connection[] {
    return [...this.all];
  }

  disconnect(): void {
    this.closed = true;
    this.rejectWaiters();
    for (const c of this.all) c.disconnect();
  }
}
