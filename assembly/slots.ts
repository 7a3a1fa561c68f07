// Redis Cluster key slots: CRC16-XMODEM of the key's UTF-8 bytes (or of its
// {hash tag}) modulo 16384. The host copies keys into a scratch region, then
// asks for one slot (slotOf) or for many at once (slotsBatch*), so a
// multi-key command costs a single call across the boundary.
import { CRC_TABLES } from "./slots-crc-table";

const SLOT_MASK: u32 = 16383;
const OPEN_BRACE: u32 = 0x7b; // '{'
const CLOSE_BRACE: u8 = 0x7d; // '}'
const BRACES: u64 = 0x7b7b7b7b7b7b7b7b;
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const MAX_REGION: usize = 1 << 31;

// Scratch regions owned by the host's slot helpers; they only ever grow.
let inputPtr: usize = 0;
let inputCap: usize = 0;
let tablePtr: usize = 0;
let tableCap: usize = 0;

// @ts-ignore: decorator
@inline function table(k: usize, index: u32): u32 {
  return <u32>load<u16>(CRC_TABLES + (k << 9) + (<usize>index << 1));
}

/** One byte into a 16-bit crc. */
// @ts-ignore: decorator
@inline function crcByte(crc: u32, byte: u32): u32 {
  return ((crc << 8) & 0xffff) ^ table(0, (crc >> 8) ^ byte);
}

/** Eight bytes (little-endian word, first byte lowest) into a 16-bit crc. */
// @ts-ignore: decorator
@inline function crcWord(crc: u32, w: u64): u32 {
  let lo = <u32>w ^ (crc >> 8) ^ ((crc & 0xff) << 8);
  let hi = <u32>(w >> 32);
  return table(7, lo & 0xff) ^ table(6, (lo >> 8) & 0xff) ^ table(5, (lo >> 16) & 0xff) ^ table(4, lo >> 24)
    ^ table(3, hi & 0xff) ^ table(2, (hi >> 8) & 0xff) ^ table(1, (hi >> 16) & 0xff) ^ table(0, hi >> 24);
}

/** Whether any byte of the word is '{' (exact: the borrow only ever flags a real match). */
// @ts-ignore: decorator
@inline function hasOpenBrace(w: u64): bool {
  let v = w ^ BRACES;
  return ((v - ONES) & ~v & HIGHS) != 0;
}

/** Continues `crc` over [ptr, end). */
// @ts-ignore: decorator
@inline function crcRange(crc: u32, ptr: usize, end: usize): u32 {
  while (ptr + 8 <= end) {
    crc = crcWord(crc, load<u64>(ptr));
    ptr += 8;
  }
  while (ptr < end) {
    crc = crcByte(crc, <u32>load<u8>(ptr));
    ptr++;
  }
  return crc;
}

// @ts-ignore: decorator
@inline function findByte(ptr: usize, end: usize, byte: u8): usize {
  while (ptr < end && load<u8>(ptr) != byte) ptr++;
  return ptr;
}

/**
 * Slot of the key in [ptr, end). The CRC of the whole key is computed while
 * looking for '{', so a key without a tag (the usual case) is read once.
 */
// @ts-ignore: decorator
@inline function slotRange(ptr: usize, end: usize): u32 {
  let crc: u32 = 0;
  let p = ptr;
  while (p + 8 <= end) {
    let w = load<u64>(p);
    if (hasOpenBrace(w)) break;
    crc = crcWord(crc, w);
    p += 8;
  }
  while (p < end) {
    let b = <u32>load<u8>(p);
    if (b == OPEN_BRACE) {
      // Redis: the tag is what lies between the first '{' and the first '}'
      // after it, if that is at least one byte; otherwise the whole key counts.
      let close = findByte(p + 1, end, CLOSE_BRACE);
      if (close < end && close > p + 1) return crcRange(0, p + 1, close) & SLOT_MASK;
      return crcRange(crc, p, end) & SLOT_MASK;
    }
    crc = crcByte(crc, b);
    p++;
  }
  return crc & SLOT_MASK;
}

