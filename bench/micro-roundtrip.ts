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
import { buildUrl, buildsFromEnv, loadRedis } from './support/builds.js';
import { INFLIGHT_VALUE, inflightWorkload, type InflightClient } from './support/inflight.js';
import { median, minMax, ratios } from './support/stats.js';
import { cpuPerOp, measure, turnOrder } from './support/timing.js';

interface Client extends InflightClient {
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

const DISTS = buildsFromEnv(new URL('../dist/src/index.js', import.meta.url).pathname);
const workload = process.argv[2] ?? 'W2';
const count = Number(process.argv[3] ?? (workload === 'W3' ? 200 : 200_000));
const rounds = Number(process.argv[4] ?? 10);
const GET_REPLY = Buffer.from(`$100\r\n${INFLIGHT_VALUE}\r\n`);
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
for (const dist of DISTS) {
  const Redis = await loadRedis<Client>(dist);
  // The build's own platform module (beside its entry point), so its client uses this transport.
  const options = (await import(new URL('shared/options.js', buildUrl(dist)).href)) as {
    setPlatform(p: { transport: () => Promise<Transport>; binary: 'buffer' }): void;
  };
  options.setPlatform({ transport: memoryTransport, binary: 'buffer' });
  const c = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true });
  await c.connect();
  builds.push({ dist, c, cpu: [] });
}

const { run, commandsPerOp } = inflightWorkload(workload);
const cmds = count * commandsPerOp;
for (const b of builds) await run(b.c, Math.max(1, Math.floor(count / 5)));
for (let r = 0; r < rounds; r++) {
  for (const k of turnOrder(builds.length, r)) {
    const b = builds[k] as (typeof builds)[number];
    const m = await measure(() => run(b.c, count));
    b.cpu.push(cpuPerOp(m, cmds));
    if (process.env.VERBOSE === '1')
      process.stdout.write(
        `${workload} round ${r + 1} build ${builds.indexOf(b) + 1}: ${((m.ms * 1000) / cmds).toFixed(3)} us wall/cmd, ${cpuPerOp(m, cmds).toFixed(3)} us CPU/cmd\n`,
      );
  }
}
const first = builds[0] as (typeof builds)[number];
for (const [i, b] of builds.entries()) {
  const perRound = ratios(b.cpu, first.cpu);
  process.stdout.write(
    `${workload} build ${i + 1} ${b.dist}: CPU us/cmd median ${median(b.cpu).toFixed(3)} (${minMax(b.cpu, 3)})` +
      (i > 0 ? `, ÷ build 1 per round: median ${median(perRound).toFixed(3)} (${minMax(perRound, 3)})` : '') +
      '\n',
  );
}
for (const b of builds) await b.c.close();
