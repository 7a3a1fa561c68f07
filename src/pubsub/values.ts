/**
 * Names and payloads of pub/sub messages as delivered: UTF-8 text by default, bytes under
 * `withBuffers()`. The parser may hand over either form, so both directions are covered.
 */
import { NodeBuffer, byteString, sliceView, utf8 } from '../core/bytes.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The text of a name or payload (bytes decode as UTF-8). */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return utf8(v, sliceView(v), 0, v.length);
  return v === null || v === undefined ? '' : String(v);
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The map key of a channel or pattern name: its text, so a string and the same name as UTF-8
 * bytes (as the server's pushes may carry it) meet. Not {@link asText}: bytes that are not
 * UTF-8 decode with U+FFFD, so two different binary names (0xff, 0xfe) would share one key, one
 * SUBSCRIBE, and each other's messages. Such names get a key of their own bytes behind a lone
 * surrogate, which no UTF-8 text decodes to and no string name keeps (sent as U+FFFD).
 */
export function nameKey(v: unknown): string {
  if (typeof v === 'string') return LONE.test(v) ? v.replace(LONE_ALL, '\uFFFD') : v;
  const text = asText(v);
  if (!(v instanceof Uint8Array) || !text.includes('\uFFFD')) return text;
  try {
    return strict.decode(v);
  } catch {
    return '\uD800' + byteString(v);
  }
}

const LONE = /[\uD800-\uDFFF]/;
const LONE_ALL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

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
