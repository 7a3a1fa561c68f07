/**
 * Redis Cluster key slots. The CRC16 and the `{hash tag}` rule run in the WASM
 * core (assembly/slots.ts); this module only copies key bytes into the core's
 * scratch region and reads the answers back.
 */
import { DataError } from '../errors/index.js';
import { numberText as wireNumber } from '../protocol/encoder.js';
import { sharedCoreInstance } from './wasm.js';
import type { CoreExports } from './core-exports.generated.js';

/**
 * What a key may be: strings hash as UTF-8, numbers as the text the command
 * encoder sends (decimal, `+inf`/`-inf`), bytes as they are.
 */
export type KeyInput = string | number | Uint8Array;

/** The raw exports of assembly/slots.ts (typed from asc's build/core.d.ts). */
type SlotsCore = Pick<
  CoreExports,
  'memory' | 'slotsReserve' | 'slotsReserveBatch' | 'slotOf' | 'slotsBatch' | 'slotsBatchUtf16' | 'slotCrc16'
>;

type CoreInstance = ReturnType<typeof sharedCoreInstance>;

// Strings up to this many UTF-16 units are copied by a char loop (about 2 ns a
// char here); longer ones, and any that turn out non-ASCII, go through
// TextEncoder.encodeInto, which costs about 80 ns whatever the length.
const CHAR_LOOP_MAX = 32;
// Byte keys up to this length are copied by a loop; `set` costs ~17 ns flat.
const BYTE_LOOP_MAX = 4;
// Above this many UTF-16 units the exact UTF-8 length is counted instead of
// reserving the 3-bytes-per-unit worst case.
const EXACT_LENGTH_MIN = 1 << 16;

const encoder = new TextEncoder();

let instance: CoreInstance | undefined;
let core: SlotsCore;
// Views over the core's memory; a grown memory detaches them (length 0).
let u8 = new Uint8Array(0);
let u16 = new Uint16Array(0);
let u32 = new Uint32Array(0);
let inView = new Uint8Array(0); // the key region, for encodeInto
// Host-side mirrors of the core's region capacities: the core is only asked to
// reserve when these are exceeded, and it allocates at least what is asked.
let inPtr = 0;
let inCap = 0;
let batchPtr = 0;
let batchCap = 0; // in keys

/** Binds to the current shared instance (a new one appears if the core module is re-registered). */
function bind(inst: CoreInstance): void {
  instance = inst;
  core = inst.exports as unknown as SlotsCore;
  inCap = 1024;
  inPtr = core.slotsReserve(inCap);
  batchCap = 256;
  batchPtr = core.slotsReserveBatch(batchCap);
  refreshViews();
}

function refreshViews(): void {
  const buf = core.memory.buffer;
  u8 = new Uint8Array(buf);
  u16 = new Uint16Array(buf);
  u32 = new Uint32Array(buf);
  inView = u8.subarray(inPtr, inPtr + inCap);
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
  refreshViews();
}

function growBatch(count: number): void {
  batchCap = Math.max(batchCap * 2, count);
  batchPtr = core.slotsReserveBatch(batchCap);
  if (u8.length === 0) refreshViews();
}

/** Room a string needs as UTF-8: its exact length when long, else the worst case. */
function utf8Room(s: string): number {
  const n = s.length;
  if (n < EXACT_LENGTH_MIN) return n * 3;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // a surrogate pair is 2 units for 4 bytes; a lone surrogate becomes U+FFFD (3 bytes)
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return bytes;
}

/**
 * Writes `s` as UTF-8 at byte `at` of the core's memory, with room reserved up
 * to `end`, and returns the number of bytes written.
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
  const into = at === inPtr && end === inPtr + inCap ? inView : u8.subarray(at, end);
  return encoder.encodeInto(s, into).written;
}

function writeBytes(b: Uint8Array, at: number): void {
  const n = b.length;
  if (n <= BYTE_LOOP_MAX) {
    const m = u8;
    for (let i = 0; i < n; i++) m[at + i] = b[i]!;
  } else {
    u8.set(b, at);
  }
}

/** A number key as the command encoder sends it; NaN is refused there, so it is refused here too. */
function numberText(n: number): string {
  const text = wireNumber(n);
  if (text === undefined) throw new DataError('a key cannot be NaN');
  return text;
}

function notAKey(key: unknown): never {
  // the type only: the value may be user data
  throw new DataError(
    `a key must be a string, number, Buffer or Uint8Array, got ${key === null ? 'null' : typeof key}`,
  );
}

/** Copies one key to the start of the key region; returns its byte length. */
function stageKey(key: KeyInput): number {
  if (typeof key === 'string' || typeof key === 'number') {
    const s = typeof key === 'string' ? key : numberText(key);
    if (s.length * 3 > inCap) {
      const room = utf8Room(s);
      if (room > inCap) growInput(room);
    }
    return writeString(s, inPtr, inPtr + inCap);
  }
  if (!(key instanceof Uint8Array)) notAKey(key);
  const n = key.length;
  if (n > inCap) growInput(n);
  writeBytes(key, inPtr);
  return n;
}

