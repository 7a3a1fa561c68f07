/**
 * Key-slot hashing: wredis (WASM core) against cluster-key-slot, same process,
 * interleaved. Every op hashes 100 keys, so figures are per key.
 *
 *   node --import tsx bench/micro-slots.ts
 *
 * ROUNDS (default 5) and MAX_TIME (seconds per measurement, default 0.25) bound
 * the run: about cases x contenders x ROUNDS x (MAX_TIME + warm-up).
 */
import Benchmark from 'benchmark';
import cks from 'cluster-key-slot';
import { cpus } from 'node:os';
import { loadNodeCore } from '../src/core/wasm-node.js';
import { commonSlot, keySlot, keySlots, type KeyInput } from '../src/core/slots.js';
import { median } from './support/stats.js';

loadNodeCore();

const ROUNDS = Math.max(1, Math.min(50, Number(process.env.ROUNDS ?? 5)));
const MAX_TIME = Math.max(0.05, Math.min(5, Number(process.env.MAX_TIME ?? 0.25)));
const KEYS_PER_OP = 100;

// cluster-key-slot is typed for strings; it reads Buffers byte by byte as well.
const cksGenerate = cks as unknown as (key: string | Uint8Array) => number;
const cksMulti = cks.generateMulti as unknown as (keys: (string | Uint8Array)[]) => number;

// A plain-JS table CRC for ASCII strings without '{' — not used by wredis, only
// here to answer "is crossing into WASM worth it for a short key?".
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}
function jsAsciiSlot(s: string): number {
  let crc = 0;
  for (let i = 0; i < s.length; i++)
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc & 16383;
}

/** 100 distinct ASCII keys of exactly `len` bytes, shaped like real ones. */
function keys(len: number, prefix = 'user:'): string[] {
  return Array.from({ length: KEYS_PER_OP }, (_, i) =>
    `${prefix}${i * 7919}:`.padEnd(len, 'abcdefghijklmnopqrstuvwxyz').slice(0, len),
  );
}

let sink = 0;

interface Contender {
  name: string;
  fn: () => void;
}
interface Case {
  name: string;
  contenders: Contender[];
}

function singles(name: string, ks: KeyInput[], js?: string[]): Case {
  const contenders: Contender[] = [
    {
      name: 'wredis',
      fn: () => {
        for (let i = 0; i < ks.length; i++) sink ^= keySlot(ks[i]!);
      },
    },
    {
      name: 'cluster-key-slot',
      fn: () => {
        for (let i = 0; i < ks.length; i++) sink ^= cksGenerate(ks[i] as string);
      },
    },
  ];
  if (js)
    contenders.push({
      name: 'plain JS',
      fn: () => {
        for (let i = 0; i < js.length; i++) sink ^= jsAsciiSlot(js[i]!);
      },
    });
  return { name, contenders };
}

function batch(name: string, ks: KeyInput[]): Case {
  return {
    name,
    contenders: [
      {
        name: 'wredis',
        fn: () => {
          sink ^= keySlots(ks)[KEYS_PER_OP - 1]!;
        },
      },
      {
        name: 'cluster-key-slot',
        fn: () => {
          sink ^= ks.map((k) => cksGenerate(k as string))[KEYS_PER_OP - 1]!;
        },
      },
    ],
  };
}

function sameSlot(name: string, ks: string[]): Case {
  return {
    name,
    contenders: [
      {
        name: 'wredis',
        fn: () => {
          sink ^= commonSlot(ks);
        },
      },
      {
        name: 'cluster-key-slot',
        fn: () => {
          sink ^= cksMulti(ks);
        },
      },
    ],
  };
}

const k16 = keys(16);
const k64 = keys(64);
const tagged16 = keys(16, '{user42}:');
const buf = (ks: string[]) => ks.map((k) => Buffer.from(k));

const cases: Case[] = [
  singles('keySlot, 16 B string', k16, k16),
  singles('keySlot, 64 B string', k64, k64),
  singles('keySlot, 16 B Buffer', buf(k16)),
  singles('keySlot, 64 B Buffer', buf(k64)),
  batch('keySlots, 100 x 16 B string', k16),
  batch('keySlots, 100 x 64 B string', k64),
  batch('keySlots, 100 x 16 B Buffer', buf(k16)),
  batch('keySlots, 100 x 64 B Buffer', buf(k64)),
  batch(
    'keySlots, 100 x 16 B non-ASCII',
    keys(16).map((k) => `é${k.slice(2)}`),
  ),
  sameSlot('commonSlot vs generateMulti, 100 x 16 B, one tag', tagged16),
  singles('short keys: keySlot, 4 B string', keys(4, 'k'), keys(4, 'k')),
  singles('short keys: keySlot, 8 B string', keys(8, 'k:'), keys(8, 'k:')),
];

// Same answers before timing anything.
for (const c of cases) {
  const results = c.contenders.map((x) => {
    sink = 0;
    x.fn();
    return sink;
  });
  if (results.some((r) => r !== results[0]))
    throw new Error(`${c.name}: contenders disagree (${results.join(', ')})`);
}

/** ns per key from one benchmark.js run of `fn`. */
function measure(name: string, fn: () => void): number {
  const b = new Benchmark(name, fn, { maxTime: MAX_TIME, minSamples: 5, initCount: 10 });
  b.run();
  if (b.error) throw b.error;
  return (b.stats.mean * 1e9) / KEYS_PER_OP;
}

const samples = new Map<string, number[]>(); // `${case}|${contender}` -> ns/key per round
const t0 = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    // rotate the order each round so neither side always runs first
    const order = c.contenders.map((_, i) => c.contenders[(i + round) % c.contenders.length]!);
    for (const x of order) {
      const key = `${c.name}|${x.name}`;
      const list = samples.get(key) ?? [];
      list.push(measure(key, x.fn));
      samples.set(key, list);
    }
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const spread = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;

console.log(
  `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? '?'} x${cpus().length}, ` +
    `command: node --import tsx bench/micro-slots.ts (ROUNDS=${ROUNDS}, MAX_TIME=${MAX_TIME})`,
);
console.log(
  'ns per key: median of rounds (min–max); ratio = cluster-key-slot time / wredis time, per round, median (min–max)\n',
);
console.log('| case | wredis | cluster-key-slot | plain JS (no WASM) | speed-up vs cluster-key-slot |');
console.log('|---|---|---|---|---|');
for (const c of cases) {
  const w = samples.get(`${c.name}|wredis`)!;
  const k = samples.get(`${c.name}|cluster-key-slot`)!;
  const j = samples.get(`${c.name}|plain JS`);
  const ratios = w.map((x, i) => k[i]! / x);
  console.log(
    `| ${c.name} | ${fmt(median(w))} (${spread(w)}) | ${fmt(median(k))} (${spread(k)}) | ` +
      `${j ? `${fmt(median(j))} (${spread(j)})` : '—'} | ${median(ratios).toFixed(2)}× (${spread(ratios)}) |`,
  );
}
if (sink === 0.5) console.log(sink); // keep the results alive
