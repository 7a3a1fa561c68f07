/**
 * Reply streams for the parser micro-benchmarks, as a server would send them. Values are ASCII,
 * so a stream's string and its bytes are the same in any encoding.
 */

/** A bulk string reply. */
export const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** A value of exactly `n` bytes that differs per `i` (so no two replies are the same string). */
export const text = (n: number, i: number): string => (`v${i}:` + 'x'.repeat(n)).slice(0, n);

/** `n` simple-string replies `+OK`. */
export function okStream(n: number): string {
  return '+OK\r\n'.repeat(n);
}

/** `n` integer replies: 0, 37, 74, … */
export function integerStream(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `:${i * 37}\r\n`;
  return s;
}

/** One array reply of `n` integers: 0, 37, 74, … */
export function integerArray(n: number): string {
  return `*${n}\r\n` + integerStream(n);
}

/** `n` bulk replies of `size` bytes each (`text(size, i)`). */
export function bulkStream(n: number, size: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += bulk(text(size, i));
  return s;
}

/** One array reply of `n` bulk strings of `size` bytes each. */
export function bulkArray(n: number, size: number): string {
  return `*${n}\r\n` + bulkStream(n, size);
}

/** One bulk reply of 1 MiB and the string it decodes to. */
export function megabyteBulk(): { wire: Buffer; value: string } {
  const payload = Buffer.alloc(1024 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789');
  const wire = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\r\n')]);
  return { wire, value: payload.toString('latin1') };
}
