/** Bitmap commands. */
import { toNumberArray, toNumberOrNullArray } from './transforms.js';
import type { RedisKey } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

/** A BITFIELD integer type: `i1`…`i64` signed, `u1`…`u63` unsigned. */
export type BitfieldType = `${'i' | 'u'}${number}`;
/** A bit offset, or `#n` for the n-th integer of the type's width. */
export type BitfieldOffset = number | `#${number}`;

/** One BITFIELD operation, in order. OVERFLOW applies to the SET/INCRBY after it. */
export type BitfieldOperation =
  | {
      /** GET type offset: read an integer. */
      op: 'GET';
      /** Signed (`i`) or unsigned (`u`) and its width in bits (`u8`, `i16` …). */
      type: BitfieldType;
      /** Bit offset, or `#n` for the n-th integer of this type. */
      offset: BitfieldOffset;
    }
  | {
      /** SET type offset value: write an integer; its reply is the old value. */
      op: 'SET';
      /** Signed (`i`) or unsigned (`u`) and its width in bits. */
      type: BitfieldType;
      /** Bit offset, or `#n` for the n-th integer of this type. */
      offset: BitfieldOffset;
      /** The value to write. */
      value: number;
    }
  | {
      /** INCRBY type offset increment: add to an integer; its reply is the new value. */
      op: 'INCRBY';
      /** Signed (`i`) or unsigned (`u`) and its width in bits. */
      type: BitfieldType;
      /** Bit offset, or `#n` for the n-th integer of this type. */
      offset: BitfieldOffset;
      /** The amount to add (negative to subtract). */
      increment: number;
    }
  | {
      /** OVERFLOW: how the SET / INCRBY operations after it handle overflow. */
      op: 'OVERFLOW';
      /** Wrap around (default), saturate at the bounds, or fail (the reply is then null). */
      behavior: 'WRAP' | 'SAT' | 'FAIL';
    };

/** BITCOUNT / BITPOS range: bytes by default, bits with `unit: 'BIT'` (Redis 7.0+). */
export interface BitRange {
  /** First index (negative counts from the end). */
  start: number;
  /** Last index, inclusive. */
  end?: number;
  /** Whether `start`/`end` count bytes (default) or bits (Redis 7.0+). */
  unit?: 'BYTE' | 'BIT';
}

export interface BitmapCommands {
  /** SETBIT: the bit's previous value. */
  setbit(key: RedisKey, offset: number, value: 0 | 1): number;
  getbit(key: RedisKey, offset: number): number;
  bitcount(key: RedisKey, range?: BitRange): number;
  /** BITPOS: the first bit set to `bit`, or -1. */
  bitpos(key: RedisKey, bit: 0 | 1, range?: BitRange): number;
  /** BITOP: the size of the destination string. */
  bitop(operation: 'AND' | 'OR' | 'XOR' | 'NOT', destination: RedisKey, ...keys: RedisKey[]): number;
  /** BITFIELD: one reply per GET/SET/INCRBY (null when OVERFLOW FAIL stopped an INCRBY/SET). */
  bitfield(key: RedisKey, operations: readonly BitfieldOperation[]): Array<number | null>;
  /** BITFIELD_RO: GET operations only, allowed on replicas. */
  bitfieldRo(key: RedisKey, gets: ReadonlyArray<{ type: BitfieldType; offset: BitfieldOffset }>): number[];
}

function rangeArgs(args: unknown[], r: BitRange | undefined): unknown[] {
  if (r === undefined) return args;
  args.push(r.start);
  if (r.end !== undefined) {
    args.push(r.end);
    if (r.unit !== undefined) args.push(r.unit);
  }
  return args;
}

export const bitmapCommands = {
  setbit: {
    command: 'setbit',
    params: ['key', 'offset', 'value'],
    args: ([key, offset, value]: [RedisKey, number, 0 | 1]) => [key, offset, value],
  },
  getbit: {
    command: 'getbit',
    params: ['key', 'offset'],
    args: ([key, offset]: [RedisKey, number]) => [key, offset],
  },
  bitcount: {
    command: 'bitcount',
    params: ['key', 'range?'],
    args: ([key, range]: [RedisKey, BitRange?]) => rangeArgs([key], range),
  },
  bitpos: {
    command: 'bitpos',
    params: ['key', 'bit', 'range?'],
    args: ([key, bit, range]: [RedisKey, 0 | 1, BitRange?]) => rangeArgs([key, bit], range),
  },
  bitop: {
    command: 'bitop',
    params: ['operation', 'destination', '...keys'],
    args: ([operation, destination, ...keys]: ['AND' | 'OR' | 'XOR' | 'NOT', RedisKey, ...RedisKey[]]) => [
      operation,
      destination,
      ...keys,
    ],
  },
  bitfield: {
    command: 'bitfield',
    params: ['key', 'operations'],
    args: ([key, operations]: [RedisKey, readonly BitfieldOperation[]]) => {
      const args: unknown[] = [key];
      for (const o of operations) {
        if (o.op === 'OVERFLOW') args.push('OVERFLOW', o.behavior);
        else if (o.op === 'GET') args.push('GET', o.type, o.offset);
        else if (o.op === 'SET') args.push('SET', o.type, o.offset, o.value);
        else args.push('INCRBY', o.type, o.offset, o.increment);
      }
      return args;
    },
    reply: toNumberOrNullArray,
  },
  bitfieldRo: {
    command: 'bitfield_ro',
    params: ['key', 'gets'],
    args: ([key, gets]: [RedisKey, ReadonlyArray<{ type: BitfieldType; offset: BitfieldOffset }>]) => {
      const args: unknown[] = [key];
      for (const g of gets) args.push('GET', g.type, g.offset);
      return args;
    },
    reply: toNumberArray,
  },
} satisfies Declarations<BitmapCommands>;

/** SETBIT overwrites one bit: repeating it is harmless. BITOP and BITFIELD are not listed (a destination may be a source; INCRBY). */
export const bitmapRules: RuleSet = idempotentAll(['setbit']);
