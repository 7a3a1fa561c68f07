// Streaming RESP2/RESP3 parser core.
//
// The host copies each socket chunk into the input region (`parseReserve` + `parse`), and the
// core turns every complete top-level reply into a tape of 16-byte records (type, a, b, c) that
// the host decodes into JS values. Parsing is resumable: a reply split at any byte continues
// from an explicit state (hiredis style: a stack of open aggregates plus the token in progress),
// so bytes already parsed are never scanned again (a length/integer header of at most 20 bytes
// is re-read once its CRLF arrives; text lines resume their CR search where it stopped).
//
// Memory: three heap regions grown by doubling, each under 1 GiB (input, tape, aggregate stack) and a static
// status block the host reads directly, so the hot path is two calls per chunk
// (`parseReserve`, `parse`). Offsets on the tape are relative to the input region, whose
// address may change when it grows; the status block always holds the current addresses.
//
// Bulk strings of EXT_MIN bytes or more that are not yet complete in the input leave the core:
// it records the header, gives back the rest of the chunk (`consumed` < fed) and waits in
// ST_EXT while the host collects the payload straight from its socket chunks, then
// `parseExtDone(cr, lf)` records the value and resumes.
//
// Exported names all start with `parse` so they never clash with the slot hasher's.

import {
  ABI_VERSION,
  COLON,
  COLON_BYTE,
  CR,
  DOLLAR,
  E_BAD_BIG_NUMBER,
  E_BAD_BOOLEAN,
  E_BAD_CRLF,
  E_BAD_INTEGER,
  E_BAD_LENGTH,
  E_BAD_NULL,
  E_BAD_VERBATIM,
  E_BULK_TOO_LONG,
  E_LINE_TOO_LONG,
  E_NESTED_PUSH,
  E_STATE,
  E_STREAMED,
  E_TOO_DEEP,
  E_TOO_MANY_ELEMENTS,
  E_UNKNOWN_TYPE,
  GREATER,
  H_CONSUMED,
  H_ERROR,
  H_EXT_LEN,
  H_EXT_SKIP,
  H_FAILED_IN_PUSH,
  H_INPUT,
  H_STATUS,
  H_TAPE,
  HEADER_SLOTS,
  K_ARRAY,
  K_ATTR,
  K_ATTR_KEPT,
  K_BIGNUM,
  K_BLOB_ERR,
  K_BOOL,
  K_BULK,
  K_DOUBLE,
  K_INT,
  K_MAP,
  K_NULL,
  K_PUSH,
  K_SET,
  K_SIMPLE,
  K_SIMPLE_ERR,
  K_VERBATIM,
  LF,
  LOWER_F,
  LOWER_T,
  MINUS,
  NUM_LINE_MAX,
  OFFSET_TYPES,
  PERCENT,
  PLUS,
  STAR,
  STATUS_EXT,
  STATUS_FAILED,
  TILDE,
  TYPES,
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
  ZERO,
} from "./parser-defs";
import {
  crlfAt,
  digitRun,
  digitsValue,
  digitsValueShifted,
  isBigNumber,
  packShort,
  partialLength,
  readDouble,
  readInteger,
  readLength,
  scalarInt,
  scalarNum,
} from "./parser-scalars";
// ---- Parser states -----------------------------------------------------------------------------
const ST_TYPE: u32 = 0; // expecting a type byte at `pos`
const ST_LINE: u32 = 1; // inside a header/text line: `curKind`, `lineStart`, CR search resumes at `scan`
const ST_BULK: u32 = 2; // waiting for `bulkLen` payload bytes at `bulkStart`, then CRLF
const ST_EXT: u32 = 3; // the host is collecting a large bulk payload
const ST_FAIL: u32 = 4; // protocol error; stays here until parseReset

// ---- Results of one token ----------------------------------------------------------------------
const R_NONE: u32 = 0; // not handled yet (fast path declined)
const R_ELEMENT: u32 = 1; // a value completed: count it towards its aggregate
const R_OPEN: u32 = 2; // an aggregate or attribute opened: nothing to count yet
const R_WAIT: u32 = 3; // needs more input
const R_FAIL: u32 = 4; // protocol error recorded
const R_EXT: u32 = 5; // large bulk handed to the host

// ---- Status block read by the host: HEADER_SLOTS i32 slots; H_* (./abi) are slot indexes ---------
const HDR: usize = memory.data(HEADER_SLOTS << 2, 16);

// ---- Sizes and limits ----------------------------------------------------------------------------
const EXT_MIN: u32 = 65536; // bulk strings this long or longer bypass linear memory
const INPUT_INITIAL: u32 = 65536;
const TAPE_INITIAL: u32 = 4096; // records
/** Largest heap region: below the allocator's block limit, (1 << 30) minus its block header. */
const REGION_MAX: u64 = (1 << 30) - 64;
const FRAME: usize = 16; // i64 remaining | u32 kind | u32 tape length at open

