import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateTable, OUTPUT_PATH } from '../scripts/gen-commands.js';
import { MiniResp, RespError, type RespValue } from '../scripts/mini-resp.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';
import { firstKeyIndex, keyIndexes, keyRefs, mayHaveKeys } from '../src/commands/keys.js';
import { NEWER_COMMANDS } from '../src/commands/newer.js';
import { GENERATED_COMMANDS, GENERATED_FROM } from '../src/commands/table.generated.js';
import {
  COMMANDS,
  compareVersions,
  isContainer,
  isNewerThan,
  isReadOnly,
  lookupCommand,
  minVersion,
  module,
  requestPolicy,
  responsePolicy,
} from '../src/commands/table.js';
import { isBlocking, isIdempotent } from '../src/commands/rules.js';
import { commandFlags, commandGate } from '../src/shared/command-flags.js';
import { needsSupportCheck } from '../src/commands/support.js';
import type { CommandSpec } from '../src/commands/types.js';

function spec(name: string, args?: readonly unknown[]): CommandSpec {
  const s = lookupCommand(name, args);
  assert.ok(s, `command ${name} is in the table`);
  return s;
}

/** Splits 'CMD a b c' into the name and its args. */
function line(text: string): [CommandSpec, string[]] {
  const [name, ...args] = text.split(' ').map((w) => (w === '""' ? '' : w));
  return [spec(name!, args), args];
}

let server: RedisServerHandle;
let conn: MiniResp;

before(async () => {
  server = await startRedis();
  conn = await MiniResp.connect(server.port);
});

after(async () => {
  conn?.close();
  await server?.stop();
});

describe('generated table', () => {
  test("matches what the generator makes from this machine's server, byte for byte", async () => {
    const fresh = await generateTable({ port: server.port });
    const committed = readFileSync(OUTPUT_PATH, 'utf8');
    if (fresh !== committed) {
      const a = fresh.split('\n');
      const b = committed.split('\n');
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      assert.fail(
        `src/commands/table.generated.ts is out of date for this server (first difference at line ${i + 1}).\n` +
          'Run: node --import tsx scripts/gen-commands.ts\n' +
          `server:    ${a[i] ?? '<end>'}\ncommitted: ${b[i] ?? '<end>'}`,
      );
    }
  });

  test('has every command the server reports, with subcommands', async () => {
    const count = await conn.call('COMMAND', 'COUNT');
    const top = GENERATED_COMMANDS.filter((s) => !s.name.includes('|'));
    assert.equal(top.length, count);
    assert.ok(GENERATED_COMMANDS.some((s) => s.name === 'config|get'));
    assert.match(GENERATED_FROM.version, /^\d+\.\d+\.\d+$/);
  });
});

describe('lookupCommand', () => {
  test('finds commands in any case and resolves container subcommands by args[0]', () => {
    assert.equal(lookupCommand('get')?.name, 'get');
    assert.equal(lookupCommand('GET')?.name, 'get');
    assert.equal(lookupCommand('gEt')?.name, 'get');
    assert.equal(lookupCommand('config', ['get', 'maxmemory'])?.name, 'config|get');
    assert.equal(lookupCommand('CONFIG', ['GET', 'maxmemory'])?.name, 'config|get');
    assert.equal(lookupCommand('Config', [Buffer.from('Set'), 'a', 'b'])?.name, 'config|set');
    assert.equal(lookupCommand('xinfo', ['STREAM', 's'])?.name, 'xinfo|stream');
    assert.equal(lookupCommand('config|get')?.name, 'config|get');
    assert.equal(lookupCommand('CONFIG GET')?.name, 'config|get');
    assert.equal(lookupCommand('client', ['no-touch', 'on'])?.name, 'client|no-touch');
  });

  test('a container without (or with an unknown) subcommand gives the container', () => {
    assert.equal(lookupCommand('config')?.name, 'config');
    assert.equal(lookupCommand('config', [])?.name, 'config');
    assert.equal(lookupCommand('config', ['nosuchsub'])?.name, 'config');
    assert.equal(lookupCommand('config', [42])?.name, 'config');
    assert.ok(isContainer(spec('config')));
    assert.ok(!isContainer(spec('get')));
  });

  test('non-container commands ignore args; unknown names give undefined', () => {
    assert.equal(lookupCommand('get', ['config'])?.name, 'get');
    assert.equal(lookupCommand('nosuchcommand'), undefined);
    assert.equal(lookupCommand(''), undefined);
    assert.equal(lookupCommand('get|x'), undefined);
  });

  test('module commands are found and name their module', () => {
    assert.equal(module(spec('JSON.GET')), 'ReJSON');
    assert.equal(module(spec('ft.search')), 'search');
    assert.equal(module(spec('TS.ADD')), 'timeseries');
    assert.equal(module(spec('bf.add')), 'bf');
    assert.equal(module(spec('cf.add')), 'bf');
    assert.equal(module(spec('vadd')), 'vectorset');
    assert.equal(module(spec('get')), undefined);
  });

  test('COMMANDS has unique names, generated entries winning over hand-kept ones', () => {
    const names = COMMANDS.map((s) => s.name);
    assert.equal(new Set(names).size, names.length);
    const generated = new Set(GENERATED_COMMANDS);
    for (const n of NEWER_COMMANDS) {
      const found = lookupCommand(n.name);
      assert.ok(found);
      const g = GENERATED_COMMANDS.find((s) => s.name === n.name);
      if (g !== undefined) assert.equal(found, g);
      else assert.ok(!generated.has(found));
    }
  });
});

