/**
 * What Node itself costs for the W4 shapes, one command at a time: a bare `net` socket that reads
 * into one reused 64 KiB buffer (`onread`, as wredis' transport does) and only counts bytes until
 * the reply is complete, beside wredis and redis-benchmark (-c 1 -P 1 -3, the harness' C ceiling)
 * on the same server, in the same time window:
 *
 *   node --import tsx bench/floor-agg.ts [hgetall|mget|get1mb] [count] [rounds]
 *
 * (get1mb: W5's GET of 1 MB as a string; the bare socket's reads go into one reused 1 MiB buffer.)
 *
 * Prints per round: p50 and mean latency (µs) and CPU µs per command of the bare socket, of the
 * bare socket that also builds the value a client hands out ("bare + text" / "bare + values"), of
 * wredis (dist/), and redis-benchmark's p50 and mean (1e6 / rps). Starts its own redis-server
 * (stopped by PID at the end). Bounded by rounds × 4 × count commands.
 */
import { isAscii } from 'node:buffer';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { SliceBuffer } from '../src/core/bytes.js';
import { startRedis } from '../test/support/redis-server.js';
import { DATA, KEYS } from './e2e/workloads/standard.js';
import { OWN_BUILD, loadRedis } from './support/builds.js';
import { singleClientCeiling } from './support/redis-benchmark.js';
import { seed } from './support/seed.js';

type Client = {
  get(k: string): Promise<unknown>;
  hgetall(k: string): Promise<unknown>;
  mget(keys: string[]): Promise<unknown>;
  close(): Promise<void>;
};

const SHAPES = ['hgetall', 'mget', 'get1mb'] as const;
const shape = SHAPES.find((s) => s === process.argv[2]) ?? 'hgetall';
const count = Number(process.argv[3] ?? 2000);
const rounds = Number(process.argv[4] ?? 3);
const mgetKeys = Array.from({ length: KEYS.mediumCount }, (_, i) => KEYS.medium(i));
const args =
  shape === 'mget' ? ['MGET', ...mgetKeys] : shape === 'get1mb' ? ['GET', KEYS.big1] : ['HGETALL', KEYS.hash];
const wire = Buffer.from(
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
);

/** A RESP3 array or map of bulk strings as JS values, the plainest way (the bytes are trusted). */
function minimalDecode(b: SliceBuffer): unknown[] | Record<string, string> {
  let p = 0;
  const header = (): number => {
    let n = 0;
    p++; // the type byte
    while (b[p] !== 13) n = n * 10 + (b[p++]! - 48);
    p += 2;
    return n;
  };
  const bulk = (): string => {
    const len = header();
    const s = b.latin1Slice(p, p + len);
    p += len + 2;
    return s;
  };
  const isMap = b[0] === 0x25; // '%'
  const n = header();
  if (isMap) {
    const o = Object.create(null) as Record<string, string>;
    for (let i = 0; i < n; i++) {
      const k = bulk();
      o[k] = bulk();
    }
    return o;
  }
  const a: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) a[i] = bulk();
  return a;
}

const server = await startRedis({ args: ['--appendonly', 'no'] });
try {
  await seed(server, [...DATA.hash.commands(), ...DATA.medium.commands(), ...DATA.big1.commands()]);

  // The bare socket: RESP3 like the others; a reply is complete when its known size has arrived.
  let got = 0;
  // The second bare client also builds what a client hands out. get1mb: the text, as the bytes
  // land (isAscii and a latin1 slice per 64 KiB, as wredis does): the least a client handing out a
  // string must do. mget/hgetall: the array or object, once the reply is complete, by a minimal
  // decoder (`minimalDecode`: latin1 slices, no key cache, no validation).
  let decode = false;
  let text = '';
  const acc = Buffer.allocUnsafe(1 << 20) as unknown as SliceBuffer;
  let want = Infinity;
  let done: (() => void) | null = null;
  // latin1Slice: Node's slice method without argument coercion, as wredis uses (src/core/bytes.ts)
  const readBuf = Buffer.allocUnsafe(shape === 'get1mb' ? 1 << 20 : 65536) as unknown as SliceBuffer;
  const sock = connect({
    host: server.host,
    port: server.port,
    onread: {
      buffer: readBuf,
      callback: (n: number) => {
        got += n;
        if (decode && shape !== 'get1mb') acc.set(readBuf.subarray(0, n), got - n);
        else if (decode) {
          for (let at = 0; at < n; at += 65536) {
            const end = Math.min(n, at + 65536);
            if (!isAscii(readBuf.subarray(at, end))) throw new Error('not ASCII');
            text += readBuf.latin1Slice(at, end);
          }
        }
        if (got >= want && done !== null) {
          // the whole reply as text (header and CRLF included), as a string client hands it out
          if (decode && shape === 'get1mb' && text.length !== got) {
            throw new Error(`decoded ${text.length} of ${got} bytes`);
          }
          if (decode && shape !== 'get1mb') {
            const v = minimalDecode(acc);
            const n = Array.isArray(v) ? v.length : Object.keys(v).length;
            if (n !== (shape === 'mget' ? KEYS.mediumCount : KEYS.hashFields))
              throw new Error(`decoded ${n}`);
          }
          const f = done;
          done = null;
          f();
        }
        return true;
      },
    },
  });
  await new Promise((r) => sock.once('connect', r));
  sock.setNoDelay(true);
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  sock.write('*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n');
  await settle(200);
  got = 0;
  sock.write(wire);
  await settle(500); // the reply's size: everything that arrived for one command
  const size = got;
  const bare = () =>
    new Promise<void>((r) => {
      got = 0;
      text = '';
      want = size;
      done = r;
      sock.write(wire);
    });

  const Redis = await loadRedis<Client>(OWN_BUILD);
  const w = new Redis({ host: server.host, port: server.port });
  const wredis = () =>
    shape === 'mget' ? w.mget(mgetKeys) : shape === 'get1mb' ? w.get(KEYS.big1) : w.hgetall(KEYS.hash);
  for (let i = 0; i < 300; i++) {
    await bare();
    await wredis();
  }

  const timed = async (op: () => Promise<unknown>) => {
    const lat: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await op();
      lat.push((performance.now() - t) * 1000);
    }
    const c = process.cpuUsage(c0);
    lat.sort((a, b) => a - b);
    const mean = lat.reduce((a, b) => a + b, 0) / count;
    return `p50 ${lat[count >> 1]!.toFixed(0)} mean ${mean.toFixed(0)} CPU ${((c.user + c.system) / count).toFixed(0)}`;
  };
  process.stdout.write(`${shape}, reply ${size} B, ${count} commands per client per round (µs)\n`);
  for (let r = 0; r < rounds; r++) {
    const b = await timed(bare);
    decode = true;
    const d = ` | bare + ${shape === 'get1mb' ? 'text' : 'values'} ${await timed(bare)}`;
    decode = false;
    const x = await timed(wredis);
    const out = singleClientCeiling(server, count, args);
    const m = /"[^"]*","([\d.]+)","[\d.]+","[\d.]+","([\d.]+)"/.exec(out);
    const c =
      m === null ? '?' : `p50 ${(Number(m[2]) * 1000).toFixed(0)} mean ${(1e6 / Number(m[1])).toFixed(0)}`;
    process.stdout.write(`round ${r + 1}: bare socket ${b}${d} | wredis ${x} | redis-benchmark ${c}\n`);
  }
  sock.destroy();
  await w.close();
} finally {
  await server.stop();
}
