/**
 * The one host function that turns the parser's numeric protocol error codes into an error
 * (undici's llhttp pattern): the WASM core reports a closed set of codes, the host names them.
 */
import { InvalidResponse } from './classes.js';

/**
 * Builds the InvalidResponse for a protocol error reported by the parser. `code` is the
 * parser's `ProtocolErrorCode` (kept as `protocolCode`); `detail` says what was wrong and must
 * not contain reply payload (it may hold user data).
 */
export function protocolError(code: number, detail: string): InvalidResponse {
  return new InvalidResponse(`Protocol error: ${detail}`, { protocolCode: code });
}
