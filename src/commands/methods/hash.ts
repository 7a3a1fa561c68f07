/** Hash commands, including field expiration (Redis 7.4+) and HGETDEL/HGETEX/HSETEX (Redis 8.0+). */
import { CommandSyntaxError } from '../../errors/index.js';
import { isRecord, pairArgs, scanArgs, restArgs, type Variadic } from './args.js';
import { scanPage, toBoolean, toFieldValues, toNumber, toNumberArray, toObject } from './transforms.js';
import type { ExpireMode, RedisKey, RedisValue, ScanOptions, ScanPage } from './types.js';
import { idempotentAll, noneOf, type Declarations, type RuleSet } from '../declare.js';

/** A field with its value (HRANDFIELD WITHVALUES, HSCAN). */
export interface FieldValue<S> {
  /** Field name. */
  field: S;
  /** Field value. */
  value: S;
}

/** Expiry of HGETEX: one of them. */
export interface HGetExOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time in seconds. */
  exat?: number;
  /** Expire at this Unix time in milliseconds. */
  pxat?: number;
  /** Remove the fields' expiry. */
  persist?: boolean;
}

/** Options of HSETEX: `fnx`/`fxx` and one expiry. */
export interface HSetExOptions {
  /** Only if none of the fields exist. */
  fnx?: boolean;
  /** Only if all the fields exist. */
  fxx?: boolean;
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time in seconds. */
  exat?: number;
  /** Expire at this Unix time in milliseconds. */
  pxat?: number;
  /** Keep the fields' current expiry. */
  keepttl?: boolean;
}

export interface HashCommands<S> {
  /** HSET key field value [field value …], or an object of fields. Returns the number of new fields. */
  hset(key: RedisKey, fields: Record<string, RedisValue>): number;
  hset(key: RedisKey, ...fieldValues: RedisValue[]): number;
  /** HSETNX: true when the field was set (it did not exist). */
  hsetnx(key: RedisKey, field: RedisValue, value: RedisValue): boolean;
  hget(key: RedisKey, field: RedisValue): S | null;
  hmget(key: RedisKey, ...fields: Variadic<RedisValue>): Array<S | null>;
  /** All fields as an object (under RESP2 and RESP3 alike). */
  hgetall(key: RedisKey): Record<string, S>;
  hdel(key: RedisKey, ...fields: Variadic<RedisValue>): number;
  hexists(key: RedisKey, field: RedisValue): boolean;
  hincrby(key: RedisKey, field: RedisValue, increment: number): number;
  hincrbyfloat(key: RedisKey, field: RedisValue, increment: number): number;
  hlen(key: RedisKey): number;
  hkeys(key: RedisKey): S[];
  hvals(key: RedisKey): S[];
  hstrlen(key: RedisKey, field: RedisValue): number;
  /** HRANDFIELD key: one random field, or null when the hash is empty. */
  hrandfield(key: RedisKey): S | null;
  /** HRANDFIELD key count: distinct fields when `count` > 0, possibly repeated when < 0. */
  hrandfieldCount(key: RedisKey, count: number): S[];
  /** HRANDFIELD key count WITHVALUES. */
  hrandfieldWithValues(key: RedisKey, count: number): Array<FieldValue<S>>;
  /** One HSCAN page; see `hscanIterator()` for every field. */
  hscan(key: RedisKey, cursor: string | number, options?: ScanOptions): ScanPage<FieldValue<S>>;
  /**
   * HEXPIRE (Redis 7.4+): per field, 2 = expired at once (time in the past), 1 = set,
   * 0 = `mode` refused, -2 = no such field.
   */
  hexpire(key: RedisKey, seconds: number, fields: readonly RedisValue[], mode?: ExpireMode): number[];
  hpexpire(key: RedisKey, milliseconds: number, fields: readonly RedisValue[], mode?: ExpireMode): number[];
  hexpireat(key: RedisKey, unixSeconds: number, fields: readonly RedisValue[], mode?: ExpireMode): number[];
  hpexpireat(
    key: RedisKey,
    unixMilliseconds: number,
    fields: readonly RedisValue[],
    mode?: ExpireMode,
  ): number[];
  /** HTTL (Redis 7.4+): seconds to live per field; -1 without expiry, -2 without field. */
  httl(key: RedisKey, fields: readonly RedisValue[]): number[];
  hpttl(key: RedisKey, fields: readonly RedisValue[]): number[];
  hexpiretime(key: RedisKey, fields: readonly RedisValue[]): number[];
  hpexpiretime(key: RedisKey, fields: readonly RedisValue[]): number[];
  /** HPERSIST (Redis 7.4+): per field, 1 = expiry removed, -1 = had none, -2 = no such field. */
  hpersist(key: RedisKey, fields: readonly RedisValue[]): number[];
  /** HGETDEL (Redis 8.0+): the values, then the fields are deleted. */
  hgetdel(key: RedisKey, fields: readonly RedisValue[]): Array<S | null>;
  /** HGETEX (Redis 8.0+): the values, setting or removing the fields' expiry. */
  hgetex(key: RedisKey, fields: readonly RedisValue[], options?: HGetExOptions): Array<S | null>;
  /** HSETEX (Redis 8.0+): true when the fields were set. */
  hsetex(key: RedisKey, fields: Record<string, RedisValue>, options?: HSetExOptions): boolean;
}

