/**
 * The connection `withConnection()` lends: every command, plus WATCH, UNWATCH
 * and a MULTI whose EXEC sees the watches, all on one socket nobody else uses.
 * Blocking commands run here too (no other command waits behind them but yours).
 *
 * A lent connection may hold state the client cannot restore on a new socket: a WATCH,
 * an open MULTI, another database (SELECT), CLIENT TRACKING, writes the WAIT/WAITAOF of
 * ensureReplication/ensurePersistence is to count. If its socket is lost while
 * it holds any of these, it does not carry on silently on the replacement socket: every
 * later command, and `exec()`, rejects — with WatchError when a WATCH was lost (the
 * optimistic transaction must be retried), ConnectionError otherwise — until the lease
 * ends. Commands sent while it holds state are never replayed on a new socket. When the
 * lease ends, a connection whose state changed (database, tracking, an unfinished MULTI,
 * a lost socket) or that still has a blocking command waiting is closed instead of being
 * handed to the next borrower.
 */
import { flatKeys, type KeysArg } from '../commands/methods/args.js';
import { applyPrefix, type KeyPrefix } from '../commands/prefix.js';
import type { CommandSignatures, Promised } from '../commands/methods/index.js';
import { NodeCommands, type NodeContext } from './node-commands.js';
import type { ServerSupport } from '../commands/support.js';
import type { BatchCommand, Connection, SendOptions } from '../connection/connection.js';
import type { ClientCache } from '../cache/index.js';
import { ConnectionError, ErrorCodes, ExecAbortError, RedisError, WatchError } from '../errors/index.js';
import { Transaction, type BatchTarget } from './pipeline.js';
import { installScanIterators, type ScanIterators } from './scan.js';
import { stateCommandName } from './state-commands.js';

/** What the lent socket holds beyond what the handshake sets up. */
interface LentState {
  watching: boolean;
  /** A MULTI sent and its EXEC/DISCARD not yet answered. */
  inMulti: boolean;
  /** SELECT sent with a database other than the handshake's. */
  otherDb: boolean;
  /** CLIENT TRACKING / CACHING sent. */
  tracking: boolean;
  /** Database or tracking changed at some point of the lease: reset before reuse. */
  dirty: boolean;
  /** WAIT/WAITAOF will count the lease's writes: they count those of this socket only. */
  pinned: boolean;
}

/** The connection `withConnection()` lends: every command method, plus WATCH, UNWATCH and MULTI on this one connection. */
export class DedicatedConnection extends NodeCommands<Record<never, never>> {
  /** @internal Commands go to a lent connection: state commands are allowed and tracked. */
  protected readonly site = 'lent';
  private readonly context: NodeContext;
  private readonly state: LentState = {
    watching: false,
    inMulti: false,
    otherDb: false,
    tracking: false,
    dirty: false,
    pinned: false,
  };
  /** Set when the socket went away while state was held: what every later command rejects with. */
  private lost: { watch: boolean; cause: unknown } | undefined;
  private ended = false;
  /** Commands queued since a MULTI sent by `call`/`send` (with a cache only): written at EXEC. */
  private queued: Array<{ name: string; args: readonly unknown[] }> | undefined;
  private readonly onSocketClosed = (error: Error | undefined): void => {
    if (this.lost !== undefined || this.ended || !this.holdsState()) return;
    this.lost = { watch: this.state.watching, cause: error };
    // Commands not yet written when the socket went (sent while a teardown was under way, e.g.
    // right after a commandTimeout, or still in this tick's write) would be carried to the next
    // socket, which has no WATCH and the handshake's database: a watched EXEC would commit, a
    // write would land in db 0. The connection is not lent again anyway (see end()): closing it
    // once the queue has settled what was written (outcome unknown) rejects the rest unsent.
    queueMicrotask(() => this.conn.disconnect());
  };

  constructor(
    private readonly conn: Connection,
    /** @internal String replies as bytes. */
    protected readonly buffers: boolean,
    private readonly support?: ServerSupport,
    /** @internal The client's `keyPrefix`. */
    protected readonly prefix?: KeyPrefix,
    /** @internal The lender's client-side cache: what this connection writes is the client's write. */
    private readonly cache?: ClientCache,
  ) {
    super();
    this.context = { main: conn, prefix, support };
    conn.on('close', this.onSocketClosed);
  }

