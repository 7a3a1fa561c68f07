/**
 * The connection `withConnection()` lends: every command, plus WATCH, UNWATCH
 * and a MULTI whose EXEC sees the watches, all on one socket nobody else uses.
 */
import { installCommands, type CommandSignatures, type Promised, type RedisKey } from '../commands/methods/index.js';
import type { Connection } from '../connection/connection.js';
import { RedisError } from '../errors/index.js';
import { commandFlags } from './command-flags.js';
import { Transaction } from './pipeline.js';

export class DedicatedConnection {
  constructor(
    private readonly conn: Connection,
    private readonly buffers: boolean,
  ) {}

  /** WATCH keys until EXEC, UNWATCH or the end of `withConnection`. */
  watch(...keys: RedisKey[]): Promise<'OK'> {
    return this.conn.send('WATCH', keys) as Promise<'OK'>;
  }

  unwatch(): Promise<'OK'> {
    return this.conn.send('UNWATCH', []) as Promise<'OK'>;
  }

  /** MULTI/EXEC on this connection; `exec()` rejects with WatchError when a watched key changed. */
  multi(): Transaction {
    const conn = this.conn;
    return new Transaction({ buffers: this.buffers, send: (n, a, o) => conn.send(n, a, o) });
  }

  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatch(name, args);
  }

  /** @internal */
  dispatch(name: string, args: unknown[], transform?: (reply: unknown) => unknown): Promise<unknown> {
    const flags = commandFlags(name, args);
    return this.conn.send(name, args, { buffers: this.buffers, transform, safe: flags.safe, blocking: flags.blocking });
  }
}

installCommands(DedicatedConnection.prototype, (_self, error) =>
  Promise.reject(error instanceof Error ? error : new RedisError(String(error))),
);

export interface DedicatedConnection extends Promised<CommandSignatures<string>> {}
