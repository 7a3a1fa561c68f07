/**
 * Reply shapers shared by command declarations. Each accepts both RESP2 and RESP3
 * shapes (and Buffer/Uint8Array strings under withBuffers()), so typed replies
 * do not depend on the protocol.
 */
import { DataError } from '../../errors/index.js';

const decoder = new TextDecoder();

function text(v: Uint8Array): string {
  return decoder.decode(v);
}

/** Number from an integer, a double, or a string/bytes such as '1.5', 'inf'. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = typeof v === 'string' ? v : v instanceof Uint8Array ? text(v) : undefined;
  if (s === undefined) throw new DataError('expected a number in the reply');
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan') return NaN;
  const n = Number(s);
  if (Number.isNaN(n)) throw new DataError('expected a number in the reply');
  return n;
}

export function toNumberOrNull(v: unknown): number | null {
  return v === null ? null : toNumber(v);
}

/** 'OK' -> true (commands whose only success reply is OK). */
export function toOk(v: unknown): 'OK' {
  return v as 'OK';
}

export function toBoolean(v: unknown): boolean {
  return v === 1 || v === true;
}

/** Field/value pairs as an object: a RESP3 map already is one, a RESP2 flat array is folded. */
export function toObject<V>(v: unknown): Record<string, V> {
  if (Array.isArray(v)) {
    const out: Record<string, V> = Object.create(null) as Record<string, V>;
    for (let i = 0; i + 1 < v.length; i += 2) {
      const k = v[i] as unknown;
      out[typeof k === 'string' ? k : k instanceof Uint8Array ? text(k) : String(k)] = v[i + 1] as V;
    }
    return out;
  }
  if (v !== null && typeof v === 'object') return v as Record<string, V>;
  throw new DataError('expected a map in the reply');
}

/** Member/score pairs: RESP2 flat [m, s, m, s], RESP3 [[m, s], …]. */
export function toScoredMembers<M>(v: unknown): Array<{ member: M; score: number }> {
  if (!Array.isArray(v)) throw new DataError('expected an array in the reply');
  const out: Array<{ member: M; score: number }> = [];
  if (v.length > 0 && Array.isArray(v[0])) {
    for (const pair of v as unknown[][]) out.push({ member: pair[0] as M, score: toNumber(pair[1]) });
  } else {
    for (let i = 0; i + 1 < v.length; i += 2) out.push({ member: v[i] as M, score: toNumber(v[i + 1]) });
  }
  return out;
}

/** Array of numbers-or-null (e.g. ZMSCORE). */
export function toNumberOrNullArray(v: unknown): Array<number | null> {
  if (!Array.isArray(v)) throw new DataError('expected an array in the reply');
  return v.map(toNumberOrNull);
}
