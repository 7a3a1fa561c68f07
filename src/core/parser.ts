/**
 * The RESP2/RESP3 reply parser: socket chunks in, JS values out through a handler.
 *
 * The WASM core (assembly/parser.ts) turns bytes into a tape of small records; this class
 * copies each chunk into the core, then builds JS values straight from the tape. Each Parser
 * owns its own core instance, so connections never share parser state.
 *
 * Bulk strings of 64 KiB or more never pass through linear memory: the core stops at their
 * header and this class collects the payload from the chunks. From chunks the caller leaves
 * alone it keeps views (no copy; joined or decoded piecewise at the end). A transport that
 * reuses its read buffer (Node's `onread`) feeds chunks as `transient` and reads the payload
 * straight into the value's final storage (`readInto()`), allocated once: then nothing is
 * copied after the kernel's copy, and no chunk outlives its `feed` call.
 */
import {
  ascii,
  asciiPiece,
  asciiShort,
  bulkText,
  copyBytes,
  joinPieces,
  latin1,
  piecesText,
  WHOLE_MIN,
  NodeBuffer,
  packedString,
  PIECE,
  SHORT_ASCII,
  text,
  utf8,
  type SliceBuffer,
} from './bytes.js';
import {
  H_CONSUMED,
  H_ERROR,
  H_EXT_LEN,
  H_EXT_SKIP,
  H_FAILED_IN_PUSH,
  H_INPUT,
  H_STATUS,
  H_TAPE,
  ProtocolErrorCode,
  protocolErrorMessage,
  STATUS_EXT,
  STATUS_FAILED,
  T_ARRAY,
  T_ATTR,
  T_BIGNUM,
  T_BOOL,
  T_DOUBLE_TEXT,
  T_ERR,
  T_INT,
  T_INT_TEXT,
  T_MAP,
  T_NULL,
  T_NUM,
  T_PUSH,
  T_SET,
  T_STR,
  T_STR_EXT,
} from './parser-codes.js';
import type { CoreExports } from './core-exports.generated.js';
import { newCoreInstance } from './wasm.js';
import { cachedKey, KEY_MAX, KeyMemo } from './key-cache.js';
import { markDecodedText, SAME_TEXT_NAMES } from './decoded-names.js';

/**
 * A large payload decoded as it arrived: the text of `bytes[0, at)`, and the bytes, for a reply
 * that wants bytes after all (a push with pushBuffers). The rest is decoded only when text is
 * asked for: a payload handed out as bytes is never decoded past the pieces already done.
 */
interface DecodedAhead {
  bytes: Uint8Array;
  text: string;
  at: number;
}

export { ProtocolErrorCode, protocolErrorMessage } from './parser-codes.js';

/** Receives decoded replies, in stream order. */
export interface ReplyHandler {
  /** A complete top-level reply that is not an error and not a push. */
  onReply(value: unknown): void;
  /** A top-level simple/blob error reply, built by options.makeError(message). */
  onError(error: Error): void;
  /** A RESP3 push (`>`) — never a command reply. */
  onPush(value: unknown[]): void;
  /**
   * A push that arrived whole but could not be decoded (like the undecodable replies onError
   * gets): it belongs to no command, so onError, which hands errors to the command in front,
   * must not have it. Without this method it is dropped.
   */
  onUndecodablePush?(error: Error): void;
  /**
   * RESP3 attributes (`|`), when defined: called with each attribute of a reply (top level or
   * nested, in stream order) right before that reply's onReply/onError/onPush. When the handler
   * has no onAttribute, the core parses and drops attributes without recording them (no cost).
   */
  onAttribute?(attributes: Record<string, unknown>): void;
  /**
   * Malformed stream: the parser stays failed until reset(). `code` is a ProtocolErrorCode.
   * `inPush`: the malformed bytes were inside a RESP3 push (an element of `>`), so no command's
   * reply is to blame (like onUndecodablePush).
   */
  onProtocolError(code: number, message: string, inPush?: boolean): void;
}

/** Limits and value shapes of the RESP `Parser`. */
export interface ParserOptions {
  /** Longest accepted bulk string / text line in bytes. Default 512 MiB (the server's limit); at most 2^31-1. */
  maxBulkLength?: number;
  /** Deepest accepted nesting of aggregates, attributes included. Default 128; 1..1024. */
  maxDepth?: number;
  /** Largest accepted aggregate (pairs for maps). Default 2^32-1 (hiredis' bound); memory bounds it first. */
  maxElements?: number;
  /** How error replies (top-level and nested inside arrays/maps, e.g. EXEC results) become values. Default: (m) => new Error(m). */
  makeError?: (message: string) => Error;
  /** The error handed out for a reply that could not be built (e.g. a string too long for the engine). Default: the exception itself. */
  decodeError?: (cause: unknown) => Error;
  /** 'buffer' (Node Buffer) or 'uint8array' (edge runtimes without Buffer). Default: 'buffer' if globalThis.Buffer exists. */
  binary?: 'buffer' | 'uint8array';
}

