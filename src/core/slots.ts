/**
 * Redis Cluster key slots. The CRC16 and the `{hash tag}` rule run in the WASM
 * core (assembly/slots.ts); this module only copies key bytes into the core's
 * scratch region and reads the answers back.
 */
import { sharedCoreInstance } from './wasm.js';

/** What a key may be: strings are hashed as UTF-8, numbers as their decimal text. */
export type KeyInput = string | number | Uint8Array;

/** The raw exports of assembly/slots.ts. */
interface SlotsCore {
  readonly memory: WebAssembly.Memory;
  slotsReserve(bytes: number): number;
  slotsReserveBatch(count: number): number;
  slotOf(ptr: number, len: number): number;
  slotsBatch(keysPtr: number, lensPtr: number, count: number, outPtr: number): number;
  slotCrc16(ptr: number, len: number): number;
}

// Strings up to this many UTF-16 units are copied by a char loop; longer ones
// (and any that turn out non-ASCII) go through TextEncoder.encodeInto, whose
// fixed cost only pays off on longer input.
const CHAR_LOOP_MAX = 64;
// Above this many UTF-16 units the exact UTF-8 length is counted instead of
// reserving the 3-bytes-per-unit worst case.
const EXACT_LENGTH_MIN = 1 << 16;

const encoder = new TextEncoder();

let instance: WebAssembly.Instance | undefined;
let core: SlotsCore;
// Views over the core's memory; a grown memory detaches them (length 0).
let u8 = new Uint8Array(0);
let u16 = new Uint16Array(0);
let u32 = new Uint32Array(0);
// Host-side mirrors of the core's region capacities: the core is only asked to
// reserve when these are exceeded, and it allocates at least what is asked.
let inPtr = 0;
let inCap = 0;
let batchPtr = 0;
let batchCap = 0; // in keys

/** Binds to the current shared instance (a new one appears if the core module is re-registered). */
function bind(inst: WebAssembly.Instance): void {
  instance = inst;
  core = inst.exports as unknown as SlotsCore;
  inPtr = core.slotsReserve(1024);
  inCap = 1024;
  batchPtr = core.slotsReserveBatch(256);
  batchCap = 256;
  refreshViews();
}

function refreshViews(): void {
  const buf = core.memory.buffer;
  u8 = new Uint8Array(buf);
  u16 = new Uint16Array(buf);
  u32 = new Uint32Array(buf);
}

/** Makes sure the bound instance is current and the views are live. */
function ready(): void {
  const inst = sharedCoreInstance();
  if (inst !== instance) bind(inst);
  else if (u8.length === 0) refreshViews();
}

/** Grows the key region to at least `need` bytes, keeping its contents. */
function growInput(need: number): void {
  let cap = inCap * 2;
  while (cap < need) cap *= 2;
  inPtr = core.slotsReserve(cap);
  inCap = cap;
  if (u8.length === 0) refreshViews();
}

/** Room a string needs as UTF-8: its exact length when long, else the worst case. */
function utf8Room(s: string): number {
  const n = s.length;
  if (n < EXACT_LENGTH_MIN) return n * 3;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    // a surrogate pair is 2 units for 4 bytes; a lone surrogate becomes U+FFFD (3 bytes)
    else bytes += 3;
  }
  return bytes;
}

/**
 * Writes `s` as UTF-8 at byte `at` of the core's memory (room already reserved
 * up to `end`) and returns the number of bytes written.
 */
function writeString(s: string, at: number, end: number): number {
  const n = s.length;
  if (n <= CHAR_LOOP_MAX) {
    const m = u8;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      m[at + i] = c;
    }
    if (i === n) return n;
  }
  return encoder.encodeInto(s, u8.subarray(at, end)).written;
}

function writeBytes(b: Uint8Array, at: number): void {
  const n = b.length;
  if (n <= CHAR_LOOP_MAX) {
    const m = u8;
    for (let i = 0; i < n; i++) m[at + i] = b[i]!;
  } else {
    u8.set(b, at);
  }
}

