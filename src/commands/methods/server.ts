/** Server commands: INFO, CONFIG, persistence, SLOWLOG, MEMORY, ACL, MODULE, COMMAND. */
import { pairArgs } from './args.js';
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
import type { Implementation, RedisKey, RedisValue } from './types.js';

export interface SlowlogEntry {
  id: number;
  /** Unix time in seconds. */
  timestamp: number;
  /** Microseconds. */
  duration: number;
  /** The command and its arguments (the server truncates long ones). */
  args: string[];
  clientAddress?: string;
  clientName?: string;
}

export interface ModuleInfo {
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
  aclSetuser(username: string, ...rules: string[]): 'OK';
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

export const serverCommands: Implementation<ServerCommands> = {
  info(...sections: string[]) {
    return this.dispatch('info', sections, toText);
  },
  infoObject(...sections: string[]) {
    return this.dispatch('info', sections, (v) => parseInfo(toText(v)));
  },
  dbsize() {
    return this.dispatch('dbsize', []);
  },
  flushdb(mode?: 'ASYNC' | 'SYNC') {
    return this.dispatch('flushdb', mode ? [mode] : []);
  },
  flushall(mode?: 'ASYNC' | 'SYNC') {
    return this.dispatch('flushall', mode ? [mode] : []);
  },
  time() {
    return this.dispatch('time', [], (v) => asArray(v).map(toNumber));
  },
  lastsave() {
    return this.dispatch('lastsave', []);
  },
  save() {
    return this.dispatch('save', []);
  },
  bgsave(schedule?: boolean) {
    return this.dispatch('bgsave', schedule ? ['SCHEDULE'] : [], toText);
  },
  bgrewriteaof() {
    return this.dispatch('bgrewriteaof', [], toText);
  },
  swapdb(index1: number, index2: number) {
    return this.dispatch('swapdb', [index1, index2]);
  },
  configGet(...patterns: string[]) {
    return this.dispatch('config', ['GET', ...patterns], toConfig);
  },
  configSet(...rest: unknown[]) {
    return this.dispatch('config', pairArgs(['SET'], rest));
  },
  configResetstat() {
    return this.dispatch('config', ['RESETSTAT']);
  },
  configRewrite() {
    return this.dispatch('config', ['REWRITE']);
  },
  memoryUsage(key: RedisKey, samples?: number) {
    return this.dispatch(
      'memory',
      samples === undefined ? ['USAGE', key] : ['USAGE', key, 'SAMPLES', samples],
      toNumberOrNull,
    );
  },
  slowlogGet(count?: number) {
    return this.dispatch('slowlog', count === undefined ? ['GET'] : ['GET', count], toSlowlog);
  },
  slowlogLen() {
    return this.dispatch('slowlog', ['LEN']);
  },
  slowlogReset() {
    return this.dispatch('slowlog', ['RESET']);
  },
  commandCount() {
    return this.dispatch('command', ['COUNT']);
  },
  moduleList() {
    return this.dispatch('module', ['LIST'], toModules);
  },
  aclWhoami() {
    return this.dispatch('acl', ['WHOAMI'], toText);
  },
  aclCat(category?: string) {
    return this.dispatch('acl', category === undefined ? ['CAT'] : ['CAT', category], toTextArray);
  },
  aclUsers() {
    return this.dispatch('acl', ['USERS'], toTextArray);
  },
  aclList() {
    return this.dispatch('acl', ['LIST'], toTextArray);
  },
  aclSetuser(username: string, ...rules: string[]) {
    return this.dispatch('acl', ['SETUSER', username, ...rules]);
  },
  aclDeluser(...usernames: string[]) {
    return this.dispatch('acl', ['DELUSER', ...usernames]);
  },
  aclGenpass(bits?: number) {
    return this.dispatch('acl', bits === undefined ? ['GENPASS'] : ['GENPASS', bits], toText);
  },
  role() {
    return this.dispatch('role', [], asArray);
  },
};