/** maxBulkLength's default (the server's own limit) and its bound (the parser's i32 lengths). */
export const DEFAULT_MAX_BULK = 512 * 1024 * 1024;
export const MAX_BULK_LIMIT = 0x7fffffff;
const DEFAULT_MAX_DEPTH = 1024; // Redis sends EVAL replies nested as deep as the script builds them
const MAX_DEPTH_LIMIT = 1024; // the decoder recurses once per level
const DEFAULT_MAX_ELEMENTS = 0xffffffff;
/** Chunks are handed to the core in slices of at most this size (= the core's external-bulk threshold). */
const SLICE = 65536;
/** Linear memory above this is given back (a fresh instance) once the core holds nothing. */
const SHRINK_ABOVE = 16 * 1024 * 1024;
/**
 * Maps with more pairs than this are filled as dictionary-mode objects (Object.create(null),
 * then given Object.prototype): adding many keys to `{}` walks V8 through a hidden-class
 * transition per key, about twice as slow at 1000 keys; below this `{}` is faster.
 */
const MAP_DICT_MIN = 32;

const defaultMakeError = (message: string): Error => new Error(message);

/** Longest run of ASCII strings decoded by one native call (see `Parser.runSlice`). */
const RUN_MAX = 16384;

/** Large values expected as bytes up to this size are carved from a shared pool (see `pool`). */
const POOL_MAX = 16 * 1024 * 1024;
const POOL_VALUES = 3;

/** Largest storage kept for reuse after a large value was decoded as text (see `spare`). */
const SPARE_MAX = 16 * 1024 * 1024;

/**
 * How many records follow tape record `i` as its children: a map's keys and values, an
 * aggregate's elements, an attribute's pairs plus the value it annotates. Decode path: no
 * allocation.
 */
function childRecords(t: Int32Array, i: number): number {
  const type = t[i]!;
  if (type === T_MAP) return 2 * (t[i + 1]! >>> 0);
  if (type === T_ARRAY || type === T_SET || type === T_PUSH) return t[i + 1]! >>> 0;
  if (type === T_ATTR) return 2 * (t[i + 1]! >>> 0) + 1;
  return 0;
}

