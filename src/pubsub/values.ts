/**
 * Names and payloads of pub/sub messages as delivered: UTF-8 text by default, bytes under
 * `withBuffers()`. The parser may hand over either form, so both directions are covered.
 */
import { NodeBuffer, sliceView, utf8 } from '../core/bytes.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The text of a name or payload (bytes decode as UTF-8). */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return utf8(v, sliceView(v), 0, v.length);
  return v === null || v === undefined ? '' : String(v);
}

/** The bytes of a name or payload: a Buffer when `buffer` (Node), else a plain Uint8Array. */
export function asBytes(v: unknown, buffer: boolean): Uint8Array {
  if (v instanceof Uint8Array) {
    if (!buffer || NodeBuffer === undefined || NodeBuffer.isBuffer(v)) return v;
    return NodeBuffer.from(v.buffer, v.byteOffset, v.length);
  }
  const bytes = encoder.encode(asText(v));
  return buffer && NodeBuffer !== undefined
    ? NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    : bytes;
}

/** The lower-case kind at the head of a pub/sub array or push (`'message'`, `'subscribe'`, …). */
export function kindOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return v instanceof Uint8Array && v.length <= 12 ? decoder.decode(v) : undefined;
}
