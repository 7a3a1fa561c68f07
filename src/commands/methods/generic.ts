/** Keyspace commands that work on keys of any type, plus WAIT / WAITAOF. */
import { flatKeys, limitArgs, scanArgs, type KeysArg } from './args.js';
import { toBoolean, toKeyPage, toNumberArray, toText, toTextOrNull } from './transforms.js';
import type { ExpireMode, KeyScanOptions, RedisKey, RedisValue, ScanPage } from './types.js';
import { idempotentAll, noneOf, type Declarations, type RuleSet } from '../declare.js';

/** Options of COPY. */
export interface CopyOptions {
  /** Destination database. */
  db?: number;
  /** Overwrite an existing destination. */
  replace?: boolean;
}

/** Options of RESTORE. */
export interface RestoreOptions {
  /** REPLACE: overwrite an existing key. */
  replace?: boolean;
  /** `ttl` is a Unix time in milliseconds. */
  absttl?: boolean;
  /** IDLETIME: the key's idle time in seconds. */
  idletime?: number;
  /** FREQ: the key's LFU frequency. */
  freq?: number;
}

/** Options of SORT / SORT_RO. */
export interface SortOptions {
  /** BY pattern (`weight_*`, or `nosort`). */
  by?: string;
  /** LIMIT offset count. */
  limit?: {
    /** Elements to skip. */
    offset: number;
    /** Elements to return. */
    count: number;
  };
  /** GET patterns, in order (`#` is the element itself). */
  get?: readonly string[];
  /** Ascending (default) or descending. */
  order?: 'ASC' | 'DESC';
  /** Sort lexicographically. */
  alpha?: boolean;
}

export interface GenericCommands<S> {
  /** DEL: keys one by one or as arrays. */
  del(...keys: KeysArg[]): number;
  unlink(...keys: KeysArg[]): number;
  /** How many of the keys exist (a key named twice counts twice). */
  exists(...keys: KeysArg[]): number;
  /** EXPIRE: true when the timeout was set (false: no such key, or `mode` refused). */
  expire(key: RedisKey, seconds: number, mode?: ExpireMode): boolean;
  pexpire(key: RedisKey, milliseconds: number, mode?: ExpireMode): boolean;
  expireat(key: RedisKey, unixSeconds: number, mode?: ExpireMode): boolean;
  pexpireat(key: RedisKey, unixMilliseconds: number, mode?: ExpireMode): boolean;
  /** Absolute expiry in Unix seconds; -1 without expiry, -2 without key. */
  expiretime(key: RedisKey): number;
  pexpiretime(key: RedisKey): number;
  /** Seconds to live; -1 without expiry, -2 without key. */
  ttl(key: RedisKey): number;
  pttl(key: RedisKey): number;
  persist(key: RedisKey): boolean;
  /** `'string'`, `'list'`, `'set'`, `'zset'`, `'hash'`, `'stream'`, or `'none'`. */
  type(key: RedisKey): string;
  rename(key: RedisKey, newKey: RedisKey): 'OK';
  /** RENAMENX: true when renamed (false: `newKey` exists). */
  renamenx(key: RedisKey, newKey: RedisKey): boolean;
  touch(...keys: KeysArg[]): number;
  keys(pattern: string): S[];
  randomkey(): S | null;
  /** COPY: true when copied. */
  copy(source: RedisKey, destination: RedisKey, options?: CopyOptions): boolean;
  /** MOVE to another database: true when moved. */
  move(key: RedisKey, db: number): boolean;
  /** DUMP: the serialized value (binary: use `withBuffers()` to keep it intact), or null. */
  dump(key: RedisKey): S | null;
  /** RESTORE key ttl serialized (ttl 0: no expiry). */
  restore(key: RedisKey, ttl: number, serialized: RedisValue, options?: RestoreOptions): 'OK';
  /** OBJECT ENCODING: `'listpack'`, `'int'`, … or null without the key. */
  objectEncoding(key: RedisKey): string | null;
  objectIdletime(key: RedisKey): number | null;
  /** OBJECT FREQ (needs an LFU maxmemory policy). */
  objectFreq(key: RedisKey): number | null;
  objectRefcount(key: RedisKey): number | null;
  /** SORT: the sorted elements (or what the GET patterns fetched). */
  sort(key: RedisKey, options?: SortOptions): Array<S | null>;
  /** SORT … STORE destination: the number of stored elements. */
  sortStore(key: RedisKey, destination: RedisKey, options?: SortOptions): number;
  /** SORT_RO (Redis 7.0+): SORT without STORE, allowed on replicas. */
  sortRo(key: RedisKey, options?: SortOptions): Array<S | null>;
  /** One SCAN page; see `scanIterator()` for every key. */
  scan(cursor: string | number, options?: KeyScanOptions): ScanPage<S>;
  /** WAIT: how many replicas acknowledged the writes so far (blocks up to `timeout` ms; 0 = forever). */
  wait(numReplicas: number, timeout: number): number;
  /** WAITAOF (Redis 7.2+): `[local fsynced (0|1), replicas fsynced]`. */
  waitaof(numLocal: number, numReplicas: number, timeout: number): [number, number];
}