/**
 * End of the UTF-8 encoding of `units` UTF-16 code units starting at `ptr`.
 * The bytes come from TextEncoder, so they are well formed: a 4-byte sequence
 * is a surrogate pair (two units), anything shorter is one unit.
 */
// @ts-ignore: decorator
@inline function utf8End(ptr: usize, units: u32): usize {
  while (units > 0) {
    let b = <u32>load<u8>(ptr);
    if (b < 0x80) { ptr += 1; units -= 1; }
    else if (b < 0xe0) { ptr += 2; units -= 1; }
    else if (b < 0xf0) { ptr += 3; units -= 1; }
    else { ptr += 4; units -= units > 1 ? 2 : 1; }
  }
  return ptr;
}

/** The capacity to grow to: doubling from `cap` (256 at first) until `need` fits. */
// @ts-ignore: decorator
@inline function grownSize(cap: usize, need: usize): usize {
  // Beyond 2 GiB the doubling would wrap to 0 and spin; trap instead.
  if (need > MAX_REGION) unreachable();
  let size = cap == 0 ? <usize>256 : cap;
  while (size < need) size <<= 1;
  return size;
}

/**
 * Ensures the key scratch region holds at least `bytes` and returns its start
 * (which moves when it grows; existing contents are kept).
 */
export function slotsReserve(bytes: u32): usize {
  let need = <usize>bytes;
  if (need > inputCap) {
    let size = grownSize(inputCap, need);
    inputPtr = inputPtr == 0 ? heap.alloc(size) : heap.realloc(inputPtr, size);
    inputCap = size;
  }
  return inputPtr;
}

/**
 * Ensures room for a batch of `count` keys: `count` u32 key lengths followed by
 * `count` u16 slots (at start + 4 * count). Returns the start.
 */
export function slotsReserveBatch(count: u32): usize {
  let need = <usize>count * 6;
  if (need > tableCap) {
    let size = grownSize(tableCap, need);
    tablePtr = tablePtr == 0 ? heap.alloc(size) : heap.realloc(tablePtr, size);
    tableCap = size;
  }
  return tablePtr;
}

/** Cluster slot (0..16383) of the key bytes at [ptr, ptr+len). */
export function slotOf(ptr: usize, len: u32): u32 {
  return slotRange(ptr, ptr + <usize>len);
}

/**
 * The batch loop shared by both exports; `utf16` is a constant at each call
 * site, so each export gets its own straight loop.
 */
// @ts-ignore: decorator
@inline function batch(keysPtr: usize, lensPtr: usize, count: u32, outPtr: usize, utf16: bool): i32 {
  let p = keysPtr;
  let first: u32 = 0;
  let same = count > 0;
  for (let i: usize = 0; i < <usize>count; i++) {
    let len = load<u32>(lensPtr + (i << 2));
    let end = utf16 ? utf8End(p, len) : p + <usize>len;
    let slot = slotRange(p, end);
    store<u16>(outPtr + (i << 1), <u16>slot);
    if (i == 0) first = slot;
    else if (slot != first) same = false;
    p = end;
  }
  return same ? <i32>first : -1;
}

/**
 * Slots of `count` keys stored back to back from `keysPtr`, their byte lengths
 * as u32 at `lensPtr`; writes one u16 slot per key at `outPtr`. Returns the
 * slot all keys share, or -1 when they span slots (or there are none).
 */
export function slotsBatch(keysPtr: usize, lensPtr: usize, count: u32, outPtr: usize): i32 {
  return batch(keysPtr, lensPtr, count, outPtr, false);
}

/**
 * As slotsBatch, for strings the host encoded in one go: the lengths are
 * UTF-16 code units, and each key's UTF-8 extent is found by walking its
 * sequences. Saves the host a per-key encode.
 */
export function slotsBatchUtf16(keysPtr: usize, lensPtr: usize, count: u32, outPtr: usize): i32 {
  return batch(keysPtr, lensPtr, count, outPtr, true);
}

/** Plain CRC16-XMODEM of [ptr, ptr+len), without the slot mask or tag rule (for tests). */
export function slotCrc16(ptr: usize, len: u32): u32 {
  return crcRange(0, ptr, ptr + <usize>len);
}
