// Instruction counts (load-independent) of turning a large bulk held as 64 KiB socket chunks into a string:
// A = the current decoder (a latin1Slice per chunk, concatenated), B = one allocation of the final size and one slice.
//   valgrind --tool=callgrind node bench/callgrind-bulk-text.mjs none|A|B MB REPS   (FLAT=1 also flattens the string)
// Subtract the `none` run (start-up and the chunks) from A and B.
const [which, mb, reps] = [process.argv[2], Number(process.argv[3] ?? 10), Number(process.argv[4] ?? 5)];
const N = mb << 20,
  P = 65536;
const chunks = [];
for (let i = 0; i < N; i += P) chunks.push(Buffer.alloc(Math.min(P, N - i), 97));
const { isAscii } = await import('node:buffer');
function A() {
  let s = '';
  for (const c of chunks) {
    isAscii(c);
    s += c.latin1Slice(0, c.length);
  }
  return s;
}
function B() {
  const b = Buffer.allocUnsafe(N);
  let at = 0;
  for (const c of chunks) {
    b.set(c, at);
    at += c.length;
  }
  isAscii(b);
  return b.latin1Slice(0, N);
}
const f = which === 'A' ? A : which === 'B' ? B : () => '';
let keep = [];
for (let i = 0; i < reps; i++) {
  const s = f();
  keep[i & 1] = s;
  if (process.env.FLAT) s.charCodeAt(s.length - 1);
}