let maxBulk: u32 = 512 * 1024 * 1024;
let maxDepth: u32 = 128;
let maxElements: u32 = 0xffffffff;

// ---- State --------------------------------------------------------------------------------------
let inPtr: usize = 0;
let inCap: u32 = 0;
let inEnd: u32 = 0; // bytes held
let pos: u32 = 0; // next type byte (ST_TYPE)
let replyStart: u32 = 0; // first byte of the incomplete top-level reply; bytes before are delivered

let tapePtr: usize = 0;
let tapeCap: u32 = 0;
let tapeLen: u32 = 0;
let tapeDone: u32 = 0; // records of completed replies (handed to the host, dropped on compaction)

let stackPtr: usize = 0;
let stackCap: u32 = 0;
let depth: u32 = 0;
let skip: u32 = 0; // open attribute frames (their records are rewound when they close)
let keepAttrs: bool = false; // attributes recorded on the tape (T_ATTR) instead of dropped

let state: u32 = ST_TYPE;
let curKind: u32 = 0;
let lineStart: u32 = 0;
let scan: u32 = 0;
let bulkKind: u32 = 0;
let bulkStart: u32 = 0;
let bulkLen: u32 = 0;
let extLen: u32 = 0;

// ---- Exports ------------------------------------------------------------------------------------

/** The interface version (assembly/abi.ts, generated): the host refuses a core that differs. */
export function abiVersion(): u32 {
  return ABI_VERSION;
}

/**
 * 1: record RESP3 attributes on the tape (T_ATTR, pairs, then the value they describe);
 * 0 (the default): parse and drop them. Set between replies (the host sets it once).
 */
export function parseSetAttributes(on: u32): void {
  keepAttrs = on != 0;
}

/** Address of the status block (fixed for the life of the instance). */
export function parseHeader(): usize {
  return HDR;
}

/**
 * Sets the bounds. `bulk`: longest bulk string / text line; `maxNesting`: open aggregates
 * (attributes included); `elements`: longest aggregate (pairs for maps), read as u32.
 */
export function parseSetLimits(bulk: u32, maxNesting: u32, elements: u32): void {
  maxBulk = bulk;
  maxDepth = maxNesting < 1 ? 1 : maxNesting;
  maxElements = elements;
  ensureStack();
}

/**
 * Drops what the host has already decoded and makes room for `len` more input bytes.
 * Returns the address where the host writes them before calling `parse(len)`.
 */
export function parseReserve(len: u32): usize {
  if (inPtr == 0) init();
  compact();
  // + the sentinel byte parse() writes after the input, + 8 so 8-byte loads near the end stay inside
  const need = <u64>inEnd + <u64>len + 9;
  if (need > <u64>inCap) {
    let cap = <u64>inCap;
    while (cap < need) cap = grown(cap);
    if (cap > REGION_MAX) cap = max(need, REGION_MAX); // past REGION_MAX regrow traps: the host reports the reply too large
    inPtr = regrow(inPtr, inCap, cap);
    inCap = <u32>cap;
    store<i32>(HDR, <i32>inPtr, H_INPUT << 2);
  }
  return inPtr + inEnd;
}

/**
 * Parses `len` new bytes written at the address `parseReserve` returned. Returns how many
 * top-level replies completed; their records start at the tape address in the status block.
 *
 * Complete, well-formed `$`, `:`, `+` and aggregate headers take single-pass inline paths;
 * everything else (other types, tokens cut by the end of input, anything malformed) goes
 * through the resumable state machine in `step`, which is the reference behaviour.
 */
