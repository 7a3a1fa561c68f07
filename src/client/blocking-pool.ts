/**
 * Dedicated connections for blocking commands (BLPOP, XREAD BLOCK, WAIT …), so a
 * command that waits on the server never holds up the shared pipelined one, and
 * for `withConnection`. Connections are made on demand up to `max`, one command
 * (or one lease) at a time each, reused, and closed with the client; callers
 * beyond `max` wait for a free one.
 */
import { Connection, type ConnectionConfig, type SendOptions } from '../connection/connection.js';
import { ConnectionError } from '../errors/index.js';

export class BlockingPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiters: Array<{ resolve: (c: Connection) => void; reject: (e: Error) => void }> = [];
  private closed = false;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly max = 16,
  ) {}

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
    if (this.closed) return Promise.reject(new ConnectionError('Connection is closed'));
    const ready = this.idle.pop();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.all.size < this.max) {
      // commandTimeout stays: the connection exempts commands sent as blocking (BLPOP, XREAD BLOCK,
      // WAIT …), which wait on their own timeout, while the other commands of a lent connection
      // (withConnection) keep the client's limit.
      const conn = new Connection({ ...this.config });
      this.all.add(conn);
      conn.on('end', () => this.all.delete(conn));
      return Promise.resolve(conn);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(conn: Connection): void {
    if (this.closed || conn.status === 'closed') return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve(conn);
    else this.idle.push(conn);
  }

  private rejectWaiters(): void {
    for (const w of this.waiters.splice(0)) w.reject(new ConnectionError('Connection is closed'));
  }

  /**
   * Idle connections close gracefully; one still blocked (BLPOP 0, XREAD BLOCK 0)
   * would never let a graceful close finish, so it is dropped and its command
   * rejects with ConnectionError.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.rejectWaiters();
    const idle = new Set(this.idle);
    await Promise.all(
      [...this.all].map((c) => {
        if (idle.has(c)) return c.close();
        c.disconnect();
        return undefined;
      }),
    );
  }

  disconnect(): void {
    this.closed = true;
    this.rejectWaiters();
    for (const c of this.all) c.disconnect();
  }
}
