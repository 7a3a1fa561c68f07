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

function isArg(v: unknown, upper: string): boolean {
  const s = argName(v);
  return s !== undefined && s.length === upper.length && s.toUpperCase() === upper;
}

/** Is there a BLOCK option among args[from..] before STREAMS? */
function hasBlockOption(args: readonly unknown[], from: number): boolean {
  for (let i = from; i < args.length; i++) {
    if (isArg(args[i], 'STREAMS')) return false;
    if (isArg(args[i], 'BLOCK')) return true;
  }
  return false;
}

/**
 * Whether this call can hold its connection waiting on the server, so it
 * needs a dedicated connection: BLPOP, BRPOP, BLMOVE, BZPOPMIN, BLMPOP … always;
 * XREAD / XREADGROUP only with BLOCK; WAIT and WAITAOF (which the server
 * does not flag as blocking on every version).
 */
export function isBlocking(spec: CommandSpec, args: readonly unknown[] = []): boolean {
  switch (spec.name) {
    case 'xread':
      return hasBlockOption(args, 0);
    // XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS …:
    // skip the group and consumer names, which may be spelled "block".
    case 'xreadgroup':
      return hasBlockOption(args, 3);
    case 'wait':
    case 'waitaof':
      return true;
    default:
      return derive(spec).blocking;
  }
}

// --- idempotency -------------------------------------------------------------
//
// The server has no such flag, so this is a hand-kept judgement. A command is
// idempotent here when running it a second time right after the first leaves
// the data exactly as one run did, so a command that may or may not have
// reached the server before the connection dropped can be sent again.
// Read-only commands always qualify. A repeat's reply may differ (DEL counts
// 0, SADD counts 0, XADD with an explicit ID errors as "ID too small") while
// the data is still right.
//
// Excluded although the data would end up the same: commands whose reply is
// the caller's decision (SET NX / SETNX / HSETNX / MSETNX / DELEX, the basis of
// locks: a repeat would report "not set" for a write that did happen), GET-style
// writes whose reply is the point (SET … GET, GETDEL, HGETDEL, GETSET), and
// anything counting, appending or moving (INCR*, APPEND, LPUSH/RPUSH, LPOP,
// XADD with `*`, RENAME, SMOVE, LMOVE, SPOP, *STORE with a destination that
// may also be a source, EVAL/FCALL whose effect is unknown).

type Rule = true | ((args: readonly unknown[]) => boolean);

function noneOf(args: readonly unknown[], from: number, tokens: readonly string[]): boolean {
  for (let i = from; i < args.length; i++) {
    for (const t of tokens) if (isArg(args[i], t)) return false;
  }
  return true;
}

function intArg(v: unknown): number | undefined {
  const s = typeof v === 'number' ? String(v) : argName(v);
  if (s === undefined || !/^-?[0-9]+$/.test(s)) return undefined;
  return Number(s);
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] <* | id> field value …: an explicit ID? */
function xaddExplicitId(args: readonly unknown[]): boolean {
  let i = 1;
  while (i < args.length) {
    const a = args[i];
    if (isArg(a, 'NOMKSTREAM')) i += 1;
    else if (isArg(a, 'MAXLEN') || isArg(a, 'MINID')) {
      i += 1;
      if (isArg(args[i], '=') || isArg(args[i], '~')) i += 1;
      i += 1;
    } else if (isArg(a, 'LIMIT')) i += 2;
    else break;
  }
  const id = argName(args[i]) ?? (typeof args[i] === 'number' ? String(args[i]) : undefined);
  return id !== undefined && id !== '*' && !id.endsWith('-*');
}

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member …: INCR turns it into an increment. */
function zaddWithoutIncr(args: readonly unknown[]): boolean {
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (isArg(a, 'INCR')) return false;
    if (!(isArg(a, 'NX') || isArg(a, 'XX') || isArg(a, 'GT') || isArg(a, 'LT') || isArg(a, 'CH')))
      return true;
  }
  return true;
}

/** LTRIM keeps the same slice when repeated only if it is anchored at an end of the list. */
function ltrimAnchored(args: readonly unknown[]): boolean {
  const start = intArg(args[1]);
  const stop = intArg(args[2]);
  if (start === undefined || stop === undefined) return false;
  return (start === 0 && stop >= 0) || (start <= 0 && stop === -1);
}

/** MSETEX numkeys key value … [NX|XX] [expiration]: conditional writes are excluded. */
function msetexUnconditional(args: readonly unknown[]): boolean {
  const n = intArg(args[0]);
  return n !== undefined && n >= 0 && noneOf(args, 1 + 2 * n, ['NX', 'XX']);
}

const CONDITIONAL_SET = ['GET', 'NX', 'XX', 'IFEQ', 'IFNE', 'IFDEQ', 'IFDNE'];

