/** Bitmap commands. */
import { asArray, toInteger, toIntegerOrNull } from './transforms.js';
import type { RedisKey } from './types.js';
import { command, idempotentAll, type RuleSet, type Signatures } from '../declare.js';

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

function rangeArgs(args: unknown[], r: BitRange | undefined): unknown[] {
  if (r === undefined) return args;
  args.push(r.start);
  if (r.end !== undefined) {
    args.push(r.end);
    if (r.unit !== undefined) args.push(r.unit);
  }
  return args;
}

/**
 * The bitmap command declarations.
 * Each method's signature and TSDoc are written here once; {@link BitmapCommands} maps them.
 */
function declarations() {
  return {
    /** SETBIT: the bit's previous value. */
    setbit: command<(key: RedisKey, offset: number, value: 0 | 1) => number>({
      command: 'setbit',
      params: ['key', 'offset', 'value'],
      args: ([key, offset, value]) => [key, offset, value],
    }),
    getbit: command<(key: RedisKey, offset: number) => number>({
      command: 'getbit',
      params: ['key', 'offset'],
      args: ([key, offset]) => [key, offset],
    }),
    bitcount: command<(key: RedisKey, range?: BitRange) => number>({
      command: 'bitcount',
      params: ['key', 'range?'],
      args: ([key, range]) => rangeArgs([key], range),
    }),
    /** BITPOS: the first bit set to `bit`, or -1. */
    bitpos: command<(key: RedisKey, bit: 0 | 1, range?: BitRange) => number>({
      command: 'bitpos',
      params: ['key', 'bit', 'range?'],
      args: ([key, bit, range]) => rangeArgs([key, bit], range),
    }),
    /** BITOP: the size of the destination string. */
    bitop: command<
      (operation: 'AND' | 'OR' | 'XOR' | 'NOT', destination: RedisKey, ...keys: RedisKey[]) => number
    >({
      command: 'bitop',
      params: ['operation', 'destination', '...keys'],
      args: ([operation, destination, ...keys]) => [operation, destination, ...keys],
    }),
    /** BITFIELD: one reply per GET/SET/INCRBY (null when OVERFLOW FAIL stopped an INCRBY/SET). */
    bitfield: command<(key: RedisKey, operations: readonly BitfieldOperation[]) => Array<number | null>>({
      command: 'bitfield',
      params: ['key', 'operations'],
      args: ([key, operations]) => {
        const args: unknown[] = [key];
        for (const o of operations) {
          if (o.op === 'OVERFLOW') args.push('OVERFLOW', o.behavior);
          else if (o.op === 'GET') args.push('GET', o.type, o.offset);
          else if (o.op === 'SET') args.push('SET', o.type, o.offset, o.value);
          else args.push('INCRBY', o.type, o.offset, o.increment);
        }
        return args;
      },
      // i64 values beyond 2^53 stay exact decimal strings (as incr's and call()'s do), never rounded.
      reply: (v) => asArray(v).map(toIntegerOrNull),
    }),
    /** BITFIELD_RO: GET operations only, allowed on replicas. */
    bitfieldRo: command<
      (key: RedisKey, gets: ReadonlyArray<{ type: BitfieldType; offset: BitfieldOffset }>) => number[]
    >({
      command: 'bitfield_ro',
      params: ['key', 'gets'],
      args: ([key, gets]) => {
        const args: unknown[] = [key];
        for (const g of gets) args.push('GET', g.type, g.offset);
        return args;
      },
      reply: (v) => asArray(v).map(toInteger),
    }),
  };
}

export const bitmapCommands = declarations();

/** The bitmap command signatures, with plain reply types; clients wrap them in promises. */
export type BitmapCommands = Signatures<ReturnType<typeof declarations>>;

/** SETBIT overwrites one bit: repeating it is harmless. BITOP and BITFIELD are not listed (a destination may be a source; INCRBY). */
export const bitmapRules: RuleSet = idempotentAll(['setbit']);