describe('newer.ts', () => {
  const required = [
    'waitaof',
    'client|no-touch',
    'client|setinfo',
    'hexpire',
    'hpexpire',
    'hexpireat',
    'hpexpireat',
    'httl',
    'hpttl',
    'hexpiretime',
    'hpexpiretime',
    'hpersist',
    'hgetdel',
    'hgetex',
    'hsetex',
  ];

  test('has the commands added after 7.0, each with since > 7.0', () => {
    const core = NEWER_COMMANDS.filter((s) => s.module === undefined);
    for (const n of required)
      assert.ok(
        core.some((s) => s.name === n),
        `${n} is hand-kept`,
      );
    for (const s of core) {
      assert.ok(compareVersions(s.since, '7.0.99') > 0, `${s.name} since ${s.since}`);
      assert.ok(isNewerThan(s, '7.0.15'), s.name);
      assert.ok(!isNewerThan(s, '99.0.0'), s.name);
    }
    assert.equal(minVersion(spec('waitaof')), '7.2.0');
    assert.equal(minVersion(spec('hexpire')), '7.4.0');
    assert.equal(minVersion(spec('hsetex')), '8.0.0');
  });

  test('the versions that matter are right', () => {
    assert.equal(minVersion(spec('client', ['setinfo'])), '7.2.0');
    assert.equal(minVersion(spec('httl')), '7.4.0');
    assert.equal(minVersion(spec('hgetdel')), '8.0.0');
    assert.equal(minVersion(spec('get')), '1.0.0');
    assert.ok(!isNewerThan(spec('get'), '7.0.15'));
    assert.ok(!isNewerThan(spec('json.merge'), '6.0.0'), 'module commands are judged by module presence');
  });

  test('entries are well formed', () => {
    for (const s of NEWER_COMMANDS) {
      assert.equal(s.name, s.name.toLowerCase());
      assert.ok(s.arity !== 0, s.name);
      assert.ok(s.acl.includes('@fast') !== s.acl.includes('@slow'), `${s.name} is either fast or slow`);
      if (s.module !== undefined) assert.ok(s.flags.includes('module') && s.group === 'module', s.name);
    }
  });
});

