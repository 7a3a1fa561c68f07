/**
 * Argument checks made before anything is encoded, so a batch (pipeline, transaction) can be
 * judged whole: the encoder throws on a bad argument too, but by then the commands before it
 * in a MULTI block would already be on their way. The rules are the encoder's: strings,
 * numbers (not NaN), bigints and byte arrays; and no argument longer than the limit the
 * server accepts (`maxArgumentLength`, the server's proto-max-bulk-len).
 */
import { DataError } from '../errors/index.js';
import { DEFAULT_MAX_ARGUMENT_LENGTH } from './encoder.js';

/** Why one of `args` cannot be sent (DataError naming its position, never its value), or undefined. */
export function argumentError(
  args: readonly unknown[],
  maxLength: number = DEFAULT_MAX_ARGUMENT_LENGTH,
): DataError | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (typeof a) {
      case 'string':
        // At most 3 bytes per UTF-16 unit: the exact size is only worth computing near the limit.
        if (a.length * 3 > maxLength && utf8Length(a) > maxLength) return tooLong(i, maxLength);
        continue;
      case 'number':
        if (Number.isNaN(a)) return new DataError(`argument ${i + 1} is NaN`);
        continue;
      case 'bigint':
        continue;
      default:
        if (a instanceof Uint8Array) {
          if (a.length > maxLength) return tooLong(i, maxLength);
          continue;
        }
        return new DataError(
          `argument ${i + 1} has type ${describeType(a)}; expected string, number, Buffer or Uint8Array`,
        );
    }
  }
  return undefined;
}

/** A value's type as argument errors name it. */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function tooLong(i: number, max: number): DataError {
  return new DataError(`argument ${i + 1} is longer than maxArgumentLength (${max} bytes)`);
}

const utf8 = new TextEncoder();

function utf8Length(s: string): number {
  // Node has Buffer.byteLength; edge runtimes do not. Encoding once near the limit is acceptable.
  const B = (globalThis as { Buffer?: { byteLength(s: string): number } }).Buffer;
  return B !== undefined ? B.byteLength(s) : utf8.encode(s).length;
}
