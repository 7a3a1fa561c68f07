/** Keyspace commands that work on keys of any type, plus WAIT / WAITAOF. */
import { flatKeys, limitArgs, scanArgs, type KeysArg } from './args.js';
import { toBoolean, toKeyPage, toNumberArray, toText, toTextOrNull } from './transforms.js';
import type { ExpireMode, Implementation, KeyScanOptions, RedisKey, RedisValue, ScanPage } from './types.js';

export interface CopyOptions {
  /** Destination database. */
  db?: number;
  /** Overwrite an existing destination. */
  replace?: boolean;
}

export interface RestoreOptions {
  replace?: boolean;
  /** `ttl` is a Unix time in milliseconds. */
  absttl?: boolean;
  idletime?: number;
  freq?: number;
}

export interface SortOptions {
  /** BY pattern (`weight_*`, or `nosort`). */
  by?: string;
  limit?: { offset: number; count: number };
  /** GET patterns, in order (`#` is the element itself). */
  get?: readonly string[];
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

export const genericCommands: Implementation<GenericCommands<unknown>> = {
  del(...keys: KeysArg[]) {
    return this.dispatch('del', flatKeys(keys));
  },
  unlink(...keys: KeysArg[]) {
    return this.dispatch('unlink', flatKeys(keys));
  },
  exists(...keys: KeysArg[]) {
    return this.dispatch('exists', flatKeys(keys));
  },
  expire(key: RedisKey, seconds: number, mode?: ExpireMode) {
    return this.dispatch('expire', expireArgs(key, seconds, mode), toBoolean);
  },
  pexpire(key: RedisKey, milliseconds: number, mode?: ExpireMode) {
    return this.dispatch('pexpire', expireArgs(key, milliseconds, mode), toBoolean);
  },
  expireat(key: RedisKey, unixSeconds: number, mode?: ExpireMode) {
    return this.dispatch('expireat', expireArgs(key, unixSeconds, mode), toBoolean);
  },
  pexpireat(key: RedisKey, unixMilliseconds: number, mode?: ExpireMode) {
    return this.dispatch('pexpireat', expireArgs(key, unixMilliseconds, mode), toBoolean);
  },
  expiretime(key: RedisKey) {
    return this.dispatch('expiretime', [key]);
  },
  pexpiretime(key: RedisKey) {
    return this.dispatch('pexpiretime', [key]);
  },
  ttl(key: RedisKey) {
    return this.dispatch('ttl', [key]);
  },
  pttl(key: RedisKey) {
    return this.dispatch('pttl', [key]);
  },
  persist(key: RedisKey) {
    return this.dispatch('persist', [key], toBoolean);
  },
  type(key: RedisKey) {
    return this.dispatch('type', [key], toText);
  },
  rename(key: RedisKey, newKey: RedisKey) {
    return this.dispatch('rename', [key, newKey]);
  },
  renamenx(key: RedisKey, newKey: RedisKey) {
    return this.dispatch('renamenx', [key, newKey], toBoolean);
  },
  touch(...keys: KeysArg[]) {
    return this.dispatch('touch', flatKeys(keys));
  },
  keys(pattern: string) {
    return this.dispatch('keys', [pattern]);
  },
  randomkey() {
    return this.dispatch('randomkey', []);
  },
  copy(source: RedisKey, destination: RedisKey, options?: CopyOptions) {
    const args: unknown[] = [source, destination];
    if (options?.db !== undefined) args.push('DB', options.db);
    if (options?.replace) args.push('REPLACE');
    return this.dispatch('copy', args, toBoolean);
  },
  move(key: RedisKey, db: number) {
    return this.dispatch('move', [key, db], toBoolean);
  },
  dump(key: RedisKey) {
    return this.dispatch('dump', [key]);
  },
  restore(key: RedisKey, ttl: number, serialized: RedisValue, options?: RestoreOptions) {
    const args: unknown[] = [key, ttl, serialized];
    if (options?.replace) args.push('REPLACE');
    if (options?.absttl) args.push('ABSTTL');
    if (options?.idletime !== undefined) args.push('IDLETIME', options.idletime);
    if (options?.freq !== undefined) args.push('FREQ', options.freq);
    return this.dispatch('restore', args);
  },
  objectEncoding(key: RedisKey) {
    return this.dispatch('object', ['ENCODING', key], toTextOrNull);
  },
  objectIdletime(key: RedisKey) {
    return this.dispatch('object', ['IDLETIME', key], toNumberOrNullReply);
  },
  objectFreq(key: RedisKey) {
    return this.dispatch('object', ['FREQ', key], toNumberOrNullReply);
  },
  objectRefcount(key: RedisKey) {
    return this.dispatch('object', ['REFCOUNT', key], toNumberOrNullReply);
  },
  sort(key: RedisKey, options?: SortOptions) {
    return this.dispatch('sort', sortArgs(key, options));
  },
  sortStore(key: RedisKey, destination: RedisKey, options?: SortOptions) {
    const args = sortArgs(key, options);
    args.push('STORE', destination);
    return this.dispatch('sort', args);
  },
  sortRo(key: RedisKey, options?: SortOptions) {
    return this.dispatch('sort_ro', sortArgs(key, options));
  },
  scan(cursor: string | number, options?: KeyScanOptions) {
    return this.dispatch('scan', scanArgs([cursor], options), toKeyPage);
  },
  wait(numReplicas: number, timeout: number) {
    return this.dispatch('wait', [numReplicas, timeout]);
  },
  waitaof(numLocal: number, numReplicas: number, timeout: number) {
    return this.dispatch('waitaof', [numLocal, numReplicas, timeout], toNumberArray);
  },
};
