/**
 * `pipeline()` and `multi()`: commands are queued with the same typed methods as
 * the client, then sent together by `exec()`. In a pipeline every command keeps
 * its own result (a failed one leaves its typed error in its slot); a transaction
 * wraps them in MULTI/EXEC and resolves with EXEC's results.
 */
import type { CommandSignatures, SameParams } from '../commands/methods/index.js';
import { CommandBase } from './command-base.js';
import type { ServerSupport } from '../commands/support.js';
import type { CommandSpec } from '../commands/types.js';
import {
  abandon,
  type BatchCommand,
  type EachCommand,
  type SendHandle,
  type SendOptions,
} from '../connection/connection.js';
import { asError, underOptions, type CallOptions } from './call-options.js';
import { argumentError } from '../protocol/arguments.js';
import {
  DataError,
  ErrorCodes,
  ExecAbortError,
  RedisError,
  WatchError,
  withCommand,
} from '../errors/index.js';
import { commandGate, gateIgnoresArgs } from './command-flags.js';
import { applyPrefix, type KeyPrefix } from '../commands/prefix.js';
import { commandRefusal, type CommandSite } from './state-commands.js';
import {
  batchChannel,
  batchContext,
  commandChannel,
  commandContext,
  type CommandTraceContext,
  type TracedConnection,
} from '../diagnostics.js';

export interface Queued {
  name: string;
  args: unknown[];
  transform: ((reply: unknown) => unknown) | undefined;
  /** Set when the typed method itself failed (e.g. CommandSyntaxError). */
  error?: Error;
  /** Its `wredis:command` context while `exec()` is traced (the connection counts attempts in it). */
  trace?: CommandTraceContext;
}

/** Where a batch's commands go: a connection's `send`. */
export interface BatchTarget {
  send(name: string, args: readonly unknown[], options: SendOptions): Promise<unknown>;
  /**
   * Sends a pipeline's commands with one promise for all (see Connection.sendEach), as `send`
   * with `{ buffers, transform }` per command would. Undefined (or absent) when these commands
   * need a promise each: then each goes by `send`.
   */
  sendEach?(commands: readonly EachCommand[]): Promise<unknown[]> | undefined;
  /** Sends a block that enters the connection's queue whole or not at all (MULTI…EXEC). */
  sendBatch?(commands: readonly BatchCommand[]): Array<Promise<unknown>>;
  readonly buffers: boolean;
  /** When set, commands the server lacks fail with CommandNotSupportedError before anything is sent. */
  readonly support?: ServerSupport;
  /** A connection lent by `withConnection` (SELECT and CLIENT TRACKING are allowed there). */
  readonly lent?: boolean;
  /** The connection, for the server fields of trace contexts (a cluster fills them per node). */
  readonly connection?: TracedConnection;
  /** The client's `keyPrefix`, applied as commands are queued. */
  readonly keyPrefix?: KeyPrefix;
  /** A `withOptions()` view's signal/timeout: `exec()` rejects on them (see Pipeline.exec). */
  readonly callOptions?: CallOptions;
}

const untraced = (q: Queued): boolean => q.trace === undefined;

const settle = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => v,
    (e: unknown) => e,
  );

abstract class Batch extends CommandBase<Record<never, never>> {
  /** @internal */
  protected readonly queued: Queued[] = [];

  /** Whose connection-state rules apply (see state-commands.ts): fixed per batch. */
  private readonly site: CommandSite;

  constructor(/** @internal */ protected readonly target: BatchTarget) {
    super();
    this.site =
      this instanceof Transaction ? (target.lent === true ? 'lent-transaction' : 'transaction') : 'pipeline';
  }

  /** Number of queued commands. */
  get length(): number {
    return this.queued.length;
  }

  /** @internal The queued command names only: arguments may be secrets or user data. */
  override inspectSummary(): Record<string, unknown> {
    return {
      commands: this.queued.map((q) => (q.error === undefined ? q.name.toUpperCase() : q.error.name)),
    };
  }