export function parse(len: u32): i32 {
  inEnd += len;
  store<i32>(HDR, <i32>len, H_CONSUMED << 2);
  if (state >= ST_EXT) {
    if (state == ST_EXT) fail(E_STATE);
    return 0;
  }
  const base = inPtr;
  const end = inEnd;
  store<u8>(base + end, <u8>CR); // sentinel: digit and CR scans stop here without bounds checks
  store<u8>(base + end + 1, 0); // and no LF after it: a CRLF is never found at or across `end`
  reserveTape(len);
  // Hot state in locals, written back on exit (and around the state machine, which uses globals).
  const tape = tapePtr; // fixed for this call: reserveTape made room for every record
  let tl = tapeLen;
  let p = pos;
  let done: i32 = 0;
  let doneTape = tapeDone; // records / bytes of the replies completed so far
  let doneAt = replyStart;
  let dp = depth;
  let st = state;
  const stack = stackPtr;
  const mBulk = maxBulk;
  const mElements = maxElements;
  const mDepth = maxDepth;

  while (true) {
    let r = R_NONE;
    if (st == ST_TYPE) {
      if (p >= end) break;
      const tb = <u32>load<u8>(base + p);
      if (tb == DOLLAR) {
        // a digit loop, not SWAR: the length decides where the next token starts, and a
        // short predictable loop beats three dependent multiplies on that critical path
        let i = p + 1;
        let d = <u32>load<u8>(base + i) - ZERO;
        if (d <= 9) {
          let v: u32 = 0;
          const lim = i + 9;
          do {
            v = v * 10 + d;
            i++;
            d = <u32>load<u8>(base + i) - ZERO;
          } while (d <= 9 && i < lim);
          if (i + 1 < end && crlfAt(base + i) && v <= mBulk) {
            const s = i + 2;
            const stop = <u64>s + <u64>v;
            if (stop + 2 <= <u64>end && crlfAt(base + <usize>stop)) {
              record(tape, tl, T_STR, s, v, packShort(base + s, v));
              tl++;
              p = <u32>stop + 2;
              r = R_ELEMENT;
            }
          }
        }
      } else if (tb == COLON_BYTE) {
        // A run of integers in one tight loop (intRun): top-level ones (a pipeline of INCRs,
        // EXISTS...) are each a reply; inside an aggregate they are counted in its frame, all
        // but the last, so closing it stays the general path's (popElement).
        let max: u64 = 0xffffffff;
        let f: usize = 0;
        if (dp != 0) {
          f = stack + (<usize>(dp - 1) << 4);
          const rem = load<i64>(f) - 1;
          max = rem < <i64>0xffffffff ? <u64>rem : 0xffffffff;
        }
        if (max != 0) {
          const n = intRun(base, p, tape, tl, <u32>max);
          if (n != 0) {
            // the sentinel CR at `end` is no ':', so runEnd <= end
            p = runEnd;
            tl += n;
            if (dp == 0) {
              done += <i32>n;
              doneTape = tl;
              doneAt = p;
            } else {
              store<i64>(f, load<i64>(f) - <i64>n);
            }
            continue;
          }
        }
        let i = p + 1;
        const neg = <u32>load<u8>(base + i) == MINUS;
        if (neg) i++;
        // up to 8 digits without a loop (no branch mispredicted on the number's length)
        const w = load<u64>(base + i);
        const nd = digitRun(w);
        if (nd - 1 < 8) {
          const v = digitsValue(w, nd);
          i += nd;
          if (i + 1 < end && crlfAt(base + i)) {
            const e = tape + (<usize>tl << 4);
            tl++;
            if (v <= <u64>0x7fffffff) {
              store<i64>(e, (<i64>(neg ? -<i32>v : <i32>v) << 32) | <i64>T_INT);
            } else {
              store<i32>(e, T_NUM);
              store<f64>(e, neg ? -<f64>v : <f64>v, 8);
            }
            p = i + 2;
            r = R_ELEMENT;
          }
        }
      } else if (tb == PLUS) {
        let q = p + 1;
        while (<u32>load<u8>(base + q) != CR) q++;
        const n = q - p - 1;
        if (q + 1 < end && <u32>load<u8>(base + q + 1) == LF && n <= mBulk) {
          record(tape, tl, T_STR, p + 1, n, packShort(base + p + 1, n));
          tl++;
          p = q + 2;
          r = R_ELEMENT;
        }
      } else if (tb == STAR || tb == PERCENT || tb == TILDE || tb == GREATER) {
        let i = p + 1;
        let d = <u32>load<u8>(base + i) - ZERO;
        if (d <= 9) {
          let v: u32 = 0;
          const lim = i + 9;
          do {
            v = v * 10 + d;
            i++;
            d = <u32>load<u8>(base + i) - ZERO;
          } while (d <= 9 && i < lim);
          // A push below the top level is left to the general path, which refuses it.
          if (
            i + 1 < end &&
            crlfAt(base + i) &&
            v <= mElements &&
            (v == 0 || dp < mDepth) &&
            (tb != GREATER || dp == 0)
          ) {
            const kind = <u32>load<u8>(TYPES + tb);
            const t = kind == K_ARRAY ? T_ARRAY : kind == K_MAP ? T_MAP : kind == K_SET ? T_SET : T_PUSH;
            store<i64>(tape + (<usize>tl << 4), (<i64>v << 32) | <i64>t);
            tl++;
            if (v == 0) {
              r = R_ELEMENT;
            } else {
              const f = stack + (<usize>dp << 4);
              store<i64>(f, kind == K_MAP ? <i64>v << 1 : <i64>v);
              store<u32>(f, kind, 8);
              store<u32>(f, tl, 12);
              dp++;
              r = R_OPEN;
            }
            p = i + 2;
          }
        }
      }
      if (r == R_NONE) {
        // everything else: hand the token to the state machine
        const kind = <u32>load<u8>(TYPES + tb);
        if (kind == 0) {
          depth = dp; // fail() reads the frames
          fail(E_UNKNOWN_TYPE);
          break;
        }
        st = ST_LINE;
        curKind = kind;
        lineStart = p + 1;
        scan = p + 1;
      }
    }
    if (r == R_NONE) {
      tapeLen = tl;
      depth = dp;
      state = st;
      r = step(base, end, len);
      tl = tapeLen;
      dp = depth;
      st = state;
      if (r == R_WAIT || r == R_FAIL) break;
      if (r == R_EXT) {
        tapeDone = doneTape;
        replyStart = doneAt;
        return done; // step left tapeLen, depth and state current
      }
      p = pos;
    }
    if (r == R_ELEMENT) {
      if (dp == 0) {
        done++;
        doneTape = tl;
        doneAt = p;
      } else {
        // count it in the open aggregate; closing aggregates (and attributes) is popElement's
        const f = stack + (<usize>(dp - 1) << 4);
        const rem = load<i64>(f) - 1;
        if (rem > 0) {
          store<i64>(f, rem);
        } else {
          tapeLen = tl;
          depth = dp;
          if (popElement()) {
            done++;
            doneTape = tapeLen;
            doneAt = p;
          }
          tl = tapeLen;
          dp = depth;
        }
      }
    }
  }

  tapeLen = tl;
  tapeDone = doneTape;
  replyStart = doneAt;
  depth = dp;
  if (state != ST_FAIL) {
    state = st;
    if (st == ST_TYPE) pos = p;
  }
  return done;
}

