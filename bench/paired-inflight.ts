/**
 * Paired before/after of bench/profile-inflight.ts: two builds alternate (A, B, A, B …) in the
 * same window, each run in its own process with its own redis-server, so a change in the
 * machine's load hits both alike. Prints every run and the medians of CPU µs per command and of
 * commands per second, with the load average before and after.
 *
 *   node --import tsx bench/paired-inflight.ts W2|W3 /path/A/dist/src/index.js /path/B/dist/src/index.js [pairs] [count]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './support/stats.js';

const [workload = 'W2', a, b, pairsArg, countArg] = process.argv.slice(2);
if (a === undefined || b === undefined)
  throw new Error('usage: paired-inflight.ts W2|W3 distA distB [pairs] [count]');
const pairs = Number(pairsArg ?? 6);
const count = countArg ?? (workload === 'W3' ? '200' : '200000');
const script = fileURLToPath(new URL('./profile-inflight.ts', import.meta.url));

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const results: Record<'A' | 'B', { cpu: number[]; rate: number[] }> = {
  A: { cpu: [], rate: [] },
  B: { cpu: [], rate: [] },
};
process.stdout.write(`${workload} paired, ${pairs} pairs, count ${count}, load before ${load()}\n`);
for (let i = 0; i < pairs; i++) {
  const order: Array<['A' | 'B', string]> =
    i % 2 === 0
      ? [
          ['A', a],
          ['B', b],
        ]
      : [
          ['B', b],
          ['A', a],
        ];
  for (const [label, dist] of order) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, workload, count, '1'], {
      env: { ...process.env, WREDIS_DIST: dist },
      encoding: 'utf8',
    });
    const m = /(\d+) cmd\/s, ([\d.]+) us CPU\/cmd/.exec(out);
    if (m === null) throw new Error(`unexpected output: ${out}`);
    results[label].rate.push(Number(m[1]));
    results[label].cpu.push(Number(m[2]));
    process.stdout.write(`  ${label}: ${out.trim()}\n`);
  }
}
const fmt = (xs: number[], digits: number): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
for (const label of ['A', 'B'] as const) {
  const r = results[label];
  process.stdout.write(`${label}: CPU us/cmd ${fmt(r.cpu, 3)}, cmd/s ${fmt(r.rate, 0)}\n`);
}
const ratios = results.B.cpu.map((c, i) => c / (results.A.cpu[i] as number));
process.stdout.write(`B/A CPU per pair: median ${fmt(ratios, 3)}; load after ${load()}\n`);