  /** WATCH keys until EXEC, UNWATCH or the end of `withConnection`. */
  watch(...keys: KeysArg[]): Promise<'OK'> {
    const args = flatKeys(keys);
    if (this.prefix !== undefined) applyPrefix(this.prefix, 'watch', args, undefined);
    return this.send('WATCH', args, {}) as Promise<'OK'>;
  }

  /** UNWATCH: forget every watched key. */
  unwatch(): Promise<'OK'> {
    return this.send('UNWATCH', [], {}) as Promise<'OK'>;
  }

  /** MULTI/EXEC on this connection; `exec()` rejects with WatchError when a watched key changed (or the WATCH was lost). */
  multi(): Transaction {
    return new Transaction(this.batchTarget());
  }

  /** @internal Where this connection's transactions go: through the same guard as its commands. */
  batchTarget(): BatchTarget {
    const target: BatchTarget = {
      buffers: this.buffers,
      lent: true,
      send: (name, args, options) => this.send(name, args, options),
      sendBatch: (commands) => this.sendBatch(commands),
      connection: this.conn,
      keyPrefix: this.prefix,
    };
    return this.support === undefined ? target : { ...target, support: this.support };
  }

  /**
   * @internal The lease's writes are to be confirmed by WAIT/WAITAOF (ensureReplication,
   * ensurePersistence), which count only the writes of the socket they run on: sent on a
   * replacement socket they would confirm nothing yet answer as if all were acknowledged. So a
   * lost socket is lost state, as a lost WATCH is: every later command rejects.
   */
  pinSocket(): void {
    this.state.pinned = true;
  }

  /** @internal For `util.inspect`: what the lease holds, never the connection's options. */
  override inspectSummary(): Record<string, unknown> {
    return { returned: this.ended, lost: this.lost !== undefined, ...this.state };
  }