  /**
   * @internal Every command is judged here, before anything of the batch is encoded: a refused
   * command or a bad argument takes the command's slot as its error (a pipeline sends the
   * others; a transaction sends nothing).
   */
  dispatch(name: string, args: unknown[], transform?: (reply: unknown) => unknown): this {
    const refused = commandRefusal(name, args, this.site);
    if (refused !== undefined) return this.fail(refused);
    const bad = argumentError(args);
    if (bad !== undefined) return this.fail(withCommand(bad, name.toUpperCase()));
    const prefix = this.target.keyPrefix;
    if (prefix !== undefined) transform = applyPrefix(prefix, name, args, transform);
    this.queued.push({ name, args, transform });
    return this;
  }

  /** Queues any command as written (typed per batch kind: one more `unknown` slot). */
  call(name: string, ...args: unknown[]): unknown {
    return this.dispatch(name, args);
  }

  /** @internal A typed method threw while queueing: the error takes the command's slot. */
  override commandFailed(error: unknown): this {
    return this.fail(error);
  }

  /** @internal Called when a typed method threw while queueing. */
  fail(error: unknown): this {
    this.queued.push({
      name: '',
      args: [],
      transform: undefined,
      error: error instanceof Error ? error : new RedisError(String(error)),
    });
    return this;
  }

  protected options(q: Queued, withTransform: boolean): SendOptions {
    return {
      buffers: this.target.buffers,
      transform: withTransform ? q.transform : undefined,
      trace: q.trace,
    };
  }

  /** `run` inside the `wredis:batch` trace, with a `wredis:command` context per sendable command. */
  protected traced(
    queued: Queued[],
    transaction: boolean,
    run: () => Promise<unknown[]>,
  ): Promise<unknown[]> {
    const conn = this.target.connection;
    if (commandChannel.hasSubscribers)
      for (const q of queued)
        if (q.error === undefined) q.trace = commandContext(conn, q.name, queued.length);
    const body = (): Promise<unknown[]> => (transaction ? traceTransactionCommands(queued, run) : run());
    if (!batchChannel.hasSubscribers) return body();
    const names = queued.map((q) => q.name || (q.error as RedisError | undefined)?.command || '');
    return batchChannel.tracePromise(body, batchContext(conn, names, transaction));
  }

  /**
   * Marks queued commands the server lacks with their CommandNotSupportedError
   * (fetching the server's facts first when needed), then calls `send` in the
   * client's issue order. Without checked commands, `send` runs at once.
   */
  protected checked<T>(queued: Queued[], send: () => Promise<T>): Promise<T> {
    const support = this.target.support;
    if (support === undefined) return send();
    let gated: Array<[Queued, CommandSpec]> | undefined;
    // A run of the same name (1,000 GETs) looks its gate up once, unless the arguments pick it.
    let name: string | undefined;
    let gate: CommandSpec | undefined;
    let same = false;
    for (const q of queued) {
      if (q.error !== undefined) continue;
      if (q.name !== name || !same) {
        name = q.name;
        gate = commandGate(name, q.args);
        same = gateIgnoresArgs(name);
      }
      if (gate !== undefined) (gated ??= []).push([q, gate]);
    }
    if (gated === undefined && !support.holding) return send();
    const list = gated ?? [];
    // Accepted now: a close() while the facts are fetched lets the batch through first.
    const deferred = support.defer();
    return support.prepare(list.map((g) => g[1])).then(() => {
      for (const [q, gate] of list) {
        const d = support.decide(gate);
        if (typeof d === 'function') q.error = d();
      }
      const go = (): Promise<T> => support.run(undefined, send) as Promise<T>;
      return deferred === undefined ? go() : deferred.send(go);
    });
  }
}

/** Commands sent back to back in one tick's write; `exec()` resolves with every result in order, errors in place. */
export class Pipeline<T extends unknown[] = []> extends Batch {
  /** @internal An empty pipeline on the same target (connection, reply form, keyPrefix, withOptions limits). */
  sibling(): Pipeline {
    return new Pipeline(this.target);
  }

  /** Sends the queued commands; resolves with one entry per command: its reply or its error. */
  exec(): Promise<T> {
    const queued = this.queued.splice(0);
    if (batchChannel.hasSubscribers || commandChannel.hasSubscribers)
      return this.traced(queued, false, () => this.run(queued)) as Promise<T>;
    return this.run(queued) as Promise<T>;
  }

