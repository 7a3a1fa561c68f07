/**
 * What the client needs to know about a command before sending it: may it be
 * sent again after a dropped connection (read-only or idempotent), does it
 * block (so it needs a dedicated connection), and might the server lack it
 * (newer than the oldest server the client checks for, or from a module)?
 * Answers come from the command table; a name the table does not know is sent
 * as written, never retried once sent.
 */
import { needsSupportCheck } from '../commands/support.js';
import { hasArgumentRules, isBlocking, isIdempotent } from '../commands/rules.js';
import { isContainer, isReadOnly, lookupCommand } from '../commands/table.js';
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
const SAFE: CommandFlags = { safe: true, readOnly: false, blocking: false, gate: undefined };
const BLOCKING: CommandFlags = { safe: false, readOnly: false, blocking: true, gate: undefined };
const READONLY: CommandFlags = { safe: true, readOnly: true, blocking: false, gate: undefined };

/** Flags that depend on the arguments: of `spec` itself, or (containers) of the subcommand named in them. */
interface Dynamic {
  readonly spec: CommandSpec;
  readonly container: boolean;
  readonly variants: readonly CommandFlags[];
}

/** Per name the table knows (a bounded set): fixed flags, or how to work them out from the arguments. */
const cache = new Map<string, CommandFlags | Dynamic>();

/** Per spec: its NONE/SAFE/BLOCKING/READONLY flags (with the gate for checked commands). */
const variants = new WeakMap<CommandSpec, readonly CommandFlags[]>();

/** Read-only commands are always safe; other flags may depend on options (SET … GET, XREAD BLOCK). */
function dependsOnArgs(spec: CommandSpec): boolean {
  return hasArgumentRules(spec);
}

const UNGATED: readonly CommandFlags[] = [NONE, SAFE, BLOCKING, READONLY];

/** The four flag objects of a spec: the shared ones, or ones carrying the spec as gate. One lookup. */
function variantsOf(spec: CommandSpec): readonly CommandFlags[] {
  let v = variants.get(spec);
  if (v === undefined) {
    v = needsSupportCheck(spec) ? UNGATED.map((f) => ({ ...f, gate: spec })) : UNGATED;
    variants.set(spec, v);
  }
  return v;
}

function flagsOf(
  spec: CommandSpec,
  v: readonly CommandFlags[],
  args: readonly unknown[] | undefined,
): CommandFlags {
  if (isBlocking(spec, args)) return v[2] as CommandFlags;
  if (isReadOnly(spec)) return v[3] as CommandFlags;
  return (isIdempotent(spec, args) ? v[1] : v[0]) as CommandFlags;
}

export function commandFlags(name: string, args: readonly unknown[]): CommandFlags {
  let entry = cache.get(name);
  if (entry === undefined) {
    const spec = lookupCommand(name, args);
    const container = lookupCommand(name);
    // Names the table does not know are not cached: call() may be given any number of them.
    if (spec === undefined || container === undefined) return NONE;
    if (container !== spec || isContainer(container) || dependsOnArgs(spec))
      entry = { spec: container, container: isContainer(container), variants: variantsOf(container) };
    else entry = flagsOf(spec, variantsOf(spec), undefined);
    cache.set(name, entry);
  }
  if ('safe' in entry) return entry;
  if (!entry.container) return flagsOf(entry.spec, entry.variants, args);
  const spec = lookupCommand(name, args);
  return spec === undefined ? NONE : flagsOf(spec, variantsOf(spec), args);
}

const CONTAINER = Symbol('container');
/** Per name: the spec to check, null for none, or CONTAINER when it depends on the subcommand. */
const gates = new Map<string, CommandSpec | null | typeof CONTAINER>();

/**
 * Just the support gate of a call (see {@link CommandFlags.gate}), for batches
 * that check their commands before sending: one map lookup for plain commands.
 */
export function commandGate(name: string, args: readonly unknown[]): CommandSpec | undefined {
  let g = gates.get(name);
  if (g === undefined) {
    const spec = lookupCommand(name);
    if (spec === undefined) return undefined; // unknown names stay uncached, as above
    g = isContainer(spec) ? CONTAINER : needsSupportCheck(spec) ? spec : null;
    gates.set(name, g);
  }
  if (g === null) return undefined;
  if (g !== CONTAINER) return g;
  const spec = lookupCommand(name, args);
  return spec !== undefined && needsSupportCheck(spec) ? spec : undefined;
}
