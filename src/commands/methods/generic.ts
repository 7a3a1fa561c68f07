/** Keyspace commands that work on keys of any type, plus WAIT / WAITAOF. */
import { flatKeys, limitArgs, scanArgs, type KeysArg } from './args.js';
import { toBoolean, toKeyPage, toNumberArray, toText, toTextOrNull } from './transforms.js';
import type { ExpireMode, KeyScanOptions, RedisKey, RedisValue, ScanPage } from './types.js';
import { command, idempotentAll, noneOf, optionNames, type RuleSet, type Signatures } from '../declare.js';

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

/** One list for sort, sortStore and sortRo (see Declaration.options). */
const SORT_OPTIONS = optionNames<SortOptions>()(['by', 'limit', 'get', 'order', 'alpha']);

/**
 * The generic command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link GenericCommands} maps them.
 */
function declarations<S>() {
  return {
    /** DEL: keys one by one or as arrays. */
    del: command<(...keys: KeysArg[]) => number>({
      command: 'del',
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    unlink: command<(...keys: KeysArg[]) => number>({
      command: 'unlink',
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    /** How many of the keys exist (a key named twice counts twice). */
    exists: command<(...keys: KeysArg[]) => number>({
      command: 'exists',
      cacheable: true,
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    /** EXPIRE: true when the timeout was set (false: no such key, or `mode` refused). */
    expire: command<(key: RedisKey, seconds: number, mode?: ExpireMode) => boolean>({
      command: 'expire',
      params: ['key', 'seconds', 'mode?'],
      args: ([key, seconds, mode]) => expireArgs(key, seconds, mode),
      reply: toBoolean,
    }),
    pexpire: command<(key: RedisKey, milliseconds: number, mode?: ExpireMode) => boolean>({
      command: 'pexpire',
      params: ['key', 'milliseconds', 'mode?'],
      args: ([key, milliseconds, mode]) => expireArgs(key, milliseconds, mode),
      reply: toBoolean,
    }),
    expireat: command<(key: RedisKey, unixSeconds: number, mode?: ExpireMode) => boolean>({
      command: 'expireat',
      params: ['key', 'unixSeconds', 'mode?'],
      args: ([key, unixSeconds, mode]) => expireArgs(key, unixSeconds, mode),
      reply: toBoolean,
    }),
    pexpireat: command<(key: RedisKey, unixMilliseconds: number, mode?: ExpireMode) => boolean>({
      command: 'pexpireat',
      params: ['key', 'unixMilliseconds', 'mode?'],
      args: ([key, unixMilliseconds, mode]) => expireArgs(key, unixMilliseconds, mode),
      reply: toBoolean,
    }),
    /** Absolute expiry in Unix seconds; -1 without expiry, -2 without key. */
    expiretime: command<(key: RedisKey) => number>({
      command: 'expiretime',
      params: ['key'],
      args: ([key]) => [key],
    }),
    pexpiretime: command<(key: RedisKey) => number>({
      command: 'pexpiretime',
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** Seconds to live; -1 without expiry, -2 without key. */
    ttl: command<(key: RedisKey) => number>({
      command: 'ttl',
      params: ['key'],
      args: ([key]) => [key],
    }),
    pttl: command<(key: RedisKey) => number>({
      command: 'pttl',
      params: ['key'],
      args: ([key]) => [key],
    }),
    persist: command<(key: RedisKey) => boolean>({
      command: 'persist',
      params: ['key'],
      args: ([key]) => [key],
      reply: toBoolean,
    }),
    /** `'string'`, `'list'`, `'set'`, `'zset'`, `'hash'`, `'stream'`, or `'none'`. */
    type: command<(key: RedisKey) => string>({
      command: 'type',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
      reply: toText,
    }),
    rename: command<(key: RedisKey, newKey: RedisKey) => 'OK'>({
      command: 'rename',
      params: ['key', 'newKey'],
      args: ([key, newKey]) => [key, newKey],
    }),
    /** RENAMENX: true when renamed (false: `newKey` exists). */
    renamenx: command<(key: RedisKey, newKey: RedisKey) => boolean>({
      command: 'renamenx',
      params: ['key', 'newKey'],
      args: ([key, newKey]) => [key, newKey],
      reply: toBoolean,
    }),
    touch: command<(...keys: KeysArg[]) => number>({
      command: 'touch',
      params: ['...keys'],
      args: (keys) => flatKeys(keys),
    }),
    keys: command<(pattern: string) => S[]>({
      command: 'keys',
      params: ['pattern'],
      args: ([pattern]) => [pattern],
    }),
    randomkey: command<() => S | null>({
      command: 'randomkey',
      params: [],
      args: () => [],
    }),
    /** COPY: true when copied. */
    copy: command<(source: RedisKey, destination: RedisKey, options?: CopyOptions) => boolean>({
      command: 'copy',
      params: ['source', 'destination', '{options}?'],
      options: optionNames<CopyOptions>()(['db', 'replace']),
      args: ([source, destination, options]) => {
        const args: unknown[] = [source, destination];
        if (options?.db !== undefined) args.push('DB', options.db);
        if (options?.replace) args.push('REPLACE');
        return args;
      },
      reply: toBoolean,
    }),
    /** MOVE to another database: true when moved. */
    move: command<(key: RedisKey, db: number) => boolean>({
      command: 'move',
      params: ['key', 'db'],
      args: ([key, db]) => [key, db],
      reply: toBoolean,
    }),
    /** DUMP: the serialized value (binary: use `withBuffers()` to keep it intact), or null. */
    dump: command<(key: RedisKey) => S | null>({
      command: 'dump',
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** RESTORE key ttl serialized (ttl 0: no expiry). */
    restore: command<(key: RedisKey, ttl: number, serialized: RedisValue, options?: RestoreOptions) => 'OK'>({
      command: 'restore',
      params: ['key', 'ttl', 'serialized', '{options}?'],
      options: optionNames<RestoreOptions>()(['replace', 'absttl', 'idletime', 'freq']),
      args: ([key, ttl, serialized, options]) => {
        const args: unknown[] = [key, ttl, serialized];
        if (options?.replace) args.push('REPLACE');
        if (options?.absttl) args.push('ABSTTL');
        if (options?.idletime !== undefined) args.push('IDLETIME', options.idletime);
        if (options?.freq !== undefined) args.push('FREQ', options.freq);
        return args;
      },
    }),
    /** OBJECT ENCODING: `'listpack'`, `'int'`, … or null without the key. */
    objectEncoding: command<(key: RedisKey) => string | null>({
      command: 'object',
      params: ['key'],
      args: ([key]) => ['ENCODING', key],
      reply: toTextOrNull,
    }),
    objectIdletime: command<(key: RedisKey) => number | null>({
      command: 'object',
      params: ['key'],
      args: ([key]) => ['IDLETIME', key],
      reply: toNumberOrNullReply,
    }),
    /** OBJECT FREQ (needs an LFU maxmemory policy). */
    objectFreq: command<(key: RedisKey) => number | null>({
      command: 'object',
      params: ['key'],
      args: ([key]) => ['FREQ', key],
      reply: toNumberOrNullReply,
    }),
    objectRefcount: command<(key: RedisKey) => number | null>({
      command: 'object',
      params: ['key'],
      args: ([key]) => ['REFCOUNT', key],
      reply: toNumberOrNullReply,
    }),
    /** SORT: the sorted elements (or what the GET patterns fetched). */
    sort: command<(key: RedisKey, options?: SortOptions) => Array<S | null>>({
      command: 'sort',
      params: ['key', '{options}?'],
      options: SORT_OPTIONS,
      args: ([key, options]) => sortArgs(key, options),
    }),
    /** SORT … STORE destination: the number of stored elements. */
    sortStore: command<(key: RedisKey, destination: RedisKey, options?: SortOptions) => number>({
      command: 'sort',
      params: ['key', 'destination', '{options}?'],
      options: SORT_OPTIONS,
      args: ([key, destination, options]) => {
        const args = sortArgs(key, options);
        args.push('STORE', destination);
        return args;
      },
    }),
    /** SORT_RO (Redis 7.0+): SORT without STORE, allowed on replicas. */
    sortRo: command<(key: RedisKey, options?: SortOptions) => Array<S | null>>({
      command: 'sort_ro',
      params: ['key', '{options}?'],
      options: SORT_OPTIONS,
      args: ([key, options]) => sortArgs(key, options),
    }),
    /** One SCAN page; see `scanIterator()` for every key. */
    scan: command<(cursor: string | number, options?: KeyScanOptions) => ScanPage<S>>({
      command: 'scan',
      params: ['cursor', '{options}?'],
      options: optionNames<KeyScanOptions>()(['match', 'count', 'type']),
      args: ([cursor, options]) => scanArgs([cursor], options),
      reply: toKeyPage,
    }),
    /** WAIT: how many replicas acknowledged the writes so far (blocks up to `timeout` ms; 0 = forever). */
    wait: command<(numReplicas: number, timeout: number) => number>({
      command: 'wait',
      params: ['numReplicas', 'timeout'],
      args: ([numReplicas, timeout]) => [numReplicas, timeout],
    }),
    /** WAITAOF (Redis 7.2+): `[local fsynced (0|1), replicas fsynced]`. */
    waitaof: command<(numLocal: number, numReplicas: number, timeout: number) => [number, number]>({
      command: 'waitaof',
      params: ['numLocal', 'numReplicas', 'timeout'],
      args: ([numLocal, numReplicas, timeout]) => [numLocal, numReplicas, timeout],
      reply: (v) => toNumberArray(v) as [number, number],
    }),
  };
}

export const genericCommands = declarations();

/** The generic command signatures, with plain reply types; clients wrap them in promises. */
export type GenericCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

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