/**
 * Redis Cluster slot (0..16383) of a key: CRC16-XMODEM of its UTF-8 bytes, or of
 * its `{hash tag}` when it has one, exactly as the server computes it. Numbers
 * hash as the text the server receives (`12` as "12", `1.5` as "1.5",
 * `Infinity` as "+inf"). Synchronous.
 *
 * @example keySlot('foo') === 12182; keySlot('{user1}.a') === keySlot('{user1}.b')
 * @throws DataError when `key` is not a string, number or Uint8Array, or is NaN.
 */
export function keySlot(key: KeyInput): number {
  ready();
  const len = stageKey(key); // first: staging may move the region
  return core.slotOf(inPtr, len);
}

/** How stageStrings left the batch: not at all, with byte lengths, or with UTF-16 lengths. */
type Staged = 0 | 1 | 2;
const NOT_STAGED = 0;
const STAGED_BYTES = 1;
const STAGED_UTF16 = 2;

/**
 * All-string batches: one concatenation and one encodeInto for every key, with
 * UTF-16 lengths that the core turns into byte extents. Returns NOT_STAGED
 * (having written nothing that matters) when a key is not a string or number,
 * or when a surrogate pair would form across two keys and so encode differently.
 */
function stageStrings(keys: readonly KeyInput[], lens: number): Staged {
  const count = keys.length;
  let joined = '';
  let prevLast = 0;
  for (let i = 0; i < count; i++) {
    const key = keys[i];
    const s = typeof key === 'string' ? key : typeof key === 'number' ? numberText(key) : undefined;
    if (s === undefined) return NOT_STAGED;
    const n = s.length;
    if (n > 0) {
      if ((s.charCodeAt(0) & 0xfc00) === 0xdc00 && (prevLast & 0xfc00) === 0xd800) return NOT_STAGED;
      prevLast = s.charCodeAt(n - 1);
    }
    u32[lens + i] = n;
    joined += s;
  }
  if (joined.length * 3 > inCap) {
    const room = utf8Room(joined);
    if (room > inCap) growInput(room);
  }
  const { read, written } = encoder.encodeInto(joined, inView);
  if (read !== joined.length) return NOT_STAGED; // not all of it fitted: cannot happen, but never guess extents
  // Equal counts mean all ASCII, so the UTF-16 lengths are byte lengths too.
  return written === joined.length ? STAGED_BYTES : STAGED_UTF16;
}

/** Mixed batches: each key copied in turn, with its byte length. */
function stageEach(keys: readonly KeyInput[], lens: number): void {
  const count = keys.length;
  let off = 0;
  for (let i = 0; i < count; i++) {
    const key = keys[i];
    let len: number;
    if (typeof key === 'string' || typeof key === 'number') {
      const s = typeof key === 'string' ? key : numberText(key);
      if (off + s.length * 3 > inCap) {
        const room = off + utf8Room(s);
        if (room > inCap) growInput(room);
      }
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
}

/** Stages a batch and runs it in the core; the slots land at batchPtr + 4 * count. */
function runBatch(keys: readonly KeyInput[]): number {
  const count = keys.length;
  if (count > batchCap) growBatch(count);
  const lens = batchPtr >>> 2;
  const out = batchPtr + count * 4;
  const staged = stageStrings(keys, lens);
  if (staged === STAGED_BYTES) return core.slotsBatch(inPtr, batchPtr, count, out);
  if (staged === STAGED_UTF16) return core.slotsBatchUtf16(inPtr, batchPtr, count, out);
  stageEach(keys, lens);
  return core.slotsBatch(inPtr, batchPtr, count, out);
}

/**
 * Slots of many keys with one call into the core (what a multi-key command
 * needs for routing): `keySlots(keys)[i] === keySlot(keys[i])`. Returns a fresh
 * `Uint16Array` (a copy, never a view into WASM memory): one `slice` out of the
 * core costs the same as filling a `number[]` at 100 keys and a third of it at
 * 1,000.
 * @throws DataError when a key is not a string, number or Uint8Array, or is NaN.
 */
export function keySlots(keys: readonly KeyInput[]): Uint16Array {
  ready();
  const count = keys.length;
  if (count === 0) return new Uint16Array(0);
  runBatch(keys);
  const out = (batchPtr >>> 1) + count * 2;
  return u16.slice(out, out + count);
}

/**
 * The slot all keys share, or -1 when they span more than one slot (or the list
 * is empty): the CROSSSLOT check, in one call into the core.
 * @throws DataError when a key is not a string, number or Uint8Array, or is NaN.
 */
export function commonSlot(keys: readonly KeyInput[]): number {
  ready();
  const count = keys.length;
  if (count === 0) return -1;
  if (count === 1) {
    const len = stageKey(keys[0]!);
    return core.slotOf(inPtr, len);
  }
  return runBatch(keys);
}

/**
 * Plain CRC16-XMODEM of the key's bytes (no tag rule, no slot mask), computed
 * by the core. For tests and diagnostics.
 */
export function crc16(key: KeyInput): number {
  ready();
  const len = stageKey(key);
  return core.slotCrc16(inPtr, len);
}
