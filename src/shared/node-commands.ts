/**
 * The pre-send stage of the clients that talk to one server: the standalone
 * client (and its views) and the connection `withConnection()` lends. Every
 * command of either passes here once, on its way down: traced, refused when it
 * would change a shared connection's state, its keys prefixed, its flags looked
 * up, held behind the check of a command the server may lack; then the
 * subclass's `route` says where it goes (the shared connection, the cache, the
 * blocking pool, or the lent socket).
 */
import { applyPrefix, type KeyPrefix } from '../commands/prefix.js';
import type { ServerSupport } from '../commands/support.js';
import type { Connection, SendOptions } from '../connection/connection.js';
import { commandChannel, commandContext, traceCommand, type CommandTraceContext } from '../diagnostics.js';
import { CommandBase } from './command-base.js';
import { commandFlags, type CommandFlags } from './command-flags.js';
import { commandRefusal, type CommandSite } from './state-commands.js';

/** What the stage needs of the server's side: fixed per client, not per call. */
export interface NodeContext {
  /** The connection commands are traced against. */
  readonly main: Connection;
  /** The `keyPrefix` option, ready to apply. */
  readonly prefix: KeyPrefix | undefined;
  /** Which commands the server has; absent where nothing checks (CommandNotSupportedError before sending). */
  readonly support: ServerSupport | undefined;
}

export abstract class NodeCommands<
  Events extends { [K in keyof Events]: unknown[] },
> extends CommandBase<Events> {
  /** @internal String replies as bytes. */
  protected abstract readonly buffers: boolean;
  /** @internal Whose connection-state rules apply (see state-commands.ts). */
  protected abstract readonly site: CommandSite;
  /** @internal */
  protected abstract node(): NodeContext;
  /** @internal Where a prepared command goes. */
  protected abstract route(
    name: string,
    args: unknown[],
    options: SendOptions,
    flags: CommandFlags,
  ): Promise<unknown>;

  /** @internal The single path every command takes. */
  dispatch(name: string, args: unknown[], transform?: (reply: unknown) => unknown): Promise<unknown> {
    // A name that is not a string is refused in prepare() with DataError, untraced (as the
    // cluster refuses it before its trace): the context would upper-case it and throw.
    if (commandChannel.hasSubscribers && typeof name === 'string')
      return traceCommand(commandContext(this.node().main, name), (trace) =>
        this.prepare(name, args, transform, trace),
      );
    return this.prepare(name, args, transform, undefined);
  }

  private prepare(
    name: string,
    args: unknown[],
    transform: ((reply: unknown) => unknown) | undefined,
    trace: CommandTraceContext | undefined,
  ): Promise<unknown> {
    const refused = commandRefusal(name, args, this.site);
    if (refused !== undefined) return Promise.reject(refused);
    const node = this.node();
    if (node.prefix !== undefined) transform = applyPrefix(node.prefix, name, args, transform);
    const flags = commandFlags(name, args);
    const support = node.support;
    // Only commands the server may lack (and commands queued behind one) take the checked path.
    if (support !== undefined && (flags.gate !== undefined || support.holding)) {
      const options = sendOptions(this.buffers, transform, flags, trace);
      return support.run(flags.gate, () => this.route(name, args, options, flags));
    }
    // Answered here (a client-side cache hit), nothing is built to send it.
    const answered = this.answered(name, args, transform);
    if (answered !== undefined) return answered;
    return this.route(name, args, sendOptions(this.buffers, transform, flags, trace), flags);
  }

  /**
   * @internal A command's reply known without sending it (the client-side cache), asked only
   * where nothing queued before it waits; undefined: route it.
   */
  protected answered(
    _name: string,
    _args: unknown[],
    _transform: ((reply: unknown) => unknown) | undefined,
  ): Promise<unknown> | undefined {
    return undefined;
  }
}

/** One literal of a fixed shape (see the cluster executor). */
function sendOptions(
  buffers: boolean,
  transform: ((reply: unknown) => unknown) | undefined,
  flags: CommandFlags,
  trace: CommandTraceContext | undefined,
): SendOptions {
  return { buffers, transform, safe: flags.safe, readOnly: flags.readOnly, blocking: flags.blocking, trace };
}
