/**
 * The one host function that turns the parser's numeric protocol error codes into an error
 * (undici's llhttp pattern): the WASM core reports a closed set of codes, the host names them.
 */
import { DataError, InvalidResponse } from './classes.js';
import { ErrorCodes } from './codes.js';
import { ProtocolErrorCode } from '../core/parser-codes.js';

const PREFIX = 'Protocol error: ';

/**
 * Builds the error for a protocol error reported by the parser. `code` is the parser's
 * `ProtocolErrorCode` (kept as `protocolCode`); `detail` says what was wrong (with or without
 * the parser's own "Protocol error: " prefix: the message says it once) and must not contain
 * reply payload (it may hold user data).
 *
 * The core failing is not a protocol violation: its linear memory (at most 4 GiB, each region
 * under 1 GiB: 2^26 tape records, about 67M elements) could not hold the reply. That is a DataError saying so; the connection is dropped all the same.
 */
export function protocolError(code: number, detail: string): InvalidResponse | DataError {
  if (code === ProtocolErrorCode.CoreFailure) {
    return new DataError(
      'The reply is too large to decode: the parser needs more memory than it may use (its WebAssembly memory holds at most about 67M elements or 1 GiB of one reply, 4 GiB in all); fetch it in parts (LRANGE/ZRANGE ranges, SCAN, HSCAN)',
      { code: ErrorCodes.UNEXPECTED_REPLY },
    );
  }
  const text = detail.startsWith(PREFIX) ? detail.slice(PREFIX.length) : detail;
  return new InvalidResponse(PREFIX + text, { protocolCode: code });
}

/**
 * A reply that arrived whole and well-formed but could not be turned into a JS value (a
 * string longer than the engine allows, an array too large to allocate): a DataError with the
 * engine's error as cause. The stream stays usable.
 */
export function undecodableReply(cause: unknown): Error {
  if (cause instanceof DataError || cause instanceof InvalidResponse) return cause;
  const what = cause instanceof Error ? cause.message : String(cause);
  return new DataError(`The reply could not be decoded: ${what}`, {
    cause,
    code: ErrorCodes.UNEXPECTED_REPLY,
  });
}