describe('flags', () => {
  test('isReadOnly follows the server flag', () => {
    assert.ok(isReadOnly(spec('get')));
    assert.ok(isReadOnly(spec('eval_ro')));
    assert.ok(isReadOnly(spec('object', ['encoding', 'k'])));
    assert.ok(isReadOnly(spec('json.get')));
    assert.ok(!isReadOnly(spec('set')));
    assert.ok(!isReadOnly(spec('eval')));
    assert.ok(!isReadOnly(spec('ping')));
  });

  test('isBlocking', () => {
    for (const n of [
      'blpop',
      'brpop',
      'blmove',
      'brpoplpush',
      'bzpopmin',
      'bzpopmax',
      'blmpop',
      'bzmpop',
      'wait',
      'waitaof',
    ]) {
      assert.ok(isBlocking(spec(n), []), n);
    }
    assert.ok(!isBlocking(...line('XREAD COUNT 1 STREAMS s 0')));
    assert.ok(isBlocking(...line('XREAD BLOCK 0 STREAMS s 0')));
    assert.ok(isBlocking(...line('xread count 1 block 100 streams s 0')));
    assert.ok(!isBlocking(...line('XREAD STREAMS block 0')), 'a stream named block is not the option');
    assert.ok(!isBlocking(...line('XREADGROUP GROUP g c STREAMS s >')));
    assert.ok(isBlocking(...line('XREADGROUP GROUP g c COUNT 1 BLOCK 10 STREAMS s >')));
    assert.ok(!isBlocking(...line('XREADGROUP GROUP block block STREAMS s >')), 'group/consumer named block');
    for (const t of ['GET k', 'SET k v', 'XRANGE s - +', 'SUBSCRIBE c'])
      assert.ok(!isBlocking(...line(t)), t);
  });

  test('isIdempotent', () => {
    const yes = [
      'GET k',
      'MGET a b',
      'SET k v',
      'SET k v EX 10',
      'SET k nx',
      'SET k v KEEPTTL',
      'DEL a b',
      'UNLINK a',
      'HSET h f v',
      'SADD s m',
      'SREM s m',
      'ZADD z 1 m',
      'ZADD z NX CH 1 m',
      'ZADD z 1 INCR',
      'EXPIRE k 10',
      'PEXPIREAT k 1',
      'PERSIST k',
      'MSET a 1 b 2',
      'HDEL h f',
      'XADD s 1-1 f v',
      'XADD s MAXLEN ~ 10 5-0 f v',
      'XACK s g 1-0',
      'LTRIM l 0 99',
      'LTRIM l -100 -1',
      'LREM l 0 v',
      'EVAL_RO x 0',
      'PING',
      'CONFIG GET maxmemory',
      'CLUSTER SLOTS',
      'COMMAND DOCS get',
      'FUNCTION LOAD REPLACE code',
      'RESTORE k 0 data REPLACE',
      'PFADD h a',
      'HEXPIRE h 10 FIELDS 1 f',
      'HTTL h FIELDS 1 f',
      'JSON.SET k $ 1',
      'JSON.GET k',
    ];
    const no = [
      'SET k v NX',
      'SET k v XX',
      'SET k v GET',
      'SET k v ex 10 nx',
      'INCR k',
      'INCRBY k 2',
      'DECR k',
      'APPEND k v',
      'LPUSH l v',
      'RPUSH l v',
      'LPOP l',
      'SPOP s',
      'ZADD z INCR 1 m',
      'ZADD z XX INCR 1 m',
      'ZINCRBY z 1 m',
      'XADD s * f v',
      'XADD s NOMKSTREAM MAXLEN = 5 * f v',
      'XADD s 5-* f v',
      'EVAL x 0',
      'FCALL f 0',
      'SETNX k v',
      'HSETNX h f v',
      'MSETNX a 1',
      'GETDEL k',
      'RENAME a b',
      'SMOVE a b m',
      'LTRIM l 1 -1',
      'LTRIM l 0 -2',
      'LREM l 1 v',
      'PUBLISH c m',
      'SUNIONSTORE d a b',
      'FUNCTION LOAD code',
      'RESTORE k 0 data',
      'HINCRBY h f 1',
      'CLIENT KILL ID 1',
      'SHUTDOWN',
      'JSON.SET k $ 1 NX',
      'JSON.NUMINCRBY k $ 1',
      'HSETEX h FNX FIELDS 1 f v',
    ];
    for (const t of yes) assert.ok(isIdempotent(...line(t)), `${t} is idempotent`);
    for (const t of no) assert.ok(!isIdempotent(...line(t)), `${t} is not idempotent`);
    assert.ok(!isIdempotent(spec('set')), 'option-dependent rules need the args');
    assert.ok(isIdempotent(spec('del')));
  });

  test('the client flags (compiled once per command) agree with isBlocking / isIdempotent / isReadOnly', () => {
    const argLists: string[][] = [
      [],
      ['k', 'v'],
      ['k', 'v', 'NX'],
      ['k', 'v', 'GET'],
      ['BLOCK', '0', 'STREAMS', 's', '$'],
      ['COUNT', '1', 'STREAMS', 's', '0'],
      ['GROUP', 'g', 'c', 'BLOCK', '10', 'STREAMS', 's', '>'],
      ['k', 'INCR', '1', 'm'],
      ['k', '1', 'm'],
      ['k', '*', 'f', 'v'],
      ['k', '1-1', 'f', 'v'],
      ['k', '0', '-1'],
    ];
    let checked = 0;
    for (const s of [...GENERATED_COMMANDS, ...NEWER_COMMANDS]) {
      const bar = s.name.indexOf('|');
      const name = bar < 0 ? s.name : s.name.slice(0, bar);
      for (const tail of argLists) {
        const args = bar < 0 ? tail : [s.name.slice(bar + 1).toUpperCase(), ...tail];
        const target = lookupCommand(name, args) as CommandSpec;
        for (const spelled of [name, name.toUpperCase()]) {
          const f = commandFlags(spelled, args);
          const blocking = isBlocking(target, args);
          assert.equal(f.blocking, blocking, `${spelled} ${args.join(' ')}: blocking`);
          if (!blocking) {
            assert.equal(f.readOnly, isReadOnly(target), `${spelled} ${args.join(' ')}: readOnly`);
            assert.equal(f.safe, isIdempotent(target, args), `${spelled} ${args.join(' ')}: safe`);
          }
          assert.equal(f.gate, needsSupportCheck(target) ? target : undefined, `${spelled}: gate`);
          assert.equal(commandGate(spelled, args), f.gate, `${spelled} ${args.join(' ')}: gate`);
          checked++;
        }
      }
    }
    assert.ok(checked > 5000, `checked ${checked} calls`);
  });

  test('routing tips', () => {
    assert.equal(requestPolicy(spec('keys')), 'all_shards');
    assert.equal(responsePolicy(spec('keys')), undefined);
    assert.equal(requestPolicy(spec('dbsize')), 'all_shards');
    assert.equal(responsePolicy(spec('dbsize')), 'agg_sum');
    assert.equal(requestPolicy(spec('mset')), 'multi_shard');
    assert.equal(responsePolicy(spec('mset')), 'all_succeeded');
    assert.equal(requestPolicy(spec('script', ['load'])), 'all_nodes');
    assert.equal(requestPolicy(spec('waitaof')), 'all_shards');
    assert.equal(responsePolicy(spec('waitaof')), 'agg_min');
    assert.equal(requestPolicy(spec('get')), undefined);
    assert.equal(responsePolicy(spec('get')), undefined);
  });

  test('compareVersions', () => {
    assert.equal(compareVersions('7.0.0', '7.0.0'), 0);
    assert.equal(compareVersions('7.10.0', '7.9.9'), 1);
    assert.equal(compareVersions('7.2', '7.2.0'), 0);
    assert.equal(compareVersions('6.2.14', '7.0.0'), -1);
  });
});

