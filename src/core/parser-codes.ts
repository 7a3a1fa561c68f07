/**
 * Numbers shared with the WASM parser core (assembly/parser.ts): protocol error codes, tape
 * record types and the status block layout. The two files must agree; test/parser.test.ts
 * checks the error codes end to end.
 */

/**
 * Why a RESP stream was rejected. After any of these the parser stays failed until
 * `reset()`; the connection is expected to drop the socket.
 */
export const ProtocolErrorCode = {
  /** A reply starts with a byte that is not a RESP2/RESP3 type. */
  UnknownType: 1,
  /** A bulk length or aggregate count is not a non-negative decimal (or -1 where allowed). */
  BadLength: 2,
  /** A line or bulk payload is not followed by CRLF. */
  BadCrlf: 3,
  /** An integer reply is not a signed 64-bit decimal. */
  BadInteger: 4,
  /** A double reply does not parse (digits, fraction, exponent, inf, nan). */
  BadDouble: 5,
  /** A big number reply is not a signed decimal. */
  BadBigNumber: 6,
  /** A boolean reply is not `t` or `f`. */
  BadBoolean: 7,
  /** A null reply (`_`) carries data. */
  BadNull: 8,
  /** A verbatim string lacks its `xxx:` format prefix. */
  BadVerbatim: 9,
  /** A bulk string is longer than `maxBulkLength`. */
  BulkTooLong: 10,
  /** A simple string, error, double or big number line is longer than `maxBulkLength`. */
  LineTooLong: 11,
  /** Aggregates (attributes included) nest deeper than `maxDepth`. */
  TooDeep: 12,
  /** An aggregate announces more than `maxElements` elements (pairs for maps). */
  TooManyElements: 13,
  /** RESP3 streamed strings/aggregates (`$?`, `*?`) are not supported. */
  StreamedUnsupported: 14,
  /** The WASM core failed (out of memory); a `reset()` starts a fresh core instance. */
  CoreFailure: 15,
  /** The core was driven out of order (a wredis bug). */
  InternalState: 16,
} as const;

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

const MESSAGES: Record<number, string> = {
  1: 'unknown RESP type byte',
  2: 'malformed RESP length',
  3: 'missing CRLF in RESP stream',
  4: 'malformed RESP integer',
  5: 'malformed RESP double',
  6: 'malformed RESP big number',
  7: 'malformed RESP boolean',
  8: 'malformed RESP null',
  9: 'malformed RESP verbatim string',
  10: 'RESP bulk string longer than maxBulkLength',
  11: 'RESP line longer than maxBulkLength',
  12: 'RESP aggregates nested deeper than maxDepth',
  13: 'RESP aggregate with more than maxElements elements',
  14: 'streamed RESP3 types are not supported',
  15: 'RESP parser core failed (out of memory)',
  16: 'RESP parser driven out of order',
};

/** A short, value-free description of a protocol error code. */
export function protocolErrorMessage(code: number): string {
  return `Protocol error: ${MESSAGES[code] ?? `code ${code}`}`;
}

// ---- Tape records: 16 bytes (i32 type, i32 a, i32 b, i32 c; T_NUM keeps an f64 in b..c) ----
export const T_STR = 1; // a offset, b length, c packed 1..4 ASCII bytes or 0
export const T_ERR = 2; // a offset, b length
export const T_INT = 3; // a value
export const T_NUM = 4; // f64
export const T_INT_TEXT = 5; // a offset, b length: integer beyond 2^53 as written
export const T_DOUBLE_TEXT = 6; // a offset, b length
export const T_BIGNUM = 7; // a offset, b length
export const T_NULL = 8;
export const T_BOOL = 9; // a 0 | 1
export const T_ARRAY = 10; // a count
export const T_SET = 11; // a count
export const T_MAP = 12; // a pairs
export const T_PUSH = 13; // a count
export const T_STR_EXT = 14; // b length; bytes collected by the host

// ---- Status block (i32 fields from the address `parseHeader()` returns) ----
export const H_STATUS = 0;
export const H_ERROR = 1;
export const H_INPUT = 2;
export const H_TAPE = 3;
export const H_EXT_LEN = 4;
export const H_EXT_SKIP = 5;
export const H_CONSUMED = 6;
export const STATUS_EXT = 1;
export const STATUS_FAILED = 2;

/** The core's numeric exports used by the parser (raw calls, no bindings). */
export interface ParserCoreExports {
  readonly memory: WebAssembly.Memory;
  parseHeader(): number;
  parseSetLimits(maxBulk: number, maxDepth: number, maxElements: number): void;
  parseReserve(len: number): number;
  parse(len: number): number;
  parseExtDone(cr: number, lf: number): number;
  parseReset(): void;
  parseNeeded(): number;
  parseBuffered(): number;
  parseError(): number;
}
