/** Hash commands, including field expiration (Redis 7.4+) and HGETDEL/HGETEX/HSETEX (Redis 8.0+). */
import { CommandSyntaxError } from '../../errors/index.js';
import { isRecord, pairArgs, scanArgs } from './args.js';
import { scanPage, toBoolean, toFieldValues, toNumber, toNumberArray, toObject } from './transforms.js';
import type { ExpireMode, Implementation, RedisKey, RedisValue, ScanOptions, ScanPage } from './types.js';

/** A field with its value (HRANDFIELD WITHVALUES, HSCAN). */
export interface FieldValue<S> {
  field: S;
  value: S;
}

/** Expiry of HGETEX: one of them. */
export interface HGetExOptions {
  ex?: number;
  px?: number;
  exat?: number;
  pxat?: number;
  persist?: boolean;
}

/** Options of HSETEX: `fnx`/`fxx` and one expiry. */
export interface HSetExOptions {
  /** Only if none of the fields exist. */
  fnx?: boolean;
  /** Only if all the fields exist. */
  fxx?: boolean;
  ex?: number;
  px?: number;
  exat?: number;
  pxat?: number;
  keepttl?: boolean;
}

export interface HashCommands<S> {
  /** HSET key field value [field value …], or an object of fields. Returns the number of new fields. */
  hset(key: RedisKey, fields: Record<string, RedisValue>): number;
  hset(key: RedisKey, ...fieldValues: RedisValue[]): number;
  /** HSETNX: true when the field was set (it did not exist). */
  hsetnx(key: RedisKey, field: RedisValue, value: RedisValue): boolean;
  hget(key: RedisKey, field: RedisValue): S | null;
  hmget(key: RedisKey, ...fields: RedisValue[]): Array<S | null>;
  /** All fields as an object (under RESP2 and RESP3 alike). */
  hgetall(key: RedisKey): Record<string, S>;
  hdel(key: RedisKey, ...fields: RedisValue[]): number;
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

export const hashCommands: Implementation<HashCommands<unknown>> = {
  hset(key: RedisKey, ...rest: unknown[]) {
    return this.dispatch('hset', pairArgs([key], rest));
  },
  hsetnx(key: RedisKey, field: RedisValue, value: RedisValue) {
    return this.dispatch('hsetnx', [key, field, value], toBoolean);
  },
  hget(key: RedisKey, field: RedisValue) {
    return this.dispatch('hget', [key, field]);
  },
  hmget(key: RedisKey, ...fields: RedisValue[]) {
    return this.dispatch('hmget', [key, ...fields]);
  },
  hgetall(key: RedisKey) {
    return this.dispatch('hgetall', [key], toObject);
  },
  hdel(key: RedisKey, ...fields: RedisValue[]) {
    return this.dispatch('hdel', [key, ...fields]);
  },
  hexists(key: RedisKey, field: RedisValue) {
    return this.dispatch('hexists', [key, field], toBoolean);
  },
  hincrby(key: RedisKey, field: RedisValue, increment: number) {
    return this.dispatch('hincrby', [key, field, increment]);
  },
  hincrbyfloat(key: RedisKey, field: RedisValue, increment: number) {
    return this.dispatch('hincrbyfloat', [key, field, increment], toNumber);
  },
  hlen(key: RedisKey) {
    return this.dispatch('hlen', [key]);
  },
  hkeys(key: RedisKey) {
    return this.dispatch('hkeys', [key]);
  },
  hvals(key: RedisKey) {
    return this.dispatch('hvals', [key]);
  },
  hstrlen(key: RedisKey, field: RedisValue) {
    return this.dispatch('hstrlen', [key, field]);
  },
  hrandfield(key: RedisKey) {
    return this.dispatch('hrandfield', [key]);
  },
  hrandfieldCount(key: RedisKey, count: number) {
    return this.dispatch('hrandfield', [key, count]);
  },
  hrandfieldWithValues(key: RedisKey, count: number) {
    return this.dispatch('hrandfield', [key, count, 'WITHVALUES'], toFieldValues);
  },
  hscan(key: RedisKey, cursor: string | number, options?: ScanOptions) {
    return this.dispatch('hscan', scanArgs([key, cursor], options), toFieldValuePage);
  },
  hexpire(key: RedisKey, seconds: number, fields: readonly RedisValue[], mode?: ExpireMode) {
    return this.dispatch('hexpire', hexpireArgs(key, seconds, fields, mode), toNumberArray);
  },
  hpexpire(key: RedisKey, milliseconds: number, fields: readonly RedisValue[], mode?: ExpireMode) {
    return this.dispatch('hpexpire', hexpireArgs(key, milliseconds, fields, mode), toNumberArray);
  },
  hexpireat(key: RedisKey, unixSeconds: number, fields: readonly RedisValue[], mode?: ExpireMode) {
    return this.dispatch('hexpireat', hexpireArgs(key, unixSeconds, fields, mode), toNumberArray);
  },
  hpexpireat(key: RedisKey, unixMilliseconds: number, fields: readonly RedisValue[], mode?: ExpireMode) {
    return this.dispatch('hpexpireat', hexpireArgs(key, unixMilliseconds, fields, mode), toNumberArray);
  },
  httl(key: RedisKey, fields: readonly RedisValue[]) {
    return this.dispatch('httl', fieldsArgs([key], fields), toNumberArray);
  },
  hpttl(key: RedisKey, fields: readonly RedisValue[]) {
    return this.dispatch('hpttl', fieldsArgs([key], fields), toNumberArray);
  },
  hexpiretime(key: RedisKey, fields: readonly RedisValue[]) {
    return this.dispatch('hexpiretime', fieldsArgs([key], fields), toNumberArray);
  },
  hpexpiretime(key: RedisKey, fields: readonly RedisValue[]) {
    return this.dispatch('hpexpiretime', fieldsArgs([key], fields), toNumberArray);
  },
  hpersist(key: RedisKey, fields: readonly RedisValue[]) {
    return this.dispatch('hpersist', fieldsArgs([key], fields), toNumberArray);
  },
  hgetdel(key: RedisKey, fields: readonly RedisValue[]) {
    return this.dispatch('hgetdel', fieldsArgs([key], fields));
  },
  hgetex(key: RedisKey, fields: readonly RedisValue[], options?: HGetExOptions) {
    const args: unknown[] = [key];
    if (options !== undefined)
      args.push(...expiryArgs('HGETEX', options, ['ex', 'px', 'exat', 'pxat', 'persist'], ['persist']));
    return this.dispatch('hgetex', fieldsArgs(args, fields));
  },
  hsetex(key: RedisKey, fields: Record<string, RedisValue>, options?: HSetExOptions) {
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
    return this.dispatch('hsetex', args, toBoolean);
  },
};