const IDEMPOTENT = new Map<string, Rule>([
  // Overwrites and deletes of named things.
  ...(
    [
      'del',
      'unlink',
      'mset',
      'setex',
      'psetex',
      'setrange',
      'setbit',
      'getex',
      'hset',
      'hmset',
      'hdel',
      'hgetex',
      'sadd',
      'srem',
      'zrem',
      'zremrangebyscore',
      'zremrangebylex',
      'lset',
      'pfadd',
      'pfmerge',
      'geoadd',
      'expire',
      'pexpire',
      'expireat',
      'pexpireat',
      'persist',
      'hexpire',
      'hpexpire',
      'hexpireat',
      'hpexpireat',
      'hpersist',
      'xack',
      'xdel',
      'xtrim',
      'xackdel',
      'xdelex',
      'xsetid',
      'xgroup|destroy',
      'xgroup|setid',
      'xgroup|createconsumer',
      'xgroup|delconsumer',
      'flushdb',
      'flushall',
      'script|load',
      'script|flush',
      'config|set',
      'json.del',
      'json.forget',
      'json.clear',
      'json.merge',
      'json.mset',
      'bf.add',
      'bf.madd',
      'bf.insert',
      'vadd',
      'vrem',
      'vsetattr',
    ] as const
  ).map((n): [string, Rule] => [n, true]),
  // Connection state and queries the server does not flag read-only.
  ...(
    [
      'ping',
      'echo',
      'info',
      'time',
      'lastsave',
      'role',
      'select',
      'auth',
      'hello',
      'readonly',
      'readwrite',
      'command',
      'command|count',
      'command|docs',
      'command|getkeys',
      'command|getkeysandflags',
      'command|info',
      'command|list',
      'command|help',
      'client|getname',
      'client|id',
      'client|info',
      'client|list',
      'client|getredir',
      'client|trackinginfo',
      'client|setname',
      'client|setinfo',
      'client|no-evict',
      'client|no-touch',
      'client|help',
      'cluster|info',
      'cluster|slots',
      'cluster|shards',
      'cluster|nodes',
      'cluster|myid',
      'cluster|myshardid',
      'cluster|keyslot',
      'cluster|countkeysinslot',
      'cluster|getkeysinslot',
      'cluster|links',
      'cluster|replicas',
      'cluster|slaves',
      'cluster|count-failure-reports',
      'cluster|help',
      'config|get',
      'config|help',
      'memory|stats',
      'memory|doctor',
      'memory|malloc-stats',
      'memory|help',
      'latency|latest',
      'latency|history',
      'latency|doctor',
      'latency|graph',
      'latency|histogram',
      'latency|help',
      'slowlog|get',
      'slowlog|len',
      'slowlog|help',
      'module|list',
      'module|help',
      'object|help',
      'acl|cat',
      'acl|whoami',
      'acl|users',
      'acl|list',
      'acl|getuser',
      'acl|genpass',
      'acl|dryrun',
      'acl|help',
      'function|list',
      'function|dump',
      'function|stats',
      'function|help',
      'script|exists',
      'script|help',
      'pubsub|channels',
      'pubsub|numsub',
      'pubsub|numpat',
      'pubsub|shardchannels',
      'pubsub|shardnumsub',
      'pubsub|help',
      'xinfo|help',
      'xgroup|help',
    ] as const
  ).map((n): [string, Rule] => [n, true]),
  // Idempotent unless an option makes them conditional or incremental.
  ['set', (a) => noneOf(a, 2, CONDITIONAL_SET)],
  ['zadd', zaddWithoutIncr],
  ['lrem', (a) => intArg(a[1]) === 0],
  ['ltrim', ltrimAnchored],
  ['xadd', xaddExplicitId],
  ['restore', (a) => !noneOf(a, 3, ['REPLACE'])],
  ['copy', (a) => !noneOf(a, 2, ['REPLACE'])],
  ['hsetex', (a) => noneOf(a, 1, ['FNX', 'FXX'])],
  ['msetex', msetexUnconditional],
  ['json.set', (a) => noneOf(a, 3, ['NX', 'XX'])],
  ['function|load', (a) => isArg(a[1], 'REPLACE')],
  ['acl|log', (a) => !isArg(a[1], 'RESET')],
]);

/**
 * Whether sending this call twice is as good as once (see the rules above):
 * read-only commands, plus a hand-kept list of writes such as SET without
 * NX/XX/GET, DEL, HSET, SADD, ZADD without INCR, EXPIRE. INCR, LPUSH, RPUSH,
 * XADD with `*`, EVAL … are not. Pass the call's `args` (after the command
 * name) for the option-dependent ones; without them those count as not
 * idempotent.
 */
export function isIdempotent(spec: CommandSpec, args?: readonly unknown[]): boolean {
  if (derive(spec).readOnly) return true;
  const rule = IDEMPOTENT.get(spec.name);
  if (rule === undefined) return false;
  if (rule === true) return true;
  return args !== undefined && rule(args);
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
