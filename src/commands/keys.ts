/**
 * Key extraction from key specs, the way the server's COMMAND GETKEYS does it.
 *
 * Positions: `args` is everything after the command name, so for a
 * subcommand `args[0]` is the subcommand name (`OBJECT ENCODING k` ->
 * args `['ENCODING', 'k']`, key index 1). Returned indexes point into that
 * same `args` array (server argv position - 1), in key-spec order.
 *
 * Malformed arguments (a key count that is not a number, a range running past
 * the end) make that key spec yield nothing rather than throw: the server
 * will reject the command itself, with a better message.
 *
 * This runs per command on the cluster hot path, so each spec is compiled
 * once into a plan (cached per spec object) and plain fixed-position commands
 * (GET, SET, HSET, MSET …) take a short path without any string work.
 */
import type { CommandSpec, KeySpec, KeySpecFlag } from './types.js';

/** A key's position in `args` and the access flags of the key spec it came from. */
export interface KeyRef {
  readonly index: number;
  readonly flags: readonly KeySpecFlag[];
}

const BS_INDEX = 0;
const BS_KEYWORD = 1;
const FK_RANGE = 0;
const FK_KEYNUM = 1;

interface Step {
  readonly flags: readonly KeySpecFlag[];
  readonly notKey: boolean;
  readonly bs: typeof BS_INDEX | typeof BS_KEYWORD;
  readonly index: number;
  /** Upper-case keyword. */
  readonly keyword: string;
  readonly startfrom: number;
  readonly fk: typeof FK_RANGE | typeof FK_KEYNUM;
  readonly lastkey: number;
  readonly keystep: number;
  readonly limit: number;
  readonly keynumidx: number;
  readonly firstkey: number;
}

/** Hand-written extraction for the few commands key specs cannot describe. */
type Special = (
  args: readonly unknown[],
  out: number[],
  flags: (readonly KeySpecFlag[])[] | undefined,
) => void;

interface Plan {
  /** Fixed args positions (all specs are index + non-negative range): the short path. */
  readonly fixed: readonly number[] | undefined;
  readonly fixedNotKey: boolean;
  readonly fixedFlags: readonly (readonly KeySpecFlag[])[];
  readonly steps: readonly Step[];
  readonly special: Special | undefined;
  /** Could this command ever have keys (with not_key specs counted)? */
  readonly anyKeys: boolean;
}

// --- argument helpers -------------------------------------------------------

const latin1 = new TextDecoder('latin1');

/** Case-insensitive ASCII comparison of an argument (string or bytes) with an upper-case token. */
export function isToken(v: unknown, upper: string): boolean {
  if (typeof v === 'string') {
    return v.length === upper.length && (v === upper || v.toUpperCase() === upper);
  }
  if (v instanceof Uint8Array) {
    if (v.length !== upper.length) return false;
    for (let i = 0; i < v.length; i++) {
      let c = v[i]!;
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      if (c !== upper.charCodeAt(i)) return false;
    }
    return true;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return String(v) === upper;
  return false;
}

/** The server's string2ll: an optional '-', digits, no leading zeros or spaces. */
function parseCount(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : -1;
  if (typeof v === 'bigint') return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
  const s = typeof v === 'string' ? v : v instanceof Uint8Array ? latin1.decode(v) : undefined;
  if (s === undefined || !/^(?:0|-?[1-9][0-9]{0,15})$/.test(s)) return -1;
  return Number(s);
}

function isEmptyArg(v: unknown): boolean {
  return (typeof v === 'string' || v instanceof Uint8Array) && v.length === 0;
}

// --- specials -----------------------------------------------------------------

const STORE_FLAGS: readonly KeySpecFlag[] = ['OW', 'update'];
const SORT_KEY_FLAGS: readonly KeySpecFlag[] = ['RO', 'access'];
const MIGRATE_FLAGS: readonly KeySpecFlag[] = ['RW', 'access', 'delete'];

function push(
  out: number[],
  flags: (readonly KeySpecFlag[])[] | undefined,
  index: number,
  f: readonly KeySpecFlag[],
): void {
  out.push(index);
  if (flags !== undefined) flags.push(f);
}

/**
 * SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE dest]:
 * BY/GET take patterns (not keys); the last STORE names a key. Mirrors the
 * server's own scan, including which options it skips over.
 */
const sortKeys: Special = (args, out, flags) => {
  if (args.length < 1) return;
  push(out, flags, 0, SORT_KEY_FLAGS);
  let store = -1;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (isToken(a, 'LIMIT')) i += 2;
    else if (isToken(a, 'GET') || isToken(a, 'BY')) i += 1;
    else if (isToken(a, 'STORE') && i + 1 < args.length) store = i + 1;
  }
  if (store >= 0) push(out, flags, store, STORE_FLAGS);
};

