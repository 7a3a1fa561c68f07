/**
 * Parser micro-benchmark: full decode (bytes -> JS values) of typical reply streams, wredis
 * against redis-parser (ioredis), @redis/client's RESP decoder and a plain JS parser, in the
 * same process, interleaved, repeated.
 *
 *   node --import tsx bench/micro-parser.ts [--rounds 3] [--time 0.4] [--only name,...]
 *
 * Every peer is checked for the right reply count and a sample value before it is timed.
 * Bounded: rounds x workloads x peers x ~(time + setup) seconds (about a minute by default).
 */
import { createRequire } from 'node:module';
import Benchmark from 'benchmark';
import { Parser } from '../src/core/parser.js';
import { loadNodeCore } from '../src/core/wasm-node.js';
import { PlainRespParser } from './plain-resp-parser.js';
import { option } from './support/args.js';
import {
  chunks,
  countingPeer,
  loadTreeParser,
  redisParserPeer,
  wredisPeer,
  type ParserCtor,
  type Peer,
} from './support/parser-peers.js';
import {
  bulk,
  bulkArray,
  bulkStream,
  integerArray,
  integerStream,
  megabyteBulk,
  okStream,
  text,
} from './support/resp-streams.js';
import { median } from './support/stats.js';

loadNodeCore();
const require = createRequire(import.meta.url);

interface DecoderLike {
  write(chunk: Buffer): void;
}
type DecoderCtor = new (o: {
  onReply(v: unknown): void;
  onErrorReply(e: unknown): void;
  onPush(v: unknown): void;
  getTypeMapping(): Record<number, unknown>;
}) => DecoderLike;

const { Decoder } = require('@redis/client/dist/lib/RESP/decoder.js') as { Decoder: DecoderCtor };

// ---- args ----
const ROUNDS = Math.max(1, Math.min(20, Number(option('rounds', '3'))));
const MAX_TIME = Math.max(0.05, Math.min(5, Number(option('time', '0.4'))));
const ONLY = option('only', '').split(',').filter(Boolean);
/**
 * `--base DIR`: also time another tree's parser as the peer "wredis-base" (DIR holds a copy of
 * its src/core and build/core.wasm, plus a package.json with "type": "module"), for before/after
 * in one process, interleaved with the rest.
 */
const BASE = option('base', '');
const BaseParser: ParserCtor | undefined = BASE === '' ? undefined : await loadTreeParser(BASE);

// ---- workloads ----
interface Workload {
  name: string;
  /** Bytes as the server would send them under RESP3 (wredis, @redis/client, plain JS). */
  resp3: Buffer;
  /** What redis-parser gets: the same bytes, or the RESP2 form where RESP3 differs. */
  resp2: Buffer;
  replies: number;
  /** Checks the last reply of a run. */
  check(last: unknown): boolean;
}

function same(
  name: string,
  wire: string | Buffer,
  replies: number,
  check: (last: unknown) => boolean,
): Workload {
  const b = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  return { name, resp3: b, resp2: b, replies, check };
}

function workloads(): Workload[] {
  const list: Workload[] = [];
  list.push(same('10k +OK', okStream(10_000), 10_000, (v) => v === 'OK'));
  list.push(same('10k x 10 B bulk', bulkStream(10_000, 10), 10_000, (v) => v === text(10, 9999)));
  list.push(same('10k integers', integerStream(10_000), 10_000, (v) => v === 9999 * 37));
  list.push(
    same('array 10k integers', integerArray(10_000), 1, (v) => Array.isArray(v) && v[9999] === 9999 * 37),
  );
  list.push(
    same(
      'array 10k x 100 B',
      bulkArray(10_000, 100),
      1,
      (v) => Array.isArray(v) && v.length === 10_000 && v[9999] === text(100, 9999),
    ),
  );
  {
    const mb = megabyteBulk();
    list.push(same('1 MB bulk (64 KB chunks)', mb.wire, 1, (v) => v === mb.value));
  }
  {
    let r3 = '%1000\r\n';
    let r2 = '*2000\r\n';
    for (let i = 0; i < 1000; i++) {
      const kv = bulk(`field:${i}`) + bulk(`value:${i}`);
      r3 += kv;
      r2 += kv;
    }
    list.push({
      name: 'map 1000 fields',
      resp3: Buffer.from(r3),
      resp2: Buffer.from(r2),
      replies: 1,
      check: (v) =>
        Array.isArray(v)
          ? v.length === 2000 && v[1999] === 'value:999'
          : (v as Record<string, unknown>)['field:999'] === 'value:999',
    });
    list.push(same('map as RESP2 flat *2000', r2, 1, (v) => Array.isArray(v) && v[1999] === 'value:999'));
  }
  return ONLY.length === 0 ? list : list.filter((w) => ONLY.some((o) => w.name.includes(o)));
}

// ---- peers ----
type PeerFactory = (w: Workload) => Peer;

function wredisFactory(name: string, P: ParserCtor): PeerFactory {
  return (w) => wredisPeer(name, P, w.resp3);
}

