/**
 * RESP request encoding straight into a slab: commands issued in one tick are
 * appended back to back, and `take()` hands the filled part out as one write.
 * A slab region handed to the socket is never written again (the socket owns it
 * until sent); when a slab is full a new one is started, so there is no copy and
 * no reuse hazard. Large arguments travel as their own chunks, uncopied.
 */
import { DataError, ErrorCodes } from '../errors/index.js';

/** What a command argument may be. Buffers are Uint8Arrays. */
export type Arg = string | number | bigint | Uint8Array;

const SLAB_SIZE = 64 * 1024;
/** Arguments at least this large (bytes or UTF-16 units) go out as separate chunks. */
const BIG_ARG = 16 * 1024;
const CR = 13;
const LF = 10;
const DOLLAR = 36;
const STAR = 42;

const utf8 = new TextEncoder();

function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = (n / 10) | 0;
    d++;
  }
  return d;
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
  constructor(private readonly maxArgumentLength = DEFAULT_MAX_ARGUMENT_LENGTH) {}

  private slab: Uint8Array = new Uint8Array(SLAB_SIZE);
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
    const saved = this.mark();
    try {
      this.ensure(16);
      this.byte(STAR);
      this.int(args.length + 1);
      this.crlf();
      this.string(name);
      for (let i = 0; i < args.length; i++) this.arg(args[i], i);
    } catch (e) {
      this.rollback(saved);
      throw e;
    }
  }

  /**
   * Drops everything encoded since the last `take()` (a command withdrawn before its
   * write: the caller encodes the rest again). The part of a slab left behind stays unused.
   */
  discard(): void {
    this.chunks.length = 0;
    this.pos = this.start;
  }

  /** The current position, for `rollback()`. */
  mark(): EncoderMark {
    return { slab: this.slab, start: this.start, pos: this.pos, chunks: this.chunks.length };
  }

  /** Drops everything encoded since `mark` (no `take()` in between); a slab switched since is dropped. */
  rollback(mark: EncoderMark): void {
    this.slab = mark.slab;
    this.start = mark.start;
    this.pos = mark.pos;
    this.chunks.length = mark.chunks;
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
      this.ensure(32);
      this.byte(DOLLAR);
      this.int(digitCount(n));
      this.crlf();
      this.int(n);
      this.crlf();
    } else if (Number.isFinite(n)) {
      this.ascii(String(n));
    } else if (n === Infinity) {
      this.ascii('+inf');
    } else if (n === -Infinity) {
      this.ascii('-inf');
    } else {
      throw new DataError(`argument ${index + 1} is NaN`);
    }
  }

  private ascii(s: string): void {
    this.ensure(s.length + 16);
    this.byte(DOLLAR);
    this.int(s.length);
    this.crlf();
    const slab = this.slab;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) slab[p++] = s.charCodeAt(i);
    this.pos = p;
    this.crlf();
  }

  private string(s: string): void {
    const len = s.length;
    if (len >= BIG_ARG) {
      // UTF-8 is at least one byte per UTF-16 unit: a too-long string is refused before encoding it.
      this.tooLong(len);
      this.bytes(utf8.encode(s));
      return;
    }
    if (len <= 64) {
      // Short keys and values: one pass that stays on the fast path while ASCII.
      this.ensure(len + 16);
      const slab = this.slab;
      const headerAt = this.pos;
      slab[headerAt] = DOLLAR;
      this.pos = headerAt + 1;
      this.int(len);
      this.crlf();
      let p = this.pos;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        slab[p++] = c;
      }
      if (i === len) {
        this.pos = p;
        this.crlf();
        return;
      }
      this.pos = headerAt; // not ASCII: redo on the general path
    }
    // General path: encode after a header reserved for the worst case, then close the gap.
    const max = len * 3;
    const reserved = digitCount(max) + 3;
    this.ensure(max + reserved + 2);
    const slab = this.slab;
    const at = this.pos;
    const { written = 0 } = utf8.encodeInto(s, slab.subarray(at + reserved, at + reserved + max));
    const header = digitCount(written) + 3;
    if (header !== reserved) slab.copyWithin(at + header, at + reserved, at + reserved + written);
    slab[at] = DOLLAR;
    this.pos = at + 1;
    this.int(written);
    this.crlf();
    this.pos += written;
    this.crlf();
  }

  private bytes(b: Uint8Array): void {
    const len = b.length;
    this.tooLong(len);
    this.ensure(len >= BIG_ARG ? 16 : len + 16);
    this.byte(DOLLAR);
    this.int(len);
    this.crlf();
    if (len >= BIG_ARG) {
      // Zero-copy: close the slab part, send the caller's bytes as they are.
      this.chunks.push(this.slab.subarray(this.start, this.pos), b);
      this.start = this.pos;
    } else {
      this.slab.set(b, this.pos);
      this.pos += len;
    }
    this.crlf();
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    if (this.pos > this.start) this.chunks.push(this.slab.subarray(this.start, this.pos));
    this.slab = new Uint8Array(Math.max(SLAB_SIZE, n));
    this.start = 0;
    this.pos = 0;
  }

  private byte(b: number): void {
    this.slab[this.pos++] = b;
  }

  private crlf(): void {
    const slab = this.slab;
    slab[this.pos++] = CR;
    slab[this.pos++] = LF;
  }

  /** Writes a non-negative integer in decimal. */
  private int(n: number): void {
    const slab = this.slab;
    const d = digitCount(n);
    let p = this.pos + d;
    this.pos = p;
    do {
      slab[--p] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