describe('keyIndexes', () => {
  // [command line, expected key indexes into args (the words after the command name)]
  const cases: [string, number[]][] = [
    ['GET k', [0]],
    ['SET k v EX 10', [0]],
    ['SET', []],
    ['MGET a b c', [0, 1, 2]],
    ['MSET a 1 b 2 c 3', [0, 2, 4]],
    ['DEL a b', [0, 1]],
    ['EXISTS a', [0]],
    ['HSET h f v f2 v2', [0]],
    ['RENAME a b', [0, 1]],
    ['COPY a b DB 1', [0, 1]],
    ['LMOVE a b LEFT RIGHT', [0, 1]],
    ['BLPOP a b 0', [0, 1]],
    ['BRPOPLPUSH a b 0', [0, 1]],
    ['BZPOPMIN a b 1.5', [0, 1]],
    ['EVAL script 2 k1 k2 a1 a2', [2, 3]],
    ['EVAL script 0 a1', []],
    ['EVALSHA sha 1 k1 arg', [2]],
    ['FCALL fn 2 k1 k2 a', [2, 3]],
    ['FCALL_RO fn 1 k1', [2]],
    ['ZUNIONSTORE d 2 a b WEIGHTS 1 2', [0, 2, 3]],
    ['ZINTERSTORE d 1 a', [0, 2]],
    ['ZDIFFSTORE d 3 a b c', [0, 2, 3, 4]],
    ['ZDIFF 2 a b WITHSCORES', [1, 2]],
    ['ZUNION 2 a b', [1, 2]],
    ['XREAD COUNT 2 STREAMS s1 s2 0 0', [3, 4]],
    ['XREAD STREAMS s 0', [1]],
    ['XREADGROUP GROUP g c BLOCK 0 STREAMS s1 s2 > >', [6, 7]],
    ['XREADGROUP GROUP STREAMS c STREAMS s >', [4]],
    ['MIGRATE h 6379 k 0 5000', [2]],
    ['MIGRATE h 6379 "" 0 5000 COPY REPLACE KEYS k1 k2', [8, 9]],
    ['MIGRATE h 6379 "" 0 5000 AUTH keys KEYS k1', [8]],
    ['SORT k BY w_* GET o_* LIMIT 0 10 STORE dst', [0, 9]],
    ['SORT k GET # ALPHA', [0]],
    ['SORT_RO k BY w_* GET o_*', [0]],
    ['GEORADIUS g 0 0 10 km STORE d', [0, 6]],
    ['GEORADIUS g 0 0 10 km STOREDIST d2', [0, 6]],
    ['GEORADIUSBYMEMBER g m 10 km STORE d', [0, 5]],
    ['GEOSEARCHSTORE d src FROMMEMBER m BYRADIUS 1 km', [0, 1]],
    ['LMPOP 2 a b LEFT COUNT 2', [1, 2]],
    ['BLMPOP 0 2 a b LEFT', [2, 3]],
    ['ZMPOP 1 z MIN', [1]],
    ['BZMPOP 1 2 a b MAX', [2, 3]],
    ['SINTERCARD 2 a b LIMIT 1', [1, 2]],
    ['ZINTERCARD 1 a', [1]],
    ['OBJECT ENCODING k', [1]],
    ['MEMORY USAGE k SAMPLES 5', [1]],
    ['XINFO STREAM s FULL', [1]],
    ['XGROUP CREATE s g $ MKSTREAM', [1]],
    ['BITOP AND d a b', [1, 2, 3]],
    ['PFMERGE d a b', [0, 1, 2]],
    ['SMOVE a b m', [0, 1]],
    ['LCS a b', [0, 1]],
    ['PING', []],
    ['CONFIG GET maxmemory', []],
    ['PUBLISH ch m', []],
    ['SPUBLISH ch m', []],
    ['EVAL s notanumber k', []],
    ['EVAL s 3 k', []],
    ['HEXPIRE h 10 FIELDS 1 f', [0]],
    ['MSETEX 2 a 1 b 2 EX 10', [1, 3]],
    ['JSON.MGET a b $', [0, 1]],
    ['JSON.MSET a $ 1 b $ 2', [0, 3]],
    ['TS.MADD a 1 1 b 1 2', [0, 3]],
    ['TS.CREATERULE src dst AGGREGATION avg 10', [0, 1]],
    ['CMS.MERGE d 2 a b WEIGHTS 1 2', [0, 2, 3]],
    ['FT.SEARCH idx *', []],
    ['JSON.DEBUG MEMORY k', [1]],
  ];

  for (const [text, expected] of cases) {
    test(text, () => {
      const [s, args] = line(text);
      assert.deepEqual(keyIndexes(s, args), expected);
      assert.equal(firstKeyIndex(s, args), expected.length > 0 ? expected[0] : -1);
    });
  }

  test('Buffer and number arguments work like strings', () => {
    const args = [Buffer.from('script'), 2, Buffer.from('k1'), 'k2', 'a'];
    assert.deepEqual(keyIndexes(spec('eval'), args), [2, 3]);
    const x = [Buffer.from('count'), 1, Buffer.from('streams'), 'a', 'b', '0', '0'];
    assert.deepEqual(keyIndexes(spec('xread'), x), [3, 4]);
  });

  test('not_key arguments only when asked (sharded pub/sub channels)', () => {
    const [s, args] = line('SPUBLISH ch m');
    assert.deepEqual(keyIndexes(s, args), []);
    assert.deepEqual(keyIndexes(s, args, true), [0]);
    assert.equal(firstKeyIndex(s, args, true), 0);
    assert.deepEqual(keyIndexes(...line('SSUBSCRIBE a b'), true), [0, 1]);
    assert.ok(mayHaveKeys(s));
    assert.ok(!mayHaveKeys(spec('ping')));
  });

  test('keyRefs carry the key spec flags', () => {
    const refs = keyRefs(...line('GEORADIUS g 0 0 10 km STORE d'));
    assert.deepEqual(
      refs.map((r) => r.index),
      [0, 6],
    );
    assert.deepEqual(refs[0]!.flags, ['RO', 'access']);
    assert.deepEqual(refs[1]!.flags, ['OW', 'update']);
    const z = keyRefs(...line('ZUNIONSTORE d 2 a b'));
    assert.ok(z[0]!.flags.includes('OW'));
    assert.ok(z[1]!.flags.includes('RO'));
    assert.ok(keyRefs(...line('SET k v'))[0]!.flags.includes('variable_flags'));
    const sort = keyRefs(...line('SORT k STORE d'));
    assert.deepEqual(
      sort.map((r) => r.flags[0]),
      ['RO', 'OW'],
    );
  });
});