function expireArgs(key: RedisKey, time: number, mode: ExpireMode | undefined): unknown[] {
  return mode === undefined ? [key, time] : [key, time, mode];
}

function sortArgs(key: RedisKey, o: SortOptions | undefined): unknown[] {
  const args: unknown[] = [key];
  if (o === undefined) return args;
  if (o.by !== undefined) args.push('BY', o.by);
  limitArgs(args, o.limit);
  for (const g of o.get ?? []) args.push('GET', g);
  if (o.order !== undefined) args.push(o.order);
  if (o.alpha) args.push('ALPHA');
  return args;
}

const toNumberOrNullReply = (v: unknown): number | null => (v === null ? null : Number(v));

export const genericCommands = {
  del: {
    command: 'del',
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  unlink: {
    command: 'unlink',
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  exists: {
    command: 'exists',
    cacheable: true,
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  expire: {
    command: 'expire',
    params: ['key', 'seconds', 'mode?'],
    args: ([key, seconds, mode]: [RedisKey, number, ExpireMode?]) => expireArgs(key, seconds, mode),
    reply: toBoolean,
  },
  pexpire: {
    command: 'pexpire',
    params: ['key', 'milliseconds', 'mode?'],
    args: ([key, milliseconds, mode]: [RedisKey, number, ExpireMode?]) => expireArgs(key, milliseconds, mode),
    reply: toBoolean,
  },
  expireat: {
    command: 'expireat',
    params: ['key', 'unixSeconds', 'mode?'],
    args: ([key, unixSeconds, mode]: [RedisKey, number, ExpireMode?]) => expireArgs(key, unixSeconds, mode),
    reply: toBoolean,
  },
  pexpireat: {
    command: 'pexpireat',
    params: ['key', 'unixMilliseconds', 'mode?'],
    args: ([key, unixMilliseconds, mode]: [RedisKey, number, ExpireMode?]) =>
      expireArgs(key, unixMilliseconds, mode),
    reply: toBoolean,
  },
  expiretime: {
    command: 'expiretime',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  pexpiretime: {
    command: 'pexpiretime',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  ttl: {
    command: 'ttl',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  pttl: {
    command: 'pttl',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  persist: {
    command: 'persist',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
    reply: toBoolean,
  },
  type: {
    command: 'type',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
    reply: toText,
  },
  rename: {
    command: 'rename',
    params: ['key', 'newKey'],
    args: ([key, newKey]: [RedisKey, RedisKey]) => [key, newKey],
  },
  renamenx: {
    command: 'renamenx',
    params: ['key', 'newKey'],
    args: ([key, newKey]: [RedisKey, RedisKey]) => [key, newKey],
    reply: toBoolean,
  },
  touch: {
    command: 'touch',
    params: ['...keys'],
    args: (keys: KeysArg[]) => flatKeys(keys),
  },
  keys: {
    command: 'keys',
    params: ['pattern'],
    args: ([pattern]: [string]) => [pattern],
  },
  randomkey: {
    command: 'randomkey',
    params: [],
    args: () => [],
  },
  copy: {
    command: 'copy',
    params: ['source', 'destination', '{options}?'],
    args: ([source, destination, options]: [RedisKey, RedisKey, CopyOptions?]) => {
      const args: unknown[] = [source, destination];
      if (options?.db !== undefined) args.push('DB', options.db);
      if (options?.replace) args.push('REPLACE');
      return args;
    },
    reply: toBoolean,
  },
  move: {
    command: 'move',
    params: ['key', 'db'],
    args: ([key, db]: [RedisKey, number]) => [key, db],
    reply: toBoolean,
  },
  dump: {
    command: 'dump',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  restore: {
    command: 'restore',
    params: ['key', 'ttl', 'serialized', '{options}?'],
    args: ([key, ttl, serialized, options]: [RedisKey, number, RedisValue, RestoreOptions?]) => {
      const args: unknown[] = [key, ttl, serialized];
      if (options?.replace) args.push('REPLACE');
      if (options?.absttl) args.push('ABSTTL');
      if (options?.idletime !== undefined) args.push('IDLETIME', options.idletime);
      if (options?.freq !== undefined) args.push('FREQ', options.freq);
      return args;
    },
  },
  objectEncoding: {
    command: 'object',
    params: ['key'],
    args: ([key]: [RedisKey]) => ['ENCODING', key],
    reply: toTextOrNull,
  },
  objectIdletime: {
    command: 'object',
    params: ['key'],
    args: ([key]: [RedisKey]) => ['IDLETIME', key],
    reply: toNumberOrNullReply,
  },
  objectFreq: {
    command: 'object',
    params: ['key'],
    args: ([key]: [RedisKey]) => ['FREQ', key],
    reply: toNumberOrNullReply,
  },
  objectRefcount: {
    command: 'object',
    params: ['key'],
    args: ([key]: [RedisKey]) => ['REFCOUNT', key],
    reply: toNumberOrNullReply,
  },
  sort: {
    command: 'sort',
    params: ['key', '{options}?'],
    args: ([key, options]: [RedisKey, SortOptions?]) => sortArgs(key, options),
  },
  sortStore: {
    command: 'sort',
    params: ['key', 'destination', '{options}?'],
    args: ([key, destination, options]: [RedisKey, RedisKey, SortOptions?]) => {
      const args = sortArgs(key, options);
      args.push('STORE', destination);
      return args;
    },
  },
  sortRo: {
    command: 'sort_ro',
    params: ['key', '{options}?'],
    args: ([key, options]: [RedisKey, SortOptions?]) => sortArgs(key, options),
  },
  scan: {
    command: 'scan',
    params: ['cursor', '{options}?'],
    args: ([cursor, options]: [string | number, KeyScanOptions?]) => scanArgs([cursor], options),
    reply: toKeyPage,
  },
  wait: {
    command: 'wait',
    params: ['numReplicas', 'timeout'],
    args: ([numReplicas, timeout]: [number, number]) => [numReplicas, timeout],
  },
  waitaof: {
    command: 'waitaof',
    params: ['numLocal', 'numReplicas', 'timeout'],
    args: ([numLocal, numReplicas, timeout]: [number, number, number]) => [numLocal, numReplicas, timeout],
    reply: (v) => toNumberArray(v) as [number, number],
  },
} satisfies Declarations<GenericCommands<unknown>>;

/**
 * Deletes and expiry settings repeat harmlessly; RESTORE and COPY only with
 * REPLACE. WAIT and WAITAOF block (the server does not flag them so on every version).
 */
export const genericRules: RuleSet = {
  ...idempotentAll(['del', 'unlink', 'expire', 'pexpire', 'expireat', 'pexpireat', 'persist']),
  restore: { idempotent: (a) => !noneOf(a, 3, ['REPLACE']) },
  copy: { idempotent: (a) => !noneOf(a, 2, ['REPLACE']) },
  wait: { blocking: true },
  waitaof: { blocking: true },
};
