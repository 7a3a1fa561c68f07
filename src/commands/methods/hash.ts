/** Hash commands, including field expiration (Redis 7.4+) and HGETDEL/HGETEX/HSETEX (Redis 8.0+). */
import { CommandSyntaxError } from '../../errors/index.js';
import { isRecord, pairArgs, scanArgs, restArgs, type Variadic } from './args.js';
import { toPage, toBoolean, toFieldValues, toNumber, toNumberArray, toObject } from './transforms.js';
import type { ExpireMode, RedisKey, RedisValue, ScanOptions, ScanPage } from './types.js';
import type { GetExOptions, SetExpiry } from './string.js';
import { command, idempotentAll, noneOf, optionNames, type RuleSet, type Signatures } from '../declare.js';

/** A field with its value (HRANDFIELD WITHVALUES, HSCAN). */
export interface FieldValue<S> {
  /** Field name. */
  field: S;
  /** Field value. */
  value: S;
}

/**
 * Expiry of HGETEX, as GETEX's: one of `ex`, `px`, `exat`, `pxat` or `persist`
 * (remove the fields' expiry), or none. Two at once are a compile error (and a
 * CommandSyntaxError for plain-JavaScript callers).
 */
export type HGetExOptions = GetExOptions;

/** `fnx` (only if none of the fields exist) or `fxx` (only if all exist), not both. */
export type HSetExCondition =
  | {
      /** FNX: only if none of the fields exist. */
      fnx?: boolean;
      /** Not with `fnx`. */
      fxx?: false;
    }
  | {
      /** Not with `fxx`. */
      fnx?: false;
      /** FXX: only if all the fields exist. */
      fxx?: boolean;
    };

/**
 * Options of HSETEX: one expiry as SET's (`ex`, `px`, `exat`, `pxat` or
 * `keepttl`: keep the fields' current expiry) and one condition. Two of a kind
 * are a compile error (and a CommandSyntaxError for plain-JavaScript callers).
 */
export type HSetExOptions = SetExpiry & HSetExCondition;

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

/**
 * The hash command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link HashCommands} maps them.
 */