// --- cross-check against the real server's COMMAND GETKEYS -------------------------

/** mulberry32: a small seeded PRNG so the generated lines are the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Arg = Map<string, RespValue>;

/**
 * Builds a plausible argument list from COMMAND DOCS' argument tree: every
 * "multiple" repeats `n` times and integers named like a count are `n`, so
 * numkeys and XREAD's key/ID halves line up. Keys are unique names, so the
 * server's answer (key names) maps back to positions.
 */
function buildArgs(argsDoc: readonly RespValue[], rnd: () => number, n: number): string[] {
  const out: string[] = [];
  let serial = 0;
  const value = (a: Arg): string[] => {
    const type = a.get('type');
    const name = String(a.get('name') ?? '');
    switch (type) {
      case 'key':
        return [`key:${++serial}`];
      case 'integer':
        return [
          /num|count/i.test(name) && !/^count$/i.test(name) ? String(n) : String(1 + Math.floor(rnd() * 3)),
        ];
      case 'double':
        return ['1.5'];
      case 'unix-time':
        return ['1700000000'];
      case 'pattern':
        return ['pat*'];
      case 'pure-token':
        return [];
      case 'oneof': {
        const subs = (a.get('arguments') as RespValue[] | undefined) ?? [];
        if (subs.length === 0) return [];
        return emit(subs[Math.floor(rnd() * subs.length)] as Arg);
      }
      case 'block': {
        const subs = (a.get('arguments') as RespValue[] | undefined) ?? [];
        return subs.flatMap((s) => emit(s as Arg));
      }
      default:
        return [`v:${++serial}`];
    }
  };
  const emit = (a: Arg): string[] => {
    const flags = (a.get('flags') as RespValue[] | undefined) ?? [];
    if (flags.includes('optional') && rnd() < 0.6) return [];
    const token = a.get('token');
    const reps = flags.includes('multiple') ? n : 1;
    const res: string[] = [];
    for (let r = 0; r < reps; r++) {
      if (typeof token === 'string' && (r === 0 || flags.includes('multiple_token'))) res.push(token);
      res.push(...value(a));
    }
    return res;
  };
  for (const a of argsDoc) out.push(...emit(a as Arg));
  return out;
}