/** End of the last intRun (the byte after its last CRLF). */
let runEnd: u32 = 0;
/** Integers intRun takes the general way after a same-length run shorter than this. */
const PLAIN_AFTER_MISS: u32 = 32;

/**
 * Records up to `max` integers from `q` (a ':'), each non-negative with 1..8 digits (so a
 * T_INT), as T_INT records from tape index `tl`; stops at anything else, which the general path
 * takes. Returns how many; `runEnd` is where the next token starts. The 0 after the sentinel CR
 * means a CRLF found here is inside the input.
 *
 * While the integers keep the same number of digits (counters, flags, indexes), the next
 * token's address is this one's plus that length, not a result of this one's digits: the
 * loads of the next integer need not wait for the digit count of this one (a dependency chain
 * of ~12 cycles per integer otherwise); a length change leaves the inner loop for one general
 * step, which sets the new length.
 */
function intRun(base: usize, q: u32, tape: usize, tl: u32, max: u32): u32 {
  let n: u32 = 0;
  let L: u32 = 0; // bytes per token of the same-length run (':' + digits + CRLF); 0 before the first
  let plain: u32 = 1; // general steps before the next same-length attempt
  let more = true;
  while (more) {
    if (L != 0) {
      const nd = L - 3;
      const sh = <u64>(8 - nd) << 3;
      const stop = max - n;
      let k: u32 = 0;
      do {
        const w = load<u64>(base + q + 1);
        if (digitRun(w) != nd || !crlfAt(base + q + 1 + nd)) break;
        const v = digitsValueShifted(w, sh);
        store<i64>(tape + (<usize>(tl + n + k) << 4), (<i64>v << 32) | <i64>T_INT);
        q += L;
        k++;
      } while (k < stop && <u32>load<u8>(base + q) == COLON_BYTE);
      n += k;
      if (n >= max || <u32>load<u8>(base + q) != COLON_BYTE) break;
      // Lengths that keep changing would mispredict this loop's exit every time: take the
      // next integers the general way before guessing again.
      plain = k < PLAIN_AFTER_MISS ? PLAIN_AFTER_MISS : 1;
    }
    // integers of any length up to 8 digits; the last one's length is the next guess
    let c = plain;
    do {
      const w = load<u64>(base + q + 1);
      const nd = digitRun(w);
      const i = q + 1 + nd;
      if (nd - 1 >= 8 || !crlfAt(base + i)) {
        more = false;
        break;
      }
      const v = digitsValue(w, nd);
      store<i64>(tape + (<usize>(tl + n) << 4), (<i64>v << 32) | <i64>T_INT);
      q = i + 2;
      n++;
      L = nd + 3;
      if (n >= max || <u32>load<u8>(base + q) != COLON_BYTE) {
        more = false;
        break;
      }
    } while (--c != 0);
  }
  runEnd = q;
  return n;
}

