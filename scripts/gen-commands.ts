/**
 * Generates src/commands/table.generated.ts from a live server's own
 * COMMAND INFO and COMMAND DOCS.
 *
 *   node --import tsx scripts/gen-commands.ts            # throwaway redis-server
 *   node --import tsx scripts/gen-commands.ts --port N   # an already running server
 *   node --import tsx scripts/gen-commands.ts --check    # exit 1 if the committed file differs
 *
 * The output is deterministic: the same server build gives a byte-identical
 * file (commands sorted by name, subcommands right after their container;
 * flags, categories, tips and key specs in the server's own order).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRedis } from '../test/support/redis-server.js';
import { MiniResp, RespError, type RespValue } from './mini-resp.js';
import {
  COMMAND_FLAGS,
  KEY_SPEC_FLAGS,
  REQUEST_POLICIES,
  RESPONSE_POLICIES,
  type BeginSearch,
  type CommandFlag,
  type CommandSpec,
  type CommandTip,
  type FindKeys,
  type KeySpec,
  type KeySpecFlag,
} from '../src/commands/types.js';

export const OUTPUT_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'commands',
  'table.generated.ts',
);

export interface ServerCommands {
  /** `redis` or `valkey`, from HELLO. */
  readonly server: string;
  readonly version: string;
  /** Commands and subcommands, in output order. */
  readonly specs: readonly CommandSpec[];
}

type RMap = Map<string, RespValue>;

function fail(what: string): never {
  throw new Error(`gen-commands: ${what}`);
}
function asArray(v: RespValue | undefined, what: string): RespValue[] {
  return Array.isArray(v) ? v : fail(`${what}: expected an array`);
}
function asMap(v: RespValue | undefined, what: string): RMap {
  return v instanceof Map ? v : fail(`${what}: expected a map`);
}
function asString(v: RespValue | undefined, what: string): string {
  return typeof v === 'string' ? v : fail(`${what}: expected a string`);
}
function asNumber(v: RespValue | undefined, what: string): number {
  return typeof v === 'number' ? v : fail(`${what}: expected an integer`);
}

const commandFlags = new Set<string>(COMMAND_FLAGS);
const keySpecFlags = new Set<string>(KEY_SPEC_FLAGS);
const requestPolicies = new Set<string>(REQUEST_POLICIES);
const responsePolicies = new Set<string>(RESPONSE_POLICIES);

// Values outside the known sets fail loudly: a new server flag must be added
// to src/commands/types.ts (and considered by table.ts) before it is used.
function flag(v: RespValue, cmd: string): CommandFlag {
  const s = asString(v, `${cmd} flag`);
  return commandFlags.has(s)
    ? (s as CommandFlag)
    : fail(`${cmd}: unknown command flag '${s}': add it to COMMAND_FLAGS in src/commands/types.ts`);
}
function keyFlag(v: RespValue, cmd: string): KeySpecFlag {
  const s = asString(v, `${cmd} key spec flag`);
  return keySpecFlags.has(s)
    ? (s as KeySpecFlag)
    : fail(`${cmd}: unknown key spec flag '${s}': add it to KEY_SPEC_FLAGS in src/commands/types.ts`);
}
function tip(v: RespValue, cmd: string): CommandTip {
  const s = asString(v, `${cmd} tip`);
  const [kind, value] = s.split(':');
  const ok =
    s === 'nondeterministic_output' ||
    s === 'nondeterministic_output_order' ||
    (kind === 'request_policy' && value !== undefined && requestPolicies.has(value)) ||
    (kind === 'response_policy' && value !== undefined && responsePolicies.has(value));
  return ok
    ? (s as CommandTip)
    : fail(`${cmd}: unknown tip '${s}': extend CommandTip in src/commands/types.ts`);
}

function beginSearch(m: RMap, cmd: string): BeginSearch {
  const type = asString(m.get('type'), `${cmd} begin_search.type`);
  const spec = asMap(m.get('spec'), `${cmd} begin_search.spec`);
  if (type === 'index') return { type, index: asNumber(spec.get('index'), `${cmd} index`) };
  if (type === 'keyword') {
    return {
      type,
      keyword: asString(spec.get('keyword'), `${cmd} keyword`),
      startfrom: asNumber(spec.get('startfrom'), `${cmd} startfrom`),
    };
  }
  if (type === 'unknown') return { type };
  return fail(`${cmd}: unknown begin_search type '${type}'`);
}

