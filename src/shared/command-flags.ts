/**
 * What the client needs to know about a command before sending it: may it be
 * sent again after a dropped connection (read-only or idempotent), does it
 * block (so it needs a dedicated connection), and might the server lack it
 * (newer than the oldest server the client checks for, or from a module)?
 *
 * A lookup: everything fixed per command (its table spec, the support gate,
 * the table's flags, the rules kept next to its declarations) is compiled once
 * per name into an {@link Entry}. A call then costs one map lookup; only a
 * command whose rules are predicates over its arguments (SET NX, XREAD BLOCK,
 * ZADD INCR …) or a container (the subcommand is its first argument) looks at
 * them. A name the table does not know is sent as written, never retried once
 * sent, and not remembered (call() may be given any number of them).
 */
import { needsSupportCheck } from '../commands/support.js';
import { rulesOf } from '../commands/rules.js';
import { isContainer, isReadOnly, lookupCommand, tableBlocking } from '../commands/table.js';
import type { CommandSpec } from '../commands/types.js';

export interface CommandFlags {
  /** Read-only or idempotent: harmless to run twice. */
  readonly safe: boolean;
  /** Read-only: sent again after a connection loss by default (writes only under `replay: 'idempotent'`). */
  readonly readOnly: boolean;
  readonly blocking: boolean;
  /** Set when the server may not have the command: check it (src/commands/support.ts) before sending. */
  readonly gate: CommandSpec | undefined;
}

const NONE: CommandFlags = { safe: false, readOnly: false, blocking: false, gate: undefined };

/** One command's compiled answer: fixed flags, or a judge of its arguments; and its gate. */
interface Entry {
  /** The flags when the arguments do not matter (most commands). */
  readonly fixed: CommandFlags | undefined;
  /** Otherwise: the flags of one call. */
  readonly judge: ((args: readonly unknown[]) => CommandFlags) | undefined;
  /** The support gate (a container's own: its subcommands have theirs). */
  readonly gate: CommandSpec | undefined;
  /** A container: the subcommand, its first argument, picks the entry. */
  readonly container: boolean;
}

/**
 * Per name as callers spell it (only names the table knows, all lower or all upper case: a bounded set):
 * the fixed flags themselves when there are some (one lookup and done), else the entry.
 */
const byName = new Map<string, CommandFlags | Entry>();
/** Per spec, so the case variants of a name and a container's subcommands share one entry. */
const bySpec = new WeakMap<CommandSpec, Entry>();

type Rule = boolean | ((args: readonly unknown[]) => boolean);

function compile(spec: CommandSpec): Entry {
  const known = bySpec.get(spec);
  if (known !== undefined) return known;
  const gate = needsSupportCheck(spec) ? spec : undefined;
  const none: CommandFlags = { safe: false, readOnly: false, blocking: false, gate };
  const safe: CommandFlags = { safe: true, readOnly: false, blocking: false, gate };
  const blocking: CommandFlags = { safe: false, readOnly: false, blocking: true, gate };
  const readOnly: CommandFlags = { safe: true, readOnly: true, blocking: false, gate };
  const rules = rulesOf(spec.name);
  const blocks: Rule = rules?.blocking ?? tableBlocking(spec);
  const ro = isReadOnly(spec);
  const idempotent: Rule = ro || (rules?.idempotent ?? false);
  let own: Entry;
  if (typeof blocks === 'boolean' && typeof idempotent === 'boolean') {
    const fixed = blocks ? blocking : ro ? readOnly : idempotent ? safe : none;
    own = { fixed, judge: undefined, gate, container: false };
  } else {
    own = {
      fixed: undefined,
      judge: (args) => {
        if (blocks === true || (typeof blocks === 'function' && blocks(args))) return blocking;
        if (ro) return readOnly;
        return idempotent === true || (typeof idempotent === 'function' && idempotent(args)) ? safe : none;
      },
      gate,
      container: false,
    };
  }
  let entry = own;
  if (isContainer(spec)) {
    const name = spec.name;
    entry = {
      fixed: undefined,
      judge: (args) => flagsOf(subEntry(name, spec, own, args), args),
      gate,
      container: true,
    };
  }
  bySpec.set(spec, entry);
  return entry;
}

/** A container's subcommand entry (its own when the first argument names none it has). */
function subEntry(name: string, spec: CommandSpec, own: Entry, args: readonly unknown[]): Entry {
  const sub = lookupCommand(name, args);
  return sub === undefined || sub === spec ? own : compile(sub);
}

function flagsOf(e: Entry, args: readonly unknown[]): CommandFlags {
  return e.fixed ?? (e.judge as (args: readonly unknown[]) => CommandFlags)(args);
}

/** What a name met for the first time maps to (undefined, and not remembered, when the table lacks it). */
function entryFor(name: string): CommandFlags | Entry | undefined {
  const spec = lookupCommand(name);
  if (spec === undefined) return undefined;
  const e = compile(spec);
  const value = e.fixed ?? e;
  // Only the all-lower and all-upper spellings are remembered: the mixed-case ones (2^length of
  // them) and those with spaces (`CLIENT  SETNAME`) are unbounded when names come from callers'
  // input, and each would be kept for the life of the process. They are looked up every time.
  if (!name.includes(' ') && (name === name.toLowerCase() || name === name.toUpperCase()))
    byName.set(name, value);
  return value;
}

/** The flags of one call of `name` with `args` (the wire arguments after the name). */
export function commandFlags(name: string, args: readonly unknown[]): CommandFlags {
  const v = byName.get(name) ?? entryFor(name);
  if (v === undefined) return NONE;
  return 'safe' in v ? v : (v.judge as (args: readonly unknown[]) => CommandFlags)(args);
}

/**
 * Whether {@link commandGate} of `name` is the same whatever the arguments (true but for
 * containers, whose subcommand has its own gate): a batch of many such commands looks it up once.
 */
export function gateIgnoresArgs(name: string): boolean {
  const v = byName.get(name) ?? entryFor(name);
  return v === undefined || 'safe' in v || !v.container;
}

/**
 * Just the support gate of a call (see {@link CommandFlags.gate}), for batches
 * that check their commands before sending: no predicate runs for it.
 */
export function commandGate(name: string, args: readonly unknown[]): CommandSpec | undefined {
  const v = byName.get(name) ?? entryFor(name);
  if (v === undefined) return undefined;
  if ('safe' in v || !v.container) return v.gate;
  const sub = lookupCommand(name, args);
  return sub === undefined ? undefined : compile(sub).gate;
}
