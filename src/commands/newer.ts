/**
 * HAND-KEPT command entries, merged under the generated table (the generated
 * table wins for any name the server knows):
 *
 * 1. Core commands newer than the server table.generated.ts comes from
 *    (Redis 7.2 – 8.4), so routing, key extraction and "needs server X.Y"
 *    errors work against newer servers too. Facts (arity, flags, key specs,
 *    tips, since) are taken from redis/redis `src/commands/<name>.json` of the
 *    release that introduced each command.
 * 2. Module commands (RedisJSON, RediSearch, RedisTimeSeries, RedisBloom,
 *    vector sets), marked with the module name MODULE LIST reports. Their
 *    arity comes from the documented syntax, flags and key positions from the
 *    modules' command registrations; `since` is the module's version (except
 *    vector sets, which ship with the server and give the server's version).
 *
 * ACL categories are derived like the server does (write -> @write,
 * readonly -> @read, fast -> @fast else @slow, …) plus the entry's own.
 */
import type { CommandFlag, CommandSpec, CommandTip, KeySpec, KeySpecFlag } from './types.js';

// --- key spec shorthands ----------------------------------------------------

/** Key(s) at a fixed argv position; `lastkey`/`keystep` as in the server's range spec. */
function at(index: number, flags: readonly KeySpecFlag[], lastkey = 0, keystep = 1): KeySpec {
  return {
    flags,
    beginSearch: { type: 'index', index },
    findKeys: { type: 'range', lastkey, keystep, limit: 0 },
  };
}
/** A key count at argv[index + keynumidx], keys from argv[index + firstkey]. */
function counted(
  index: number,
  flags: readonly KeySpecFlag[],
  keynumidx = 0,
  firstkey = 1,
  keystep = 1,
): KeySpec {
  return {
    flags,
    beginSearch: { type: 'index', index },
    findKeys: { type: 'keynum', keynumidx, firstkey, keystep },
  };
}

const RO: readonly KeySpecFlag[] = ['RO', 'access'];
const RW: readonly KeySpecFlag[] = ['RW', 'update'];
const RW_INSERT: readonly KeySpecFlag[] = ['RW', 'insert'];
const RW_DELETE: readonly KeySpecFlag[] = ['RW', 'delete'];
const OW: readonly KeySpecFlag[] = ['OW', 'update'];

// --- entry builder ----------------------------------------------------------

interface Entry {
  readonly name: string;
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly keys?: readonly KeySpec[];
  readonly tips?: readonly CommandTip[];
  readonly since: string;
  readonly group: string;
  /** Categories beyond the implicit ones, e.g. `'@hash'`. */
  readonly acl?: readonly string[];
  readonly module?: string;
}

// The order COMMAND INFO lists categories in.
const ACL_ORDER = [
  '@keyspace',
  '@read',
  '@write',
  '@set',
  '@sortedset',
  '@list',
  '@hash',
  '@string',
  '@bitmap',
  '@hyperloglog',
  '@geo',
  '@stream',
  '@pubsub',
  '@admin',
  '@fast',
  '@slow',
  '@blocking',
  '@dangerous',
  '@connection',
  '@transaction',
  '@scripting',
];

