/**
 * Which commands the client-side cache may answer: those whose command
 * declarations say `cacheable` (read-only, deterministic, key-based: an
 * invalidation of the keys they name is all it takes to keep an entry right),
 * for typed methods and `call()` alike. Writes, transactions, scripts, blocking
 * and random commands are not declared cacheable.
 */
import { isCacheable } from '../commands/methods/index.js';
import { keyIndexes } from '../commands/keys.js';
import { lookupCommand } from '../commands/table.js';

/** A cacheable command: its canonical (lower-case) name and the store groups of its entries. */
export interface Cacheable {
  readonly name: string;
  /**
   * Groups by reply form and argument shape: [strings, one string argument], [strings, other
   * arguments], [bytes, one string argument], [bytes, other arguments].
   */
  readonly groups: readonly [string, string, string, string];
}

/** Per canonical name (a bounded set: the cacheable commands). */
const known = new Map<string, Cacheable>();

/** The cacheable command called `name`, or undefined. Typed methods pass lower-case names: one lookup. */
export function cacheable(name: string): Cacheable | undefined {
  const found = known.get(name);
  if (found !== undefined) return found;
  const lower = isCacheable(name) ? name : name.toLowerCase();
  if (!isCacheable(lower)) return undefined;
  let c = known.get(lower);
  if (c === undefined) {
    c = { name: lower, groups: [`S1${lower}`, `S*${lower}`, `B1${lower}`, `B*${lower}`] };
    known.set(lower, c);
  }
  return c;
}

/** The keys of a call of a cacheable command, from the command table's key specs. */
export function keysOf(name: string, args: readonly unknown[]): unknown[] {
  const spec = lookupCommand(name, args);
  if (spec === undefined) return [];
  return keyIndexes(spec, args).map((i) => args[i]);
}