/**
 * Advances the token in progress (`state` ST_LINE or ST_BULK) as far as the input allows.
 * On completion `pos` is the next byte and `state` ST_TYPE. Returns an R_* code.
 */
function step(base: usize, end: u32, fed: u32): u32 {
  if (state == ST_BULK) return bulkStep(base, end);
  const kind = curKind;
  const ls = lineStart;
  let q = scan;
  while (<u32>load<u8>(base + q) != CR) q++; // the sentinel CR stops this at `end`
  if (q + 1 >= end) {
    // Incomplete line: check what is there now so a bad or huge header fails at once.
    const e = partialLine(kind, base + ls, q - ls);
    if (e != 0) {
      fail(e);
      return R_FAIL;
    }
    scan = q;
    return R_WAIT;
  }
  if (<u32>load<u8>(base + q + 1) != LF) {
    fail(E_BAD_CRLF);
    return R_FAIL;
  }
  const p = q + 2;
  pos = p;
  state = ST_TYPE;
  const n = q - ls;
  const ptr = base + ls;

  switch (kind) {
    case K_SIMPLE: {
      if (n > maxBulk) return failWith(E_LINE_TOO_LONG);
      emit(T_STR, <i32>ls, <i32>n, packShort(ptr, n));
      return R_ELEMENT;
    }
    case K_SIMPLE_ERR: {
      if (n > maxBulk) return failWith(E_LINE_TOO_LONG);
      emit(T_ERR, <i32>ls, <i32>n, 0);
      return R_ELEMENT;
    }
    case K_INT: {
      const t = readInteger(ptr, n);
      if (t < 0) return failWith(-t);
      if (t == T_INT) emit(T_INT, scalarInt, 0, 0);
      else if (t == T_NUM) emitNumber(scalarNum);
      else emit(T_INT_TEXT, <i32>ls, <i32>n, 0);
      return R_ELEMENT;
    }
    case K_BULK:
    case K_BLOB_ERR:
    case K_VERBATIM: {
      const len64 = readLength(ptr, n);
      if (len64 < 0) {
        if (len64 == -1 && kind == K_BULK) {
          emit(T_NULL, 0, 0, 0);
          return R_ELEMENT;
        }
        fail(len64 == -3 ? E_STREAMED : E_BAD_LENGTH);
        return R_FAIL;
      }
      if (len64 > <i64>maxBulk) {
        fail(E_BULK_TOO_LONG);
        return R_FAIL;
      }
      const blen = <u32>len64;
      if (kind == K_BULK && blen >= EXT_MIN && <u64>p + <u64>blen + 2 > <u64>end) {
        // Large and incomplete: the host takes the payload from its chunks. Everything
        // after the header came with this call (the header ended in it); give it back.
        state = ST_EXT;
        extLen = blen;
        store<i32>(HDR, <i32>(fed - (end - p)), H_CONSUMED << 2);
        inEnd = p;
        store<i32>(HDR, STATUS_EXT, H_STATUS << 2);
        store<i32>(HDR, <i32>blen, H_EXT_LEN << 2);
        store<i32>(HDR, skip != 0 ? 1 : 0, H_EXT_SKIP << 2);
        return R_EXT;
      }
      state = ST_BULK;
      bulkKind = kind;
      bulkStart = p;
      bulkLen = blen;
      return bulkStep(base, end);
    }
    case K_ARRAY:
    case K_SET:
    case K_MAP:
    case K_PUSH:
    case K_ATTR: {
      const cnt = readLength(ptr, n);
      if (cnt < 0) {
        if (cnt == -1 && kind == K_ARRAY) {
          emit(T_NULL, 0, 0, 0);
          return R_ELEMENT;
        }
        fail(cnt == -3 ? E_STREAMED : E_BAD_LENGTH);
        return R_FAIL;
      }
      if (cnt > <i64>maxElements) {
        fail(E_TOO_MANY_ELEMENTS);
        return R_FAIL;
      }
      if (kind == K_PUSH && depth != 0) {
        // RESP3 sends push data only between replies; one inside a reply would reach its
        // caller as part of the value (or, in an attribute, vanish) instead of the push handler.
        fail(E_NESTED_PUSH);
        return R_FAIL;
      }
      if (kind == K_ATTR) {
        // Metadata about the next value, not an element itself: recorded only when the host
        // asked (T_ATTR, its pairs, then the value), otherwise parsed and dropped.
        if (keepAttrs) {
          emit(T_ATTR, <i32>cnt, 0, 0);
          if (cnt == 0) return R_OPEN;
          return push(K_ATTR_KEPT, cnt << 1, tapeLen) ? R_OPEN : R_FAIL;
        }
        if (cnt == 0) return R_OPEN;
        if (!push(K_ATTR, cnt << 1, tapeLen)) return R_FAIL;
        skip++;
        return R_OPEN;
      }
      const t = kind == K_ARRAY ? T_ARRAY : kind == K_MAP ? T_MAP : kind == K_SET ? T_SET : T_PUSH;
      emit(t, <i32>cnt, 0, 0);
      if (cnt == 0) return R_ELEMENT;
      if (!push(kind, kind == K_MAP ? cnt << 1 : cnt, tapeLen)) return R_FAIL;
      return R_OPEN;
    }
    case K_NULL: {
      if (n != 0) {
        fail(E_BAD_NULL);
        return R_FAIL;
      }
      emit(T_NULL, 0, 0, 0);
      return R_ELEMENT;
    }
    case K_BOOL: {
      const c = n == 1 ? <u32>load<u8>(ptr) : 0;
      if (c == LOWER_T) emit(T_BOOL, 1, 0, 0);
      else if (c == LOWER_F) emit(T_BOOL, 0, 0, 0);
      else {
        fail(E_BAD_BOOLEAN);
        return R_FAIL;
      }
      return R_ELEMENT;
    }
    case K_DOUBLE: {
      if (n > maxBulk) return failWith(E_LINE_TOO_LONG);
      const t = readDouble(ptr, n);
      if (t < 0) return failWith(-t);
      if (t == T_NUM) emitNumber(scalarNum);
      else emit(T_DOUBLE_TEXT, <i32>ls, <i32>n, 0);
      return R_ELEMENT;
    }
    default: {
      // K_BIGNUM
      if (n > maxBulk) return failWith(E_LINE_TOO_LONG);
      if (!isBigNumber(ptr, n)) {
        fail(E_BAD_BIG_NUMBER);
        return R_FAIL;
      }
      emit(T_BIGNUM, <i32>ls, <i32>n, 0);
      return R_ELEMENT;
    }
  }
}