function aclOf(e: Entry): string[] {
  const cats = new Set(e.acl ?? []);
  const f = new Set(e.flags);
  if (f.has('write')) cats.add('@write');
  if (f.has('readonly') && !cats.has('@scripting')) cats.add('@read');
  if (f.has('admin')) {
    cats.add('@admin');
    cats.add('@dangerous');
  }
  if (f.has('pubsub')) cats.add('@pubsub');
  if (f.has('fast')) cats.add('@fast');
  if (f.has('blocking')) cats.add('@blocking');
  if (!cats.has('@fast')) cats.add('@slow');
  const rank = (c: string) => {
    const i = ACL_ORDER.indexOf(c);
    return i < 0 ? ACL_ORDER.length : i;
  };
  return [...cats].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The legacy first/last/step the server derives: only for plain fixed-position keys. */
function legacyRange(keys: readonly KeySpec[]): [number, number, number, boolean] {
  if (keys.length === 0) return [0, 0, 0, false];
  const k = keys[0]!;
  const plain = keys.every(
    (s) => s.beginSearch.type === 'index' && s.findKeys.type === 'range' && s.findKeys.limit === 0,
  );
  if (!plain || k.beginSearch.type !== 'index' || k.findKeys.type !== 'range') return [0, 0, 0, true];
  const first = k.beginSearch.index;
  let last = k.findKeys.lastkey >= 0 ? first + k.findKeys.lastkey : k.findKeys.lastkey;
  // Consecutive single-key specs (TS.CREATERULE src dst) widen the range.
  for (const s of keys.slice(1)) {
    if (
      s.beginSearch.type === 'index' &&
      s.findKeys.type === 'range' &&
      s.findKeys.lastkey === 0 &&
      s.beginSearch.index === last + 1
    )
      last++;
  }
  return [first, last, k.findKeys.keystep, false];
}

function spec(e: Entry): CommandSpec {
  const keys = e.keys ?? [];
  const [firstKey, lastKey, step, movable] = legacyRange(keys);
  const flags: CommandFlag[] = [...e.flags];
  if (e.module !== undefined && !flags.includes('module')) flags.push('module');
  if (movable && !flags.includes('movablekeys')) flags.push('movablekeys');
  return {
    name: e.name,
    arity: e.arity,
    flags,
    acl: aclOf(e),
    firstKey,
    lastKey,
    step,
    keySpecs: keys,
    tips: e.tips ?? [],
    since: e.since,
    group: e.module !== undefined ? 'module' : e.group,
    ...(e.module !== undefined ? { module: e.module } : {}),
  };
}

// --- core commands newer than 7.0 ---------------------------------------------

const HASH = ['@hash'];
const hashFieldExpire = (name: string): Entry => ({
  name,
  arity: -6,
  flags: ['write', 'denyoom', 'fast'],
  keys: [at(1, RW)],
  since: '7.4.0',
  group: 'hash',
  acl: HASH,
});
const hashFieldTtl = (name: string): Entry => ({
  name,
  arity: -5,
  flags: ['readonly', 'fast'],
  keys: [at(1, RO)],
  tips: ['nondeterministic_output'],
  since: '7.4.0',
  group: 'hash',
  acl: HASH,
});

const CORE: readonly Entry[] = [
  // 7.2
  {
    name: 'waitaof',
    arity: 4,
    flags: ['blocking'],
    tips: ['request_policy:all_shards', 'response_policy:agg_min'],
    since: '7.2.0',
    group: 'generic',
    acl: ['@connection'],
  },
  {
    name: 'client|no-touch',
    arity: 3,
    flags: ['noscript', 'loading', 'stale'],
    since: '7.2.0',
    group: 'connection',
    acl: ['@connection'],
  },
  {
    name: 'client|setinfo',
    arity: 4,
    flags: ['noscript', 'loading', 'stale', 'sentinel'],
    since: '7.2.0',
    group: 'connection',
    acl: ['@connection'],
  },
  {
    name: 'cluster|myshardid',
    arity: 2,
    flags: ['stale'],
    tips: ['nondeterministic_output'],
    since: '7.2.0',
    group: 'cluster',
  },
  // 7.4: hash field expiration
  hashFieldExpire('hexpire'),
  hashFieldExpire('hpexpire'),
  hashFieldExpire('hexpireat'),
  hashFieldExpire('hpexpireat'),
  hashFieldTtl('httl'),
  hashFieldTtl('hpttl'),
  hashFieldTtl('hexpiretime'),
  hashFieldTtl('hpexpiretime'),
  {
    name: 'hpersist',
    arity: -5,
    flags: ['write', 'fast'],
    keys: [at(1, RW)],
    since: '7.4.0',
    group: 'hash',
    acl: HASH,
  },
  // 8.0
  {
    name: 'hgetdel',
    arity: -5,
    flags: ['write', 'fast'],
    keys: [at(1, ['RW', 'access', 'delete'])],
    since: '8.0.0',
    group: 'hash',
    acl: HASH,
  },
  {
    name: 'hgetex',
    arity: -5,
    flags: ['write', 'fast'],
    keys: [at(1, ['RW', 'access', 'update'])],
    since: '8.0.0',
    group: 'hash',
    acl: HASH,
  },
  {
    name: 'hsetex',
    arity: -6,
    flags: ['write', 'denyoom', 'fast'],
    keys: [at(1, RW)],
    since: '8.0.0',
    group: 'hash',
    acl: HASH,
  },
  // 8.2
  {
    name: 'xdelex',
    arity: -5,
    flags: ['write', 'fast'],
    keys: [at(1, RW_DELETE)],
    since: '8.2.0',
    group: 'stream',
    acl: ['@stream'],
  },
  {
    name: 'xackdel',
    arity: -6,
    flags: ['write', 'fast'],
    keys: [at(1, ['RW', 'update', 'delete'])],
    since: '8.2.0',
    group: 'stream',
    acl: ['@stream'],
  },
  {
    name: 'cluster|slot-stats',
    arity: -4,
    flags: ['stale', 'loading'],
    tips: ['nondeterministic_output', 'request_policy:all_shards'],
    since: '8.2.0',
    group: 'cluster',
  },
  // 8.4
  {
    name: 'msetex',
    arity: -4,
    flags: ['write', 'denyoom'],
    keys: [counted(1, OW, 0, 1, 2)],
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'],
    since: '8.4.0',
    group: 'string',
    acl: ['@string'],
  },
  {
    name: 'delex',
    arity: 4,
    flags: ['write', 'fast'],
    keys: [at(1, RW_DELETE)],
    since: '8.4.0',
    group: 'string',
    acl: ['@string'],
  },
  {
    name: 'digest',
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: [at(1, RO)],
    since: '8.4.0',
    group: 'string',
    acl: ['@string'],
  },
  {
    name: 'cluster|migration',
    arity: -4,
    flags: ['no_async_loading', 'admin', 'stale'],
    since: '8.4.0',
    group: 'cluster',
  },
];

// --- module commands ----------------------------------------------------------

type M = [
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  keys: readonly KeySpec[],
  since: string,
];
const R: readonly CommandFlag[] = ['readonly'];
const W: readonly CommandFlag[] = ['write'];
const WD: readonly CommandFlag[] = ['write', 'denyoom'];
const K_RO = [at(1, RO)];
const K_RW = [at(1, RW)];
const K_INS = [at(1, RW_INSERT)];

function moduleEntries(module: string, rows: readonly M[]): Entry[] {
  return rows.map(([name, arity, flags, keys, since]) => ({
    name,
    arity,
    flags,
    keys,
    since,
    group: 'module',
    module,
  }));
}

const JSON_ROWS: readonly M[] = [
  ['json.arrappend', -4, WD, K_RW, '1.0.0'],
  ['json.arrindex', -4, R, K_RO, '1.0.0'],
  ['json.arrinsert', -5, WD, K_RW, '1.0.0'],
  ['json.arrlen', -2, R, K_RO, '1.0.0'],
  ['json.arrpop', -2, W, K_RW, '1.0.0'],
  ['json.arrtrim', 5, W, K_RW, '1.0.0'],
  ['json.clear', -2, W, K_RW, '2.0.0'],
  // JSON.DEBUG MEMORY key [path]: the key follows the subcommand.
  ['json.debug', -2, R, [at(2, RO)], '1.0.0'],
  ['json.del', -2, W, [at(1, RW_DELETE)], '1.0.0'],
  ['json.forget', -2, W, [at(1, RW_DELETE)], '1.0.0'],
  ['json.get', -2, R, K_RO, '1.0.0'],
  ['json.merge', 4, WD, K_RW, '2.6.0'],
  // JSON.MGET key [key ...] path: every argument but the last is a key.
  ['json.mget', -3, R, [at(1, RO, -2)], '1.0.0'],
  // JSON.MSET key path value [key path value ...]
  ['json.mset', -4, WD, [at(1, RW, -1, 3)], '2.6.0'],
  ['json.numincrby', 4, W, K_RW, '1.0.0'],
  ['json.nummultby', 4, W, K_RW, '1.0.0'],
  ['json.objkeys', -2, R, K_RO, '1.0.0'],
  ['json.objlen', -2, R, K_RO, '1.0.0'],
  ['json.resp', -2, R, K_RO, '1.0.0'],
  ['json.set', -4, WD, K_RW, '1.0.0'],
  ['json.strappend', -3, WD, K_RW, '1.0.0'],
  ['json.strlen', -2, R, K_RO, '1.0.0'],
  ['json.toggle', 3, WD, K_RW, '2.0.0'],
  ['json.type', -2, R, K_RO, '1.0.0'],
];

// Index names are not keys: FT.* commands are keyless, except the suggestion
// dictionaries (FT.SUG*), which are ordinary keys.
const SEARCH_ROWS: readonly M[] = [
  ['ft._list', 1, R, [], '2.0.0'],
  ['ft.aggregate', -3, R, [], '1.1.0'],
  ['ft.aliasadd', 3, WD, [], '1.0.0'],
  ['ft.aliasdel', 2, W, [], '1.0.0'],
  ['ft.aliasupdate', 3, WD, [], '1.0.0'],
  ['ft.alter', -5, WD, [], '1.0.0'],
  ['ft.config', -3, ['admin'], [], '1.0.0'],
  ['ft.create', -5, WD, [], '1.0.0'],
  ['ft.cursor', -4, R, [], '1.1.0'],
  ['ft.dictadd', -3, WD, [], '1.4.0'],
  ['ft.dictdel', -3, W, [], '1.4.0'],
  ['ft.dictdump', 2, R, [], '1.4.0'],
  ['ft.dropindex', -2, W, [], '2.0.0'],
  ['ft.explain', -3, R, [], '1.0.0'],
  ['ft.explaincli', -3, R, [], '1.0.0'],
  ['ft.info', 2, R, [], '1.0.0'],
  ['ft.profile', -5, R, [], '2.2.0'],
  ['ft.search', -3, R, [], '1.0.0'],
  ['ft.spellcheck', -3, R, [], '1.4.0'],
  ['ft.sugadd', -4, WD, K_RW, '1.0.0'],
  ['ft.sugdel', 3, W, K_RW, '1.0.0'],
  ['ft.sugget', -3, R, K_RO, '1.0.0'],
  ['ft.suglen', 2, R, K_RO, '1.0.0'],
  ['ft.syndump', 2, R, [], '1.2.0'],
  ['ft.synupdate', -4, WD, [], '1.2.0'],
  ['ft.tagvals', 3, R, [], '1.0.0'],
];

// TS.MRANGE / TS.MREVRANGE / TS.MGET / TS.QUERYINDEX select series by label
// filter, not by key: keyless.
const TS_ROWS: readonly M[] = [
  ['ts.add', -4, WD, K_RW, '1.0.0'],
  ['ts.alter', -2, W, K_RW, '1.0.0'],
  ['ts.create', -2, WD, K_INS, '1.0.0'],
  ['ts.createrule', -6, WD, [at(1, RO), at(2, RW)], '1.0.0'],
  ['ts.decrby', -3, WD, K_RW, '1.0.0'],
  ['ts.del', 4, W, [at(1, RW_DELETE)], '1.6.0'],
  ['ts.deleterule', 3, W, [at(1, RW), at(2, RW)], '1.0.0'],
  ['ts.get', -2, R, K_RO, '1.0.0'],
  ['ts.incrby', -3, WD, K_RW, '1.0.0'],
  ['ts.info', -2, R, K_RO, '1.0.0'],
  // TS.MADD key timestamp value [key timestamp value ...]
  ['ts.madd', -4, WD, [at(1, RW, -1, 3)], '1.0.0'],
  ['ts.mget', -3, R, [], '1.0.0'],
  ['ts.mrange', -5, R, [], '1.0.0'],
  ['ts.mrevrange', -5, R, [], '1.4.0'],
  ['ts.queryindex', -2, R, [], '1.0.0'],
  ['ts.range', -4, R, K_RO, '1.0.0'],
  ['ts.revrange', -4, R, K_RO, '1.4.0'],
];

const BF_ROWS: readonly M[] = [
  ['bf.add', 3, WD, K_RW, '1.0.0'],
  ['bf.card', 2, R, K_RO, '2.4.4'],
  ['bf.exists', 3, R, K_RO, '1.0.0'],
  ['bf.info', -2, R, K_RO, '1.0.0'],
  ['bf.insert', -4, WD, K_RW, '1.0.0'],
  ['bf.loadchunk', 4, WD, K_RW, '1.0.0'],
  ['bf.madd', -3, WD, K_RW, '1.0.0'],
  ['bf.mexists', -3, R, K_RO, '1.0.0'],
  ['bf.reserve', -4, WD, K_INS, '1.0.0'],
  ['bf.scandump', 3, R, K_RO, '1.0.0'],
  ['cf.add', 3, WD, K_RW, '1.0.0'],
  ['cf.addnx', 3, WD, K_RW, '1.0.0'],
  ['cf.count', 3, R, K_RO, '1.0.0'],
  ['cf.del', 3, W, K_RW, '1.0.0'],
  ['cf.exists', 3, R, K_RO, '1.0.0'],
  ['cf.info', 2, R, K_RO, '1.0.0'],
  ['cf.insert', -4, WD, K_RW, '1.0.0'],
  ['cf.insertnx', -4, WD, K_RW, '1.0.0'],
  ['cf.loadchunk', 4, WD, K_RW, '1.0.0'],
  ['cf.mexists', -3, R, K_RO, '1.0.0'],
  ['cf.reserve', -3, WD, K_INS, '1.0.0'],
  ['cf.scandump', 3, R, K_RO, '1.0.0'],
  ['cms.incrby', -4, WD, K_RW, '2.0.0'],
  ['cms.info', 2, R, K_RO, '2.0.0'],
  ['cms.initbydim', 4, WD, K_INS, '2.0.0'],
  ['cms.initbyprob', 4, WD, K_INS, '2.0.0'],
  // CMS.MERGE destination numKeys source [source ...] [WEIGHTS weight ...]
  ['cms.merge', -4, WD, [at(1, RW), counted(2, RO)], '2.0.0'],
  ['cms.query', -3, R, K_RO, '2.0.0'],
  ['tdigest.add', -3, WD, K_RW, '2.4.0'],
  ['tdigest.byrank', -3, R, K_RO, '2.4.0'],
  ['tdigest.byrevrank', -3, R, K_RO, '2.4.0'],
  ['tdigest.cdf', -3, R, K_RO, '2.4.0'],
  ['tdigest.create', -2, WD, K_INS, '2.4.0'],
  ['tdigest.info', 2, R, K_RO, '2.4.0'],
  ['tdigest.max', 2, R, K_RO, '2.4.0'],
  // TDIGEST.MERGE destination numkeys source [source ...] [COMPRESSION c] [OVERRIDE]
  ['tdigest.merge', -4, WD, [at(1, RW), counted(2, RO)], '2.4.0'],
  ['tdigest.min', 2, R, K_RO, '2.4.0'],
  ['tdigest.quantile', -3, R, K_RO, '2.4.0'],
  ['tdigest.rank', -3, R, K_RO, '2.4.0'],
  ['tdigest.reset', 2, W, K_RW, '2.4.0'],
  ['tdigest.revrank', -3, R, K_RO, '2.4.0'],
  ['tdigest.trimmed_mean', 4, R, K_RO, '2.4.0'],
  ['topk.add', -3, WD, K_RW, '2.0.0'],
  ['topk.count', -3, R, K_RO, '2.0.0'],
  ['topk.incrby', -4, WD, K_RW, '2.0.0'],
  ['topk.info', 2, R, K_RO, '2.0.0'],
  ['topk.list', -2, R, K_RO, '2.0.0'],
  ['topk.query', -3, R, K_RO, '2.0.0'],
  ['topk.reserve', -3, WD, K_INS, '2.0.0'],
];

const VSET_ROWS: readonly M[] = [
  ['vadd', -5, WD, K_RW, '8.0.0'],
  ['vcard', 2, ['readonly', 'fast'], K_RO, '8.0.0'],
  ['vdim', 2, ['readonly', 'fast'], K_RO, '8.0.0'],
  ['vemb', -3, ['readonly', 'fast'], K_RO, '8.0.0'],
  ['vgetattr', 3, ['readonly', 'fast'], K_RO, '8.0.0'],
  ['vinfo', 2, ['readonly', 'fast'], K_RO, '8.0.0'],
  ['vismember', 3, R, K_RO, '8.2.0'],
  ['vlinks', -3, ['readonly', 'fast'], K_RO, '8.0.0'],
  ['vrandmember', -2, R, K_RO, '8.0.0'],
  ['vrange', -4, R, K_RO, '8.4.0'],
  ['vrem', 3, W, K_RW, '8.0.0'],
  ['vsetattr', 4, ['write', 'fast'], K_RW, '8.0.0'],
  ['vsim', -4, R, K_RO, '8.0.0'],
];

/** Module names as MODULE LIST reports them. */
export const MODULES = {
  json: 'ReJSON',
  search: 'search',
  timeseries: 'timeseries',
  bloom: 'bf',
  vectorSets: 'vectorset',
} as const;

/** Hand-kept entries: core commands newer than the generated table, then module commands. */
export const NEWER_COMMANDS: readonly CommandSpec[] = [
  ...CORE,
  ...moduleEntries(MODULES.json, JSON_ROWS),
  ...moduleEntries(MODULES.search, SEARCH_ROWS),
  ...moduleEntries(MODULES.timeseries, TS_ROWS),
  ...moduleEntries(MODULES.bloom, BF_ROWS),
  ...moduleEntries(MODULES.vectorSets, VSET_ROWS),
].map(spec);