  private run(queued: Queued[]): Promise<unknown[]> {
    const co = this.target.callOptions;
    if (co === undefined) return this.sendAll(queued, undefined);
    // Under a withOptions() view: on abort or timeout, exec() rejects and every command not yet
    // written is withdrawn (one handle per command; those made after the abort start abandoned).
    const gave: GaveUpOn = { up: undefined, handles: [] };
    return underOptions(
      co,
      'EXEC',
      () => this.sendAll(queued, gave),
      undefined,
      (e) => {
        gave.up = asError(e);
        for (const h of gave.handles) abandon(h, gave.up);
      },
    );
  }

  private sendAll(queued: Queued[], gave: GaveUpOn | undefined): Promise<unknown[]> {
    return this.checked(queued, () => {
      // One promise for the whole pipeline, unless a command is traced (its own promise feeds
      // its trace) or may be given up on (a handle each).
      if (gave === undefined && queued.every(untraced)) {
        const all = this.target.sendEach?.(queued);
        if (all !== undefined) return all;
      }
      return Promise.all(
        queued.map((q) => {
          if (q.error !== undefined) return Promise.resolve(q.error);
          const trace = q.trace;
          const options = this.options(q, true);
          if (gave !== undefined) {
            const handle: SendHandle = { abandoned: gave.up };
            gave.handles.push(handle);
            options.handle = handle;
          }
          const send = (): Promise<unknown> => this.target.send(q.name, q.args, options);
          return settle(trace === undefined ? send() : commandChannel.tracePromise(send, trace));
        }),
      );
    });
  }
}

/** @internal A `withOptions()` caller's abort or timeout of `exec()`, once it happened. */
export interface GaveUp {
  up: Error | undefined;
}

/** A pipeline's give-up: its commands' handles, withdrawn together. */
interface GaveUpOn extends GaveUp {
  handles: SendHandle[];
}

/** MULTI … EXEC. `exec()` rejects with ExecAbortError if a command was refused while queueing, WatchError if a watched key changed. */
export class Transaction<T extends unknown[] = []> extends Batch {
  /** Sends MULTI, the commands and EXEC together; resolves with the commands' results (errors in place). */
  exec(): Promise<T> {
    const queued = this.queued.splice(0);
    if (batchChannel.hasSubscribers || commandChannel.hasSubscribers)
      return this.traced(queued, true, () => this.run(queued)) as Promise<T>;
    return this.run(queued) as Promise<T>;
  }

  private run(queued: Queued[]): Promise<unknown[]> {
    const co = this.target.callOptions;
    if (co === undefined) return this.runBlock(queued, undefined);
    // Under a withOptions() view exec() rejects on abort or timeout; the block, once handed to the
    // connection, runs whole or not at all as it would anyway (it is never split), but is never
    // sent again after that (a cluster's resend after MOVED, ASK or TRYAGAIN).
    const gave: GaveUp = { up: undefined };
    return underOptions(
      co,
      'EXEC',
      () => this.runBlock(queued, gave),
      undefined,
      (e) => {
        gave.up = asError(e);
      },
    );
  }

  private runBlock(queued: Queued[], gave: GaveUp | undefined): Promise<unknown[]> {
    const early = queued.find((q) => q.error !== undefined);
    if (early?.error !== undefined) return Promise.reject(early.error);
    return this.checked(queued, () => {
      // A command the server lacks fails the whole transaction before MULTI is sent.
      const unsupported = queued.find((q) => q.error !== undefined);
      return unsupported?.error !== undefined
        ? Promise.reject(unsupported.error)
        : this.sendBlock(queued, gave);
    });
  }

