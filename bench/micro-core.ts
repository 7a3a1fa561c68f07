/**
 * The WASM parser core alone (no JS values): `parseReserve` + copy + `parse` per 64 KiB chunk,
 * the tape dropped. Compares core builds in one process, alternately, on CPU time:
 *
 *   node --import tsx bench/micro-core.ts A.wasm [B.wasm] [--workload int|intmix|intarray|bulk10|array] [--runs 1000]
 *
 * For changes to assembly/ (e.g. `cp build/core.wasm /tmp/before.wasm`, edit, `npm run
 * build:wasm`, then compare /tmp/before.wasm with build/core.wasm); also the way to try a build
 * with other compiler features (`npx asc assembly/index.ts --target release --enable simd -o X`).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { option } from './support/args.js';

interface Core {
  memory: WebAssembly.Memory;
  parseSetLimits(bulk: number, depth: number, elements: number): void;
  parseReserve(len: number): number;
  parse(len: number): number;
}

const files = process.argv.slice(2).filter((a) => a.endsWith('.wasm'));
const RUNS = Math.max(1, Math.min(100_000, Number(option('runs', '1000'))));
const WORKLOAD = option('workload', 'int');
const ROUNDS = 15;
const ELEMENTS = 10_000;

function wire(): Buffer {
  let s = '';
  if (WORKLOAD === 'int') for (let i = 0; i < ELEMENTS; i++) s += `:${i * 37}\r\n`;
  else if (WORKLOAD === 'intmix') {
    // lengths that change at random: 1..8 digits, deterministic
    let x = 12345;
    for (let i = 0; i < ELEMENTS; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      s += `:${(x >>> 8) % 10 ** (1 + (x % 8))}\r\n`;
    }
  } else if (WORKLOAD === 'intarray') {
    s = `*${ELEMENTS}\r\n`;
    for (let i = 0; i < ELEMENTS; i++) s += `:${i * 37}\r\n`;
  } else if (WORKLOAD === 'bulk10') {
    for (let i = 0; i < ELEMENTS; i++) s += `$10\r\n${`v${i}:xxxxxxxxxx`.slice(0, 10)}\r\n`;
  } else if (WORKLOAD === 'array') {
    s = `*${ELEMENTS}\r\n`;
    for (let i = 0; i < ELEMENTS; i++) s += `$100\r\n${`v${i}:${'x'.repeat(100)}`.slice(0, 100)}\r\n`;
  } else throw new Error(`unknown workload ${WORKLOAD}`);
  return Buffer.from(s);
}

const data = wire();
const parts: Buffer[] = [];
for (let i = 0; i < data.length; i += 65536) parts.push(Buffer.from(data.subarray(i, i + 65536)));

const imports = {
  env: {
    abort(): never {
      throw new Error('core aborted');
    },
  },
};
const cores = files.map((f) => {
  const core = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), imports)
    .exports as unknown as Core;
  core.parseSetLimits(512 << 20, 128, -1);
  return core;
});

function run(core: Core): number {
  let done = 0;
  for (const c of parts) {
    const at = core.parseReserve(c.length) >>> 0;
    new Uint8Array(core.memory.buffer).set(c, at);
    done += core.parse(c.length);
  }
  return done;
}

const want = WORKLOAD === 'array' || WORKLOAD === 'intarray' ? 1 : ELEMENTS;
for (const c of cores) {
  for (let r = 0; r < RUNS; r++) if (run(c) !== want) throw new Error('wrong reply count');
}
const ns: number[][] = cores.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < cores.length; k++) {
    const j = (k + round) % cores.length;
    const c0 = process.cpuUsage();
    for (let r = 0; r < RUNS; r++) run(cores[j]!);
    const c = process.cpuUsage(c0);
    ns[j]!.push(((c.user + c.system) * 1000) / RUNS / ELEMENTS);
  }
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
console.log(
  `micro-core ${WORKLOAD}, ${ROUNDS} rounds x ${RUNS} runs, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
files.forEach((f, j) => {
  console.log(
    `${f}: ns per element, median ${median(ns[j]!).toFixed(2)} (min ${Math.min(...ns[j]!).toFixed(2)})`,
  );
});
if (cores.length === 2) {
  const rs = ns[0]!.map((v, i) => ns[1]![i]! / v);
  console.log(
    `B time / A time, paired per round: median ${median(rs).toFixed(3)} (${Math.min(...rs).toFixed(3)}–${Math.max(...rs).toFixed(3)})`,
  );
}
