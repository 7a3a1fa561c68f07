/**
 * What the client needs to know about a command before sending it: may it be
 * sent again after a dropped connection (read-only or idempotent), and does it
 * block (so it needs a dedicated connection)? Answers come from the command table;
 * a name the table does not know is sent as written, never retried once sent.
 */
import { isBlocking, isIdempotent, isReadOnly, lookupCommand } from '../commands/table.js';
import type { CommandSpec } from '../commands/types.js';

export interface CommandFlags {
  readonly safe: boolean;
  readonly blocking: boolean;
}

const NONE: CommandFlags = { safe: false, blocking: false };
const SAFE: CommandFlags = { safe: true, blocking: false };
const BLOCKING: CommandFlags = { safe: false, blocking: true };

/** Per name: fixed flags, or the spec when the answer depends on the arguments. */
const cache = new Map<string, CommandFlags | CommandSpec>();

/** Read-only commands are always safe; other flags may depend on options (SET … GET, XREAD BLOCK). */
function dependsOnArgs(spec: CommandSpec): boolean {
  return !isReadOnly(spec) || spec.name === 'xread' || spec.name === 'xreadgroup';
}

function flagsOf(spec: CommandSpec, args: readonly unknown[] | undefined): CommandFlags {
  if (isBlocking(spec, args)) return BLOCKING;
  return isReadOnly(spec) || isIdempotent(spec, args) ? SAFE : NONE;
}

export function commandFlags(name: string, args: readonly unknown[]): CommandFlags {
  let entry = cache.get(name);
  if (entry === undefined) {
    const spec = lookupCommand(name, args);
    const container = lookupCommand(name);
    if (spec === undefined || container === undefined) entry = NONE;
    else if (container !== spec || dependsOnArgs(spec)) entry = container;
    else entry = flagsOf(spec, undefined);
    cache.set(name, entry);
  }
  if ('safe' in entry) return entry;
  const spec = entry.name.includes('|') ? entry : lookupCommand(name, args);
  return spec === undefined ? NONE : flagsOf(spec, args);
}
