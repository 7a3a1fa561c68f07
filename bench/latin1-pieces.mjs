// Wall time of decoding an ASCII buffer to one string, whole (one latin1Slice) or in pieces joined with `+=`,
// with the two latest strings kept alive and an event-loop turn between values (as replies are consumed):
//   node bench/latin1-pieces.mjs MB one|pieces COUNT [PIECE]
// Decides src/core/bytes.ts' WHOLE_MIN: pieces are young-generation strings that every scavenge copies.
const mb = Number(process.argv[2] ?? 10);
const mode = process.argv[3] ?? 'one';
const n = Number(process.argv[4] ?? 60);
const PIECE = Number(process.argv[5] ?? 65536);
const b = Buffer.alloc(mb << 20, 97);
const keep = [];
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  let s;
  if (mode === 'one') s = b.latin1Slice(0, b.length);
  else {
    s = '';
    for (let at = 0; at < b.length; at += PIECE) s += b.latin1Slice(at, Math.min(b.length, at + PIECE));
  }
  keep.push(s);
  if (keep.length > 2) keep.shift();
  await new Promise((r) => setImmediate(r));
}
console.log(`${mode} (piece ${PIECE}) ${mb} MB: ${((performance.now() - t0) / n).toFixed(3)} ms each`);