function fieldsArgs(args: unknown[], fields: readonly RedisValue[]): unknown[] {
  args.push('FIELDS', fields.length);
  for (const f of fields) args.push(f);
  return args;
}

function hexpireArgs(
  key: RedisKey,
  time: number,
  fields: readonly RedisValue[],
  mode: ExpireMode | undefined,
): unknown[] {
  return fieldsArgs(mode === undefined ? [key, time] : [key, time, mode], fields);
}

/** The one expiry option set, as wire arguments. */
function expiryArgs<O extends object>(
  command: string,
  options: O,
  names: ReadonlyArray<keyof O & string>,
  flags: readonly string[],
): unknown[] {
  const o = options as Record<string, unknown>;
  const set = names.filter((k) => o[k] !== undefined && o[k] !== false);
  if (set.length > 1)
    throw new CommandSyntaxError(`${command.toLowerCase()}() takes only one of ${names.join(', ')}`, {
      command,
      arguments: set,
    });
  const k = set[0];
  if (k === undefined) return [];
  return flags.includes(k) ? [k.toUpperCase()] : [k.toUpperCase(), o[k]];
}

const toFieldValuePage = scanPage(toFieldValues);

export const hashCommands = {
  hset: {
    command: 'hset',
    params: ['key', '...rest'],
    args: ([key, ...rest]: [RedisKey, ...unknown[]]) => pairArgs([key], rest),
  },
  hsetnx: {
    command: 'hsetnx',
    params: ['key', 'field', 'value'],
    args: ([key, field, value]: [RedisKey, RedisValue, RedisValue]) => [key, field, value],
    reply: toBoolean,
  },
  hget: {
    command: 'hget',
    cacheable: true,
    params: ['key', 'field'],
    args: ([key, field]: [RedisKey, RedisValue]) => [key, field],
  },
  hmget: {
    command: 'hmget',
    cacheable: true,
    params: ['key', '...fields'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  hgetall: {
    command: 'hgetall',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
    reply: toObject,
  },
  hdel: {
    command: 'hdel',
    params: ['key', '...fields'],
    args: (a: [RedisKey, ...Variadic<RedisValue>]) => restArgs([a[0]], a, 1),
  },
  hexists: {
    command: 'hexists',
    cacheable: true,
    params: ['key', 'field'],
    args: ([key, field]: [RedisKey, RedisValue]) => [key, field],
    reply: toBoolean,
  },
  hincrby: {
    command: 'hincrby',
    params: ['key', 'field', 'increment'],
    args: ([key, field, increment]: [RedisKey, RedisValue, number]) => [key, field, increment],
  },
  hincrbyfloat: {
    command: 'hincrbyfloat',
    params: ['key', 'field', 'increment'],
    args: ([key, field, increment]: [RedisKey, RedisValue, number]) => [key, field, increment],
    reply: toNumber,
  },
  hlen: {
    command: 'hlen',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  hkeys: {
    command: 'hkeys',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  hvals: {
    command: 'hvals',
    cacheable: true,
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  hstrlen: {
    command: 'hstrlen',
    cacheable: true,
    params: ['key', 'field'],
    args: ([key, field]: [RedisKey, RedisValue]) => [key, field],
  },
  hrandfield: {
    command: 'hrandfield',
    params: ['key'],
    args: ([key]: [RedisKey]) => [key],
  },
  hrandfieldCount: {
    command: 'hrandfield',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count],
  },
  hrandfieldWithValues: {
    command: 'hrandfield',
    params: ['key', 'count'],
    args: ([key, count]: [RedisKey, number]) => [key, count, 'WITHVALUES'],
    reply: toFieldValues,
  },
  hscan: {
    command: 'hscan',
    params: ['key', 'cursor', '{options}?'],
    args: ([key, cursor, options]: [RedisKey, string | number, ScanOptions?]) =>
      scanArgs([key, cursor], options),
    reply: toFieldValuePage,
  },
  hexpire: {
    command: 'hexpire',
    params: ['key', 'seconds', 'fields', 'mode?'],
    args: ([key, seconds, fields, mode]: [RedisKey, number, readonly RedisValue[], ExpireMode?]) =>
      hexpireArgs(key, seconds, fields, mode),
    reply: toNumberArray,
  },
  hpexpire: {
    command: 'hpexpire',
    params: ['key', 'milliseconds', 'fields', 'mode?'],
    args: ([key, milliseconds, fields, mode]: [RedisKey, number, readonly RedisValue[], ExpireMode?]) =>
      hexpireArgs(key, milliseconds, fields, mode),
    reply: toNumberArray,
  },
  hexpireat: {
    command: 'hexpireat',
    params: ['key', 'unixSeconds', 'fields', 'mode?'],
    args: ([key, unixSeconds, fields, mode]: [RedisKey, number, readonly RedisValue[], ExpireMode?]) =>
      hexpireArgs(key, unixSeconds, fields, mode),
    reply: toNumberArray,
  },
  hpexpireat: {
    command: 'hpexpireat',
    params: ['key', 'unixMilliseconds', 'fields', 'mode?'],
    args: ([key, unixMilliseconds, fields, mode]: [RedisKey, number, readonly RedisValue[], ExpireMode?]) =>
      hexpireArgs(key, unixMilliseconds, fields, mode),
    reply: toNumberArray,
  },
  httl: {
    command: 'httl',
    params: ['key', 'fields'],
    args: ([key, fields]: [RedisKey, readonly RedisValue[]]) => fieldsArgs([key], fields),
    reply: toNumberArray,
  },
  hpttl: {
    command: 'hpttl',
    params: ['key', 'fields'],
    args: ([key, fields]: [RedisKey, readonly RedisValue[]]) => fieldsArgs([key], fields),
    reply: toNumberArray,
  },
  hexpiretime: {
    command: 'hexpiretime',
    params: ['key', 'fields'],
    args: ([key, fields]: [RedisKey, readonly RedisValue[]]) => fieldsArgs([key], fields),
    reply: toNumberArray,
  },
  hpexpiretime: {
    command: 'hpexpiretime',
    params: ['key', 'fields'],
    args: ([key, fields]: [RedisKey, readonly RedisValue[]]) => fieldsArgs([key], fields),
    reply: toNumberArray,
  },
  hpersist: {
    command: 'hpersist',
    params: ['key', 'fields'],
    args: ([key, fields]: [RedisKey, readonly RedisValue[]]) => fieldsArgs([key], fields),
    reply: toNumberArray,
  },
  hgetdel: {
    command: 'hgetdel',
    params: ['key', 'fields'],
    args: ([key, fields]: [RedisKey, readonly RedisValue[]]) => fieldsArgs([key], fields),
  },
  hgetex: {
    command: 'hgetex',
    params: ['key', 'fields', '{options}?'],
    args: ([key, fields, options]: [RedisKey, readonly RedisValue[], HGetExOptions?]) => {
      const args: unknown[] = [key];
      if (options !== undefined)
        args.push(...expiryArgs('HGETEX', options, ['ex', 'px', 'exat', 'pxat', 'persist'], ['persist']));
      return fieldsArgs(args, fields);
    },
  },
  hsetex: {
    command: 'hsetex',
    params: ['key', 'fields', '{options}?'],
    args: ([key, fields, options]: [RedisKey, Record<string, RedisValue>, HSetExOptions?]) => {
      const args: unknown[] = [key];
      if (options?.fnx && options.fxx)
        throw new CommandSyntaxError('hsetex() takes only one of fnx, fxx', {
          command: 'HSETEX',
          arguments: ['fnx', 'fxx'],
        });
      if (options?.fnx) args.push('FNX');
      if (options?.fxx) args.push('FXX');
      if (options !== undefined)
        args.push(...expiryArgs('HSETEX', options, ['ex', 'px', 'exat', 'pxat', 'keepttl'], ['keepttl']));
      const names = isRecord(fields) ? Object.keys(fields) : [];
      args.push('FIELDS', names.length);
      for (const f of names) args.push(f, fields[f]);
      return args;
    },
    reply: toBoolean,
  },
} satisfies Declarations<HashCommands<unknown>>;

/** Field overwrites, deletes and expiry settings repeat harmlessly; HSETEX only without FNX/FXX. HINCRBY*, HSETNX, HGETDEL do not. */
export const hashRules: RuleSet = {
  ...idempotentAll([
    'hset',
    'hmset',
    'hdel',
    'hgetex',
    'hexpire',
    'hpexpire',
    'hexpireat',
    'hpexpireat',
    'hpersist',
  ]),
  hsetex: { idempotent: (a) => noneOf(a, 1, ['FNX', 'FXX']) },
};
