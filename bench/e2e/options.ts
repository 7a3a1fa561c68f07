/** Command-line options of `npm run bench` (bench/run.ts). */
import { CLIENTS, type AgainstClient, type BaseClient, type ClientName } from './adapters/types.js';
import type { InstallMode } from './against.js';
import { WORKLOADS, type Workload } from './workloads.js';

export interface Options {
  /** Clients in table order: the selected ones, with every `wredis@<ref>` right after wredis. */
  clients: ClientName[];
  /** Git refs to build and measure as `wredis@<ref>` (--against, repeatable). */
  against: string[];
  againstInstall: InstallMode;
  workloads: Workload[];
  repeats: number;
  scale: number;
  quick: boolean;
  /** Existing standalone server; a throwaway one is started when absent. */
  host: string;
  port: number | undefined;
  /** Existing cluster (any node); a throwaway 3-primary cluster is started when absent. */
  clusterPort: number | undefined;
  /** Skip redis-benchmark's ceiling figures. */
  ceiling: boolean;
  outDir: string;
  /** Multiplies every time cap. */
  capFactor: number;
  /** Warm-up operations per run as a fraction of the measured count (capped in time). */
  warmup: number;
  help: boolean;
}

export const HELP = `Usage: npm run bench -- [options]
       node --import tsx bench/run.ts [options]

Runs wredis, ioredis, node-redis and GLIDE through the same workloads, each client in its own child
process, interleaved within every repeat. Prints a table (ops/s, p50/p99 latency, CPU time per
command, RSS, ratio to ioredis in the same repeat), writes bench/out/results-<time>.json and
bench/out/chart-<time>.svg. Starts and stops its own redis-server processes unless told where to go.

Options:
  --clients LIST     wredis,ioredis,node-redis (default: all). "ioredis" also runs ioredis with
                     enableAutoPipelining (row "ioredis-ap") on the in-flight workloads (W2, W6);
                     name ioredis-ap explicitly to run it alone.
  --workloads LIST   families (W1,W4,...) or single ids (W4-mget, W5-10mb, ...; list below).
                     Default: all.
  --against REF      also measure wredis as of git REF (a commit, branch or tag), as client
                     "wredis@REF" in the same interleaved run: REF is checked out in a temporary
                     git worktree, given node_modules and built (npm run build), then removed.
                     Repeatable. A "wredis ÷ wredis@REF" line per workload is added.
  --against-install auto|link|ci
                     node_modules for --against: link = symlink to this tree's, ci = npm ci;
                     auto (default) links when both package-lock.json files are identical.
  --repeats N        interleaved repeats (default 3; medians and min–max over them)
  --scale X          multiplies every operation count (default 1)
  --quick            tiny counts, 1 repeat unless --repeats is given: a smoke test (< 1 min)
  --host H           server host for --port / --cluster-port (default 127.0.0.1)
  --port P           use this standalone server instead of starting one (keys "wb:*" are written)
  --cluster-port P   use this cluster (any node) instead of starting 3 primaries
  --no-ceiling       skip redis-benchmark's figures for the same shapes
  --out DIR          output directory (default bench/out)
  --cap-factor X     multiplies every time cap (default 1)
  --warmup F         warm-up operations before each measured loop, as a fraction of its count
                     (default 1: as many as are measured; capped at 3 s, or 1 s with --quick)
  --help             this text

Workloads:
${WORKLOADS.map((w) => `  ${w.id.padEnd(11)} ${w.title}${w.target !== undefined ? ` (target ×${w.target.toFixed(1)} vs ioredis)` : ''}`).join('\n')}
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function num(name: string, v: string | undefined, min: number, integer: boolean): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${name} needs a${integer ? 'n integer' : ' number'} >= ${min}, got ${String(v)}`);
  }
  return n;
}

export function selectWorkloads(list: string): Workload[] {
  const wanted = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  for (const x of wanted) {
    if (!WORKLOADS.some((w) => w.id.toLowerCase() === x || w.family.toLowerCase() === x)) {
      throw new UsageError(`unknown workload ${x}; known: ${WORKLOADS.map((w) => w.id).join(', ')}`);
    }
  }
  return WORKLOADS.filter(
    (w) => wanted.includes(w.id.toLowerCase()) || wanted.includes(w.family.toLowerCase()),
  );
}

export function selectClients(list: string): BaseClient[] {
  const wanted = new Set<BaseClient>();
  for (const raw of list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!(CLIENTS as readonly string[]).includes(raw))
      throw new UsageError(`unknown client ${raw}; known: ${CLIENTS.join(', ')}`);
    wanted.add(raw as BaseClient);
    if (raw === 'ioredis') wanted.add('ioredis-ap');
  }
  return CLIENTS.filter((c) => wanted.has(c));
}

export function parseOptions(argv: string[]): Options {
  const o: Options = {
    clients: [...CLIENTS],
    against: [],
    againstInstall: 'auto',
    workloads: [...WORKLOADS],
    repeats: 3,
    scale: 1,
    quick: false,
    host: '127.0.0.1',
    port: undefined,
    clusterPort: undefined,
    ceiling: true,
    outDir: 'bench/out',
    capFactor: 1,
    // As many operations as are measured: at 10 % the one-at-a-time loops still carried the
    // client's ramp-up (GET 1 MB in one process: about 2.6k/s in its first 800 GETs, 2.9k/s after
    // 1,600), for every client alike.
    warmup: 1,
    help: false,
  };
  let repeatsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--clients':
        o.clients = selectClients(value());
        break;
      case '--against': {
        const ref = value();
        if (ref === '' || ref.startsWith('-')) throw new UsageError(`--against needs a git ref, got ${ref}`);
        if (!o.against.includes(ref)) o.against.push(ref);
        break;
      }
      case '--against-install': {
        const v = value();
        if (v !== 'auto' && v !== 'link' && v !== 'ci')
          throw new UsageError(`--against-install takes auto, link or ci, got ${v}`);
        o.againstInstall = v;
        break;
      }
      case '--workloads':
        o.workloads = selectWorkloads(value());
        break;
      case '--repeats':
        o.repeats = num(name, value(), 1, true);
        repeatsGiven = true;
        break;
      case '--scale':
        o.scale = num(name, value(), 0.001, false);
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--host':
        o.host = value();
        break;
      case '--port':
        o.port = num(name, value(), 1, true);
        break;
      case '--cluster-port':
        o.clusterPort = num(name, value(), 1, true);
        break;
      case '--no-ceiling':
        o.ceiling = false;
        break;
      case '--out':
        o.outDir = value();
        break;
      case '--cap-factor':
        o.capFactor = num(name, value(), 0.01, false);
        break;
      case '--warmup':
        o.warmup = num(name, value(), 0, false);
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${a} (see --help)`);
    }
  }
  if (o.quick && !repeatsGiven) o.repeats = 1;
  if (o.against.length > 0) {
    // wredis@<ref> right after wredis (or first when wredis itself is not selected).
    const at = o.clients.indexOf('wredis') + 1;
    const extra: AgainstClient[] = o.against.map((r) => `wredis@${r}` as const);
    o.clients = [...o.clients.slice(0, at), ...extra, ...o.clients.slice(at)];
  }
  if (o.clients.length === 0) throw new UsageError('no clients selected');
  if (o.workloads.length === 0) throw new UsageError('no workloads selected');
  return o;
}
