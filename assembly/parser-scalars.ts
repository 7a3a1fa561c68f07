// Pure readers for RESP scalars and headers: lengths, integers, doubles, big numbers, and the
// CRLF / ASCII checks. They read bytes and return results; the parser owns all state.

import {
  CR,
  DOT,
  E_BAD_DOUBLE,
  E_BAD_INTEGER,
  E_BAD_LENGTH,
  E_STREAMED,
  LF,
  LOWER_A,
  LOWER_E,
  LOWER_F,
  LOWER_I,
  LOWER_N,
  MINUS,
  ONE,
  PLUS,
  POW10,
  QMARK,
  TWO_POW_53,
  T_DOUBLE_TEXT,
  T_INT,
  T_INT_TEXT,
  T_NUM,
  T_STR,
  UPPER_E,
  ZERO,
} from "./parser-defs";

/** Value of the last readInteger() that returned T_INT. */
export let scalarInt: i32 = 0;
/** Value of the last readInteger()/readDouble() that returned T_NUM. */
export let scalarNum: f64 = 0;

/**
 * How many of the 8 bytes in `w` (little-endian, first byte lowest) are ASCII digits before
 * the first non-digit: 0..8. SWAR: a byte is a digit when b - '0' <= 9.
 */
// @ts-ignore: decorator
@inline export function digitRun(w: u64): u32 {
  const t = w - 0x3030303030303030;
  const bad = (t | (t + 0x7676767676767676)) & 0x8080808080808080; // high bit: not a digit
  return <u32>ctz(bad) >> 3; // 64 >> 3 = 8 when all eight are digits
}

/** The value of the first `n` (1..8) ASCII digits in `w`, in three multiply steps. */
// @ts-ignore: decorator
@inline export function digitsValue(w: u64, n: u32): u64 {
  return digitsValueShifted(w, (8 - <u64>n) << 3);
}

/** digitsValue with the shift precomputed: `sh` = (8 - n) * 8. */
// @ts-ignore: decorator
@inline export function digitsValueShifted(w: u64, sh: u64): u64 {
  let v = (w & 0x0f0f0f0f0f0f0f0f) << sh; // left-pad with zero digits
  v = (v * 2561) >> 8; // 10 * a + b per byte pair
  v = ((v & 0x00ff00ff00ff00ff) * 6553601) >> 16; // 100 * ab + cd
  return ((v & 0x0000ffff0000ffff) * 42949672960001) >> 32; // 10000 * abcd + efgh
}

// @ts-ignore: decorator
@inline export function crlfAt(ptr: usize): bool {
  return <u32>load<u16>(ptr) == (CR | (LF << 8));
}

/**
 * The `c` field of a T_STR record: 1..4 bytes of 0x01..0x7f packed little-endian (> 0, the host
 * builds the string without reading memory); -1 for other ASCII text (the host can use
 * one-byte string paths); 0 when some byte is >= 0x80 (UTF-8 decoding needed).
 */
// @ts-ignore: decorator
@inline export function packShort(ptr: usize, n: u32): i32 {
  if (n - 1 < 4) {
    let k: u32 = 0;
    let ok = true;
    for (let i: u32 = 0; i < n; i++) {
      const c = <u32>load<u8>(ptr + i);
      if (c - 1 >= 0x7f) ok = false;
      k |= c << (i << 3);
    }
    if (ok) return <i32>k;
    return (k & 0x80808080) == 0 ? -1 : 0;
  }
  // eight bytes at a time, the last eight overlapping: any high bit means non-ASCII
  let acc: u64 = 0;
  if (n >= 8) {
    const last = ptr + <usize>n - 8;
    for (let q = ptr; q < last; q += 8) acc |= load<u64>(q);
    acc |= load<u64>(last);
  } else {
    for (let i: u32 = 0; i < n; i++) acc |= <u64>load<u8>(ptr + i);
  }
  return (acc & 0x8080808080808080) == 0 ? -1 : 0;
}

/** A length/count line: the value, -1 for "-1", -2 malformed, -3 streamed (starts with "?"). */
export function readLength(ptr: usize, n: u32): i64 {
  if (n == 0) return -2;
  const c0 = <u32>load<u8>(ptr);
  if (c0 == MINUS) return n == 2 && <u32>load<u8>(ptr, 1) == ONE ? -1 : -2;
  if (c0 == QMARK) return -3;
  if (n > 19) return -2;
  let v: i64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const d = <u32>load<u8>(ptr + i) - ZERO;
    if (d > 9) return -2;
    v = v * 10 + <i64>d;
  }
  return v;
}

/** The digits so far of a length header: malformed, or already above `limit`? */
export function partialLength(ptr: usize, n: u32, limit: u32, tooBig: i32): i32 {
  if (n == 0) return 0;
  const c0 = <u32>load<u8>(ptr);
  if (c0 == MINUS) return n == 1 || (n == 2 && <u32>load<u8>(ptr, 1) == ONE) ? 0 : E_BAD_LENGTH;
  if (c0 == QMARK) return E_STREAMED;
  if (n > 19) return E_BAD_LENGTH;
  let v: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const d = <u32>load<u8>(ptr + i) - ZERO;
    if (d > 9) return E_BAD_LENGTH;
    v = v * 10 + <u64>d;
  }
  return v > <u64>limit ? tooBig : 0;
}

/**
 * A `:` line: T_INT (value in `scalarInt`), T_NUM (exact up to 2^53, in `scalarNum`),
 * T_INT_TEXT (beyond: the text is kept as written), or -E_BAD_INTEGER.
 */