test('keyIndexes agrees with COMMAND GETKEYS on generated command lines', async () => {
  const docs = await conn.call('COMMAND', 'DOCS');
  assert.ok(docs instanceof Map);
  const docOf = (name: string): Arg | undefined => {
    const [top, sub] = name.split('|');
    const d = docs.get(top!);
    if (!(d instanceof Map)) return undefined;
    if (sub === undefined) return d;
    const subs = d.get('subcommands');
    const s = subs instanceof Map ? subs.get(name) : undefined;
    return s instanceof Map ? s : undefined;
  };
  const keyed = GENERATED_COMMANDS.filter((s) => mayHaveKeys(s) && !isContainer(s));
  assert.ok(keyed.length > 150, `${keyed.length} commands with keys`);

  const rnd = prng(0xc0ffee);
  const lines: { s: CommandSpec; words: string[] }[] = [];
  const ROUNDS = 4;
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of keyed) {
      const d = docOf(s.name);
      const argsDoc = (d?.get('arguments') as RespValue[] | undefined) ?? [];
      const n = 1 + Math.floor(rnd() * 3);
      const sub = s.name.includes('|') ? [s.name.split('|')[1]!.toUpperCase()] : [];
      lines.push({ s, words: [s.name.split('|')[0]!.toUpperCase(), ...sub, ...buildArgs(argsDoc, rnd, n)] });
    }
  }
  assert.ok(lines.length >= 500, `${lines.length} lines`);

  const replies = await conn.pipeline(lines.map((l) => ['COMMAND', 'GETKEYS', ...l.words]));
  let checked = 0;
  const mismatches: string[] = [];
  const commandsChecked = new Set<string>();
  replies.forEach((reply, i) => {
    if (reply instanceof RespError) return; // the server refused the line: nothing to compare
    const { s, words } = lines[i]!;
    const args = words.slice(1);
    const resolved = lookupCommand(words[0]!, args);
    assert.equal(resolved, s, `lookup of ${words.slice(0, 2).join(' ')}`);
    const mine = keyIndexes(s, args).map((k) => args[k]);
    checked++;
    commandsChecked.add(s.name);
    try {
      assert.deepEqual(mine, reply);
    } catch {
      mismatches.push(
        `${words.join(' ')}\n    server: ${JSON.stringify(reply)}\n    ours:   ${JSON.stringify(mine)}`,
      );
    }
  });
  assert.deepEqual(mismatches, [], `${mismatches.length} of ${checked} lines disagree`);
  assert.ok(checked >= lines.length * 0.7, `the server accepted ${checked} of ${lines.length} lines`);
  assert.ok(
    commandsChecked.size >= keyed.length * 0.9,
    `${commandsChecked.size} of ${keyed.length} commands checked`,
  );
});

