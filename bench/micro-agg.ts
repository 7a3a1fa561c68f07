/**
 * Decode cost of the exact W4 reply bytes (no socket): HGETALL 1000 × 100 B as RESP3 %1000 and
 * RESP2 *2000, MGET 100 × 1 KB, fed in 64 KiB chunks through a reused buffer as the Node
 * transport does.
 *
 *   node --import tsx bench/micro-agg.ts [rounds] [repliesPerRound] [otherRoot...]
 *
 * With other checkouts' roots (their src/ is imported), every build decodes the same replies in
 * alternating rounds in this process: a paired before/after. SHAPES=hgetall,mget picks shapes
 * by prefix. Prints µs per reply per build and
 * shape (median and range over rounds). Bounded by rounds × builds × shapes × replies.
 */
import { payload } from './e2e/workload.js';

type ParserLike = { feed(chunk: Uint8Array, transient?: boolean): void };
type ParserCtor = new (h: object) => ParserLike;

const rounds = Number(process.argv[2] ?? 7);
const per = Number(process.argv[3] ?? 500);
const roots = [new URL('..', import.meta.url).pathname, ...process.argv.slice(4)];
const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const fields = Array.from({ length: 1000 }, (_, i) => bulk(`field:${i}`) + bulk(payload(100, i))).join('');
const shapes: Array<[string, Buffer]> = [
  ['hgetall %1000', Buffer.from(`%1000\r\n${fields}`, 'latin1')],
  ['hgetall *2000', Buffer.from(`*2000\r\n${fields}`, 'latin1')],
  [
    'mget 100 x 1KB',
    Buffer.from(
      `*100\r\n${Array.from({ length: 100 }, (_, i) => bulk(payload(1024, i))).join('')}`,
      'latin1',
    ),
  ],
];
const only = process.env.SHAPES?.split(',');
if (only !== undefined)
  for (let s = shapes.length - 1; s >= 0; s--)
    if (!only.some((o) => shapes[s]![0].startsWith(o))) shapes.splice(s, 1);
let got = 0;
const parsers: ParserLike[] = [];
for (const root of roots) {
  const { loadNodeCore } = (await import(`${root}/src/core/wasm-node.ts`)) as { loadNodeCore(): void };
  loadNodeCore();
  const { Parser } = (await import(`${root}/src/core/parser.ts`)) as { Parser: ParserCtor };
  parsers.push(
    new Parser({
      onReply: () => {
        got++;
      },
      onError: () => {},
      onPush: () => {},
      onProtocolError: (_c: number, m: string) => {
        throw new Error(m);
      },
    }),
  );
}
const scratch = Buffer.allocUnsafe(65536);
function feedReply(p: ParserLike, b: Buffer): void {
  for (let o = 0; o < b.length; o += 65536) {
    const n = Math.min(65536, b.length - o);
    b.copy(scratch, 0, o, o + n);
    p.feed(scratch.subarray(0, n), true);
  }
}
const res: number[][][] = roots.map(() => shapes.map(() => []));
for (let r = 0; r < rounds; r++) {
  for (let s = 0; s < shapes.length; s++) {
    for (let k = 0; k < roots.length; k++) {
      const pi = (k + r) % roots.length; // alternate which build goes first
      const b = shapes[s]![1];
      const c0 = process.cpuUsage();
      for (let i = 0; i < per; i++) feedReply(parsers[pi]!, b);
      const c = process.cpuUsage(c0);
      res[pi]![s]!.push((c.user + c.system) / per);
    }
  }
}
if (got !== rounds * per * shapes.length * roots.length) throw new Error('reply count');
for (let s = 0; s < shapes.length; s++) {
  for (let k = 0; k < roots.length; k++) {
    const x = res[k]![s]!.sort((a, b) => a - b);
    console.log(
      `${shapes[s]![0]} [${roots[k]}]: ${x[x.length >> 1]!.toFixed(1)} CPU µs/reply (${x[0]!.toFixed(1)}–${x[x.length - 1]!.toFixed(1)})`,
    );
  }
}