export function readInteger(ptr: usize, n: u32): i32 {
  let i: u32 = 0;
  let neg = false;
  if (n != 0) {
    const c0 = <u32>load<u8>(ptr);
    if (c0 == MINUS) {
      neg = true;
      i = 1;
    } else if (c0 == PLUS) {
      i = 1;
    }
  }
  if (i == n || n - i > 19) return -E_BAD_INTEGER;
  let v: u64 = 0;
  for (; i < n; i++) {
    const d = <u32>load<u8>(ptr + i) - ZERO;
    if (d > 9) return -E_BAD_INTEGER;
    v = v * 10 + <u64>d;
  }
  // 19 digits fit u64; RESP integers are signed 64-bit.
  if (v > (neg ? <u64>0x8000000000000000 : <u64>0x7fffffffffffffff)) return -E_BAD_INTEGER;
  if (v <= (neg ? <u64>0x80000000 : <u64>0x7fffffff)) {
    scalarInt = neg ? <i32>(0 - v) : <i32>v;
    return T_INT;
  }
  if (v <= TWO_POW_53) {
    scalarNum = neg ? -<f64>v : <f64>v;
    return T_NUM;
  }
  return T_INT_TEXT;
}

/**
 * `,` line. Grammar: [+-]? (inf | nan | digits [. digits] [(e|E) [+-] digits]) with at least
 * one mantissa digit. Exactly convertible values (mantissa <= 2^53, |exponent| <= 22) become
 * T_NUM (value in `scalarNum`); the rest T_DOUBLE_TEXT for the host's correctly rounding
 * Number(). Malformed: -E_BAD_DOUBLE.
 */
export function readDouble(ptr: usize, n: u32): i32 {
  let i: u32 = 0;
  let neg = false;
  if (n != 0) {
    const c0 = <u32>load<u8>(ptr);
    if (c0 == MINUS || c0 == PLUS) {
      neg = c0 == MINUS;
      i = 1;
    }
  }
  if (n - i == 3) {
    const w = (<u32>load<u8>(ptr + i)) | ((<u32>load<u8>(ptr + i + 1)) << 8) | ((<u32>load<u8>(ptr + i + 2)) << 16);
    if (w == (LOWER_I | (LOWER_N << 8) | (LOWER_F << 16))) {
      scalarNum = neg ? -Infinity : Infinity;
      return T_NUM;
    }
    if (w == (LOWER_N | (LOWER_A << 8) | (LOWER_N << 16))) {
      scalarNum = NaN;
      return T_NUM;
    }
  }
  let m: u64 = 0;
  let digits: u32 = 0; // significant digits taken into m
  let mantDigits: u32 = 0;
  let exact = true;
  let scale: i32 = 0; // decimal exponent adjustment from the fraction / dropped digits
  for (; i < n; i++) {
    const d = <u32>load<u8>(ptr + i) - ZERO;
    if (d > 9) break;
    mantDigits++;
    if (m == 0 && d == 0) continue;
    if (digits < 19) {
      m = m * 10 + <u64>d;
      digits++;
    } else {
      exact = false;
      scale++;
    }
  }
  if (i < n && <u32>load<u8>(ptr + i) == DOT) {
    i++;
    for (; i < n; i++) {
      const d = <u32>load<u8>(ptr + i) - ZERO;
      if (d > 9) break;
      mantDigits++;
      if (m == 0 && d == 0) {
        scale--;
        continue;
      }
      if (digits < 19) {
        m = m * 10 + <u64>d;
        digits++;
        scale--;
      } else {
        exact = false;
      }
    }
  }
  if (mantDigits == 0) return -E_BAD_DOUBLE;
  if (i < n) {
    const c = <u32>load<u8>(ptr + i);
    if (c != LOWER_E && c != UPPER_E) return -E_BAD_DOUBLE;
    i++;
    let eneg = false;
    if (i < n) {
      const s = <u32>load<u8>(ptr + i);
      if (s == MINUS || s == PLUS) {
        eneg = s == MINUS;
        i++;
      }
    }
    if (i == n) return -E_BAD_DOUBLE;
    let ev: i32 = 0;
    for (; i < n; i++) {
      const d = <u32>load<u8>(ptr + i) - ZERO;
      if (d > 9) return -E_BAD_DOUBLE;
      if (ev < 100000) ev = ev * 10 + <i32>d;
      else exact = false;
    }
    scale += eneg ? -ev : ev;
  }
  if (m == 0 && exact) {
    scalarNum = neg ? -0.0 : 0.0;
    return T_NUM;
  }
  if (exact && m <= TWO_POW_53 && scale >= -22 && scale <= 22) {
    let v = <f64>m;
    v = scale >= 0 ? v * load<f64>(POW10 + (<usize>scale << 3)) : v / load<f64>(POW10 + (<usize>(-scale) << 3));
    scalarNum = neg ? -v : v;
    return T_NUM;
  }
  return T_DOUBLE_TEXT;
}

export function isBigNumber(ptr: usize, n: u32): bool {
  let i: u32 = 0;
  if (n != 0) {
    const c0 = <u32>load<u8>(ptr);
    if (c0 == MINUS || c0 == PLUS) i = 1;
  }
  if (i == n) return false;
  for (; i < n; i++) {
    if (<u32>load<u8>(ptr + i) - ZERO > 9) return false;
  }
  return true;
}