  /**
   * @internal MULTI, the commands and EXEC back to back to `targetFor(queued)`; a cluster wraps it
   * in its redirection policy, and sends no further attempt once `gave.up` is set.
   */
  protected async sendBlock(queued: Queued[], _gave?: GaveUp): Promise<unknown[]> {
    const t = this.targetFor(queued);
    const block: BatchCommand[] = [
      { name: 'MULTI', args: [] },
      ...queued.map((q) => ({ name: q.name, args: q.args, options: this.options(q, false) })),
      { name: 'EXEC', args: [], options: { buffers: t.buffers } },
    ];
    // Whole or not at all: a full queue must never strand MULTI on a shared connection.
    const sent = t.sendBatch?.(block) ?? block.map((c) => t.send(c.name, c.args, c.options ?? {}));
    const multi = sent[0] as Promise<unknown>;
    const acks = sent.slice(1, -1).map(settle);
    const exec = sent[sent.length - 1] as Promise<unknown>;
    // MULTI's reply is not a result: a refused MULTI shows in EXEC's reply, which is awaited.
    multi.catch(() => undefined);
    let results: unknown;
    try {
      results = await exec;
    } catch (e) {
      if (e instanceof ExecAbortError) {
        // The first refused command explains the abort.
        const refused = (await Promise.all(acks)).find((a) => a instanceof Error);
        if (refused !== undefined) (e as { cause?: unknown }).cause ??= refused;
      }
      throw e;
    }
    if (results === null)
      throw new WatchError('Transaction aborted: a watched key changed', { command: 'EXEC' });
    // One result per queued command, or the slots would be shifted (and a non-array threw a TypeError).
    if (!Array.isArray(results) || results.length !== queued.length)
      throw new DataError('EXEC did not return one result per queued command', {
        command: 'EXEC',
        code: ErrorCodes.UNEXPECTED_REPLY,
      });
    return results.map((r, i) => {
      const q = queued[i] as Queued;
      // Named upper-case, as every error names its command (q.name is as the caller spelt it).
      if (r instanceof RedisError) return withCommand(r, q.name.toUpperCase());
      if (q.transform === undefined) return r;
      try {
        return q.transform(r);
      } catch (e) {
        return e;
      }
    });
  }

  /** @internal Where the transaction runs; a cluster picks the node of the keys' one slot. */
  protected targetFor(_queued: readonly Queued[]): BatchTarget {
    return this.target;
  }

  /** Drops the queued commands without sending anything. */
  discard(): void {
    this.queued.length = 0;
  }
}

/**
 * One `wredis:command` trace per command of a transaction, started before MULTI is written and
 * ended with that command's slot of EXEC's reply (or the transaction's rejection).
 */
function traceTransactionCommands(queued: Queued[], run: () => Promise<unknown[]>): Promise<unknown[]> {
  let done!: (v: Promise<unknown[]>) => void;
  const whole = new Promise<unknown[]>((resolve) => (done = resolve));
  queued.forEach((q, i) => {
    if (q.trace === undefined) return;
    const own = (): Promise<unknown> =>
      whole.then((list) => {
        const r = list[i];
        if (r instanceof Error) throw r;
        return r;
      });
    // The caller awaits `own` itself; the traced copy only feeds the trace and carries the same rejection.
    commandChannel.tracePromise(own, q.trace).catch(() => undefined);
  });
  done(run());
  return whole;
}

/** The batch types by the results queued so far (TypeScript has no higher-kinded types). */
export interface BatchTypes<T extends unknown[]> {
  pipeline: Pipeline<T>;
  transaction: Transaction<T>;
}

/**
 * Methods that queue the command and return the batch typed with one more
 * result slot (`R | RedisError`: a slot may hold its command's error), so
 * `exec()` resolves with a tuple built up call by call.
 */
export type ChainedBatch<Sig, K extends keyof BatchTypes<[]>, T extends unknown[]> = {
  [M in keyof Sig]: Sig[M] extends { (...a: infer A1): infer R1; (...a: infer A2): infer R2 }
    ? SameParams<A1, A2> extends true
      ? (...a: A1) => BatchTypes<[...T, R1 | RedisError]>[K]
      : ((...a: A1) => BatchTypes<[...T, R1 | RedisError]>[K]) &
          ((...a: A2) => BatchTypes<[...T, R2 | RedisError]>[K])
    : never;
};

/**
 * `T` is the tuple of results queued so far: each typed method appends its
 * reply type (or the RedisError that may take its slot), so
 * `r.pipeline().set('k', 'v').get('k').exec()` is
 * `Promise<['OK' | string | null | RedisError, string | null | RedisError]>`.
 */
export interface Pipeline<T extends unknown[] = []> extends ChainedBatch<
  CommandSignatures<string>,
  'pipeline',
  T
> {
  /** Queues any command as written; its slot is the reply as decoded. */
  call(name: string, ...args: unknown[]): Pipeline<[...T, unknown]>;
}
/** Like {@link Pipeline}: `exec()` resolves with the tuple of results. */
export interface Transaction<T extends unknown[] = []> extends ChainedBatch<
  CommandSignatures<string>,
  'transaction',
  T
> {
  /** Queues any command as written; its slot is the reply as decoded. */
  call(name: string, ...args: unknown[]): Transaction<[...T, unknown]>;
}
