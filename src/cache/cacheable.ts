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

/** The canonical (lower-case) name of a cacheable command, or undefined. Typed methods pass lower-case names: one lookup. */
export function cacheableName(name: string): string | undefined {
  if (isCacheable(name)) return name;
  const lower = name.toLowerCase();
  return lower !== name && isCacheable(lower) ? lower : undefined;
}

/** The keys of a call of a cacheable command, from the command table's key specs. */
export function keysOf(name: string, args: readonly unknown[]): unknown[] {
  const spec = lookupCommand(name, args);
  if (spec === undefined) return [];
  return keyIndexes(spec, args).map((i) => args[i]);
}
