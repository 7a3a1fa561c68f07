/**
 * RESP request encoding straight into a slab: commands issued in one tick are
 * appended back to back, and `take()` hands the filled part out as one write.
 * A slab region handed to the socket is not written again while the socket owns it:
 * only once the transport says every byte went to the OS does `rewind()` start the
 * slab over; otherwise encoding goes on further along, and into a new slab when one
 * is full, so there is no copy and no reuse hazard. Large arguments travel as their
 * own chunks, uncopied.
 */
import { NodeBuffer } from '../core/bytes.js';
import { DataError, ErrorCodes } from '../errors/index.js';

/** What a command argument may be. Buffers are Uint8Arrays. */
export type Arg = string | number | bigint | Uint8Array;

const SLAB_SIZE = 64 * 1024;
/** Arguments at least this large (bytes or UTF-16 units) go out as separate chunks. */
const BIG_ARG = 16 * 1024;
/**
 * Strings up to this many UTF-16 units are copied by a char loop; longer ones by one native
 * UTF-8 write (the loop costs a few ns per char; the native call a fixed ~50 ns: measured
 * crossing over between 16 and 48 chars, bench/RESULTS.md).
 */
const SHORT_STRING = 32;
const CR = 13;
const LF = 10;
const DOLLAR = 36;
const STAR = 42;

const utf8 = new TextEncoder();

/** Node's Buffer write without argument coercion (undocumented but long-stable, as `utf8Slice`). */
interface WriteBuffer extends Uint8Array {
  utf8Write(s: string, offset: number, length: number): number;
}

/**
 * Buffer's UTF-8 write, where the runtime has it: slabs are then Buffers (one native write, no
 * view to make). Taken once here and called on the slab: read from the slab, the optimized code
 * left the lookup to the LoadIC builtin for every string argument of 33 characters or more (perf,
 * W2: that builtin's largest caller; paired, CPU per command x 0.97).
 */
const bufferUtf8Write: WriteBuffer['utf8Write'] | undefined =
  NodeBuffer === undefined
    ? undefined
    : (NodeBuffer.allocUnsafe(1) as unknown as Partial<WriteBuffer>).utf8Write;
const nativeWrite = typeof bufferUtf8Write === 'function';

function newSlab(size: number): Uint8Array {
  return nativeWrite
    ? (NodeBuffer as NonNullable<typeof NodeBuffer>).allocUnsafe(size)
    : new Uint8Array(size);
}

function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = (n / 10) | 0;
    d++;
  }
  return d;
}