function failWith(code: i32): u32 {
  fail(code);
  return R_FAIL;
}

/** ST_BULK: the payload may be complete now. */
function bulkStep(base: usize, end: u32): u32 {
  const stop = bulkStart + bulkLen;
  if (<u64>stop + 2 > <u64>end) return R_WAIT;
  if (!crlfAt(base + stop)) {
    fail(E_BAD_CRLF);
    return R_FAIL;
  }
  if (!emitBulk(base, bulkKind, bulkStart, bulkLen)) return R_FAIL;
  pos = stop + 2;
  state = ST_TYPE;
  return R_ELEMENT;
}

/**
 * The host collected a pending external bulk; `cr`/`lf` are the two bytes that followed its
 * payload. Returns 1 when this completed a top-level reply (its records start at the tape
 * address), else 0.
 */
export function parseExtDone(cr: u32, lf: u32): i32 {
  if (state != ST_EXT) {
    if (state != ST_FAIL) fail(E_STATE);
    return 0;
  }
  store<i32>(HDR, 0, H_STATUS << 2);
  store<i32>(HDR, 0, H_EXT_LEN << 2);
  if (cr != CR || lf != LF) {
    fail(E_BAD_CRLF);
    return 0;
  }
  compact();
  reserveTape(0);
  state = ST_TYPE;
  emit(T_STR_EXT, 0, <i32>extLen, 0);
  if (depth == 0 || popElement()) {
    tapeDone = tapeLen;
    replyStart = pos;
    return 1;
  }
  return 0;
}

/** Forgets all input and state (after a protocol error or a reconnect); keeps the regions. */
export function parseReset(): void {
  state = ST_TYPE;
  inEnd = 0;
  pos = 0;
  replyStart = 0;
  tapeLen = 0;
  tapeDone = 0;
  depth = 0;
  skip = 0;
  extLen = 0;
  store<i32>(HDR, 0, H_STATUS << 2);
  store<i32>(HDR, 0, H_ERROR << 2);
  store<i32>(HDR, 0, H_EXT_LEN << 2);
  store<i32>(HDR, 0, H_EXT_SKIP << 2);
  store<i32>(HDR, 0, H_FAILED_IN_PUSH << 2);
}

/** Bytes the current token still needs before it can complete (0 when unknown / none pending). */
export function parseNeeded(): u32 {
  if (state == ST_BULK) {
    const want = <u64>bulkStart + <u64>bulkLen + 2;
    return want > <u64>inEnd ? <u32>(want - <u64>inEnd) : 0;
  }
  if (state == ST_EXT) return extLen + 2;
  return 0;
}

