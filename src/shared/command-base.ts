/**
 * The one prototype every command-carrying object shares (clients, cluster,
 * lent connections, pipelines, transactions): each typed and untyped command
 * method is defined once here, not once per class — several hundred methods
 * per copy cost memory at start-up. Subclasses decide where commands go
 * (`dispatch`) and what a command that failed while building its arguments
 * becomes (`commandFailed`).
 */
import { installCommands } from '../commands/methods/index.js';
import { RedisError } from '../errors/index.js';
import { Emitter } from '../util/emitter.js';
import { inspectAs } from '../util/redact.js';

export abstract class CommandBase<Events extends { [K in keyof Events]: unknown[] }> extends Emitter<Events> {
  /** @internal Where a command goes: a promise on clients, the chain on batches. */
  abstract dispatch(name: string, args: unknown[], transform?: (reply: unknown) => unknown): unknown;

  /**
   * @internal What `util.inspect` / `console.log` show of this object (redacted; nothing else
   * of it is printed, so connections, queues and options never are).
   */
  inspectSummary(): Record<string, unknown> {
    return {};
  }

  /** @internal A typed method threw (e.g. CommandSyntaxError): clients reject, never throw. */
  commandFailed(error: unknown): unknown {
    return Promise.reject(error instanceof Error ? error : new RedisError(String(error)));
  }
}

inspectAs(CommandBase.prototype, (self: CommandBase<Record<never, never>>) => self.inspectSummary());

installCommands(CommandBase.prototype, (self, error) =>
  (self as CommandBase<Record<never, never>>).commandFailed(error),
);