function limit(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}]`);
  }
  return value;
}

/** Streaming RESP2/RESP3 parser. Feed it socket chunks; it calls the handler for every reply. */
export class Parser {
  /** Read when each top-level reply is decoded; a handler may flip it inside onReply/onError for the next reply. */
  returnBuffers = false;
  /**
   * Read when a RESP3 push is decoded: pushes (pub/sub messages) carry their own
   * string mode, independent of the command at the head of the queue.
   */
  pushBuffers = false;

  private readonly handler: ReplyHandler;
  private readonly makeError: (message: string) => Error;
  private readonly decodeError: (cause: unknown) => Error;
  /** The handler takes attributes (fixed at construction): the core records them only then. */
  private readonly withAttributes: boolean;
  private attrs: Record<string, unknown>[] | null = null; // attributes of the reply being decoded
  private readonly buffers: boolean;
  private readonly limits: readonly [number, number, number];

  private core!: CoreExports;
  private u8: Uint8Array = new Uint8Array(0);
  private i32: Int32Array = new Int32Array(0);
  private f64: Float64Array = new Float64Array(0);
  private view: SliceBuffer | null = null;
  private hdr = 0; // i32 index of the core's status block

  // decoding
  private inBase = 0; // address of the input region for the batch being decoded
  private tp = 0; // tape cursor (i32 index)
  private rb = false; // returnBuffers for the reply being decoded
  // the ASCII run strings are cut from (see runSlice); valid within one deliver() call
  private run = '';
  private runStart = 0;
  private runEnd = 0;

  // external (large) bulk strings
  private extLen = 0;
  private extGot = 0; // bytes taken so far, CRLF included
  private extSkip = false; // the payload is discarded (the value of a dropped attribute)
  // The payload so far: views of stable chunks, until a transient chunk or readInto() makes
  // the final storage (`extBuf`), which then holds every byte from the first.
  private extParts: Uint8Array[] = [];
  private extBuf: Uint8Array | null = null;
  private extCR = 0;
  private extLF = 0;
  /**
   * A payload wanted as text is decoded a piece at a time as it lands in its storage, while the
   * server is still sending the rest (GET 1 MB: the decode no longer waits for the last byte):
   * the text of bytes [0, extDecoded), or null when not decoding ahead. A piece that is not
   * ASCII stops it (extAhead false); the rest is decoded at the end, from that boundary.
   */
  private extText: string | null = null;
  private extDecoded = 0;
  private extAhead = false;
  /** Collected payloads not yet decoded, in stream order: the storage, or views to join, or decoded ahead. */
  private exts: Array<Uint8Array | Uint8Array[] | DecodedAhead> = [];
  private extHead = 0;
  /**
   * Storage of a payload already decoded as text, reused for the next large value: strings are
   * copies, so it is free again, and reusing it spares the garbage collector (V8 collects after
   * so many bytes of new off-heap memory) and the kernel's page faults on fresh memory.
   */
  private spare: Uint8Array | null = null;
  /**
   * Storage carved for large values expected as bytes (see `allocExt`): one allocation per
   * POOL_VALUES values, as redis-parser does. Fresh memory costs a page fault per 4 KiB page
   * when first written, and every value's own allocation was fresh (measured: 230 faults per
   * 1 MB GET, about half with the pool, and 20–30 % less CPU in-process).
   */
  private pool: Uint8Array | null = null;
  private poolAt = 0;
  /** Storage allocated for one value alone (never pool memory): may become the spare. */
  private readonly own = new WeakSet<ArrayBufferLike>();

  /** Keys of the last large map by position (see KeyMemo). */
  private readonly keyMemo = new KeyMemo();
  private keyDecoded = false; // the last key was not ASCII text: map() checks it is not a duplicate
  private decodedText = false; // text not all ASCII was decoded since the array being built began
  private failure: Error | null = null; // a map of the reply being decoded became an error (lossyMap)

  private errorCode = 0;
  private broken = false; // the core trapped: reset() builds a new instance
  private epoch = 0; // bumped by reset(): stops delivery of a chunk being processed
  private busy = false;
  private queue: Uint8Array[] | null = null; // chunks fed from inside a handler
  private thrown: { error: unknown } | null = null;

  constructor(handler: ReplyHandler, options: ParserOptions = {}) {
    this.handler = handler;
    this.makeError = options.makeError ?? defaultMakeError;
    this.decodeError = options.decodeError ?? ((cause) => cause as Error);
    this.withAttributes = typeof handler.onAttribute === 'function';
    const binary = options.binary ?? (NodeBuffer !== undefined ? 'buffer' : 'uint8array');
    if (binary === 'buffer' && NodeBuffer === undefined) {
      throw new TypeError("binary: 'buffer' needs a global Buffer");
    }
    this.buffers = binary === 'buffer';
    this.limits = [
      limit(options.maxBulkLength, DEFAULT_MAX_BULK, 0, MAX_BULK_LIMIT, 'maxBulkLength'),
      limit(options.maxDepth, DEFAULT_MAX_DEPTH, 1, MAX_DEPTH_LIMIT, 'maxDepth'),
      limit(options.maxElements, DEFAULT_MAX_ELEMENTS, 0, 0xffffffff, 'maxElements'),
    ];
    this.instantiate();
  }

  /** True after a protocol error, until reset(). */
  get failed(): boolean {
    return this.errorCode !== 0;
  }

  /**
   * Parses a socket chunk and calls the handler for every reply it completes, in order,
   * before returning.
   *
   * Ownership: with `transient`, the parser keeps no reference to `chunk` once `feed` returns
   * (its bytes are copied into the core, or into a large value's own storage), so the caller
   * may reuse the chunk's memory for the next read (`net` `onread` with a static buffer).
   * Otherwise the chunk must not change afterwards: bulk strings of 64 KiB or more are kept
   * as views of their chunks until their reply completes, and such a reply returned as bytes
   * may be a view of its chunk.
   *
   * A chunk fed while failed is ignored. A chunk fed from inside a handler is queued (copied
   * if transient) and parsed after the current one. If a handler throws, the remaining
   * replies are still delivered and the first exception is rethrown at the end.
   */
  feed(chunk: Uint8Array, transient = false): void {
    if (this.busy) {
      (this.queue ??= []).push(transient ? chunk.slice() : chunk);
      return;
    }
    this.busy = true;
    try {
      this.consume(chunk, transient);
      const q = this.queue;
      if (q !== null) {
        for (let i = 0; i < q.length && q === this.queue; i++) this.consume(q[i]!, false);
        if (q === this.queue) this.queue = null;
      }
    } finally {
      this.busy = false;
    }
    const thrown = this.thrown;
    if (thrown !== null) {
      this.thrown = null;
      throw thrown.error;
    }
  }

  /** Forgets buffered bytes and any error: for a new connection, or after a protocol error. */
  reset(): void {
    this.epoch++;
    this.errorCode = 0;
    this.queue = null;
    this.endExt();
    this.exts = [];
    this.extHead = 0;
    if (this.broken) this.instantiate();
    else this.core.parseReset();
  }

  /**
   * Where the next bytes of the stream should be read to, when the parser knows: the rest of a
   * large bulk string's storage while its payload is being collected, else null. A transport
   * that reads into this and feeds the filled part (a subarray at the same offset) saves the
   * copy; any other chunk is copied as usual. Valid until the next `feed` or `reset`.
   */
  readInto(): Uint8Array | null {
    const got = this.extGot;
    if (got >= this.extLen || this.extSkip) return null;
    return this.storage().subarray(got);
  }

  // ---- feeding ----------------------------------------------------------------------------

  private instantiate(): void {
    this.core = newCoreInstance().exports as unknown as CoreExports;
    this.broken = false;
    this.core.parseSetLimits(this.limits[0], this.limits[1], this.limits[2] | 0);
    if (this.withAttributes) this.core.parseSetAttributes(1);
    this.hdr = this.core.parseHeader() >> 2;
    this.views();
  }

  /** Rebuilds the views after memory.grow detached the old ones. */
  private views(): void {
    const ab = this.core.memory.buffer;
    this.u8 = new Uint8Array(ab);
    this.i32 = new Int32Array(ab);
    this.f64 = new Float64Array(ab);
    this.view = NodeBuffer !== undefined ? NodeBuffer.from(ab) : null;
  }

  private consume(chunk: Uint8Array, transient: boolean): void {
    if (this.errorCode !== 0) return;
    const epoch = this.epoch;
    const len = chunk.length;
    let off = 0;
    try {
      while (off < len) {
        if (this.extLen !== 0) {
          off = this.collect(chunk, off, transient);
          if (this.epoch !== epoch || this.errorCode !== 0) return;
          continue;
        }
        const n = len - off < SLICE ? len - off : SLICE;
        const core = this.core;
        const at = core.parseReserve(n) >>> 0; // an address, unsigned: the core's memory may pass 2 GiB
        if (this.u8.length === 0) this.views();
        this.u8.set(off === 0 && n === len ? chunk : chunk.subarray(off, off + n), at);
        const done = core.parse(n);
        if (this.u8.length === 0) this.views();
        if (done !== 0) {
          this.deliver(done);
          if (this.epoch !== epoch) return;
        }
        const h = this.i32;
        const hb = this.hdr;
        const status = h[hb + H_STATUS]!;
        if (status === 0) {
          off += n;
        } else if (status === STATUS_EXT) {
          off += h[hb + H_CONSUMED]!;
          this.extLen = h[hb + H_EXT_LEN]!;
          this.extSkip = h[hb + H_EXT_SKIP]! !== 0;
          // Text is the likely use (a push may still want bytes: both are kept); above WHOLE_MIN
          // one string is built at the end instead (see bytes.ts).
          if (!this.returnBuffers && !this.extSkip && this.extLen <= WHOLE_MIN) {
            this.extText = '';
            this.extAhead = true;
          }
        } else {
          this.fail(h[hb + H_ERROR]!, h[hb + H_FAILED_IN_PUSH] === 1);
          return;
        }
      }
    } catch {
      // Handler exceptions are caught where handlers are called, so this is the core
      // trapping (memory exhausted) or the host misreading it: the stream is unusable.
      this.broken = true;
      if (this.errorCode === 0 && this.epoch === epoch) this.fail(ProtocolErrorCode.CoreFailure);
      return;
    }
    if (this.u8.length > SHRINK_ABOVE && this.extLen === 0) {
      // The bytes of delivered replies stay in the input until the next reserve compacts them,
      // so parseBuffered() was never 0 here: compact first (the next chunk would anyway).
      this.core.parseReserve(0);
      if (this.core.parseBuffered() === 0) this.instantiate();
      else if (this.u8.length === 0) this.views();
    }
  }

  /** Takes large-bulk bytes from `chunk` at `off`; returns the new offset. */
  private collect(chunk: Uint8Array, off: number, transient: boolean): number {
    const len = this.extLen;
    const got = this.extGot;
    const avail = chunk.length - off;
    const want = len + 2 - got;
    const take = avail < want ? avail : want;
    for (let j = got < len ? len : got; j < got + take; j++) {
      if (j === len) this.extCR = chunk[off + j - got]!;
      else this.extLF = chunk[off + j - got]!;
    }
    const part = take < len - got ? take : len - got;
    if (!this.extSkip && part > 0) {
      const piece = off === 0 && part === chunk.length ? chunk : chunk.subarray(off, off + part);
      if (this.extBuf === null && !transient) {
        this.extParts.push(piece); // a view: the chunk stays as it is
      } else {
        const dest = this.storage();
        // A chunk read straight into `readInto()`'s window is already in place.
        if (chunk.buffer !== dest.buffer || chunk.byteOffset + off !== dest.byteOffset + got) {
          dest.set(piece, got);
        }
        if (this.extAhead) this.decodeAhead(dest, got + part);
      }
    }
    this.extGot = got + take;
    if (this.extGot === len + 2) {
      if (!this.extSkip) {
        const buf = this.extBuf;
        const ahead = this.extText;
        this.exts.push(
          buf !== null && ahead !== null
            ? { bytes: buf, text: ahead, at: this.extDecoded }
            : (buf ?? this.extParts),
        );
      }
      const cr = this.extCR;
      const lf = this.extLF;
      this.endExt();
      const done = this.core.parseExtDone(cr, lf);
      if (this.u8.length === 0) this.views();
      if (done !== 0) this.deliver(done);
      const hb = this.hdr;
      if (this.i32[hb + H_STATUS] === STATUS_FAILED && this.errorCode === 0)
        this.fail(this.i32[hb + H_ERROR]!, this.i32[hb + H_FAILED_IN_PUSH] === 1);
    }
    return off + take;
  }

  /** Decodes the whole pieces of `dest[extDecoded, avail)` while they are ASCII. */
  private decodeAhead(dest: Uint8Array, avail: number): void {
    let at = this.extDecoded;
    while (avail - at >= PIECE) {
      const piece = asciiPiece(dest.subarray(at, at + PIECE));
      if (piece === undefined) {
        this.extAhead = false;
        break;
      }
      this.extText += piece;
      at += PIECE;
    }
    this.extDecoded = at;
  }

  /** The pending payload's final storage, made on first need with the views taken so far. */
  private storage(): Uint8Array {
    let b = this.extBuf;
    if (b === null) {
      b = this.allocExt(this.extLen);
      let at = 0;
      for (const p of this.extParts) {
        b.set(p, at);
        at += p.length;
      }
      this.extParts = [];
      this.extBuf = b;
    }
    return b;
  }

  /**
   * Storage for a large payload: the spare when it is big enough; a slice of the pool when the
   * value will most likely be handed out as bytes (a slice keeps its pool alive, so only up to
   * POOL_MAX); else a new allocation, which becomes the spare once decoded as text.
   */
  private allocExt(len: number): Uint8Array {
    const s = this.spare;
    if (s !== null && s.length >= len) {
      this.spare = null; // in use until this payload is decoded as text
      return s.subarray(0, len);
    }
    if (NodeBuffer === undefined) {
      const b = new Uint8Array(len);
      this.own.add(b.buffer);
      return b;
    }
    if (this.returnBuffers && len <= POOL_MAX) {
      let p = this.pool;
      if (p === null || this.poolAt + len > p.length) {
        p = this.pool = NodeBuffer.allocUnsafe(len * POOL_VALUES);
        this.poolAt = 0;
      }
      const at = this.poolAt;
      this.poolAt = at + len;
      return p.subarray(at, at + len);
    }
    const b = NodeBuffer.allocUnsafe(len);
    this.own.add(b.buffer);
    return b;
  }

  private endExt(): void {
    this.extLen = 0;
    this.extGot = 0;
    this.extSkip = false;
    this.extText = null;
    this.extDecoded = 0;
    this.extAhead = false;
    this.extParts = [];
    this.extBuf = null;
  }

  private fail(code: number, inPush = false): void {
    this.errorCode = code;
    try {
      this.handler.onProtocolError(code, protocolErrorMessage(code), inPush);
    } catch (error) {
      this.thrown ??= { error };
    }
  }

  // ---- decoding ---------------------------------------------------------------------------

  /** Decodes and hands out `count` completed replies from the start of the tape. */
  private deliver(count: number): void {
    const hb = this.hdr;
    const t = this.i32; // stays valid: handlers cannot reach the core (feed queues, reset only resets)
    this.inBase = t[hb + H_INPUT]! >>> 0;
    this.runStart = this.runEnd = 0; // the input may have moved or been overwritten since
    this.run = '';
    const epoch = this.epoch;
    const handler = this.handler;
    let i = t[hb + H_TAPE]! >>> 2; // tape cursor (i32 index; the address may pass 2 GiB)
    let r = 0;
    while (r < count) {
      // One try around the loop (not two per reply). In the catch, a cursor already past the
      // reply means its handler threw; a cursor still at its start means it failed to decode.
      let start = i;
      let extAt = this.extHead;
      try {
        for (; r < count; r++) {
          start = i;
          let type = t[i]!;
          if (type === T_INT) {
            // The commonest scalars need no decoding state and are never errors or pushes:
            // straight to onReply, a run of them in one loop (the cursor moves first, so a
            // throw is the handler's; the catch counts that reply).
            do {
              i += 4;
              handler.onReply(t[i - 3]);
              if (this.epoch !== epoch) return;
            } while (++r < count && t[i] === T_INT);
            r--; // the for loop counts the last one
            continue;
          }
          if (type === T_STR && t[i + 3]! > 0 && !this.returnBuffers) {
            i += 4;
            handler.onReply(packedString(t[i - 1]!, t[i - 2]!));
            if (this.epoch !== epoch) return;
            continue;
          }
          extAt = this.extHead;
          if (type === T_ATTR) type = this.annotatedType(i);
          this.rb = type === T_PUSH ? this.pushBuffers : this.returnBuffers;
          this.tp = i;
          const value = this.value();
          if (this.failure !== null) this.raiseIfReply(value);
          i = this.tp;
          if (this.attrs !== null) this.deliverAttributes();
          if (type === T_ERR) handler.onError(value as Error);
          else if (type === T_PUSH) handler.onPush(value as unknown[]);
          else handler.onReply(value);
          if (this.epoch !== epoch) return;
        }
      } catch (error) {
        if (i !== start) {
          this.thrown ??= { error };
        } else {
          // A reply that could not be built (makeError threw, text too long for a JS string):
          // hand out the exception as its error, skip its records, keep the stream.
          this.attrs = null;
          const pushed = (t[start] === T_ATTR ? this.annotatedType(start) : t[start]) === T_PUSH;
          this.skipReply(start, extAt);
          i = this.tp;
          try {
            if (!pushed) handler.onError(this.decodeError(error));
            else handler.onUndecodablePush?.(this.decodeError(error));
          } catch (e) {
            this.thrown ??= { error: e };
          }
        }
        if (this.epoch !== epoch) return;
        r++;
      }
    }
    if (this.extHead !== 0) {
      this.exts.splice(0, this.extHead);
      this.extHead = 0;
    }
  }

  /** A map of the reply decoded as an error (lossyMap): thrown when it is the reply itself, kept in its slot when nested. */
  private raiseIfReply(value: unknown): void {
    const failure = this.failure;
    this.failure = null;
    if (value === failure) throw failure;
  }

  /**
   * Sets aside the attributes at the cursor for the reply's onAttribute, up to the value they describe. A
   * loop: a server may send any number of them in a row, and one call per attribute (10,000) overflowed the
   * stack. The core bounds nesting, not runs.
   */
  private attributes(): void {
    const t = this.i32;
    while (t[this.tp] === T_ATTR) {
      const pairs = t[this.tp + 1]! >>> 0;
      this.tp += 4;
      (this.attrs ??= []).push(this.map(pairs));
    }
  }

  /** Hands the attributes decoded with a reply to the handler; one that throws does not stop the reply. */
  private deliverAttributes(): void {
    const attrs = this.attrs!;
    this.attrs = null;
    for (const a of attrs) {
      try {
        this.handler.onAttribute!(a);
      } catch (error) {
        this.thrown ??= { error };
      }
    }
  }

  /** The type of the value that attribute records starting at tape index `i` describe. */
  private annotatedType(i: number): number {
    const t = this.i32;
    while (t[i] === T_ATTR) {
      let pending = 2 * (t[i + 1]! >>> 0);
      i += 4;
      while (pending > 0) {
        pending += childRecords(t, i) - 1;
        i += 4;
      }
    }
    return t[i]!;
  }

  /** Moves the cursors past the reply at tape index `start` without building it. */
  private skipReply(start: number, extAt: number): void {
    const t = this.i32;
    let i = start;
    let pending = 1;
    let exts = 0;
    while (pending > 0) {
      pending += childRecords(t, i) - 1;
      if (t[i] === T_STR_EXT) exts++;
      i += 4;
    }
    this.tp = i;
    this.extHead = extAt + exts;
  }

  private value(): unknown {
    const t = this.i32;
    const i = this.tp;
    this.tp = i + 4;
    switch (t[i]) {
      case T_STR:
        return this.rb ? this.bytes(t[i + 1]!, t[i + 2]!) : this.str(t[i + 1]!, t[i + 2]!, t[i + 3]!);
      case T_INT:
        return t[i + 1];
      case T_NUM:
        return this.f64[(i >> 1) + 1];
      case T_ARRAY:
      case T_SET:
      case T_PUSH:
        return this.array(t[i + 1]! >>> 0);
      case T_MAP:
        return this.map(t[i + 1]! >>> 0);
      case T_NULL:
        return null;
      case T_BOOL:
        return t[i + 1] !== 0;
      case T_ERR:
        return this.makeError(this.text(t[i + 1]!, t[i + 2]!));
      case T_STR_EXT:
        if (!this.rb) this.decodedText = true; // ASCII or not: not worth telling apart at this size
        return this.ext(this.rb);
      case T_ATTR:
        // Only recorded when the handler takes attributes: keep them aside, return the value they describe.
        this.tp = i;
        this.attributes();
        return this.value();
      case T_INT_TEXT:
        // beyond 2^53: exact decimal text rather than a rounded number (normalised: no '+', no leading zeros)
        return BigInt(this.ascii(t[i + 1]!, t[i + 2]!)).toString();
      case T_DOUBLE_TEXT:
        return Number(this.ascii(t[i + 1]!, t[i + 2]!));
      case T_BIGNUM:
        return BigInt(this.ascii(t[i + 1]!, t[i + 2]!));
      default:
        throw new Error('wredis: corrupt parser tape');
    }
  }

  private array(n: number): unknown[] {
    const a = new Array<unknown>(n);
    const t = this.i32;
    const outer = this.decodedText;
    this.decodedText = false;
    for (let k = 0; k < n; k++) {
      // strings and integers (the usual elements) without the generic dispatch
      const i = this.tp;
      const type = t[i];
      if (type === T_STR && !this.rb) {
        this.tp = i + 4;
        a[k] = this.str(t[i + 1]!, t[i + 2]!, t[i + 3]!);
      } else if (type === T_INT) {
        this.tp = i + 4;
        a[k] = t[i + 1];
      } else {
        a[k] = this.value();
      }
    }
    // Left set, so the arrays around this one are marked too (pairs as [[name, value], …]).
    if (this.decodedText) markDecodedText(a);
    else this.decodedText = outer;
    return a;
  }

  /**
   * Maps become plain objects (prototype Object.prototype); keys are always UTF-8 strings;
   * a `__proto__` key is kept as an own property, never a prototype change.
   */
  private map(n: number): Record<string, unknown> {
    let repeated = false;
    if (n > MAP_DICT_MIN) {
      const o = Object.create(null) as Record<string, unknown>; // no prototype: `__proto__` is an ordinary key
      for (let k = 0; k < n; k++) {
        const key = this.key(k);
        if (this.keyDecoded) repeated = this.repeats(o, key) || repeated;
        o[key] = this.value();
      }
      return repeated
        ? this.lossyMap()
        : (Object.setPrototypeOf(o, Object.prototype) as Record<string, unknown>);
    }
    const o: Record<string, unknown> = {};
    for (let k = 0; k < n; k++) {
      const key = this.key();
      if (this.keyDecoded) repeated = this.repeats(o, key) || repeated;
      const v = this.value();
      if (key === '__proto__') {
        Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
      } else {
        o[key] = v;
      }
    }
    return repeated ? this.lossyMap() : o;
  }

  /**
   * Whether `key` (not ASCII: the only kind that can) is already in `o`: two keys that decode to
   * the same text (bytes that are not UTF-8 become U+FFFD). The usual reply pays one test per key.
   */
  private repeats(o: Record<string, unknown>, key: string): boolean {
    this.keyDecoded = false;
    return Object.hasOwn(o, key);
  }

  /**
   * A map that would keep one of two fields and drop the other without a word is an error in its
   * place instead (a DataError): in a slot of EXEC's reply, as a server's error is there, so the
   * transaction's other results are kept and its caller knows it ran; at the top, deliver() makes
   * it the reply's error (the stream goes on).
   */
  private lossyMap(): Record<string, unknown> {
    const failure = this.decodeError(new Error(SAME_TEXT_NAMES));
    this.failure = failure;
    return failure as unknown as Record<string, unknown>;
  }

  /** The next record as a map key; `at` is its position in a large map (-1 otherwise). */
  private key(at = -1): string {
    const t = this.i32;
    const i = this.tp;
    const type = t[i];
    if (type === T_STR) {
      this.tp = i + 4;
      const len = t[i + 2]!;
      const c = t[i + 3]!;
      // ASCII names repeat from reply to reply: the string handed out last time (key-cache.ts)
      if (c !== 0 && len <= KEY_MAX) {
        const a = this.inBase + t[i + 1]!;
        return at >= 0
          ? this.keyMemo.key(this.u8, this.view, a, len, at)
          : cachedKey(this.u8, this.view, a, len);
      }
      if (c === 0) this.keyDecoded = true;
      return this.str(t[i + 1]!, len, c);
    }
    if (type === T_STR_EXT) {
      this.tp = i + 4;
      this.keyDecoded = true;
      return this.ext(false) as string;
    }
    if (type === T_ATTR) {
      // Attributes describe the key; the key after them is still read as a key (text, checked for a
      // repeat), not by value(): that gave bytes under returnBuffers ('107,101,121' for a Uint8Array)
      // and let two names that decode to the same text drop a field.
      this.attributes();
      return this.key(at);
    }
    return String(this.value()); // a number or boolean: the same text only from the same value
  }

  /** A T_STR record as text; `c` is the core's tag: packed 1..4 ASCII bytes, -1 ASCII, 0 UTF-8. */
  private str(off: number, len: number, c: number): string {
    if (c > 0) return packedString(c, len);
    if (c < 0) {
      const a = this.inBase + off;
      if (len <= SHORT_ASCII) return asciiShort(this.u8, a, len);
      const v = this.view;
      if (v === null) return latin1(this.u8, v, a, a + len);
      if (len <= RUN_MAX) return this.runSlice(v, a, len);
      return len <= PIECE ? v.latin1Slice(a, a + len) : latin1(this.u8, v, a, a + len);
    }
    return this.text(off, len);
  }

  /**
   * ASCII string `[a, a + len)` as a substring of one latin1Slice covering it and the ASCII
   * strings recorded right after it (the rest of an LRANGE/HGETALL/MGET reply, or the next
   * replies of a pipeline): one native call per run instead of one per string, and V8 makes
   * each substring a slice of the run (no copy). A string keeps its run (<= RUN_MAX bytes)
   * alive, the price of that. `this.tp` is the record after this string's.
   */
  private runSlice(v: SliceBuffer, a: number, len: number): string {
    const rs = this.runStart;
    if (a >= rs && a + len <= this.runEnd) return this.run.substring(a - rs, a - rs + len);
    const t = this.i32;
    const base = this.inBase;
    const limit = Math.min(a + RUN_MAX, v.length);
    let end = a + len;
    // Records past the tape's end are stale but harmless: only bounds are read from them, and
    // a string is only ever cut from its own validated bytes.
    for (let j = this.tp; t[j] === T_STR && t[j + 3]! < 0; j += 4) {
      const e = base + t[j + 1]! + t[j + 2]!;
      if (e > limit || e < end) break;
      end = e;
    }
    if (end === a + len) return v.latin1Slice(a, end); // no run: a single string
    const run = v.latin1Slice(a, end);
    this.run = run;
    this.runStart = a;
    this.runEnd = end;
    return run.substring(0, len);
  }

  private text(off: number, len: number): string {
    this.decodedText = true;
    const a = this.inBase + off;
    const v = this.view;
    if (v !== null && len <= PIECE) return v.utf8Slice(a, a + len);
    return utf8(this.u8, v, a, a + len);
  }

  private ascii(off: number, len: number): string {
    const a = this.inBase + off;
    return ascii(this.u8, a, a + len);
  }

  private bytes(off: number, len: number): Uint8Array {
    const a = this.inBase + off;
    return copyBytes(this.u8, a, a + len, this.buffers);
  }

  /** A payload's storage, decoded as text, is free again: kept for the next large value unless the one kept is bigger or this is huge. */
  private keepSpare(b: Uint8Array): void {
    const ab = b.buffer; // reusable when it was this value's own (pool memory is shared)
    const spare = this.spare;
    if (this.own.has(ab) && ab.byteLength <= SPARE_MAX && (spare === null || spare.length < ab.byteLength)) {
      this.spare = NodeBuffer !== undefined ? NodeBuffer.from(ab) : new Uint8Array(ab);
    }
  }

  private ext(asBytes: boolean): unknown {
    const e = this.exts[this.extHead++]!;
    let b: Uint8Array | Uint8Array[];
    if (e instanceof Uint8Array || Array.isArray(e)) b = e;
    else if (asBytes) b = e.bytes;
    else {
      const s = e.text + text(e.bytes, e.at, e.bytes.length);
      this.keepSpare(e.bytes);
      return s;
    }
    if (Array.isArray(b)) {
      // views of stable chunks: pieces decode without joining, up to the size where one
      // string beats pieces (WHOLE_MIN); Buffers are one when the payload came in one chunk
      if (asBytes) return joinPieces(b, this.buffers);
      let n = 0;
      for (const p of b) n += p.length;
      if (n <= WHOLE_MIN) return piecesText(b);
      const joined = this.allocExt(n);
      let at = 0;
      for (const p of b) {
        joined.set(p, at);
        at += p.length;
      }
      b = joined;
    }
    if (!asBytes) {
      const s = bulkText(b);
      this.keepSpare(b);
      return s;
    }
    // The storage was allocated for this value alone: handed out as it is (no copy).
    return this.buffers || NodeBuffer === undefined ? b : new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
}
