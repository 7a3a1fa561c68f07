/**
 * Paired parser micro-benchmark for before/after work on a shared, loaded machine: the peers
 * run alternately in short slices inside one process, and every ratio is taken between the
 * slices of the same round (the load changes between rounds, far less within one).
 *
 *   node --import tsx bench/micro-pair.ts [--base DIR] [--readinto] [--rounds 15] [--reps 40] [--only name,...]
 *
 * Peers: wredis (this tree), wredis-base (`--base DIR`: a directory holding a copy of another
 * tree's src/core and build/core.wasm, e.g. main's, for before/after in one process) and
 * redis-parser. Figures: CPU time of the process per run (user + system, all threads: GC
 * helpers included) and wall time, median over rounds and the min–max of the paired ratios.
 */
import { loadavg } from 'node:os';
import { option } from './support/args.js';
import {
  CHUNK,
  countingPeer,
  loadTreeParser,
  redisParserPeer,
  wredisHandler,
  wredisPeer,
  type ParserCtor,
  type Peer,
} from './support/parser-peers.js';
import {
  bulkArray,
  bulkStream,
  integerArray,
  integerStream,
  megabyteBulk,
  okStream,
  text,
} from './support/resp-streams.js';
import { median, minMax, ratios as perRound } from './support/stats.js';
import { turnOrder } from './support/timing.js';

const ROUNDS = Math.max(3, Math.min(100, Number(option('rounds', '15'))));
const REPS = Math.max(1, Math.min(10_000, Number(option('reps', '40'))));
const BASE = option('base', '');
const ONLY = option('only', '').split(',').filter(Boolean);
/** `--readinto`: also the client's way of feeding (transient chunks, large values read in place). */
const READINTO = process.argv.includes('--readinto');

const here = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const mods: Array<[string, ParserCtor]> = [];
if (BASE !== '' && process.env.BASE_FIRST) mods.push(['wredis-base', await loadTreeParser(BASE)]);
mods.push(['wredis', await loadTreeParser(here)]);
if (BASE !== '' && !process.env.BASE_FIRST) mods.push(['wredis-base', await loadTreeParser(BASE)]);

interface Workload {
  name: string;
  wire: Buffer;
  replies: number;
  check(last: unknown): boolean;
}

function workloads(): Workload[] {
  const list: Workload[] = [];
  list.push({
    name: '10k +OK',
    wire: Buffer.from(okStream(10_000)),
    replies: 10_000,
    check: (v) => v === 'OK',
  });
  list.push({
    name: '10k integers',
    wire: Buffer.from(integerStream(10_000)),
    replies: 10_000,
    check: (v) => v === 9999 * 37,
  });
  list.push({
    name: 'array 10k integers',
    wire: Buffer.from(integerArray(10_000)),
    replies: 1,
    check: (v) => Array.isArray(v) && v[9999] === 9999 * 37,
  });
  list.push({
    name: '10k x 10 B bulk',
    wire: Buffer.from(bulkStream(10_000, 10)),
    replies: 10_000,
    check: (v) => v === text(10, 9999),
  });
  list.push({
    name: 'array 10k x 100 B',
    wire: Buffer.from(bulkArray(10_000, 100)),
    replies: 1,
    check: (v) => Array.isArray(v) && v[9999] === text(100, 9999),
  });
  const mb = megabyteBulk();
  list.push({ name: '1 MB bulk', wire: mb.wire, replies: 1, check: (v) => v === mb.value });
  return ONLY.length === 0 ? list : list.filter((w) => ONLY.some((o) => w.name.includes(o)));
}

/**
 * What the Node client does (src/transport/node.ts): every socket read lands in one reused
 * buffer, or straight in a large value's storage (`readInto()`), and is fed as transient. The
 * read itself is simulated by copying up to 64 KiB of the stream (the kernel's copy, which the
 * other peers do not pay here).
 */
function readIntoPeer(P: ParserCtor, w: Workload): Peer {
  const scratch = Buffer.allocUnsafeSlow(CHUNK);
  const wire = w.wire;
  return countingPeer('wredis-readinto', (reply) => {
    const p = new P(wredisHandler(reply));
    return () => {
      for (let pos = 0; pos < wire.length;) {
        const buf = p.readInto() ?? scratch;
        const n = Math.min(buf.length, wire.length - pos, CHUNK);
        buf.set(wire.subarray(pos, pos + n));
        pos += n;
        p.feed(buf.subarray(0, n), true);
      }
    };
  });
}

const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

console.log(
  `micro-pair ${new Date().toISOString()} node ${process.version} rounds ${ROUNDS} reps ${REPS} load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
for (const w of workloads()) {
  const peers: Peer[] = [...mods.map(([n, m]) => wredisPeer(n, m, w.wire)), redisParserPeer(w.wire)];
  if (READINTO) peers.push(readIntoPeer(mods.find(([n]) => n === 'wredis')![1], w));
  for (const p of peers) {
    if (p.run() !== w.replies || !w.check(p.last())) throw new Error(`${p.name} decoded ${w.name} wrongly`);
    for (let i = 0; i < REPS; i++) p.run(); // warm up
  }
  const cpu = new Map<string, number[]>();
  const wall = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of turnOrder(peers.length, r)) {
      const p = peers[k]!;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < REPS; i++) if (p.run() !== w.replies) throw new Error('lost replies');
      const t1 = process.hrtime.bigint();
      const c = process.cpuUsage(c0);
      // µs per run
      (cpu.get(p.name) ?? cpu.set(p.name, []).get(p.name)!).push((c.user + c.system) / REPS);
      (wall.get(p.name) ?? wall.set(p.name, []).get(p.name)!).push(Number(t1 - t0) / 1000 / REPS);
    }
  }
  const line: string[] = [];
  for (const p of peers) {
    line.push(`${p.name} cpu ${f(median(cpu.get(p.name)!))} wall ${f(median(wall.get(p.name)!))} µs`);
  }
  const ratios = (a: string, b: string, m: Map<string, number[]>): string => {
    const rs = perRound(m.get(b)!, m.get(a)!);
    return `${median(rs).toFixed(2)}x (${minMax(rs, 2)})`;
  };
  console.log(`${w.name}: ${line.join(' | ')}`);
  for (const n of [...mods.map(([m]) => m), ...(READINTO ? ['wredis-readinto'] : [])]) {
    console.log(
      `  ${n} vs redis-parser: cpu ${ratios(n, 'redis-parser', cpu)} wall ${ratios(n, 'redis-parser', wall)}`,
    );
  }
  if (mods.length > 1) {
    console.log(
      `  wredis vs wredis-base (speed-up): cpu ${ratios('wredis', 'wredis-base', cpu)} wall ${ratios('wredis', 'wredis-base', wall)}`,
    );
  }
}
