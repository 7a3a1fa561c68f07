/**
 * The results as a Markdown section (for bench/RESULTS.md): table, versions, machine, method.
 * Written next to the JSON by run.ts; `node --import tsx bench/e2e/markdown.ts results.json`
 * regenerates it from a saved JSON.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ceiling } from './ceiling.js';
import type { Meta } from './meta.js';
import { fmtRate, type Missing, type TargetCheck } from './report.js';
import { BASELINE, type Comparison, type Spread, type Summary } from './stats.js';
import { WORKLOADS } from './workloads.js';

export interface ResultsFile {
  meta: Meta;
  options: { repeats: number; scale: number; quick: boolean; workloads: string[]; clients: string[] };
  method: Record<string, unknown>;
  ceilings: Ceiling[];
  failures: Missing[];
  summaries: Summary[];
  targets: TargetCheck[];
  /** wredis ÷ wredis@<ref> per workload (`--against`); absent in files written before it existed. */
  comparisons?: Comparison[];
  runs: { result: { loadBefore?: number } }[];
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const ms = (x: number) =>
  !Number.isFinite(x) ? '–' : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
const rng = (s: Spread, f: (x: number) => string) =>
  s.n > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);

function growth(s: Summary): string {
  const g = (s.rssGrowthMB as Spread | undefined)?.median;
  return g !== undefined && Number.isFinite(g) ? ` (+${Math.max(0, g).toFixed(0)})` : '';
}

/** The client-side cache hit rate beside the client (W7-csc). */
function hit(s: Summary): string {
  const h = s.hitRate?.median;
  return h !== undefined && Number.isFinite(h) ? ` (hit rate ${(h * 100).toFixed(1)} %)` : '';
}

export function markdown(r: ResultsFile): string {
  const m = r.meta;
  const loads = r.runs.map((x) => x.result.loadBefore ?? NaN).filter(Number.isFinite);
  const out: string[] = [];
  out.push('## End-to-end');
  out.push('');
  out.push(
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC with \`npm run bench\` (${r.options.repeats} interleaved repeats, scale ${r.options.scale}${r.options.quick ? ', quick' : ''}).`,
  );
  out.push('');
  out.push(
    `- Versions: Node ${m.node}, redis-server ${m.redisServer}, ioredis ${m.packages.ioredis}, redis (node-redis) ${m.packages.redis}, @valkey/valkey-glide ${m.packages['@valkey/valkey-glide'] ?? '–'}, wredis ${m.packages.wredis} — ${m.git}.`,
  );
  for (const b of m.against ?? [])
    out.push(
      `- ${b.client}: commit ${b.commit}, built in a temporary git worktree (node_modules by ${b.install}).`,
    );
  out.push(
    `- Machine: ${m.machine.nproc} × ${m.machine.cpu}, ${m.machine.memGB} GB RAM, Linux ${m.machine.kernel}. Load average ${loads.length > 0 ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : '?'} before the runs (other work shared the machine; ratios are taken within a repeat for that reason).`,
  );
  out.push('');
  out.push(
    '| workload | client | cmd/s median (min–max) | × ioredis (min–max) | p50 ms | p99 ms | CPU µs/cmd | RSS MB (+loop) |',
  );
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const id of r.options.workloads) {
    const w = WORKLOADS.find((x) => x.id === id);
    const title = `${id}${w !== undefined ? ` ${w.title}` : ''}`;
    let first = true;
    for (const s of r.summaries.filter((x) => x.workload === id)) {
      const name = first ? title : '';
      if (s.repeats === 0) {
        const f = r.failures.find((x) => x.workload === id && x.client === s.client);
        out.push(
          `| ${name} | ${s.client} | ${f?.unavailable === true ? 'not available' : 'failed'}: ${(f?.reason ?? '').replace(/\|/g, '/')} | | | | | |`,
        );
      } else {
        const ratio = s.client === BASELINE ? '1.00' : rng(s.ratio, f2);
        const mark = s.client === 'wredis' ? '**' : '';
        out.push(
          `| ${name} | ${mark}${s.client}${mark}${hit(s)} | ${rng(s.cmdsPerSec, fmtRate)} | ${mark}${ratio}${mark} | ${ms(s.p50Ms.median)} | ${ms(s.p99Ms.median)} | ${s.cpuUsPerCmd.median >= 100 ? s.cpuUsPerCmd.median.toFixed(0) : f2(s.cpuUsPerCmd.median)} | ${s.rssPeakMB.median.toFixed(0)}${growth(s)} |`,
        );
      }
      first = false;
    }
    for (const c of r.ceilings.filter((x) => x.workload === id)) {
      out.push(
        `| | *redis-benchmark ${c.label}${c.test.includes(' ') ? '' : ` ${c.test}`}* | *${fmtRate(c.rps)}* | | *${ms(c.p50Ms)}* | *${ms(c.p99Ms)}* | | |`,
      );
    }
  }
  out.push('');
  if (r.comparisons !== undefined && r.comparisons.length > 0) {
    out.push('Against other builds of wredis (cmd/s ratio within each repeat, median (min–max)):');
    out.push('');
    out.push('| workload | ratio | median (min–max) |');
    out.push('|---|---|---:|');
    for (const c of r.comparisons) out.push(`| ${c.workload} | ${c.a} ÷ ${c.b} | ${rng(c.ratio, f2)} |`);
    out.push('');
  }
  out.push('Targets for wredis (median of the per-repeat ratios):');
  out.push('');
  out.push('| workload | measure | target | measured | |');
  out.push('|---|---|---|---|---|');
  for (const t of r.targets)
    out.push(`| ${t.workload} | ${t.what} | ${t.target} | ${t.value} | ${t.status} |`);
  out.push('');
  out.push('Method:');
  out.push('');
  for (const [k, v] of Object.entries(r.method)) {
    if (k === 'plans') continue;
    out.push(`- ${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`);
  }
  const plans = r.method.plans as
    | Record<string, { count: number; warmup: number; capMs: number; kind: string; inflight: number }>
    | undefined;
  if (plans !== undefined) {
    out.push(
      `- counts per run (measured / warmup): ${Object.entries(plans)
        .map(([id, p]) => `${id} ${p.count}/${p.warmup}`)
        .join(', ')}; time cap ${((Object.values(plans)[0]?.capMs ?? 0) / 1000).toFixed(0)} s per run.`,
    );
  }
  out.push(
    '- every run is checked against the server: `total_commands_processed` must grow by at least the commands the client claims; one reply of each shape is checked before measuring.',
  );
  out.push(
    '- clients run with their defaults (RESP3 where it is the default) except where a note below says; ioredis-ap = ioredis with `enableAutoPipelining: true`; node-redis pipelines with `multi().execAsPipeline()`, ioredis with `pipeline().exec()`, GLIDE with a non-atomic `Batch` and `exec()`, wredis with `pipeline().exec()`.',
  );
  const notes = [...new Set(r.summaries.flatMap((s) => s.notes.map((n) => `${s.client}: ${n}`)))];
  for (const n of notes) out.push(`- ${n}`);
  out.push('');
  return out.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node --import tsx bench/e2e/markdown.ts bench/out/results-<time>.json\n');
    process.exit(2);
  }
  process.stdout.write(markdown(JSON.parse(readFileSync(file, 'utf8')) as ResultsFile));
}