const peers: Array<[string, PeerFactory]> = [
  ['wredis', wredisFactory('wredis', Parser)],
  ...(BaseParser === undefined
    ? []
    : [['wredis-base', wredisFactory('wredis-base', BaseParser)] as [string, PeerFactory]]),
  ['redis-parser', (w) => redisParserPeer(w.resp2)],
  [
    '@redis/client',
    (w) => {
      const parts = chunks(w.resp3);
      const mapping = {};
      return countingPeer('@redis/client', (reply) => {
        const d = new Decoder({
          onReply: reply,
          onErrorReply: reply,
          onPush() {},
          getTypeMapping: () => mapping,
        });
        return () => {
          for (let i = 0; i < parts.length; i++) d.write(parts[i]!);
        };
      });
    },
  ],
  [
    'plain JS',
    (w) => {
      const parts = chunks(w.resp3);
      return countingPeer('plain JS', (reply) => {
        const p = new PlainRespParser(reply, reply);
        return () => {
          for (let i = 0; i < parts.length; i++) p.feed(parts[i]!);
        };
      });
    },
  ],
];

// ---- run ----
const ws = workloads();
const hz = new Map<string, number[]>(); // `${workload}|${peer}` -> ops/s per round
const fastest = new Map<string, number>(); // `${workload}|${peer}` -> best sample (s/op) over all rounds

for (let round = 0; round < ROUNDS; round++) {
  for (const w of ws) {
    const suite = new Benchmark.Suite(w.name);
    // rotate the order per round so no peer always runs first
    const order = peers.map((_, i) => peers[(i + round) % peers.length]!);
    for (const [name, make] of order) {
      const peer = make(w);
      const n = peer.run();
      if (n !== w.replies || !w.check(peer.last())) {
        throw new Error(`${name} decoded ${w.name} wrongly (${n} replies)`);
      }
      suite.add(
        name,
        () => {
          if (peer.run() !== w.replies) throw new Error('lost replies');
        },
        { maxTime: MAX_TIME, minSamples: 5 },
      );
    }
    suite.on('cycle', (e: Benchmark.Event) => {
      const b = e.target as unknown as Benchmark & { name: string };
      if (b.error) throw b.error;
      const key = `${w.name}|${b.name}`;
      hz.set(key, [...(hz.get(key) ?? []), b.hz]);
      fastest.set(key, Math.min(fastest.get(key) ?? Infinity, ...b.stats.sample));
    });
    suite.run({ async: false });
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

// ---- report ----
const spread = (a: number[]): string => {
  const m = median(a);
  const dev = Math.max(...a.map((x) => Math.abs(x - m) / m));
  return `±${(dev * 100).toFixed(0)}%`;
};
const fmt = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(1);

const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
console.log(
  `\nParser micro-benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${ROUNDS} rounds × ${MAX_TIME}s, 64 KB chunks, load average ${load}`,
);
console.log(
  "Full decode to JS values. Throughput from each peer's fastest sample over all rounds (the machine is",
);
console.log(
  "shared and noisy: fastest samples reproduce, means do not); ± = largest deviation of a round's mean from the",
);
console.log(
  'median of round means. Ratios: wredis ÷ peer on fastest samples, [on medians of round means] in brackets.\n',
);
const names = peers.map(([n]) => n);
console.log(
  `| workload | ${names.map((n) => `${n} replies/s (MB/s)`).join(' | ')} | vs redis-parser | vs @redis/client | vs plain JS |`,
);
console.log(`|---|${names.map(() => '---:').join('|')}|---:|---:|---:|`);
for (const w of ws) {
  const cells: string[] = [];
  const med: Record<string, number> = {};
  const best: Record<string, number> = {};
  for (const n of names) {
    const a = hz.get(`${w.name}|${n}`)!;
    med[n] = median(a);
    const b = 1 / fastest.get(`${w.name}|${n}`)!;
    best[n] = b;
    const bytesPerOp = n === 'redis-parser' ? w.resp2.length : w.resp3.length;
    cells.push(`${fmt(b * w.replies)} (${((b * bytesPerOp) / 1e6).toFixed(0)}) ${spread(a)}`);
  }
  const r = (peer: string, who = 'wredis'): string =>
    `${(best[who]! / best[peer]!).toFixed(2)}× [${(med[who]! / med[peer]!).toFixed(2)}×]`;
  console.log(
    `| ${w.name} | ${cells.join(' | ')} | ${r('redis-parser')} | ${r('@redis/client')} | ${r('plain JS')} |`,
  );
  if (BaseParser !== undefined) {
    console.log(
      `|   wredis-base: ${r('redis-parser', 'wredis-base')} vs redis-parser; wredis ÷ wredis-base ${r('wredis-base')} |`,
    );
  }
}
console.log(
  '\nmap 1000 fields: redis-parser parses the RESP2 reply (flat *2000 array); the others build an object from RESP3 %1000.',
);
