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
import { idempotentAll, isArg, type Declarations, type RuleSet } from '../declare.js';

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

export interface ServerCommands {
  /** INFO [section…]: the text as the server sends it. */
  info(...sections: string[]): string;
  /** INFO parsed into `field -> value` (section headers dropped; values as written). */
  infoObject(...sections: string[]): Record<string, string>;
  dbsize(): number;
  flushdb(mode?: 'ASYNC' | 'SYNC'): 'OK';
  flushall(mode?: 'ASYNC' | 'SYNC'): 'OK';
  /** TIME: `[unix seconds, microseconds]`. */
  time(): [number, number];
  /** LASTSAVE: Unix time of the last successful save. */
  lastsave(): number;
  save(): 'OK';
  /** BGSAVE: the server's status line. */
  bgsave(schedule?: boolean): string;
  bgrewriteaof(): string;
  swapdb(index1: number, index2: number): 'OK';
  /** CONFIG GET pattern…: matching parameters as an object. */
  configGet(...patterns: string[]): Record<string, string>;
  /** CONFIG SET from an object, or `name, value, …`. */
  configSet(parameters: Record<string, RedisValue>): 'OK';
  configSet(...nameValues: RedisValue[]): 'OK';
  configResetstat(): 'OK';
  configRewrite(): 'OK';
  /** MEMORY USAGE: bytes used by the key and its value, or null without the key. */
  memoryUsage(key: RedisKey, samples?: number): number | null;
  slowlogGet(count?: number): SlowlogEntry[];
  slowlogLen(): number;
  slowlogReset(): 'OK';
  /** COMMAND COUNT. */
  commandCount(): number;
  /** MODULE LIST. */
  moduleList(): ModuleInfo[];
  aclWhoami(): string;
  aclCat(category?: string): string[];
  aclUsers(): string[];
  aclList(): string[];
  /** ACL SETUSER username rule…. */
  aclSetuser(username: string, ...rules: Variadic<string>): 'OK';
  /** ACL DELUSER: the number of users deleted. */
  aclDeluser(...usernames: string[]): number;
  aclGenpass(bits?: number): string;
  /** ROLE: the raw reply (`['master', offset, replicas]`, `['slave', host, port, state, offset]`, …). */
  role(): unknown[];
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

export const serverCommands = {
  info: {
    command: 'info',
    params: ['...sections'],
    args: (sections: string[]) => sections,
    reply: toText,
  },
  infoObject: {
    command: 'info',
    params: ['...sections'],
    args: (sections: string[]) => sections,
    reply: (v) => parseInfo(toText(v)),
  },
  dbsize: {
    command: 'dbsize',
    params: [],
    args: () => [],
  },
  flushdb: {
    command: 'flushdb',
    params: ['mode?'],
    args: ([mode]: [('ASYNC' | 'SYNC')?]) => (mode ? [mode] : []),
  },
  flushall: {
    command: 'flushall',
    params: ['mode?'],
    args: ([mode]: [('ASYNC' | 'SYNC')?]) => (mode ? [mode] : []),
  },
  time: {
    command: 'time',
    params: [],
    args: () => [],
    reply: (v) => asArray(v).map(toNumber) as [number, number],
  },
  lastsave: {
    command: 'lastsave',
    params: [],
    args: () => [],
  },
  save: {
    command: 'save',
    params: [],
    args: () => [],
  },
  bgsave: {
    command: 'bgsave',
    params: ['schedule?'],
    args: ([schedule]: [boolean?]) => (schedule ? ['SCHEDULE'] : []),
    reply: toText,
  },
  bgrewriteaof: {
    command: 'bgrewriteaof',
    params: [],
    args: () => [],
    reply: toText,
  },
  swapdb: {
    command: 'swapdb',
    params: ['index1', 'index2'],
    args: ([index1, index2]: [number, number]) => [index1, index2],
  },
  configGet: {
    command: 'config',
    params: ['...patterns'],
    args: (patterns: string[]) => ['GET', ...patterns],
    reply: toConfig,
  },
  configSet: {
    command: 'config',
    params: ['...rest'],
    args: (rest: unknown[]) => pairArgs(['SET'], rest),
  },
  configResetstat: {
    command: 'config',
    params: [],
    args: () => ['RESETSTAT'],
  },
  configRewrite: {
    command: 'config',
    params: [],
    args: () => ['REWRITE'],
  },
  memoryUsage: {
    command: 'memory',
    params: ['key', 'samples?'],
    args: ([key, samples]: [RedisKey, number?]) =>
      samples === undefined ? ['USAGE', key] : ['USAGE', key, 'SAMPLES', samples],
    reply: toNumberOrNull,
  },
  slowlogGet: {
    command: 'slowlog',
    params: ['count?'],
    args: ([count]: [number?]) => (count === undefined ? ['GET'] : ['GET', count]),
    reply: toSlowlog,
  },
  slowlogLen: {
    command: 'slowlog',
    params: [],
    args: () => ['LEN'],
  },
  slowlogReset: {
    command: 'slowlog',
    params: [],
    args: () => ['RESET'],
  },
  commandCount: {
    command: 'command',
    params: [],
    args: () => ['COUNT'],
  },
  moduleList: {
    command: 'module',
    params: [],
    args: () => ['LIST'],
    reply: toModules,
  },
  aclWhoami: {
    command: 'acl',
    params: [],
    args: () => ['WHOAMI'],
    reply: toText,
  },
  aclCat: {
    command: 'acl',
    params: ['category?'],
    args: ([category]: [string?]) => (category === undefined ? ['CAT'] : ['CAT', category]),
    reply: toTextArray,
  },
  aclUsers: {
    command: 'acl',
    params: [],
    args: () => ['USERS'],
    reply: toTextArray,
  },
  aclList: {
    command: 'acl',
    params: [],
    args: () => ['LIST'],
    reply: toTextArray,
  },
  aclSetuser: {
    command: 'acl',
    params: ['username', '...rules'],
    args: (a: [string, ...Variadic<string>]) => restArgs(['SETUSER', a[0]], a, 1),
  },
  aclDeluser: {
    command: 'acl',
    params: ['...usernames'],
    args: (usernames: string[]) => ['DELUSER', ...usernames],
  },
  aclGenpass: {
    command: 'acl',
    params: ['bits?'],
    args: ([bits]: [number?]) => (bits === undefined ? ['GENPASS'] : ['GENPASS', bits]),
    reply: toText,
  },
  role: {
    command: 'role',
    params: [],
    args: () => [],
    reply: asArray,
  },
} satisfies Declarations<ServerCommands>;

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
