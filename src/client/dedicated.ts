/**
 * The connection `withConnection()` lends: every command, plus WATCH, UNWATCH
 * and a MULTI whose EXEC sees the watches, all on one socket nobody else uses.
 * Blocking commands run here too (no other command waits behind them but yours).
 */
import { flatKeys, type KeysArg } from '../commands/methods/args.js';
import type { CommandSignatures, Promised } from '../commands/methods/index.js';
import { CommandBase } from './command-base.js';
import type { ServerSupport } from '../commands/support.js';
import type { Connection } from '../connection/connection.js';
import { pubSubMisuse } from '../pubsub/guard.js';
import { commandFlags } from './command-flags.js';
import { Transaction } from './pipeline.js';
import { installScanIterators, type ScanIterators } from './scan.js';

export class DedicatedConnection extends CommandBase<Record<never, never>> {
  constructor(
    private readonly conn: Connection,
    private readonly buffers: boolean,
    private readonly support?: ServerSupport,
  ) {
    super();
  }

  /** WATCH keys until EXEC, UNWATCH or the end of `withConnection`. */
  watch(...keys: KeysArg[]): Promise<'OK'> {
    return this.conn.send('WATCH', flatKeys(keys)) as Promise<'OK'>;
  }

  unwatch(): Promise<'OK'> {
    return this.conn.send('UNWATCH', []) as Promise<'OK'>;
  }

  /** MULTI/EXEC on this connection; `exec()` rejects with WatchError when a watched key changed. */
  multi(): Transaction {
    const conn = this.conn;
    const target = {
      buffers: this.buffers,
      send: conn.send.bind(conn),
      sendBatch: conn.sendBatch.bind(conn),
    };
    return new Transaction(this.support === undefined ? target : { ...target, support: this.support });
  }

  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatch(name, args);
  }

  /** @internal */
  dispatch(name: string, args: unknown[], transform?: (reply: unknown) => unknown): Promise<unknown> {
    const misuse = pubSubMisuse(name);
    if (misuse !== undefined) return Promise.reject(misuse);
    const flags = commandFlags(name, args);
    const send = (): Promise<unknown> =>
      this.conn.send(name, args, {
        buffers: this.buffers,
        transform,
        safe: flags.safe,
        readOnly: flags.readOnly,
        blocking: flags.blocking,
      });
    const support = this.support;
    if (support !== undefined && (flags.gate !== undefined || support.holding))
      return support.run(flags.gate, send);
    return send();
  }
}

installScanIterators(DedicatedConnection.prototype);

export interface DedicatedConnection extends Promised<CommandSignatures<string>>, ScanIterators<string> {}
