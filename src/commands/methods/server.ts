/** Server commands: INFO, CONFIG, persistence, SLOWLOG, MEMORY, ACL, MODULE, COMMAND. */
import { pairArgs, restArgs, type Variadic } from './args.js';
import {
  asArray,
  mapRecord,
  parseInfo,
  toNumber,
  toNumberOrNull,
  toObject,
  toText,
  toTextArray,
} from './transforms.js';
import type { RedisKey, RedisValue } from './types.js';
import { command, idempotentAll, isArg, type RuleSet, type Signatures } from '../declare.js';

/** One entry of SLOWLOG GET. */
export interface SlowlogEntry {
  /** Unique, increasing entry ID. */
  id: number;
  /** Unix time in seconds. */
  timestamp: number;
  /** Microseconds. */
  duration: number;
  /** The command and its arguments (the server truncates long ones). */
  args: string[];
  /** `ip:port` of the client (Redis 4.0+). */
  clientAddress?: string;
  /** Name the client set, if any (Redis 4.0+). */
  clientName?: string;
}

/** One loaded module, as MODULE LIST reports it. */
export interface ModuleInfo {
  /** Module name (`search`, `ReJSON` …). */
  name: string;
  /** Version as an integer (e.g. 20609 for 2.6.9). */
  ver: number;
  [attribute: string]: unknown;
}

function toSlowlog(v: unknown): SlowlogEntry[] {
  return asArray(v).map((e) => {
    const a = asArray(e);
    const entry: SlowlogEntry = {
      id: toNumber(a[0]),
      timestamp: toNumber(a[1]),
      duration: toNumber(a[2]),
      args: toTextArray(a[3]),
    };
    if (a[4] !== undefined) entry.clientAddress = toText(a[4]);
    if (a[5] !== undefined) entry.clientName = toText(a[5]);
    return entry;
  });
}

function toModules(v: unknown): ModuleInfo[] {
  return asArray(v).map((m) => {
    const o = toObject<unknown>(m);
    const out: ModuleInfo = { name: '', ver: 0 };
    for (const k of Object.keys(o)) out[k] = o[k];
    out.name = toText(o.name);
    out.ver = toNumber(o.ver);
    return out;
  });
}

function toConfig(v: unknown): Record<string, string> {
  return mapRecord(toObject<unknown>(v), toText);
}

/**
 * The server command declarations.
 * Each method's signature and TSDoc are written here once; {@link ServerCommands} maps them.
 */