function notAKey(key: unknown): never {
  throw new TypeError(`wredis: a key must be a string, number or Uint8Array, got ${typeof key}`);
}

/**
 * Redis Cluster slot (0..16383) of a key: CRC16-XMODEM of its UTF-8 bytes, or of
 * its `{hash tag}` when it has one, exactly as the server computes it. Numbers
 * hash as their decimal text (what the server receives). Synchronous.
 *
 * @example keySlot('foo') === 12182; keySlot('{user1}.a') === keySlot('{user1}.b')
 */
export function keySlot(key: KeyInput): number {
  ready();
  if (typeof key === 'string' || typeof key === 'number') {
    const s = typeof key === 'string' ? key : String(key);
    const room = utf8Room(s);
    if (room > inCap) growInput(room);
    return core.slotOf(inPtr, writeString(s, inPtr, inPtr + inCap));
  }
  if (!(key instanceof Uint8Array)) notAKey(key);
  const n = key.length;
  if (n > inCap) growInput(n);
  writeBytes(key, inPtr);
  return core.slotOf(inPtr, n);
}

/** Copies the keys into the core back to back with their lengths; returns the batch table's start. */
function stageBatch(keys: readonly KeyInput[]): number {
  const count = keys.length;
  if (count > batchCap) {
    batchCap = Math.max(batchCap * 2, count);
    batchPtr = core.slotsReserveBatch(batchCap);
    if (u8.length === 0) refreshViews();
  }
  const lens = batchPtr >>> 2;
  let off = 0;
  for (let i = 0; i < count; i++) {
    const key = keys[i];
    let len: number;
    if (typeof key === 'string' || typeof key === 'number') {
      const s = typeof key === 'string' ? key : String(key);
      const room = off + utf8Room(s);
      if (room > inCap) growInput(room);
      len = writeString(s, inPtr + off, inPtr + inCap);
    } else {
      if (!(key instanceof Uint8Array)) notAKey(key);
      len = key.length;
      if (off + len > inCap) growInput(off + len);
      writeBytes(key, inPtr + off);
    }
    u32[lens + i] = len;
    off += len;
  }
  return batchPtr;
}

/**
 * Slots of many keys, computed in one call into the core (what a multi-key
 * command needs for routing). Returns a fresh `Uint16Array` (not a view into
 * WASM memory): measured faster to build than a `number[]` for batches.
 * `keySlots(keys)[i] === keySlot(keys[i])`.
 */
export function keySlots(keys: readonly KeyInput[]): Uint16Array {
  ready();
  const count = keys.length;
  if (count === 0) return new Uint16Array(0);
  const table = stageBatch(keys);
  const out = table + count * 4;
  core.slotsBatch(inPtr, table, count, out);
  return u16.slice(out >>> 1, (out >>> 1) + count);
}

/**
 * The slot all keys share, or -1 when they span more than one slot (or the list
 * is empty): the check behind CROSSSLOT, in one call into the core.
 */
export function commonSlot(keys: readonly KeyInput[]): number {
  ready();
  const count = keys.length;
  if (count === 0) return -1;
  if (count === 1) return keySlot(keys[0]!);
  const table = stageBatch(keys);
  return core.slotsBatch(inPtr, table, count, table + count * 4);
}

/**
 * Plain CRC16-XMODEM of the key's bytes (no tag rule, no slot mask), computed
 * by the core. For tests and diagnostics.
 */
export function crc16(key: KeyInput): number {
  ready();
  const s = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : undefined;
  if (s !== undefined) {
    const room = utf8Room(s);
    if (room > inCap) growInput(room);
    return core.slotCrc16(inPtr, writeString(s, inPtr, inPtr + inCap));
  }
  if (!(key instanceof Uint8Array)) notAKey(key);
  if (key.length > inCap) growInput(key.length);
  writeBytes(key, inPtr);
  return core.slotCrc16(inPtr, key.length);
}