function findKeys(m: RMap, cmd: string): FindKeys {
  const type = asString(m.get('type'), `${cmd} find_keys.type`);
  const spec = asMap(m.get('spec'), `${cmd} find_keys.spec`);
  const n = (k: string) => asNumber(spec.get(k), `${cmd} find_keys.${k}`);
  if (type === 'range') return { type, lastkey: n('lastkey'), keystep: n('keystep'), limit: n('limit') };
  if (type === 'keynum')
    return { type, keynumidx: n('keynumidx'), firstkey: n('firstkey'), keystep: n('keystep') };
  if (type === 'unknown') return { type };
  return fail(`${cmd}: unknown find_keys type '${type}'`);
}

function keySpec(v: RespValue, cmd: string): KeySpec {
  const m = asMap(v, `${cmd} key spec`);
  const notes = m.get('notes');
  return {
    flags: asArray(m.get('flags'), `${cmd} key spec flags`).map((f) => keyFlag(f, cmd)),
    beginSearch: beginSearch(asMap(m.get('begin_search'), `${cmd} begin_search`), cmd),
    findKeys: findKeys(asMap(m.get('find_keys'), `${cmd} find_keys`), cmd),
    ...(typeof notes === 'string' ? { notes } : {}),
  };
}

/** Merges one COMMAND INFO entry with its COMMAND DOCS entry; returns the command then its sorted subcommands. */
function toSpecs(info: RespValue, docsOf: (name: string) => RMap | undefined): CommandSpec[] {
  const a = asArray(info, 'COMMAND INFO entry');
  const name = asString(a[0], 'command name').toLowerCase();
  const docs = docsOf(name) ?? fail(`${name}: missing from COMMAND DOCS`);
  const deprecated = docs.get('deprecated_since');
  const mod = docs.get('module');
  const spec: CommandSpec = {
    name,
    arity: asNumber(a[1], `${name} arity`),
    flags: asArray(a[2], `${name} flags`).map((f) => flag(f, name)),
    acl: asArray(a[6], `${name} acl`).map((c) => asString(c, `${name} acl category`)),
    firstKey: asNumber(a[3], `${name} first key`),
    lastKey: asNumber(a[4], `${name} last key`),
    step: asNumber(a[5], `${name} step`),
    keySpecs: asArray(a[8], `${name} key specs`).map((k) => keySpec(k, name)),
    tips: asArray(a[7], `${name} tips`).map((t) => tip(t, name)),
    since: asString(docs.get('since'), `${name} since`),
    group: asString(docs.get('group'), `${name} group`),
    ...(typeof deprecated === 'string' ? { deprecatedSince: deprecated } : {}),
    ...(typeof mod === 'string' ? { module: mod } : {}),
  };
  const subDocs = docs.get('subcommands');
  const subs = asArray(a[9] ?? [], `${name} subcommands`)
    .flatMap((s) =>
      toSpecs(s, (n) => (subDocs instanceof Map ? (subDocs.get(n) as RMap | undefined) : undefined)),
    )
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return [spec, ...subs];
}

/** Queries HELLO, COMMAND INFO and COMMAND DOCS on 127.0.0.1:`port`. */
export async function fetchCommandSpecs(port: number): Promise<ServerCommands> {
  const c = await MiniResp.connect(port);
  try {
    const [hello, info, docs] = await c.pipeline([
      ['HELLO', '3'],
      ['COMMAND', 'INFO'],
      ['COMMAND', 'DOCS'],
    ]);
    for (const r of [hello, info, docs]) if (r instanceof RespError) fail(`server replied: ${r.message}`);
    const h = asMap(hello, 'HELLO');
    const docMap = asMap(docs, 'COMMAND DOCS');
    const docsOf = (n: string) => {
      const d = docMap.get(n);
      return d instanceof Map ? d : undefined;
    };
    const top = asArray(info, 'COMMAND INFO')
      .filter((e) => e !== null)
      .map((e) => ({ name: asString(asArray(e, 'entry')[0], 'name').toLowerCase(), e }))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    return {
      server: asString(h.get('server'), 'HELLO server'),
      version: asString(h.get('version'), 'HELLO version'),
      specs: top.flatMap(({ e }) => toSpecs(e, docsOf)),
    };
  } finally {
    c.close();
  }
}

