/**
 * The one source of the numbers the WASM core (assembly/) and the host (src/core/) share: tape
 * record types, protocol error codes, the status block layout and status values.
 * `npm run abi` writes assembly/abi.ts, src/core/parser-codes.ts and (from asc's build/core.d.ts)
 * src/core/core-exports.generated.ts; `npm run abi:check` (part of `npm test`) fails when any of
 * them differs from what this file and the current build would generate.
 *
 * Units: every constant means the same thing on both sides. Status block fields are i32 slot
 * indexes from the address `parseHeader()` returns (the core stores at `HDR + (slot << 2)`, the
 * host reads `i32[(parseHeader() >> 2) + slot]`); there are no byte offsets under these names.
 */

/**
 * Bump when an export's signature or meaning changes without a change below (the version is a
 * hash of this whole file's data, so any change here changes it anyway).
 */
export const ABI_REVISION = 1;

export interface Constant {
  name: string;
  value: number;
  doc: string;
}

/** Tape records: 16 bytes, i32 type | i32 a | i32 b | i32 c; T_NUM keeps an f64 in bytes 8..16. */
export const TAPE: readonly Constant[] = [
  {
    name: 'T_STR',
    value: 1,
    doc: 'a = offset, b = length, c = packed 1..4 ASCII bytes | -1 ASCII | 0 UTF-8',
  },
  { name: 'T_ERR', value: 2, doc: 'a = offset, b = length' },
  { name: 'T_INT', value: 3, doc: 'a = value (fits i32)' },
  { name: 'T_NUM', value: 4, doc: 'f64 in bytes 8..16 = value (integer within 2^53, or a double)' },
  { name: 'T_INT_TEXT', value: 5, doc: 'a = offset, b = length: integer beyond 2^53, as written' },
  {
    name: 'T_DOUBLE_TEXT',
    value: 6,
    doc: 'a = offset, b = length: double the fast path cannot convert exactly',
  },
  { name: 'T_BIGNUM', value: 7, doc: 'a = offset, b = length' },
  { name: 'T_NULL', value: 8, doc: 'no fields' },
  { name: 'T_BOOL', value: 9, doc: 'a = 0 | 1' },
  { name: 'T_ARRAY', value: 10, doc: 'a = count' },
  { name: 'T_SET', value: 11, doc: 'a = count' },
  { name: 'T_MAP', value: 12, doc: 'a = pairs' },
  { name: 'T_PUSH', value: 13, doc: 'a = count' },
  {
    name: 'T_STR_EXT',
    value: 14,
    doc: 'b = length; the payload is collected by the host outside linear memory',
  },
  {
    name: 'T_ATTR',
    value: 15,
    doc: 'a = pairs: a RESP3 attribute, its pairs, then the value it describes (only after parseSetAttributes(1))',
  },
];

/** Tape types whose `a` is an input offset (shifted when the input region is compacted). */
export const OFFSET_TYPES: readonly string[] = ['T_STR', 'T_ERR', 'T_INT_TEXT', 'T_DOUBLE_TEXT', 'T_BIGNUM'];

export interface ErrorCode {
  /** Name in the core (assembly/abi.ts), or null for codes only the host raises. */
  core: string | null;
  /** Key of the public `ProtocolErrorCode` object. */
  host: string;
  value: number;
  doc: string;
  /** Value-free text of `protocolErrorMessage()`. */
  message: string;
}

