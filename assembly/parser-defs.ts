// Byte constants, type-byte classes, tape record types and protocol error codes of the RESP
// parser core, with its static tables. The tape types and error codes are mirrored in
// src/core/parser-codes.ts.

// ---- Bytes --------------------------------------------------------------------------------
export const CR: u32 = 0x0d;
export const LF: u32 = 0x0a;
export const PLUS: u32 = 0x2b;
export const MINUS: u32 = 0x2d;
export const DOT: u32 = 0x2e;
export const COLON: u32 = 0x3a;
export const COLON_BYTE: u32 = COLON; // ':' as a type byte
export const DOLLAR: u32 = 0x24;
export const STAR: u32 = 0x2a;
export const PERCENT: u32 = 0x25;
export const TILDE: u32 = 0x7e;
export const GREATER: u32 = 0x3e;
export const QMARK: u32 = 0x3f;
export const ZERO: u32 = 0x30;
export const ONE: u32 = 0x31;
export const LOWER_E: u32 = 0x65;
export const UPPER_E: u32 = 0x45;
export const LOWER_T: u32 = 0x74;
export const LOWER_F: u32 = 0x66;
export const LOWER_I: u32 = 0x69;
export const LOWER_N: u32 = 0x6e;
export const LOWER_A: u32 = 0x61;

// ---- Type-byte classes (TYPES table below) ----------------------------------------------------
export const K_SIMPLE: u32 = 1; // +
export const K_SIMPLE_ERR: u32 = 2; // -
export const K_INT: u32 = 3; // :
export const K_BULK: u32 = 4; // $
export const K_BLOB_ERR: u32 = 5; // !
export const K_VERBATIM: u32 = 6; // =
export const K_ARRAY: u32 = 7; // *
export const K_SET: u32 = 8; // ~
export const K_MAP: u32 = 9; // %
export const K_PUSH: u32 = 10; // >
export const K_ATTR: u32 = 11; // |
export const K_NULL: u32 = 12; // _
export const K_DOUBLE: u32 = 13; // ,
export const K_BOOL: u32 = 14; // #
export const K_BIGNUM: u32 = 15; // (

// byte -> K_* (0: not a RESP type byte)
export const TYPES: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 5, 0, 14, 4, 9, 0, 0, 15, 0, 7, 1, 13, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 6, 10, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11, 0, 8, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

// Powers of ten exactly representable as f64 (Clinger's fast path for doubles).
export const POW10: usize = memory.data<f64>([
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]);

// ---- Tape record types (mirrored in src/core/parser-codes.ts) ----------------------------------
// Record: i32 type | i32 a | i32 b | i32 c; T_NUM keeps an f64 in bytes 8..16.
export const T_STR: i32 = 1; // a = offset, b = length, c = packShort(): packed 1..4 ASCII bytes | -1 ASCII | 0
export const T_ERR: i32 = 2; // a = offset, b = length
export const T_INT: i32 = 3; // a = value (fits i32)
export const T_NUM: i32 = 4; // f64 = value (integer within 2^53, or a double)
export const T_INT_TEXT: i32 = 5; // a = offset, b = length: integer beyond 2^53, as written
export const T_DOUBLE_TEXT: i32 = 6; // a = offset, b = length: double the fast path cannot convert exactly
export const T_BIGNUM: i32 = 7; // a = offset, b = length
export const T_NULL: i32 = 8;
export const T_BOOL: i32 = 9; // a = 0 | 1
export const T_ARRAY: i32 = 10; // a = count
export const T_SET: i32 = 11; // a = count
export const T_MAP: i32 = 12; // a = pairs
export const T_PUSH: i32 = 13; // a = count
export const T_STR_EXT: i32 = 14; // b = length; payload collected by the host outside linear memory
// Types whose `a` is an input offset (shifted when the input region is compacted).
export const OFFSET_TYPES: u32 = (1 << T_STR) | (1 << T_ERR) | (1 << T_INT_TEXT) | (1 << T_DOUBLE_TEXT) | (1 << T_BIGNUM);

// ---- Protocol error codes (mirrored in src/core/parser-codes.ts) -------------------------------
export const E_UNKNOWN_TYPE: i32 = 1;
export const E_BAD_LENGTH: i32 = 2;
export const E_BAD_CRLF: i32 = 3;
export const E_BAD_INTEGER: i32 = 4;
export const E_BAD_DOUBLE: i32 = 5;
export const E_BAD_BIG_NUMBER: i32 = 6;
export const E_BAD_BOOLEAN: i32 = 7;
export const E_BAD_NULL: i32 = 8;
export const E_BAD_VERBATIM: i32 = 9;
export const E_BULK_TOO_LONG: i32 = 10;
export const E_LINE_TOO_LONG: i32 = 11;
export const E_TOO_DEEP: i32 = 12;
export const E_TOO_MANY_ELEMENTS: i32 = 13;
export const E_STREAMED: i32 = 14;
export const E_STATE: i32 = 16; // host called the core out of order (a bug, reported rather than trusted)

export const NUM_LINE_MAX: u32 = 20; // sign + 19 digits: any i64 / length header
export const TWO_POW_53: u64 = 9007199254740992;