function q(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
function list(xs: readonly (string | number)[]): string {
  return `[${xs.map((x) => (typeof x === 'number' ? String(x) : q(x))).join(', ')}]`;
}
function renderBegin(b: BeginSearch): string {
  if (b.type === 'index') return `{ type: 'index', index: ${b.index} }`;
  if (b.type === 'keyword') return `{ type: 'keyword', keyword: ${q(b.keyword)}, startfrom: ${b.startfrom} }`;
  return `{ type: 'unknown' }`;
}
function renderFind(f: FindKeys): string {
  if (f.type === 'range')
    return `{ type: 'range', lastkey: ${f.lastkey}, keystep: ${f.keystep}, limit: ${f.limit} }`;
  if (f.type === 'keynum')
    return `{ type: 'keynum', keynumidx: ${f.keynumidx}, firstkey: ${f.firstkey}, keystep: ${f.keystep} }`;
  return `{ type: 'unknown' }`;
}
function renderKeySpec(k: KeySpec): string {
  const notes = k.notes !== undefined ? `, notes: ${q(k.notes)}` : '';
  return `{ flags: ${list(k.flags)}, beginSearch: ${renderBegin(k.beginSearch)}, findKeys: ${renderFind(k.findKeys)}${notes} }`;
}

/** One row per command; key specs, when present, one per line below it. */
export function renderSpec(s: CommandSpec, indent = '  '): string {
  const extra =
    (s.deprecatedSince !== undefined ? `, deprecatedSince: ${q(s.deprecatedSince)}` : '') +
    (s.module !== undefined ? `, module: ${q(s.module)}` : '');
  const head =
    `${indent}{ name: ${q(s.name)}, arity: ${s.arity}, flags: ${list(s.flags)}, acl: ${list(s.acl)}, ` +
    `firstKey: ${s.firstKey}, lastKey: ${s.lastKey}, step: ${s.step}, tips: ${list(s.tips)}, ` +
    `since: ${q(s.since)}, group: ${q(s.group)}${extra}, keySpecs: `;
  if (s.keySpecs.length === 0) return `${head}[] },`;
  return `${head}[\n${s.keySpecs.map((k) => `${indent}  ${renderKeySpec(k)},`).join('\n')}\n${indent}] },`;
}

export function renderTable(data: ServerCommands): string {
  return [
    `// GENERATED FILE, DO NOT EDIT. Generated by scripts/gen-commands.ts from ${data.server} ${data.version}`,
    '// (COMMAND INFO + COMMAND DOCS). Regenerate: node --import tsx scripts/gen-commands.ts',
    '// Commands newer than this server and module commands live in ./newer.ts.',
    "import type { CommandSpec } from './types.js';",
    '',
    '/** The server the table was generated from. */',
    `export const GENERATED_FROM = { server: ${q(data.server)}, version: ${q(data.version)} } as const;`,
    '',
    'export const GENERATED_COMMANDS: readonly CommandSpec[] = [',
    ...data.specs.map((s) => renderSpec(s)),
    '];',
    '',
  ].join('\n');
}

/**
 * Renders the table from the server on `port`, or from a throwaway
 * redis-server when no port is given (never the machine's 6379).
 */
export async function generateTable(options: { port?: number } = {}): Promise<string> {
  if (options.port !== undefined) return renderTable(await fetchCommandSpecs(options.port));
  const server = await startRedis();
  try {
    return renderTable(await fetchCommandSpecs(server.port));
  } finally {
    await server.stop();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let port: number | undefined;
  let out = OUTPUT_PATH;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') port = Number(argv[++i]);
    else if (a === '--out') out = argv[++i] ?? fail('--out needs a path');
    else if (a === '--check') check = true;
    else fail(`unknown argument '${a}' (use --port N, --out PATH, --check)`);
  }
  if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65535))
    fail('--port needs a port number');
  // The project's tooling never touches a developer's real server.
  if (port === 6379) fail('refusing port 6379: point --port at a throwaway server, or omit it to start one');
  const text = await generateTable(port === undefined ? {} : { port });
  if (check) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      /* missing counts as different */
    }
    if (current !== text) {
      process.stderr.write(`${out} is out of date: run node --import tsx scripts/gen-commands.ts\n`);
      return 1;
    }
    process.stdout.write(`${out} is up to date\n`);
    return 0;
  }
  writeFileSync(out, text);
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