/** Writes a non-negative integer in decimal at `p`; returns the position after it. */
function putInt(slab: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    slab[p] = 48 + n;
    return p + 1;
  }
  if (n < 100) {
    slab[p] = 48 + ((n / 10) | 0);
    slab[p + 1] = 48 + (n % 10);
    return p + 2;
  }
  const end = p + digitCount(n);
  let q = end;
  do {
    slab[--q] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/** `mark` (`*` or `$`), `n` in decimal and CRLF at `p`: a RESP array or bulk header. Returns the new position. */
function putHeader(slab: Uint8Array, p: number, mark: number, n: number): number {
  slab[p++] = mark;
  p = putInt(slab, p, n);
  slab[p++] = CR;
  slab[p++] = LF;
  return p;
}

/** Default `maxArgumentLength`: the server's default proto-max-bulk-len (512 MiB). */
export const DEFAULT_MAX_ARGUMENT_LENGTH = 512 * 1024 * 1024;

/** Where the encoder stood, to undo everything encoded after it (a batch that fails whole). */
export interface EncoderMark {
  readonly slab: Uint8Array;
  readonly start: number;
  readonly pos: number;
  readonly chunks: number;
}

export class RequestEncoder {
  /**
   * @param maxArgumentLength Longest argument in bytes; a longer one rejects the command with
   *   `DataError` before anything is written (the server would drop the connection on it).
   */
  constructor(private readonly maxArgumentLength = DEFAULT_MAX_ARGUMENT_LENGTH) {
    this.shortString = Math.min(SHORT_STRING, maxArgumentLength);
  }

  /** Strings up to this long take the char loop: SHORT_STRING, or less when that is too long to send. */
  private readonly shortString: number;

  private slab: Uint8Array = newSlab(SLAB_SIZE);
  /** Start of the part not yet handed out. */
  private start = 0;
  private pos = 0;
  /** Chunks ready to write, in order, before the current slab part. */
  private chunks: Uint8Array[] = [];

  /** True when something was encoded since the last `take()`. */
  get pending(): boolean {
    return this.pos > this.start || this.chunks.length > 0;
  }

  /**
   * Appends one command. On a bad argument nothing of the command stays encoded
   * and a `DataError` is thrown (the caller turns it into a rejected promise).
   */
  encode(name: string, args: readonly unknown[]): void {
    // Where to roll back to, kept in locals: a mark() object per command was ~5 % of its encoding.
    const slab = this.slab;
    const start = this.start;
    const pos = this.pos;
    const chunks = this.chunks.length;
    try {
      this.head(name, args.length);
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (typeof a === 'string') this.string(a);
        else this.arg(a, i);
      }
    } catch (e) {
      this.restore(slab, start, pos, chunks);
      throw e;
    }
  }

  /**
   * `encode()` of a command with `count` (0, 1 or 2) arguments given one by one: a queued
   * command keeps up to two arguments in fields rather than an array (see Pending).
   */
  encodeShort(name: string, count: number, a0: unknown, a1: unknown): void {
    const slab = this.slab;
    const start = this.start;
    const pos = this.pos;
    const chunks = this.chunks.length;
    try {
      this.head(name, count);
      if (count > 0) {
        if (typeof a0 === 'string') this.string(a0);
        else this.arg(a0, 0);
      }
      if (count > 1) {
        if (typeof a1 === 'string') this.string(a1);
        else this.arg(a1, 1);
      }
    } catch (e) {
      this.restore(slab, start, pos, chunks);
      throw e;
    }
  }

  /** Back to a position taken before a command that failed to encode. */
  private restore(slab: Uint8Array, start: number, pos: number, chunks: number): void {
    this.slab = slab;
    this.start = start;
    this.pos = pos;
    this.chunks.length = chunks;
  }

  /** The array header of a command with `count` arguments, then its name. */
  private head(name: string, count: number): void {
    this.ensure(16);
    this.pos = putHeader(this.slab, this.pos, STAR, count + 1);
    this.string(name);
  }

  /**
   * Drops everything encoded since the last `take()` (a command withdrawn before its
   * write: the caller encodes the rest again). The part of a slab left behind stays unused.
   */
  discard(): void {
    this.chunks.length = 0;
    this.pos = this.start;
  }

  /**
   * Starts the slab over: every byte handed out by `take()` has been consumed by the socket (the
   * caller knows it from the transport), and nothing was encoded since.
   */
  rewind(): void {
    if (this.chunks.length === 0 && this.pos === this.start) this.start = this.pos = 0;
  }

  /** The current position, for `rollback()`. */
  mark(): EncoderMark {
    return { slab: this.slab, start: this.start, pos: this.pos, chunks: this.chunks.length };
  }

  /** Drops everything encoded since `mark` (no `take()` in between); a slab switched since is dropped. */
  rollback(mark: EncoderMark): void {
    this.restore(mark.slab, mark.start, mark.pos, mark.chunks);
  }

  private tooLong(length: number): void {
    if (length > this.maxArgumentLength)
      throw new DataError(
        `an argument of ${length} bytes exceeds maxArgumentLength (${this.maxArgumentLength}); nothing was sent`,
        { code: ErrorCodes.INVALID_ARGUMENT },
      );
  }

  /** The bytes encoded since the last call, as chunks to write in order. */
  take(): Uint8Array[] {
    if (this.pos > this.start) {
      this.chunks.push(this.slab.subarray(this.start, this.pos));
      this.start = this.pos;
    }
    const out = this.chunks;
    this.chunks = [];
    return out;
  }

  private arg(value: unknown, index: number): void {
    if (typeof value === 'string') this.string(value);
    else if (typeof value === 'number') this.number(value, index);
    else if (value instanceof Uint8Array) this.bytes(value);
    else if (typeof value === 'bigint') this.ascii(value.toString());
    else
      throw new DataError(
        `argument ${index + 1} has type ${describeType(value)}; expected string, number, Buffer or Uint8Array`,
      );
  }

  private number(n: number, index: number): void {
    if (Number.isInteger(n) && n >= 0 && n < 2147483648) {
      const digits = digitCount(n);
      this.tooLong(digits);
      this.ensure(32);
      const slab = this.slab;
      let p = putHeader(slab, this.pos, DOLLAR, digits);
      p = putInt(slab, p, n);
      slab[p++] = CR;
      slab[p++] = LF;
      this.pos = p;
    } else {
      const text = numberText(n);
      if (text === undefined) throw new DataError(`argument ${index + 1} is NaN`);
      this.ascii(text);
    }
  }

  private ascii(s: string): void {
    this.tooLong(s.length);
    this.ensure(s.length + 16);
    const slab = this.slab;
    let p = putHeader(slab, this.pos, DOLLAR, s.length);
    for (let i = 0; i < s.length; i++) slab[p++] = s.charCodeAt(i);
    slab[p++] = CR;
    slab[p++] = LF;
    this.pos = p;
  }

  private string(s: string): void {
    const len = s.length;
    if (len > this.shortString) {
      this.longString(s);
      return;
    }
    // Short keys and values: one pass that stays on the fast path while ASCII.
    if (this.pos + len + 16 > this.slab.length) this.ensure(len + 16);
    const slab = this.slab;
    const at = this.pos;
    let p = at;
    slab[p++] = DOLLAR;
    if (len < 10) slab[p++] = 48 + len;
    else {
      slab[p++] = 48 + ((len / 10) | 0);
      slab[p++] = 48 + (len % 10);
    }
    slab[p++] = CR;
    slab[p++] = LF;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.utf8String(s); // not ASCII: the general path, from the header on
        return;
      }
      slab[p++] = c;
    }
    slab[p++] = CR;
    slab[p++] = LF;
    this.pos = p;
  }

  private longString(s: string): void {
    const len = s.length;
    if (len >= BIG_ARG) {
      // UTF-8 is at least one byte per UTF-16 unit: a too-long string is refused before encoding it.
      this.tooLong(len);
      this.bytes(utf8.encode(s));
      return;
    }
    this.utf8String(s);
  }

  /**
   * Any string below BIG_ARG: its UTF-8 goes after a header sized for as many bytes as it has
   * UTF-16 units (right when ASCII, the usual case); when the byte count differs in digits,
   * the payload is moved to fit the header.
   */
  private utf8String(s: string): void {
    const len = s.length;
    const max = len * 3;
    this.ensure(max + 16);
    const slab = this.slab;
    const at = this.pos;
    const guess = digitCount(len) + 3;
    const written = nativeWrite
      ? bufferUtf8Write.call(slab, s, at + guess, max)
      : (utf8.encodeInto(s, slab.subarray(at + guess, at + guess + max)).written ?? 0);
    this.tooLong(written);
    if (written !== len) {
      const header = digitCount(written) + 3;
      if (header !== guess) slab.copyWithin(at + header, at + guess, at + guess + written);
    }
    let p = putHeader(slab, at, DOLLAR, written);
    p += written;
    slab[p++] = CR;
    slab[p++] = LF;
    this.pos = p;
  }

  private bytes(b: Uint8Array): void {
    const len = b.length;
    this.tooLong(len);
    this.ensure(len >= BIG_ARG ? 16 : len + 16);
    const slab = this.slab;
    let p = putHeader(slab, this.pos, DOLLAR, len);
    if (len >= BIG_ARG) {
      // Zero-copy: close the slab part, send the caller's bytes as they are.
      this.chunks.push(slab.subarray(this.start, p), b);
      this.start = p;
    } else {
      slab.set(b, p);
      p += len;
    }
    slab[p++] = CR;
    slab[p++] = LF;
    this.pos = p;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    if (this.pos > this.start) this.chunks.push(this.slab.subarray(this.start, this.pos));
    this.slab = newSlab(Math.max(SLAB_SIZE, n));
    this.start = 0;
    this.pos = 0;
  }
}

/**
 * A number argument as it goes on the wire (`+inf`, `-inf` as the server spells them), or
 * undefined for NaN, which no command takes. Key slots and the key prefix use it too: a number
 * key must name the same key whichever path it takes.
 */
export function numberText(n: number): string | undefined {
  if (Number.isFinite(n)) return String(n);
  if (n === Infinity) return '+inf';
  if (n === -Infinity) return '-inf';
  return undefined;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