  /** Sends any command on this connection, as written; the reply as decoded (see the README's reply table). */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.dispatch(name, args);
  }

  /** @internal */
  protected node(): NodeContext {
    return this.context;
  }

  /** @internal Every command goes to the lent socket, through the lease's guard. */
  protected route(name: string, args: unknown[], options: SendOptions): Promise<unknown> {
    return this.send(name, args, options);
  }

  /**
   * @internal Ends the lease: a connection whose state changed (or was lost) is closed, one
   * still watching is sent UNWATCH; afterwards every command of this object rejects.
   */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.conn.off('close', this.onSocketClosed);
    const s = this.state;
    // A blocking command the borrower left unawaited (BLPOP 0) would hold the socket for as long as
    // the server waits: lent again, the next caller's commands would queue behind it, possibly
    // forever. Dropped, the server stops waiting and the leftover rejects with ConnectionError.
    // A WATCH still queued (the connection not up yet) would run after the lease: drop it too.
    const watchQueued = s.watching && this.conn.status !== 'ready';
    if (this.lost !== undefined || s.dirty || s.inMulti || s.tracking || this.conn.blocked || watchQueued) {
      // RESET would also do, but a fresh connection is simpler to trust than a reset one.
      this.conn.disconnect();
      return;
    }
    if (s.watching)
      // Best effort: a connection whose UNWATCH fails is reset or closed before the next borrower gets it.
      await this.conn.send('UNWATCH', []).catch(() => undefined);
  }

  /** Every command of the lease goes through here (or through `sendBatch`). */
  private send(name: string, args: readonly unknown[], options: SendOptions): Promise<unknown> {
    const refused = this.refusal(name);
    if (refused !== undefined) return Promise.reject(refused);
    const state = stateCommandName(name, args);
    const sent = this.conn.send(name, args, this.admit(state, args, options));
    if (this.cache !== undefined) this.dropWrites(this.cache, name, args, state, sent);
    return state === undefined ? sent : this.after(state, sent);
  }

  /**
   * This connection's writes are the lender's: its invalidations come on another socket (the
   * RESP2 listener's) or unread on this one, so the cache drops the keys at send and reply. A
   * MULTI sent command by command writes at EXEC: its queued commands are dropped again then.
   */
  private dropWrites(
    cache: ClientCache,
    name: string,
    args: readonly unknown[],
    state: string | undefined,
    sent: Promise<unknown>,
  ): void {
    cache.afterWrite(name, args, sent);
    if (state === 'EXEC' && this.queued !== undefined) cache.wrote(this.queued, sent);
    if (state === 'MULTI' || state === 'EXEC' || state === 'DISCARD') this.queued = undefined;
    else if (this.state.inMulti) (this.queued ??= []).push({ name, args });
  }

  /** A transaction's MULTI…EXEC block: it enters the connection whole or not at all. */
  private sendBatch(commands: readonly BatchCommand[]): Array<Promise<unknown>> {
    const head = commands[0];
    const refused = head === undefined ? undefined : this.refusal(head.name);
    if (refused !== undefined) return commands.map((c) => Promise.reject(this.refusal(c.name)));
    const states = commands.map((c) => stateCommandName(c.name, c.args));
    const block = commands.map((c, i) => ({
      ...c,
      options: this.admit(states[i], c.args, c.options ?? {}),
    }));
    const all = this.conn.sendBatch(block);
    this.cache?.wroteBlock(commands, all);
    return all.map((sent, i) => {
      const state = states[i];
      return state === undefined ? sent : this.after(state, sent);
    });
  }

  /** Why nothing may be sent any more (the lease ended, or state was lost with the socket). */
  private refusal(name: string): RedisError | undefined {
    if (this.ended) {
      return new ConnectionError('This lent connection was returned: withConnection() has ended', {
        command: name.toUpperCase(),
        code: ErrorCodes.CONNECTION_CLOSED,
      });
    }
    return this.lost === undefined ? undefined : this.lostError(name);
  }

  /**
   * Takes the state a command gives the socket, and the options to send it with: a command
   * sent while state is held (or taking some) must not run again on a replacement socket.
   */
  private admit(state: string | undefined, args: readonly unknown[], options: SendOptions): SendOptions {
    const held = this.holdsState();
    if (state !== undefined) this.before(state, args);
    if (!held && state === undefined) return options;
    // One literal of a fixed shape, not a spread of `options` (see the cluster executor).
    return {
      buffers: options.buffers,
      transform: options.transform,
      safe: false,
      readOnly: false,
      blocking: options.blocking,
      confirmations: options.confirmations,
      trace: options.trace,
      handle: options.handle,
    };
  }

  /** The socket holds what a replacement socket would not have (see the class comment). */
  private holdsState(): boolean {
    const s = this.state;
    return s.watching || s.inMulti || s.otherDb || s.tracking || s.pinned;
  }

  /** State a command takes as soon as it is sent (counted as held even if it then fails). */
  private before(command: string, args: readonly unknown[]): void {
    const s = this.state;
    switch (command) {
      case 'WATCH':
        s.watching = true;
        break;
      case 'MULTI':
        s.inMulti = true;
        // reauthenticate() must not write AUTH into this transaction (see Connection.reauthenticate).
        this.conn.transactionOpen = true;
        break;
      case 'SELECT':
        s.otherDb = String(args[0]) !== String(this.conn.state.db);
        s.dirty = true;
        break;
      case 'CLIENT TRACKING':
      case 'CLIENT CACHING':
        s.tracking = true;
        s.dirty = true;
        break;
    }
  }

  /** State a command gives up once it is answered. */
  private after(command: string, sent: Promise<unknown>): Promise<unknown> {
    if (command !== 'UNWATCH' && command !== 'EXEC' && command !== 'DISCARD') return sent;
    const s = this.state;
    const done = (): void => {
      s.watching = false;
      if (command !== 'UNWATCH') s.inMulti = false;
    };
    // The socket's transaction is over either way (answered, or the socket is gone).
    const ended = (): void => {
      if (command !== 'UNWATCH') this.conn.endTransaction();
    };
    return sent.then(
      (v) => {
        done();
        ended();
        return v;
      },
      (e: unknown) => {
        // EXECABORT ends the transaction and its watches. Any other refusal (EXEC or DISCARD
        // "without MULTI") changed nothing: the server still watches, so UNWATCH is still due at
        // the end of the lease. A lost one is handled as lost.
        if (e instanceof ExecAbortError) done();
        ended();
        throw e;
      },
    );
  }

  private lostError(name: string): RedisError {
    const command = name.toUpperCase();
    const cause = this.lost?.cause;
    if (this.lost?.watch === true)
      return new WatchError(
        'WATCH was lost: the lent connection lost its socket; retry the transaction in a new withConnection()',
        { command, cause, code: ErrorCodes.WATCH_LOST },
      );
    return new ConnectionError(
      'The lent connection lost its socket while it held state (MULTI, SELECT, CLIENT TRACKING, or writes WAIT/WAITAOF must count); it does not reconnect until withConnection() ends',
      { command, cause, code: ErrorCodes.CONNECTION_LOST },
    );
  }
}

installScanIterators(DedicatedConnection.prototype);

export interface DedicatedConnection extends Promised<CommandSignatures<string>>, ScanIterators<string> {}
