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
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';

interface ParserLike {
  feed(chunk: Uint8Array, transient?: boolean): void;
  readInto(): Uint8Array | null;
}
interface ParserModule {
  Parser: new (h: {
    onReply(v: unknown): void;
    onError(e: Error): void;
    onPush(v: unknown[]): void;
    onProtocolError(code: number, message: string): void;
  }) => ParserLike;
}

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const ROUNDS = Math.max(3, Math.min(100, Number(arg('rounds', '15'))));
const REPS = Math.max(1, Math.min(10_000, Number(arg('reps', '40'))));
const BASE = arg('base', '');
const ONLY = arg('only', '').split(',').filter(Boolean);
/** `--readinto`: also the client's way of feeding (transient chunks, large values read in place). */
const READINTO = argv.includes('--readinto');

async function loadWredis(dir: string): Promise<ParserModule> {
  const node = (await import(pathToFileURL(`${dir}/src/core/wasm-node.ts`).href)) as {
    loadNodeCore(): void;
  };
  node.loadNodeCore();
  return (await import(pathToFileURL(`${dir}/src/core/parser.ts`).href)) as ParserModule;
}

const here = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const mods: Array<[string, ParserModule]> = [];
if (BASE !== '' && process.env.BASE_FIRST) mods.push(['wredis-base', await loadWredis(BASE)]);
mods.push(['wredis', await loadWredis(here)]);
if (BASE !== '' && !process.env.BASE_FIRST) mods.push(['wredis-base', await loadWredis(BASE)]);

const require = createRequire(import.meta.url);
const RedisParser = require('redis-parser') as new (o: {
  returnReply(v: unknown): void;
  returnError(e: Error): void;
  returnFatalError(e: Error): void;
}) => { execute(b: Buffer): void };

const CHUNK = 65536;
const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const text = (n: number, i: number): string => (`v${i}:` + 'x'.repeat(n)).slice(0, n);

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
    wire: Buffer.from('+OK\r\n'.repeat(10_000)),
    replies: 10_000,
    check: (v) => v === 'OK',
  });
  let s = '';
  for (let i = 0; i < 10_000; i++) s += `:${i * 37}\r\n`;
  list.push({ name: '10k integers', wire: Buffer.from(s), replies: 10_000, check: (v) => v === 9999 * 37 });
  s = '*10000\r\n';
  for (let i = 0; i < 10_000; i++) s += `:${i * 37}\r\n`;
  list.push({
    name: 'array 10k integers',
    wire: Buffer.from(s),
    replies: 1,
    check: (v) => Array.isArray(v) && v[9999] === 9999 * 37,
  });
  s = '';
  for (let i = 0; i < 10_000; i++) s += bulk(text(10, i));
  list.push({
    name: '10k x 10 B bulk',
    wire: Buffer.from(s),
    replies: 10_000,
    check: (v) => v === text(10, 9999),
  });
  s = '*10000\r\n';
  for (let i = 0; i < 10_000; i++) s += bulk(text(100, i));
  list.push({
    name: 'array 10k x 100 B',
    wire: Buffer.from(s),
    replies: 1,
    check: (v) => Array.isArray(v) && v[9999] === text(100, 9999),
  });
  const payload = Buffer.alloc(1024 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789');
  const want = payload.toString('latin1');
  list.push({
    name: '1 MB bulk',
    wire: Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\r\n')]),
    replies: 1,
    check: (v) => v === want,
  });
  return ONLY.length === 0 ? list : list.filter((w) => ONLY.some((o) => w.name.includes(o)));
}

function chunks(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += CHUNK) out.push(Buffer.from(b.subarray(i, i + CHUNK)));
  return out;
}

interface Peer {
  name: string;
  run(): number;
  last(): unknown;
}

function wredisPeer(name: string, mod: ParserModule, w: Workload): Peer {
  const parts = chunks(w.wire);
  let count = 0;
  let last: unknown;
  const p = new mod.Parser({
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
}

/**
 * What the Node client does (src/transport/node.ts): every socket read lands in one reused
 * buffer, or straight in a large value's storage (`readInto()`), and is fed as transient. The
 * read itself is simulated by copying up to 64 KiB of the stream (the kernel's copy, which the
 * other peers do not pay here).
 */
function readIntoPeer(mod: ParserModule, w: Workload): Peer {
  const scratch = Buffer.allocUnsafeSlow(CHUNK);
  let count = 0;
  let last: unknown;
  const p = new mod.Parser({
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
  const wire = w.wire;
  return {
    name: 'wredis-readinto',
    run() {
      count = 0;
      for (let pos = 0; pos < wire.length;) {
        const buf = p.readInto() ?? scratch;
        const n = Math.min(buf.length, wire.length - pos, CHUNK);
        buf.set(wire.subarray(pos, pos + n));
        pos += n;
        p.feed(buf.subarray(0, n), true);
      }
      return count;
    },
    last: () => last,
  };
}

function redisParserPeer(w: Workload): Peer {
  const parts = chunks(w.wire);
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
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

console.log(
  `micro-pair ${new Date().toISOString()} node ${process.version} rounds ${ROUNDS} reps ${REPS} load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
for (const w of workloads()) {
  const peers: Peer[] = [...mods.map(([n, m]) => wredisPeer(n, m, w)), redisParserPeer(w)];
  if (READINTO) peers.push(readIntoPeer(mods.find(([n]) => n === 'wredis')![1], w));
  for (const p of peers) {
    if (p.run() !== w.replies || !w.check(p.last())) throw new Error(`${p.name} decoded ${w.name} wrongly`);
    for (let i = 0; i < REPS; i++) p.run(); // warm up
  }
  const cpu = new Map<string, number[]>();
  const wall = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < peers.length; k++) {
      const p = peers[(k + r) % peers.length]!;
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
    const x = m.get(a)!;
    const y = m.get(b)!;
    const rs = x.map((v, i) => y[i]! / v);
    return `${median(rs).toFixed(2)}x (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})`;
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