/** SORT_RO has no STORE; its BY/GET patterns are not keys. */
const sortRoKeys: Special = (args, out, flags) => {
  if (args.length >= 1) push(out, flags, 0, SORT_KEY_FLAGS);
};

/**
 * MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key ...]:
 * with an empty key argument the keys follow KEYS, else the key is argv[3].
 */
const migrateKeys: Special = (args, out, flags) => {
  if (args.length < 3) return;
  if (isEmptyArg(args[2])) {
    for (let i = 5; i < args.length; i++) {
      const a = args[i];
      if (isToken(a, 'KEYS')) {
        for (let k = i + 1; k < args.length; k++) push(out, flags, k, MIGRATE_FLAGS);
        return;
      }
      if (isToken(a, 'AUTH')) i += 1;
      else if (isToken(a, 'AUTH2')) i += 2;
    }
  }
  push(out, flags, 2, MIGRATE_FLAGS);
};

const SPECIALS: ReadonlyMap<string, Special> = new Map([
  ['sort', sortKeys],
  ['sort_ro', sortRoKeys],
  ['migrate', migrateKeys],
]);

// --- compilation -------------------------------------------------------------

function compileStep(k: KeySpec): Step | undefined {
  const b = k.beginSearch;
  const f = k.findKeys;
  if (b.type === 'unknown' || f.type === 'unknown') return undefined;
  return {
    flags: k.flags,
    notKey: k.flags.includes('not_key'),
    bs: b.type === 'index' ? BS_INDEX : BS_KEYWORD,
    index: b.type === 'index' ? b.index : 0,
    keyword: b.type === 'keyword' ? b.keyword.toUpperCase() : '',
    startfrom: b.type === 'keyword' ? b.startfrom : 0,
    fk: f.type === 'range' ? FK_RANGE : FK_KEYNUM,
    lastkey: f.type === 'range' ? f.lastkey : 0,
    keystep: f.keystep > 0 ? f.keystep : 1,
    limit: f.type === 'range' ? f.limit : 0,
    keynumidx: f.type === 'keynum' ? f.keynumidx : 0,
    firstkey: f.type === 'keynum' ? f.firstkey : 0,
  };
}

function compile(spec: CommandSpec): Plan {
  const special = SPECIALS.get(spec.name);
  const steps = spec.keySpecs.map(compileStep).filter((s): s is Step => s !== undefined);
  const anyKeys = special !== undefined || steps.length > 0;
  // Short path: every spec at a fixed position with a fixed count, none of them not_key
  // (or all of them, like SSUBSCRIBE's channel, so one flag decides).
  const allFixed =
    special === undefined &&
    steps.length > 0 &&
    steps.every((s) => s.bs === BS_INDEX && s.fk === FK_RANGE && s.lastkey >= 0) &&
    (steps.every((s) => s.notKey) || steps.every((s) => !s.notKey));
  if (!allFixed) return { fixed: undefined, fixedNotKey: false, fixedFlags: [], steps, special, anyKeys };
  const fixed: number[] = [];
  const fixedFlags: (readonly KeySpecFlag[])[] = [];
  for (const s of steps) {
    for (let p = s.index; p <= s.index + s.lastkey; p += s.keystep) {
      fixed.push(p - 1);
      fixedFlags.push(s.flags);
    }
  }
  return { fixed, fixedNotKey: steps[0]!.notKey, fixedFlags, steps, special, anyKeys };
}

const plans = new WeakMap<CommandSpec, Plan>();

// Runs of the same command (a loop of GETs, a pipeline of SETs) skip even the WeakMap.
let lastSpec: CommandSpec | undefined;
let lastPlan: Plan | undefined;

function planOf(spec: CommandSpec): Plan {
  if (spec === lastSpec) return lastPlan!;
  let p = plans.get(spec);
  if (p === undefined) {
    p = compile(spec);
    plans.set(spec, p);
  }
  lastSpec = spec;
  lastPlan = p;
  return p;
}

// --- evaluation --------------------------------------------------------------