function declarations<S>() {
  return {
    /** HSET key field value [field value …], or an object of fields. Returns the number of new fields. */
    hset: command<{
      (key: RedisKey, fields: Record<string, RedisValue>): number;
      (key: RedisKey, ...fieldValues: RedisValue[]): number;
    }>({
      command: 'hset',
      params: ['key', '...rest'],
      args: ([key, ...rest]) => pairArgs([key], rest),
    }),
    /** HSETNX: true when the field was set (it did not exist). */
    hsetnx: command<(key: RedisKey, field: RedisValue, value: RedisValue) => boolean>({
      command: 'hsetnx',
      params: ['key', 'field', 'value'],
      args: ([key, field, value]) => [key, field, value],
      reply: toBoolean,
    }),
    hget: command<(key: RedisKey, field: RedisValue) => S | null>({
      command: 'hget',
      cacheable: true,
      params: ['key', 'field'],
      args: ([key, field]) => [key, field],
    }),
    hmget: command<(key: RedisKey, ...fields: Variadic<RedisValue>) => Array<S | null>>({
      command: 'hmget',
      cacheable: true,
      params: ['key', '...fields'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    /** All fields as an object (under RESP2 and RESP3 alike). */
    hgetall: command<(key: RedisKey) => Record<string, S>>({
      command: 'hgetall',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
      reply: toObject,
    }),
    hdel: command<(key: RedisKey, ...fields: Variadic<RedisValue>) => number>({
      command: 'hdel',
      params: ['key', '...fields'],
      args: (a) => restArgs([a[0]], a, 1),
    }),
    hexists: command<(key: RedisKey, field: RedisValue) => boolean>({
      command: 'hexists',
      cacheable: true,
      params: ['key', 'field'],
      args: ([key, field]) => [key, field],
      reply: toBoolean,
    }),
    hincrby: command<(key: RedisKey, field: RedisValue, increment: number) => number>({
      command: 'hincrby',
      params: ['key', 'field', 'increment'],
      args: ([key, field, increment]) => [key, field, increment],
    }),
    hincrbyfloat: command<(key: RedisKey, field: RedisValue, increment: number) => number>({
      command: 'hincrbyfloat',
      params: ['key', 'field', 'increment'],
      args: ([key, field, increment]) => [key, field, increment],
      reply: toNumber,
    }),
    hlen: command<(key: RedisKey) => number>({
      command: 'hlen',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    hkeys: command<(key: RedisKey) => S[]>({
      command: 'hkeys',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    hvals: command<(key: RedisKey) => S[]>({
      command: 'hvals',
      cacheable: true,
      params: ['key'],
      args: ([key]) => [key],
    }),
    hstrlen: command<(key: RedisKey, field: RedisValue) => number>({
      command: 'hstrlen',
      cacheable: true,
      params: ['key', 'field'],
      args: ([key, field]) => [key, field],
    }),
    /** HRANDFIELD key: one random field, or null when the hash is empty. */
    hrandfield: command<(key: RedisKey) => S | null>({
      command: 'hrandfield',
      params: ['key'],
      args: ([key]) => [key],
    }),
    /** HRANDFIELD key count: distinct fields when `count` > 0, possibly repeated when < 0. */
    hrandfieldCount: command<(key: RedisKey, count: number) => S[]>({
      command: 'hrandfield',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count],
    }),
    /** HRANDFIELD key count WITHVALUES. */
    hrandfieldWithValues: command<(key: RedisKey, count: number) => Array<FieldValue<S>>>({
      command: 'hrandfield',
      params: ['key', 'count'],
      args: ([key, count]) => [key, count, 'WITHVALUES'],
      reply: toFieldValues,
    }),
    /** One HSCAN page; see `hscanIterator()` for every field. */
    hscan: command<
      (key: RedisKey, cursor: string | number, options?: ScanOptions) => ScanPage<FieldValue<S>>
    >({
      command: 'hscan',
      params: ['key', 'cursor', '{options}?'],
      options: optionNames<ScanOptions>()(['match', 'count']),
      args: ([key, cursor, options]) => scanArgs([key, cursor], options),
      reply: (v) => toPage(v, toFieldValues<S>),
    }),
    /**
     * HEXPIRE (Redis 7.4+): per field, 2 = expired at once (time in the past), 1 = set,
     * 0 = `mode` refused, -2 = no such field.
     */
    hexpire: command<
      (key: RedisKey, seconds: number, fields: readonly RedisValue[], mode?: ExpireMode) => number[]
    >({
      command: 'hexpire',
      params: ['key', 'seconds', 'fields', 'mode?'],
      args: ([key, seconds, fields, mode]) => hexpireArgs(key, seconds, fields, mode),
      reply: toNumberArray,
    }),
    hpexpire: command<
      (key: RedisKey, milliseconds: number, fields: readonly RedisValue[], mode?: ExpireMode) => number[]
    >({
      command: 'hpexpire',
      params: ['key', 'milliseconds', 'fields', 'mode?'],
      args: ([key, milliseconds, fields, mode]) => hexpireArgs(key, milliseconds, fields, mode),
      reply: toNumberArray,
    }),
    hexpireat: command<
      (key: RedisKey, unixSeconds: number, fields: readonly RedisValue[], mode?: ExpireMode) => number[]
    >({
      command: 'hexpireat',
      params: ['key', 'unixSeconds', 'fields', 'mode?'],
      args: ([key, unixSeconds, fields, mode]) => hexpireArgs(key, unixSeconds, fields, mode),
      reply: toNumberArray,
    }),
    hpexpireat: command<
      (key: RedisKey, unixMilliseconds: number, fields: readonly RedisValue[], mode?: ExpireMode) => number[]
    >({
      command: 'hpexpireat',
      params: ['key', 'unixMilliseconds', 'fields', 'mode?'],
      args: ([key, unixMilliseconds, fields, mode]) => hexpireArgs(key, unixMilliseconds, fields, mode),
      reply: toNumberArray,
    }),
    /** HTTL (Redis 7.4+): seconds to live per field; -1 without expiry, -2 without field. */
    httl: command<(key: RedisKey, fields: readonly RedisValue[]) => number[]>({
      command: 'httl',
      params: ['key', 'fields'],
      args: ([key, fields]) => fieldsArgs([key], fields),
      reply: toNumberArray,
    }),
    hpttl: command<(key: RedisKey, fields: readonly RedisValue[]) => number[]>({
      command: 'hpttl',
      params: ['key', 'fields'],
      args: ([key, fields]) => fieldsArgs([key], fields),
      reply: toNumberArray,
    }),
    hexpiretime: command<(key: RedisKey, fields: readonly RedisValue[]) => number[]>({
      command: 'hexpiretime',
      params: ['key', 'fields'],
      args: ([key, fields]) => fieldsArgs([key], fields),
      reply: toNumberArray,
    }),
    hpexpiretime: command<(key: RedisKey, fields: readonly RedisValue[]) => number[]>({
      command: 'hpexpiretime',
      params: ['key', 'fields'],
      args: ([key, fields]) => fieldsArgs([key], fields),
      reply: toNumberArray,
    }),
    /** HPERSIST (Redis 7.4+): per field, 1 = expiry removed, -1 = had none, -2 = no such field. */
    hpersist: command<(key: RedisKey, fields: readonly RedisValue[]) => number[]>({
      command: 'hpersist',
      params: ['key', 'fields'],
      args: ([key, fields]) => fieldsArgs([key], fields),
      reply: toNumberArray,
    }),
    /** HGETDEL (Redis 8.0+): the values, then the fields are deleted. */
    hgetdel: command<(key: RedisKey, fields: readonly RedisValue[]) => Array<S | null>>({
      command: 'hgetdel',
      params: ['key', 'fields'],
      args: ([key, fields]) => fieldsArgs([key], fields),
    }),
    /** HGETEX (Redis 8.0+): the values, setting or removing the fields' expiry. */
    hgetex: command<
      (key: RedisKey, fields: readonly RedisValue[], options?: HGetExOptions) => Array<S | null>
    >({
      command: 'hgetex',
      params: ['key', 'fields', '{options}?'],
      options: optionNames<HGetExOptions>()(['ex', 'px', 'exat', 'pxat', 'persist']),
      args: ([key, fields, options]) => {
        const args: unknown[] = [key];
        if (options !== undefined)
          args.push(...expiryArgs('HGETEX', options, ['ex', 'px', 'exat', 'pxat', 'persist'], ['persist']));
        return fieldsArgs(args, fields);
      },
    }),
    /** HSETEX (Redis 8.0+): true when the fields were set. */
    hsetex: command<(key: RedisKey, fields: Record<string, RedisValue>, options?: HSetExOptions) => boolean>({
      command: 'hsetex',
      params: ['key', 'fields', '{options}?'],
      options: optionNames<HSetExOptions>()(['ex', 'px', 'exat', 'pxat', 'keepttl', 'fnx', 'fxx']),
      args: ([key, fields, options]) => {
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
    }),
  };
}

export const hashCommands = declarations();

/** The hash command signatures, with plain reply types; clients wrap them in promises. */
export type HashCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

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
