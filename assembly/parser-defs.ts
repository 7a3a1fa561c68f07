// Byte constants, type-byte classes and static tables of the RESP parser core; the constants the
// host shares (tape record types, protocol error codes, status block) come from ./abi (generated).

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
export const K_ATTR_KEPT: u32 = 16; // stack frames only: an attribute whose records stay on the tape

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

// ---- Tape record types, protocol error codes, status block ---------------------------------------
// Generated with the host's copy from one source (scripts/abi/spec.ts): see assembly/abi.ts.
export * from "./abi";

export const NUM_LINE_MAX: u32 = 20; // sign + 19 digits: any i64 / length header
export const TWO_POW_53: u64 = 9007199254740992;
