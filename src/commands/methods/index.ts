/**
 * All typed command declarations, gathered, and the mapped types that turn their
 * plain signatures into promise-returning client methods or chaining pipeline methods.
 */
import { genericCommands, type GenericCommands } from './generic.js';
import { hashCommands, type HashCommands } from './hash.js';
import { listCommands, type ListCommands } from './list.js';
import { serverCommands, type ServerCommands } from './server.js';
import { sortedSetCommands, type SortedSetCommands } from './sorted-set.js';
import { stringCommands, type StringCommands } from './string.js';

export type { RedisKey, RedisValue, Dispatcher, Transform } from './types.js';
export type { SetOptions } from './string.js';
export type { ZAddOptions, ScoredMember } from './sorted-set.js';

/** Every typed command with plain (unwrapped) reply types; `S` is the string type of replies. */
export interface CommandSignatures<S>
  extends StringCommands<S>,
    GenericCommands<S>,
    HashCommands<S>,
    SortedSetCommands<S>,
    ListCommands<S>,
    ServerCommands<S> {}

type Fn = (...args: never[]) => unknown;

/** Overloads survive mapping only one signature deep; the declarations keep overloads few. */
export type Promised<T> = {
  [K in keyof T]: T[K] extends { (...a: infer A1): infer R1; (...a: infer A2): infer R2 }
    ? ((...a: A1) => Promise<R1>) & ((...a: A2) => Promise<R2>)
    : T[K] extends (...a: infer A) => infer R
      ? (...a: A) => Promise<R>
      : never;
};

/** Methods that queue the command and return the chain. */
export type Chained<T, Self> = {
  [K in keyof T]: T[K] extends { (...a: infer A1): unknown; (...a: infer A2): unknown }
    ? ((...a: A1) => Self) & ((...a: A2) => Self)
    : T[K] extends (...a: infer A) => unknown
      ? (...a: A) => Self
      : never;
};

export const commandImplementations: Record<string, Fn> = {
  ...stringCommands,
  ...genericCommands,
  ...hashCommands,
  ...sortedSetCommands,
  ...listCommands,
  ...serverCommands,
};

/**
 * Puts every typed command on a prototype. A declaration that throws (e.g.
 * CommandSyntaxError for exclusive options) is turned into `fail(error)`, so
 * client methods reject instead of throwing synchronously.
 */
export function installCommands(proto: object, fail: (self: unknown, error: unknown) => unknown): void {
  for (const [name, impl] of Object.entries(commandImplementations)) {
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: never[]): unknown {
        try {
          return impl.apply(this, args);
        } catch (e) {
          return fail(this, e);
        }
      },
    });
  }
}
