/**
 * Cluster key slots for test infrastructure, independent of the library's WASM
 * implementation (so tests can check one against the other). Slow and simple.
 */

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16-XMODEM, the checksum Redis Cluster uses. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

/** The cluster slot of a key, with the hash-tag rule applied to its UTF-8 bytes. */
export function slotOf(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = bytes.indexOf(0x7b); // '{'
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) & 16383;
  }
  return crc16(bytes) & 16383;
}

let tags: string[] | undefined;

/** A short hash tag whose slot is `slot`: keys `x{tag}` all land in it. */
export function hashTagForSlot(slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot > 16383) throw new RangeError(`slot ${slot}`);
  if (tags === undefined) {
    const found: string[] = new Array<string>(16384);
    let missing = 16384;
    // About 170k candidates cover every slot; the bound is generous.
    for (let i = 0; missing > 0 && i < 2_000_000; i++) {
      const tag = i.toString(36);
      const s = slotOf(tag);
      if (found[s] === undefined) {
        found[s] = tag;
        missing--;
      }
    }
    tags = found;
  }
  const tag = tags[slot];
  if (tag === undefined) throw new Error(`no tag found for slot ${slot}`);
  return tag;
}

/** A key in `slot`: `${prefix}{tag}`. */
export function keyInSlot(slot: number, prefix = 'key'): string {
  return `${prefix}{${hashTagForSlot(slot)}}`;
}