/** Bytes held in the input region (unparsed or part of an incomplete reply). */
export function parseBuffered(): u32 {
  return inEnd;
}

/** The protocol error code, 0 when none. */
export function parseError(): i32 {
  return load<i32>(HDR, H_ERROR << 2);
}

// ---- Internals ----------------------------------------------------------------------------------

function init(): void {
  inPtr = heap.alloc(INPUT_INITIAL);
  inCap = INPUT_INITIAL;
  tapePtr = heap.alloc(<usize>TAPE_INITIAL << 4);
  tapeCap = TAPE_INITIAL;
  ensureStack();
  store<i32>(HDR, <i32>inPtr, H_INPUT << 2);
  store<i32>(HDR, <i32>tapePtr, H_TAPE << 2);
}

function ensureStack(): void {
  if (stackCap >= maxDepth) return;
  stackPtr = stackPtr == 0 ? heap.alloc(<usize>maxDepth * FRAME) : heap.realloc(stackPtr, <usize>maxDepth * FRAME);
  stackCap = maxDepth;
}

function fail(code: i32): void {
  state = ST_FAIL;
  store<i32>(HDR, STATUS_FAILED, H_STATUS << 2);
  store<i32>(HDR, code, H_ERROR << 2);
  // The host must not blame the command in front for bytes that were never its reply: a push is
  // no reply. Known once the push's header opened its frame (the bottom one, as pushes only
  // stand at the top level); a push whose header itself is malformed is not told apart.
  store<i32>(HDR, depth != 0 && load<u32>(stackPtr, 8) == K_PUSH ? 1 : 0, H_FAILED_IN_PUSH << 2);
}

/** Drops delivered tape records and input bytes before the incomplete reply. */
function compact(): void {
  if (tapeDone != 0) {
    const rest = tapeLen - tapeDone;
    if (rest != 0) memory.copy(tapePtr, tapePtr + (<usize>tapeDone << 4), <usize>rest << 4);
    tapeLen = rest;
    for (let f = stackPtr, stop = stackPtr + (<usize>depth << 4); f < stop; f += 16) {
      store<u32>(f, load<u32>(f, 12) - tapeDone, 12);
    }
    tapeDone = 0;
  }
  const k = replyStart;
  if (k == 0) return;
  const rest = inEnd - k;
  if (rest != 0) memory.copy(inPtr, inPtr + k, rest);
  inEnd = rest;
  pos -= k;
  replyStart = 0;
  lineStart -= k; // stale values wrap harmlessly: they are reassigned before use
  scan -= k;
  bulkStart -= k;
  for (let e = tapePtr, stop = tapePtr + (<usize>tapeLen << 4); e < stop; e += 16) {
    if ((OFFSET_TYPES >> <u32>load<i32>(e)) & 1) store<i32>(e, load<i32>(e, 4) - <i32>k, 4);
  }
}

// Records need no capacity check: `reserveTape` made room for the worst case first.
// @ts-ignore: decorator
@inline function emit(t: i32, a: i32, b: i32, c: i32): void {
  const e = tapePtr + (<usize>tapeLen << 4);
  store<i32>(e, t);
  store<i32>(e, a, 4);
  store<i32>(e, b, 8);
  store<i32>(e, c, 12);
  tapeLen++;
}

// @ts-ignore: decorator
@inline function emitNumber(v: f64): void {
  const e = tapePtr + (<usize>tapeLen << 4);
  store<i32>(e, T_NUM);
  store<f64>(e, v, 8);
  tapeLen++;
}

/** Writes record `index` (two 64-bit stores). */
// @ts-ignore: decorator
@inline function record(tape: usize, index: u32, t: i32, a: u32, b: u32, c: i32): void {
  const e = tape + (<usize>index << 4);
  store<i64>(e, (<i64>a << 32) | <i64>t);
  store<i64>(e, (<i64>c << 32) | <i64>b, 8);
}

/**
 * Every token is at least 3 bytes (`_\r\n`) and writes at most one record, so `fed` new bytes
 * add at most fed / 3 records, plus one for a token resumed from the previous call.
 */
function reserveTape(fed: u32): void {
  const need = <u64>tapeLen + <u64>(fed / 3) + 2;
  if (need <= <u64>tapeCap) return;
  let cap = <u64>tapeCap;
  while (cap < need) cap = grown(cap << 4) >> 4;
  if (cap << 4 > REGION_MAX) cap = max(need, REGION_MAX >> 4); // past REGION_MAX regrow traps: the host reports the reply too large
  tapePtr = regrow(tapePtr, <u64>tapeCap << 4, cap << 4);
  tapeCap = <u32>cap;
  store<i32>(HDR, <i32>tapePtr, H_TAPE << 2);
}