function declarations() {
  return {
    /** INFO [section…]: the text as the server sends it. */
    info: command<(...sections: string[]) => string>({
      command: 'info',
      params: ['...sections'],
      args: (sections) => sections,
      reply: toText,
    }),
    /** INFO parsed into `field -> value` (section headers dropped; values as written). */
    infoObject: command<(...sections: string[]) => Record<string, string>>({
      command: 'info',
      params: ['...sections'],
      args: (sections) => sections,
      reply: (v) => parseInfo(toText(v)),
    }),
    dbsize: command<() => number>({
      command: 'dbsize',
      params: [],
      args: () => [],
    }),
    flushdb: command<(mode?: 'ASYNC' | 'SYNC') => 'OK'>({
      command: 'flushdb',
      params: ['mode?'],
      args: ([mode]) => (mode ? [mode] : []),
    }),
    flushall: command<(mode?: 'ASYNC' | 'SYNC') => 'OK'>({
      command: 'flushall',
      params: ['mode?'],
      args: ([mode]) => (mode ? [mode] : []),
    }),
    /** TIME: `[unix seconds, microseconds]`. */
    time: command<() => [number, number]>({
      command: 'time',
      params: [],
      args: () => [],
      reply: (v) => asArray(v).map(toNumber) as [number, number],
    }),
    /** LASTSAVE: Unix time of the last successful save. */
    lastsave: command<() => number>({
      command: 'lastsave',
      params: [],
      args: () => [],
    }),
    save: command<() => 'OK'>({
      command: 'save',
      params: [],
      args: () => [],
    }),
    /** BGSAVE: the server's status line. */
    bgsave: command<(schedule?: boolean) => string>({
      command: 'bgsave',
      params: ['schedule?'],
      args: ([schedule]) => (schedule ? ['SCHEDULE'] : []),
      reply: toText,
    }),
    bgrewriteaof: command<() => string>({
      command: 'bgrewriteaof',
      params: [],
      args: () => [],
      reply: toText,
    }),
    swapdb: command<(index1: number, index2: number) => 'OK'>({
      command: 'swapdb',
      params: ['index1', 'index2'],
      args: ([index1, index2]) => [index1, index2],
    }),
    /** CONFIG GET pattern…: matching parameters as an object. */
    configGet: command<(...patterns: string[]) => Record<string, string>>({
      command: 'config',
      params: ['...patterns'],
      args: (patterns) => ['GET', ...patterns],
      reply: toConfig,
    }),
    /** CONFIG SET from an object, or `name, value, …`. */
    configSet: command<{
      (parameters: Record<string, RedisValue>): 'OK';
      (...nameValues: RedisValue[]): 'OK';
    }>({
      command: 'config',
      params: ['...rest'],
      args: (rest) => pairArgs(['SET'], rest),
    }),
    configResetstat: command<() => 'OK'>({
      command: 'config',
      params: [],
      args: () => ['RESETSTAT'],
    }),
    configRewrite: command<() => 'OK'>({
      command: 'config',
      params: [],
      args: () => ['REWRITE'],
    }),
    /** MEMORY USAGE: bytes used by the key and its value, or null without the key. */
    memoryUsage: command<(key: RedisKey, samples?: number) => number | null>({
      command: 'memory',
      params: ['key', 'samples?'],
      args: ([key, samples]) => (samples === undefined ? ['USAGE', key] : ['USAGE', key, 'SAMPLES', samples]),
      reply: toNumberOrNull,
    }),
    slowlogGet: command<(count?: number) => SlowlogEntry[]>({
      command: 'slowlog',
      params: ['count?'],
      args: ([count]) => (count === undefined ? ['GET'] : ['GET', count]),
      reply: toSlowlog,
    }),
    slowlogLen: command<() => number>({
      command: 'slowlog',
      params: [],
      args: () => ['LEN'],
    }),
    slowlogReset: command<() => 'OK'>({
      command: 'slowlog',
      params: [],
      args: () => ['RESET'],
    }),
    /** COMMAND COUNT. */
    commandCount: command<() => number>({
      command: 'command',
      params: [],
      args: () => ['COUNT'],
    }),
    /** MODULE LIST. */
    moduleList: command<() => ModuleInfo[]>({
      command: 'module',
      params: [],
      args: () => ['LIST'],
      reply: toModules,
    }),
    aclWhoami: command<() => string>({
      command: 'acl',
      params: [],
      args: () => ['WHOAMI'],
      reply: toText,
    }),
    aclCat: command<(category?: string) => string[]>({
      command: 'acl',
      params: ['category?'],
      args: ([category]) => (category === undefined ? ['CAT'] : ['CAT', category]),
      reply: toTextArray,
    }),
    aclUsers: command<() => string[]>({
      command: 'acl',
      params: [],
      args: () => ['USERS'],
      reply: toTextArray,
    }),
    aclList: command<() => string[]>({
      command: 'acl',
      params: [],
      args: () => ['LIST'],
      reply: toTextArray,
    }),
    /** ACL SETUSER username rule…. */
    aclSetuser: command<(username: string, ...rules: Variadic<string>) => 'OK'>({
      command: 'acl',
      params: ['username', '...rules'],
      args: (a) => restArgs(['SETUSER', a[0]], a, 1),
    }),
    /** ACL DELUSER: the number of users deleted. */
    aclDeluser: command<(...usernames: string[]) => number>({
      command: 'acl',
      params: ['...usernames'],
      args: (usernames) => ['DELUSER', ...usernames],
    }),
    aclGenpass: command<(bits?: number) => string>({
      command: 'acl',
      params: ['bits?'],
      args: ([bits]) => (bits === undefined ? ['GENPASS'] : ['GENPASS', bits]),
      reply: toText,
    }),
    /** ROLE: the raw reply (`['master', offset, replicas]`, `['slave', host, port, state, offset]`, …). */
    role: command<() => unknown[]>({
      command: 'role',
      params: [],
      args: () => [],
      reply: asArray,
    }),
  };
}

export const serverCommands = declarations();

/** The server command signatures, with plain reply types; clients wrap them in promises. */
export type ServerCommands = Signatures<ReturnType<typeof declarations>>;

/** Server queries the server does not flag read-only, and overwrites (FLUSH*, CONFIG SET); ACL LOG unless RESET. */
export const serverRules: RuleSet = {
  ...idempotentAll([
    'flushdb',
    'flushall',
    'config|set',
    'config|get',
    'config|help',
    'info',
    'time',
    'lastsave',
    'role',
    'command',
    'command|count',
    'command|docs',
    'command|getkeys',
    'command|getkeysandflags',
    'command|info',
    'command|list',
    'command|help',
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
  ]),
  'acl|log': { idempotent: (a) => !isArg(a[1], 'RESET') },
};