test('hand-written edge cases agree with COMMAND GETKEYS', async () => {
  const texts = [
    'SORT k BY w_* GET o_* LIMIT 0 10 STORE dst',
    'SORT k STORE a STORE b',
    'SORT_RO k BY x GET y',
    'MIGRATE h 1 "" 0 5 KEYS k1 k2 k3',
    'MIGRATE h 1 k 0 5',
    'MIGRATE h 1 "" 0 5 COPY AUTH pw KEYS a',
    'XREAD COUNT 1 BLOCK 5 STREAMS a b c 1 2 3',
    'XREADGROUP GROUP g c NOACK STREAMS a >',
    'GEORADIUS g 0 0 1 km WITHDIST STORE x STOREDIST y',
    'EVAL s 3 a b c d',
    'ZUNIONSTORE d 3 a b c AGGREGATE MIN',
    'BLMPOP 1 3 a b c RIGHT COUNT 2',
    'BZMPOP 1 1 z MIN',
    'SINTERCARD 3 a b c',
    'OBJECT FREQ k',
    'MEMORY USAGE k',
    'XINFO CONSUMERS s g',
    'XGROUP DESTROY s g',
    'BITFIELD k GET u8 0',
    'SET k v GET',
    'LMPOP 3 a b c LEFT',
    'MSET a 1 b 2 c 3',
    'PFCOUNT a b c',
    'TOUCH a b',
    'WATCH a b',
  ];
  const lines = texts.map((t) => t.split(' ').map((w) => (w === '""' ? '' : w)));
  const replies = await conn.pipeline(lines.map((w) => ['COMMAND', 'GETKEYS', ...w]));
  replies.forEach((reply, i) => {
    const words = lines[i]!;
    assert.ok(
      !(reply instanceof RespError),
      `${texts[i]}: ${reply instanceof RespError ? reply.message : ''}`,
    );
    const s = spec(words[0]!, words.slice(1));
    const args = words.slice(1);
    assert.deepEqual(
      keyIndexes(s, args).map((k) => args[k]),
      reply,
      texts[i],
    );
  });
});
