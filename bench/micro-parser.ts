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
import { pathToFileURL } from 'node:url';
import Benchmark from 'benchmark';
import { Parser } from '../src/core/parser.js';
import { loadNodeCore } from '../src/core/wasm-node.js';
import { PlainRespParser } from './plain-resp-parser.js';

loadNodeCore();
const require = createRequire(import.meta.url);

interface RedisParserLike {
  execute(chunk: Buffer): void;
}
type RedisParserCtor = new (o: {
  returnReply(v: unknown): void;
  returnError(e: Error): void;
  returnFatalError?(e: Error): void;
  returnBuffers?: boolean;
}) => RedisParserLike;
interface DecoderLike {
  write(chunk: Buffer): void;
}
type DecoderCtor = new (o: {
  onReply(v: unknown): void;
  onErrorReply(e: unknown): void;
  onPush(v: unknown): void;
  getTypeMapping(): Record<number, unknown>;
}) => DecoderLike;

const RedisParser = require('redis-parser') as RedisParserCtor;
const { Decoder } = require('@redis/client/dist/lib/RESP/decoder.js') as { Decoder: DecoderCtor };

// ---- args ----
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const ROUNDS = Math.max(1, Math.min(20, Number(arg('rounds', '3'))));
const MAX_TIME = Math.max(0.05, Math.min(5, Number(arg('time', '0.4'))));
const ONLY = arg('only', '').split(',').filter(Boolean);
/**
 * `--base DIR`: also time another tree's parser as the peer "wredis-base" (DIR holds a copy of
 * its src/core and build/core.wasm, plus a package.json with "type": "module"), for before/after
 * in one process, interleaved with the rest.
 */
const BASE = arg('base', '');
type ParserCtor = typeof Parser;
const BaseParser: ParserCtor | undefined =
  BASE === ''
    ? undefined
    : await (async () => {
        const node = (await import(pathToFileURL(`${BASE}/src/core/wasm-node.ts`).href)) as {
          loadNodeCore(): void;
        };
        node.loadNodeCore();
        return ((await import(pathToFileURL(`${BASE}/src/core/parser.ts`).href)) as { Parser: ParserCtor })
          .Parser;
      })();

// ---- workloads ----
const CHUNK = 65536;

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

const text = (n: number, i: number): string => (`v${i}:` + 'x'.repeat(n)).slice(0, n);
const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

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
  list.push(same('10k +OK', '+OK\r\n'.repeat(10_000), 10_000, (v) => v === 'OK'));
  {
    let s = '';
    for (let i = 0; i < 10_000; i++) s += bulk(text(10, i));
    list.push(same('10k x 10 B bulk', s, 10_000, (v) => v === text(10, 9999)));
  }
  {
    let s = '';
    for (let i = 0; i < 10_000; i++) s += `:${i * 37}\r\n`;
    list.push(same('10k integers', s, 10_000, (v) => v === 9999 * 37));
  }
  {
    let s = '*10000\r\n';
    for (let i = 0; i < 10_000; i++) s += `:${i * 37}\r\n`;
    list.push(same('array 10k integers', s, 1, (v) => Array.isArray(v) && v[9999] === 9999 * 37));
  }
  {
    let s = `*10000\r\n`;
    for (let i = 0; i < 10_000; i++) s += bulk(text(100, i));
    list.push(
      same(
        'array 10k x 100 B',
        s,
        1,
        (v) => Array.isArray(v) && v.length === 10_000 && v[9999] === text(100, 9999),
      ),
    );
  }
  {
    const payload = Buffer.alloc(1024 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789');
    const wire = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\r\n')]);
    const want = payload.toString('latin1');
    list.push(same('1 MB bulk (64 KB chunks)', wire, 1, (v) => v === want));
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

function chunks(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += CHUNK) out.push(Buffer.from(b.subarray(i, i + CHUNK)));
  return out;
}

// ---- peers ----
interface Peer {
  name: string;
  /** Feeds one whole run; returns the reply count. */
  run(): number;
  last(): unknown;
}
type PeerFactory = (w: Workload) => Peer;

function wredisPeer(name: string, P: ParserCtor): PeerFactory {
  return (w) => {
    const parts = chunks(w.resp3);
    let count = 0;
    let last: unknown;
    const p = new P({
      onReply(v) {
        count++;
        last = v;
      },
      onError(e) {
        count++;
        last = e;
      },
      onPush() {},
      onProtocolError(code, message) {
        throw new Error(`${code} ${message}`);
      },
    });
    return {
      name,
      run() {
        count = 0;
        for (let i = 0; i < parts.length; i++) p.feed(parts[i]!);
        return count;
      },
      last: () => last,
    };
  };
}

const peers: Array<[string, PeerFactory]> = [
  ['wredis', wredisPeer('wredis', Parser)],
  ...(BaseParser === undefined
    ? []
    : [['wredis-base', wredisPeer('wredis-base', BaseParser)] as [string, PeerFactory]]),
  [
    'redis-parser',
    (w) => {
      const parts = chunks(w.resp2);
      let count = 0;
      let last: unknown;
      const p = new RedisParser({
        returnReply(v) {
          count++;
          last = v;
        },
        returnError(e) {
          count++;
          last = e;
        },
        returnFatalError(e) {
          throw e;
        },
      });
      return {
        name: 'redis-parser',
        run() {
          count = 0;
          for (let i = 0; i < parts.length; i++) p.execute(parts[i]!);
          return count;
        },
        last: () => last,
      };
    },
  ],
  [
    '@redis/client',
    (w) => {
      const parts = chunks(w.resp3);
      let count = 0;
      let last: unknown;
      const mapping = {};
      const d = new Decoder({
        onReply(v) {
          count++;
          last = v;
        },
        onErrorReply(e) {
          count++;
          last = e;
        },
        onPush() {},
        getTypeMapping: () => mapping,
      });
      return {
        name: '@redis/client',
        run() {
          count = 0;
          for (let i = 0; i < parts.length; i++) d.write(parts[i]!);
          return count;
        },
        last: () => last,
      };
    },
  ],
  [
    'plain JS',
    (w) => {
      const parts = chunks(w.resp3);
      let count = 0;
      let last: unknown;
      const p = new PlainRespParser(
        (v) => {
          count++;
          last = v;
        },
        (e) => {
          count++;
          last = e;
        },
      );
      return {
        name: 'plain JS',
        run() {
          count = 0;
          for (let i = 0; i < parts.length; i++) p.feed(parts[i]!);
          return count;
        },
        last: () => last,
      };
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
const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
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
