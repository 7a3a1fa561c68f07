/**
 * The client's whole per-command path without sockets: typed method, dispatch, queue, encoding,
 * then the reply through the parser to the caller, against an in-memory peer that answers GET
 * with 100 B and anything else with +OK one macrotask later (as a socket read would). No
 * syscalls and no server, so the CPU per command is the client's own and steady enough to
 * compare builds on a busy machine:
 *
 *   node --import tsx bench/micro-roundtrip.ts W2|W3 [count] [rounds]
 *
 * W2: GET/SET 100 B, 100 in flight; W3: pipelines of 1,000 GET. WREDIS_DIST (comma-separated:
 * builds alternate round by round in this process) selects the builds, default ../dist.
 * Each build's platform module is told to use the in-memory transport.
 */
import { performance } from 'node:perf_hooks';

interface Client {
  get(k: string): Promise<unknown>;
  set(k: string, v: string): Promise<unknown>;
  pipeline(): { get(k: string): unknown; exec(): Promise<unknown[]> };
  connect(): Promise<void>;
  close(): Promise<void>;
}
interface Transport {
  write(data: Uint8Array): void;
  cork(): void;
  uncork(): void;
  end(): void;
  destroy(): void;
  onData(listener: (chunk: Uint8Array, transient?: boolean) => void): void;
  onClose(listener: (error: Error | undefined) => void): void;
}

const DIST = process.env.WREDIS_DIST ?? new URL('../dist/src/index.js', import.meta.url).pathname;
const workload = process.argv[2] ?? 'W2';
const count = Number(process.argv[3] ?? (workload === 'W3' ? 200 : 200_000));
const rounds = Number(process.argv[4] ?? 10);
const KEYS = 1000;
const value = 'v'.repeat(100);
const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
const GET_REPLY = Buffer.from(`$100\r\n${value}\r\n`);
const OK = Buffer.from('+OK\r\n');
const HELLO_REFUSED = Buffer.from('-ERR unknown command\r\n');

/** The peer: scans whole RESP requests (across chunks) and answers each, a macrotask later. */
function memoryTransport(): Promise<Transport> {
  let listener: ((chunk: Uint8Array, transient?: boolean) => void) | undefined;
  let rest: Buffer | undefined;
  let out: Buffer[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const chunk = out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
    out = [];
    listener?.(chunk, false);
  };
  // `*N` / `$N` line at `at`: N, and where the line ends, in `line` (no allocation per line).
  const line = { n: 0, end: 0 };
  const readLine = (b: Buffer, at: number): boolean => {
    let n = 0;
    for (let i = at + 1; i < b.length; i++) {
      const c = b[i] as number;
      if (c === 13) {
        if (i + 1 >= b.length) return false;
        line.n = n;
        line.end = i + 2;
        return true;
      }
      n = n * 10 + c - 48;
    }
    return false;
  };
  const scan = (b: Buffer): void => {
    let at = 0;
    while (at < b.length) {
      const start = at;
      if (!readLine(b, at)) break;
      const n = line.n;
      let p = line.end;
      let first = 0;
      let complete = true;
      for (let i = 0; i < n; i++) {
        if (!readLine(b, p) || line.end + line.n + 2 > b.length) {
          complete = false;
          break;
        }
        if (i === 0) first = (b[line.end] as number) | 0x20;
        p = line.end + line.n + 2;
      }
      if (!complete) {
        at = start;
        break;
      }
      at = p;
      out.push(first === 0x67 ? GET_REPLY : first === 0x68 ? HELLO_REFUSED : OK); // g(et), h(ello)
    }
    rest = at < b.length ? b.subarray(at) : undefined;
  };
  return Promise.resolve({
    write(data) {
      const b = Buffer.from(data.buffer, data.byteOffset, data.length);
      scan(rest === undefined ? b : Buffer.concat([rest, b]));
      if (!scheduled && out.length > 0) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    cork() {},
    uncork() {},
    end() {},
    destroy() {},
    onData(l) {
      listener = l;
    },
    onClose() {},
  });
}

const builds: Array<{ dist: string; c: Client; cpu: number[] }> = [];
for (const dist of DIST.split(',')) {
  const { Redis } = (await import(dist)) as { Redis: new (o: object) => Client };
  const options = (await import(new URL('shared/options.js', new URL('.', `file://${dist}`)).href)) as {
    setPlatform(p: { transport: () => Promise<Transport>; binary: 'buffer' }): void;
  };
  options.setPlatform({ transport: memoryTransport, binary: 'buffer' });
  const c = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true });
  await c.connect();
  builds.push({ dist, c, cpu: [] });
}

const w2 = async (c: Client, n: number): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const k = keys[i % KEYS] as string;
      if ((i & 1) === 0) await c.get(k);
      else await c.set(k, value);
    }
  };
  const all: Array<Promise<void>> = [];
  for (let w = 0; w < 100; w++) all.push(worker());
  await Promise.all(all);
};
const w3 = async (c: Client, n: number): Promise<void> => {
  for (let i = 0; i < n; i++) {
    const p = c.pipeline();
    for (let j = 0; j < KEYS; j++) p.get(keys[j] as string);
    const r = await p.exec();
    if (r.length !== KEYS) throw new Error('short pipeline');
  }
};
const run = workload === 'W3' ? w3 : w2;
const cmds = count * (workload === 'W3' ? KEYS : 1);
for (const b of builds) await run(b.c, Math.max(1, Math.floor(count / 5)));
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < builds.length; k++) {
    const b = builds[(k + r) % builds.length] as (typeof builds)[number];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run(b.c, count);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    b.cpu.push((cpu.user + cpu.system) / cmds);
    if (process.env.VERBOSE === '1')
      process.stdout.write(
        `${workload} round ${r + 1} build ${builds.indexOf(b) + 1}: ${((ms * 1000) / cmds).toFixed(3)} us wall/cmd, ${((cpu.user + cpu.system) / cmds).toFixed(3)} us CPU/cmd\n`,
      );
  }
}
const median = (xs: number[]): number => {
  const v = [...xs].sort((x, y) => x - y);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
};
const first = builds[0] as (typeof builds)[number];
for (const [i, b] of builds.entries()) {
  const ratios = b.cpu.map((c, j) => c / (first.cpu[j] as number));
  process.stdout.write(
    `${workload} build ${i + 1} ${b.dist}: CPU us/cmd median ${median(b.cpu).toFixed(3)} (${Math.min(...b.cpu).toFixed(3)}–${Math.max(...b.cpu).toFixed(3)})` +
      (i > 0
        ? `, ÷ build 1 per round: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`
        : '') +
      '\n',
  );
}
for (const b of builds) await b.c.close();