/** One key spec, in server argv terms (argc counts the command name), emitting args indexes. */
function runStep(
  s: Step,
  args: readonly unknown[],
  out: number[],
  flags: (readonly KeySpecFlag[])[] | undefined,
): void {
  const argc = args.length + 1;
  let first = 0;
  if (s.bs === BS_INDEX) {
    first = s.index;
  } else {
    // Forward from startfrom up to argc-2 (a key must follow the keyword), or
    // backward from argc+startfrom down to 2, as the server searches.
    if (s.startfrom > 0) {
      for (let i = s.startfrom; i < argc - 1; i++) {
        if (isToken(args[i - 1], s.keyword)) {
          first = i + 1;
          break;
        }
      }
    } else {
      for (let i = argc + s.startfrom; i > 1; i--) {
        if (isToken(args[i - 1], s.keyword)) {
          first = i + 1;
          break;
        }
      }
    }
    if (first === 0) return; // keyword absent: this spec has no keys
  }
  let last: number;
  if (s.fk === FK_RANGE) {
    if (s.lastkey >= 0) last = first + s.lastkey;
    else if (s.limit <= 1) last = argc + s.lastkey;
    else last = first + (Math.floor((argc - first) / s.limit) + s.lastkey);
  } else {
    const at = first + s.keynumidx;
    if (at >= argc) return;
    const n = parseCount(args[at - 1]);
    if (n <= 0) return; // zero keys, or a count the server will reject
    first += s.firstkey;
    // n keys, `keystep` apart. (The server computes first + n - 1, which only
    // agrees for keystep 1 — the only keynum step it ships before MSETEX.)
    last = first + (n - 1) * s.keystep;
  }
  if (first >= argc || last < first || last >= argc) return;
  for (let i = first; i <= last; i += s.keystep) {
    out.push(i - 1);
    if (flags !== undefined) flags.push(s.flags);
  }
}

function collect(
  spec: CommandSpec,
  args: readonly unknown[],
  includeNotKeys: boolean,
  out: number[],
  flags: (readonly KeySpecFlag[])[] | undefined,
): void {
  const plan = planOf(spec);
  const fixed = plan.fixed;
  if (fixed !== undefined) {
    if (plan.fixedNotKey && !includeNotKeys) return;
    const n = args.length;
    for (let i = 0; i < fixed.length; i++) {
      const p = fixed[i]!;
      if (p < n) {
        out.push(p);
        if (flags !== undefined) flags.push(plan.fixedFlags[i]!);
      }
    }
    return;
  }
  if (plan.special !== undefined) {
    plan.special(args, out, flags);
    return;
  }
  for (const s of plan.steps) {
    if (s.notKey && !includeNotKeys) continue;
    runStep(s, args, out, flags);
  }
}

/**
 * Indexes into `args` (the arguments after the command name) of the keys of
 * this call, in key-spec order. `includeNotKeys` also returns arguments that
 * are hashed like keys without being keys (SPUBLISH/SSUBSCRIBE channels).
 */
export function keyIndexes(spec: CommandSpec, args: readonly unknown[], includeNotKeys = false): number[] {
  const out: number[] = [];
  collect(spec, args, includeNotKeys, out, undefined);
  return out;
}

/** Like {@link keyIndexes}, with each key's spec flags (RO/RW/OW/RM, access/insert/update/delete …). */
export function keyRefs(spec: CommandSpec, args: readonly unknown[], includeNotKeys = false): KeyRef[] {
  const out: number[] = [];
  const flags: (readonly KeySpecFlag[])[] = [];
  collect(spec, args, includeNotKeys, out, flags);
  return out.map((index, i) => ({ index, flags: flags[i]! }));
}

/** Index of the first key (what a single-slot router needs), or -1 when the call has none. */
export function firstKeyIndex(spec: CommandSpec, args: readonly unknown[], includeNotKeys = false): number {
  const plan = planOf(spec);
  const fixed = plan.fixed;
  if (fixed !== undefined) {
    if (plan.fixedNotKey && !includeNotKeys) return -1;
    const p = fixed[0]!;
    return p < args.length ? p : -1;
  }
  const out: number[] = [];
  collect(spec, args, includeNotKeys, out, undefined);
  return out.length > 0 ? out[0]! : -1;
}

/** Whether calls of this command can carry keys at all (static, from its key specs). */
export function mayHaveKeys(spec: CommandSpec): boolean {
  return planOf(spec).anyKeys;
}
