/**
 * The pieces every typed command declaration is made of. A declaration turns
 * typed arguments into the wire arguments and names the transform that shapes
 * the reply the same way under RESP2 and RESP3. The same declarations serve the
 * client (which returns promises), pipelines and transactions (which chain).
 */

/** A key or value as accepted on the wire. Buffers are Uint8Arrays. */
export type RedisKey = string | number | Uint8Array;
/** What a value may be: strings are sent as UTF-8, numbers as their decimal text, bytes as they are. */
export type RedisValue = string | number | Uint8Array;
/** Any argument of a command sent as written (`call()`, the untyped command methods). */
export type RedisArg = string | number | bigint | Uint8Array;

/** Turns a protocol value into a typed reply. */
export type Transform<T> = (reply: unknown) => T;

/**
 * What typed commands run on. `dispatch` returns a promise on clients and the
 * chain itself on pipelines; declarations only pass its result through.
 */
export interface Dispatcher {
  dispatch(name: string, args: unknown[], transform?: Transform<unknown>): unknown;
}

/** A member with its score (sorted sets). */
export interface ScoredMember<S> {
  /** The member. */
  member: S;
  /** Its score (a number, also under RESP2). */
  score: number;
}

/** One page of a SCAN-family command. The cursor is a decimal string (it may exceed 2^53). */
export interface ScanPage<T> {
  /** The cursor for the next call; `'0'` when the scan is complete. */
  cursor: string;
  /** The items of this page (may be empty while the scan goes on). */
  items: T[];
}

/** MATCH and COUNT of the SCAN family. */
export interface ScanOptions {
  /** Glob-style pattern on key, field or member names. */
  match?: string;
  /** A hint for how much work one call does (server default 10). */
  count?: number;
}

/** SCAN's options: also TYPE. */
export interface KeyScanOptions extends ScanOptions {
  /** Only keys of this type (`'string'`, `'hash'`, `'zset'`, …). */
  type?: string;
}

/** Keys and arguments of a script or function call (EVAL, EVALSHA, FCALL). */
export interface ScriptCall {
  /** Key names (KEYS in Lua); they decide the node in a cluster. */
  keys?: readonly RedisKey[];
  /** Other arguments (ARGV in Lua). */
  args?: readonly RedisValue[];
}

/** Expiry condition of EXPIRE-like commands (Redis 7.0+). */
export type ExpireMode = 'NX' | 'XX' | 'GT' | 'LT';

/** Which end of a list. */
export type ListEnd = 'LEFT' | 'RIGHT';
