/**
 * The command table: lookups and the per-command facts the client and the
 * cluster router act on (read-only, blocking, idempotent, routing tips,
 * minimum version, module). Key positions live in ./keys.ts.
 *
 * Data: the generated table (from a real server's COMMAND INFO/DOCS) merged
 * with the hand-kept ./newer.ts; the generated entry wins for any name both
 * know. Maps are built once at module load.
 */
import { NEWER_COMMANDS } from './newer.js';
import { GENERATED_COMMANDS, GENERATED_FROM } from './table.generated.js';
import type { CommandSpec, RequestPolicy, ResponsePolicy } from './types.js';

export type {
  CommandSpec,
  KeySpec,
  KeySpecFlag,
  CommandFlag,
  CommandTip,
  RequestPolicy,
  ResponsePolicy,
} from './types.js';
export { GENERATED_FROM };

interface Entry {
  readonly spec: CommandSpec;
  /** Set for containers: lower-case subcommand name -> spec. */
  subs: Map<string, CommandSpec> | undefined;
}

// One map lookup per call: the entry carries the container's subcommands too.
const byName = new Map<string, Entry>();
for (const spec of GENERATED_COMMANDS) byName.set(spec.name, { spec, subs: undefined });
for (const spec of NEWER_COMMANDS)
  if (!byName.has(spec.name)) byName.set(spec.name, { spec, subs: undefined });
for (const [name, { spec }] of byName) {
  const bar = name.indexOf('|');
  if (bar < 0) continue;
  const parent = byName.get(name.slice(0, bar));
  if (parent === undefined) continue;
  (parent.subs ??= new Map()).set(name.slice(bar + 1), spec);
}
const containers = new Set<CommandSpec>(
  [...byName.values()].filter((e) => e.subs !== undefined).map((e) => e.spec),
);

/** Every known command and subcommand, generated entries first. */
export const COMMANDS: readonly CommandSpec[] = [...byName.values()].map((e) => e.spec);

const latin1 = new TextDecoder('latin1');

function argName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return v.length <= 64 ? latin1.decode(v) : undefined;
  return undefined;
}

/**
 * The spec for a command name (any case; `config|get` and `config get` also
 * work). For a container command (CONFIG, CLIENT, XINFO …) pass its
 * arguments: `args[0]` picks the subcommand; an unknown or missing
 * subcommand gives the container's own spec. Unknown names give undefined.
 */
export function lookupCommand(name: string, args?: readonly unknown[]): CommandSpec | undefined {
  let entry = byName.get(name);
  if (entry === undefined) {
    let lower = name.toLowerCase();
    const space = lower.indexOf(' ');
    if (space > 0) lower = `${lower.slice(0, space)}|${lower.slice(space + 1).trim()}`;
    entry = byName.get(lower);
    if (entry === undefined) return undefined;
  }
  const subs = entry.subs;
  if (subs === undefined || args === undefined || args.length === 0) return entry.spec;
  const sub = argName(args[0]);
  if (sub === undefined) return entry.spec;
  return subs.get(sub) ?? subs.get(sub.toLowerCase()) ?? entry.spec;
}

/** Whether `spec` is a container whose real spec depends on its first argument. */
export function isContainer(spec: CommandSpec): boolean {
  return containers.has(spec);
}

// --- derived facts, computed once per spec -------------------------------------

interface Derived {
  readonly readOnly: boolean;
  readonly blocking: boolean;
  readonly requestPolicy: RequestPolicy | undefined;
  readonly responsePolicy: ResponsePolicy | undefined;
}

const derived = new WeakMap<CommandSpec, Derived>();

function derive(spec: CommandSpec): Derived {
  let d = derived.get(spec);
  if (d !== undefined) return d;
  let requestPolicy: RequestPolicy | undefined;
  let responsePolicy: ResponsePolicy | undefined;
  for (const t of spec.tips) {
    if (t.startsWith('request_policy:')) requestPolicy = t.slice(15) as RequestPolicy;
    else if (t.startsWith('response_policy:')) responsePolicy = t.slice(16) as ResponsePolicy;
  }
  d = {
    readOnly: spec.flags.includes('readonly'),
    blocking: spec.flags.includes('blocking'),
    requestPolicy,
    responsePolicy,
  };
  derived.set(spec, d);
  return d;
}

/** The server flags the command `readonly`: it never writes (safe on replicas and to retry). */
export function isReadOnly(spec: CommandSpec): boolean {
  return derive(spec).readOnly;
}

/** The server flags the command `blocking` (the per-call answer is ./rules.ts `isBlocking`). */
export function tableBlocking(spec: CommandSpec): boolean {
  return derive(spec).blocking;
}

// --- routing tips --------------------------------------------------------------

/**
 * The server's request_policy tip: where a keyless (or multi-key) call goes in
 * a cluster. undefined: by key slot when it has keys, else any one node.
 */
export function requestPolicy(spec: CommandSpec): RequestPolicy | undefined {
  return derive(spec).requestPolicy;
}

/** The server's response_policy tip: how fanned-out replies are merged. */
export function responsePolicy(spec: CommandSpec): ResponsePolicy | undefined {
  return derive(spec).responsePolicy;
}

// --- versions and modules ---------------------------------------------------------

/**
 * The first version that has the command: the server version for core
 * commands, the module's own version for module commands (see {@link module}).
 */
export function minVersion(spec: CommandSpec): string {
  return spec.since;
}

/** The module providing the command (as MODULE LIST names it), or undefined for core commands. */
export function module(spec: CommandSpec): string | undefined {
  return spec.module;
}

/** Compares dotted versions numerically ('7.10.0' > '7.9.1'); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.parseInt(pa[i] ?? '0', 10) || 0;
    const y = Number.parseInt(pb[i] ?? '0', 10) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * True when a core command is newer than `serverVersion` (a
 * CommandNotSupportedError case). Module commands are never "too new" here:
 * whether their module is loaded is the question for them.
 */
export function isNewerThan(spec: CommandSpec, serverVersion: string): boolean {
  return spec.module === undefined && compareVersions(spec.since, serverVersion) > 0;
}
