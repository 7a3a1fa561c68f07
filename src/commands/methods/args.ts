/** Small builders of wire arguments shared by the command declarations. */
import type { RedisKey, ScanOptions, KeyScanOptions } from './types.js';

/** A plain object of fields (not bytes, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/**
 * `prefix` followed by field/value pairs given either as one object or as a
 * flat list (`hset(k, { a: 1 })` and `hset(k, 'a', 1)`).
 */
export function pairArgs(prefix: unknown[], rest: readonly unknown[]): unknown[] {
  const first = rest[0];
  if (rest.length === 1 && isRecord(first)) {
    for (const f of Object.keys(first)) prefix.push(f, first[f]);
    return prefix;
  }
  for (const v of rest) prefix.push(v);
  return prefix;
}

/** One key or several, as a list. */
export function keyList(keys: RedisKey | readonly RedisKey[]): RedisKey[] {
  return Array.isArray(keys) ? [...(keys as readonly RedisKey[])] : [keys as RedisKey];
}

/** `numkeys key…` (LMPOP, ZUNION, SINTERCARD …). */
export function countedKeys(keys: RedisKey | readonly RedisKey[]): unknown[] {
  const list = keyList(keys);
  return [list.length, ...list];
}

/** `[head…] numkeys key… which [COUNT n]` of LMPOP, BLMPOP, ZMPOP and BZMPOP (`which`: LEFT/RIGHT, MIN/MAX). */
export function mpopArgs(
  head: unknown[],
  keys: RedisKey | readonly RedisKey[],
  which: string,
  count: number | undefined,
): unknown[] {
  const args = [...head, ...countedKeys(keys), which];
  if (count !== undefined) args.push('COUNT', count);
  return args;
}

/** `numkeys key… [LIMIT n]` of SINTERCARD and ZINTERCARD. */
export function intercardArgs(keys: RedisKey | readonly RedisKey[], limit: number | undefined): unknown[] {
  const args = countedKeys(keys);
  if (limit !== undefined) args.push('LIMIT', limit);
  return args;
}

/** MATCH / COUNT / TYPE of the SCAN family, appended to `args`. */
export function scanArgs(args: unknown[], o: KeyScanOptions | ScanOptions | undefined): unknown[] {
  if (o === undefined) return args;
  if (o.match !== undefined) args.push('MATCH', o.match);
  if (o.count !== undefined) args.push('COUNT', o.count);
  if ('type' in o && o.type !== undefined) args.push('TYPE', o.type);
  return args;
}

/** `LIMIT offset count` when given. */
export function limitArgs(args: unknown[], limit: { offset: number; count: number } | undefined): unknown[] {
  if (limit !== undefined) args.push('LIMIT', limit.offset, limit.count);
  return args;
}

/** Keys given one by one, as arrays, or mixed (`del('a', 'b')`, `del(['a', 'b'])`). */
export type KeysArg = RedisKey | readonly RedisKey[];

/** Flattens {@link KeysArg} lists; the usual all-scalars case returns `keys` itself. */
export function flatKeys(keys: readonly KeysArg[]): RedisKey[] {
  let nested = false;
  for (const k of keys) if (Array.isArray(k)) nested = true;
  if (!nested) return keys as RedisKey[];
  const out: RedisKey[] = [];
  for (const k of keys) {
    if (Array.isArray(k)) for (const x of k as readonly RedisKey[]) out.push(x);
    else out.push(k as RedisKey);
  }
  return out;
}

/**
 * The variadic part of a method, spread (`rpush(key, 'a', 'b')`) or as one
 * array (`rpush(key, ['a', 'b'])`): an array is never spread into a call, so
 * a million elements are fine.
 */
export type Variadic<T> = T[] | [readonly T[]];

/**
 * `head` followed by the variadic part of `a` from index `from`: `a[from..]`,
 * or the items of `a[from]` when it is the only one and an array. Pushed one
 * by one (no spread into a call).
 */
export function restArgs(head: unknown[], a: readonly unknown[], from: number): unknown[] {
  const only = a.length === from + 1 ? a[from] : undefined;
  if (Array.isArray(only)) {
    for (let i = 0; i < only.length; i++) head.push(only[i]);
    return head;
  }
  for (let i = from; i < a.length; i++) head.push(a[i]);
  return head;
}