/**
 * The next capacity of a region of `bytes`: doubling, then half again from 256 MiB. The
 * freed smaller blocks cannot hold the larger regions, so the 4 GiB address space fills with
 * old blocks plus new ones: doubling both the tape and the input to 1 GiB failed for 40M
 * 17-byte elements, 1.5x steps fit them.
 */
function grown(bytes: u64): u64 {
  return bytes < 1 << 28 ? bytes << 1 : bytes + (bytes >> 1);
}

/**
 * Grows region `ptr` (`old` bytes) to `size` bytes. The allocator (TLSF, the "minimal"
 * runtime) frees the old block, so growing by doubling costs at most the final size again in
 * free blocks, not the sum of every earlier size as the stub allocator's leaked blocks did
 * (40M elements needed more than 4 GiB that way). A block holds less than 1 GiB: past
 * REGION_MAX this traps, which the host reports as a reply too large to decode.
 */
function regrow(ptr: usize, old: u64, size: u64): usize {
  if (size > REGION_MAX || size < old) unreachable();
  return heap.realloc(ptr, <usize>size);
}

/** Records a complete bulk/blob error/verbatim payload. False after a protocol error. */
function emitBulk(base: usize, kind: u32, off: u32, len: u32): bool {
  if (kind == K_BULK) {
    emit(T_STR, <i32>off, <i32>len, packShort(base + off, len));
  } else if (kind == K_BLOB_ERR) {
    emit(T_ERR, <i32>off, <i32>len, 0);
  } else {
    // verbatim: "txt:" (3-byte format and a colon) precedes the text
    if (len < 4 || <u32>load<u8>(base + off + 3) != COLON) {
      fail(E_BAD_VERBATIM);
      return false;
    }
    emit(T_STR, <i32>(off + 4), <i32>(len - 4), packShort(base + off + 4, len - 4));
  }
  return true;
}

/**
 * A finished element inside an aggregate (depth > 0): counts it and pops every aggregate it
 * completes. True when that completed a top-level reply.
 */
function popElement(): bool {
  let d = depth;
  while (d != 0) {
    const f = stackPtr + (<usize>(d - 1) << 4);
    const r = load<i64>(f) - 1;
    if (r > 0) {
      store<i64>(f, r);
      depth = d;
      return false;
    }
    d--;
    const kind = load<u32>(f, 8);
    if (kind == K_ATTR) {
      // An attribute is not part of the value: drop its records. It is not an element of
      // its parent either; the value it describes follows.
      tapeLen = load<u32>(f, 12);
      skip--;
      depth = d;
      return false;
    }
    if (kind == K_ATTR_KEPT) {
      // Kept on the tape, but still not an element: the value it describes follows.
      depth = d;
      return false;
    }
  }
  depth = 0;
  return true;
}

/** Opens an aggregate; `tl` is the tape length after its header (where an attribute's records start). */
function push(kind: u32, remaining: i64, tl: u32): bool {
  if (depth >= maxDepth) {
    fail(E_TOO_DEEP);
    return false;
  }
  const f = stackPtr + (<usize>depth << 4);
  store<i64>(f, remaining);
  store<u32>(f, kind, 8);
  store<u32>(f, tl, 12);
  depth++;
  return true;
}

/** Checks the start of a line whose CR has not arrived yet; an error code or 0. */
function partialLine(kind: u32, ptr: usize, n: u32): i32 {
  switch (kind) {
    case K_SIMPLE:
    case K_SIMPLE_ERR:
    case K_DOUBLE:
    case K_BIGNUM:
      return n > maxBulk ? E_LINE_TOO_LONG : 0;
    case K_INT: {
      if (n > NUM_LINE_MAX) return E_BAD_INTEGER;
      for (let i: u32 = 0; i < n; i++) {
        const c = <u32>load<u8>(ptr + i);
        if (c - ZERO > 9 && !(i == 0 && (c == MINUS || c == PLUS))) return E_BAD_INTEGER;
      }
      return 0;
    }
    case K_BULK:
    case K_BLOB_ERR:
    case K_VERBATIM:
      return partialLength(ptr, n, maxBulk, E_BULK_TOO_LONG);
    case K_NULL:
      return n != 0 ? E_BAD_NULL : 0;
    case K_BOOL: {
      if (n > 1) return E_BAD_BOOLEAN;
      if (n == 1) {
        const c = <u32>load<u8>(ptr);
        if (c != LOWER_T && c != LOWER_F) return E_BAD_BOOLEAN;
      }
      return 0;
    }
    default:
      // aggregates and attributes
      return partialLength(ptr, n, maxElements, E_TOO_MANY_ELEMENTS);
  }
}