export const ERRORS: readonly ErrorCode[] = [
  {
    core: 'E_UNKNOWN_TYPE',
    host: 'UnknownType',
    value: 1,
    doc: 'A reply starts with a byte that is not a RESP2/RESP3 type.',
    message: 'unknown RESP type byte',
  },
  {
    core: 'E_BAD_LENGTH',
    host: 'BadLength',
    value: 2,
    doc: 'A bulk length or aggregate count is not a non-negative decimal (or -1 where allowed).',
    message: 'malformed RESP length',
  },
  {
    core: 'E_BAD_CRLF',
    host: 'BadCrlf',
    value: 3,
    doc: 'A line or bulk payload is not followed by CRLF.',
    message: 'missing CRLF in RESP stream',
  },
  {
    core: 'E_BAD_INTEGER',
    host: 'BadInteger',
    value: 4,
    doc: 'An integer reply is not a signed 64-bit decimal.',
    message: 'malformed RESP integer',
  },
  {
    core: 'E_BAD_DOUBLE',
    host: 'BadDouble',
    value: 5,
    doc: 'A double reply does not parse (digits, fraction, exponent, inf, nan).',
    message: 'malformed RESP double',
  },
  {
    core: 'E_BAD_BIG_NUMBER',
    host: 'BadBigNumber',
    value: 6,
    doc: 'A big number reply is not a signed decimal.',
    message: 'malformed RESP big number',
  },
  {
    core: 'E_BAD_BOOLEAN',
    host: 'BadBoolean',
    value: 7,
    doc: 'A boolean reply is not `t` or `f`.',
    message: 'malformed RESP boolean',
  },
  {
    core: 'E_BAD_NULL',
    host: 'BadNull',
    value: 8,
    doc: 'A null reply (`_`) carries data.',
    message: 'malformed RESP null',
  },
  {
    core: 'E_BAD_VERBATIM',
    host: 'BadVerbatim',
    value: 9,
    doc: 'A verbatim string lacks its `xxx:` format prefix.',
    message: 'malformed RESP verbatim string',
  },
  {
    core: 'E_BULK_TOO_LONG',
    host: 'BulkTooLong',
    value: 10,
    doc: 'A bulk string is longer than `maxBulkLength`.',
    message: 'RESP bulk string longer than maxBulkLength',
  },
  {
    core: 'E_LINE_TOO_LONG',
    host: 'LineTooLong',
    value: 11,
    doc: 'A simple string, error, double or big number line is longer than `maxBulkLength`.',
    message: 'RESP line longer than maxBulkLength',
  },
  {
    core: 'E_TOO_DEEP',
    host: 'TooDeep',
    value: 12,
    doc: 'Aggregates (attributes included) nest deeper than `maxDepth`.',
    message: 'RESP aggregates nested deeper than maxDepth',
  },
  {
    core: 'E_TOO_MANY_ELEMENTS',
    host: 'TooManyElements',
    value: 13,
    doc: 'An aggregate announces more than `maxElements` elements (pairs for maps).',
    message: 'RESP aggregate with more than maxElements elements',
  },
  {
    core: 'E_STREAMED',
    host: 'StreamedUnsupported',
    value: 14,
    doc: 'RESP3 streamed strings/aggregates (`$?`, `*?`) are not supported.',
    message: 'streamed RESP3 types are not supported',
  },
  {
    core: null,
    host: 'CoreFailure',
    value: 15,
    doc: 'The WASM core failed (out of memory); a `reset()` starts a fresh core instance.',
    message: 'RESP parser core failed (out of memory)',
  },
  {
    core: 'E_STATE',
    host: 'InternalState',
    value: 16,
    doc: 'The core was driven out of order (a wredis bug).',
    message: 'RESP parser driven out of order',
  },
  {
    core: 'E_NESTED_PUSH',
    host: 'NestedPush',
    value: 17,
    doc: 'A RESP3 push (`>`) inside an aggregate or attribute: push data is only valid at the top level.',
    message: 'RESP3 push inside an aggregate',
  },
];

/** Status block: i32 slots from the address `parseHeader()` returns (slot index, not bytes). */
export const HEADER: readonly Constant[] = [
  { name: 'H_STATUS', value: 0, doc: 'STATUS_OK, STATUS_EXT or STATUS_FAILED' },
  { name: 'H_ERROR', value: 1, doc: 'error code when failed' },
  { name: 'H_INPUT', value: 2, doc: 'input region address' },
  { name: 'H_TAPE', value: 3, doc: 'tape address' },
  { name: 'H_EXT_LEN', value: 4, doc: 'pending external payload length (without CRLF)' },
  {
    name: 'H_EXT_SKIP',
    value: 5,
    doc: '1 when the pending external bulk sits inside an attribute (discarded)',
  },
  { name: 'H_CONSUMED', value: 6, doc: 'bytes of the last `parse(len)` input the core kept' },
  {
    name: 'H_FAILED_IN_PUSH',
    value: 7,
    doc: '1 when failed inside the elements of a top-level RESP3 push (no command reply is malformed)',
  },
];

/** i32 slots the status block reserves (the core allocates HEADER_SLOTS * 4 bytes). */
export const HEADER_SLOTS = 8;

/** Values of the H_STATUS slot. */
export const STATUS: readonly Constant[] = [
  { name: 'STATUS_OK', value: 0, doc: 'parsed what it could; feed more' },
  { name: 'STATUS_EXT', value: 1, doc: 'a large bulk waits for the host to collect its payload' },
  { name: 'STATUS_FAILED', value: 2, doc: 'protocol error; the parser stays failed until parseReset()' },
];
