/** The text table, the target checks and the status lines for clients that did not run. */
import type { ClientName } from './adapters/types.js';
import type { Ceiling } from './ceiling.js';
import {
  BASELINE,
  ceilingShares,
  type Comparison,
  type RunRecord,
  type Spread,
  type Summary,
} from './stats.js';
import type { Workload } from './workloads.js';
import { bandText, verdict } from '../verdict.js';

/** Why a (workload, client) has no figures. */
export interface Missing {
  workload: string;
  client: ClientName;
  reason: string;
  unavailable: boolean;
}

export interface TargetCheck {
  workload: string;
  what: string;
  target: string;
  value: string;
  /** met / missed only when the 5th–95th percentile band of the per-repeat values clears the target (bench/verdict.ts). */
  status: 'met' | 'missed' | 'inconclusive' | 'n/a';
}

export function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(2)}k`;
  return x.toFixed(x >= 100 ? 0 : 1);
}

function fmtNum(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

function fmtMs(x: number): string {
  if (!Number.isFinite(x)) return '–';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

function range(s: Spread, f: (x: number) => string): string {
  if (s.n <= 1) return f(s.median);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

const COLS = [
  { h: 'client', w: 14, left: true },
  { h: 'cmd/s (min–max)', w: 26, left: true },
  { h: '× ioredis (min–max)', w: 21, left: true },
  { h: 'p50 ms', w: 8, left: false },
  { h: 'p99 ms', w: 8, left: false },
  { h: 'CPU µs/cmd', w: 11, left: false },
  { h: 'RSS MB (+loop)', w: 15, left: false },
] as const;

function row(cells: string[]): string {
  return `  ${cells
    .map((c, i) => {
      const col = COLS[i];
      if (col === undefined) return c;
      return col.left ? c.padEnd(col.w) : c.padStart(col.w);
    })
    .join(' ')}`.trimEnd();
}

/** Renders the whole table: one block per workload, clients, their gaps, then the server's ceiling. */
export function table(
  workloads: readonly Workload[],
  clients: readonly ClientName[],
  summaries: readonly Summary[],
  missing: readonly Missing[],
  ceilings: readonly Ceiling[],
): string {
  const lines: string[] = [row(COLS.map((c) => c.h))];
  for (const w of workloads) {
    const unit = w.commandsPerOp > 1 ? ` (latency per pipeline of ${w.commandsPerOp})` : '';
    lines.push(
      `${w.id}  ${w.title}${unit}${w.target !== undefined ? `  [target ×${w.target.toFixed(1)}]` : ''}`,
    );
    for (const c of clients) {
      const s = summaries.find((x) => x.workload === w.id && x.client === c);
      const gone = missing.find((m) => m.workload === w.id && m.client === c);
      if (s !== undefined && s.repeats > 0) {
        const ratio = c === BASELINE ? '1.00' : range(s.ratio, (x) => fmtNum(x, 2));
        lines.push(
          row([
            c,
            range(s.cmdsPerSec, fmtRate),
            ratio,
            fmtMs(s.p50Ms.median),
            fmtMs(s.p99Ms.median),
            fmtNum(s.cpuUsPerCmd.median, s.cpuUsPerCmd.median >= 100 ? 0 : 2),
            `${fmtNum(s.rssPeakMB.median, 0)} (+${fmtNum(Math.max(0, s.rssGrowthMB.median), 0)})`,
          ]) +
            (s.hitRate !== undefined ? `  hit rate ${(s.hitRate.median * 100).toFixed(1)} %` : '') +
            (s.capped ? '  (time cap hit)' : ''),
        );
        if (gone !== undefined) lines.push(`    ${c}: some repeats failed: ${gone.reason}`);
      } else if (gone !== undefined) {
        lines.push(
          `  ${c.padEnd(COLS[0].w)} ${gone.unavailable ? 'not available' : 'FAILED'}: ${gone.reason}`,
        );
      }
    }
    for (const k of ceilings.filter((x) => x.workload === w.id)) {
      const test = k.test.includes(' ') ? '' : ` ${k.test}`;
      lines.push(
        `  server ceiling: redis-benchmark ${k.label}${test}: ${fmtRate(k.rps)} req/s, p50 ${fmtMs(k.p50Ms)} ms, p99 ${fmtMs(k.p99Ms)} ms`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * The issues' targets for wredis, checked against the per-repeat figures of this run: the ratio
 * to ioredis, W2's memory, and the share of redis-benchmark's rate (`ceilingTarget`).
 */
export function checkTargets(
  workloads: readonly Workload[],
  summaries: readonly Summary[],
  runs: readonly RunRecord[] = [],
  ceilingRuns: readonly Ceiling[] = [],
): TargetCheck[] {
  const out: TargetCheck[] = [];
  const get = (w: string, c: ClientName) =>
    summaries.find((s) => s.workload === w && s.client === c && s.repeats > 0);
  for (const w of workloads) {
    const ct = w.ceilingTarget;
    const label = ct?.label ?? w.ceilings[0]?.label;
    if (ct !== undefined && label !== undefined) {
      const v = verdict(ceilingShares(w.id, 'wredis', label, runs, ceilingRuns), ct.atLeast);
      out.push({
        workload: w.id,
        what: `wredis ÷ C (${label})`,
        target: `>= ${ct.atLeast.toFixed(2)}`,
        value: bandText(v),
        status: v.n === 0 ? 'n/a' : v.verdict,
      });
    }
    if (w.target === undefined) continue;
    const s = get(w.id, 'wredis');
    const v = verdict(s?.ratios ?? [], w.target);
    out.push({
      workload: w.id,
      what: 'wredis cmd/s ÷ ioredis',
      target: `>= ${w.target.toFixed(1)}`,
      value: bandText(v),
      status: v.n === 0 ? 'n/a' : v.verdict,
    });
    if (w.id === 'W2') {
      const mine = s?.rssPeakMB.median;
      const b = get('W2', BASELINE);
      const base = b?.rssPeakMB.median;
      const loop = `loop +${Math.max(0, s?.rssGrowthMB.median ?? NaN).toFixed(0)} vs +${Math.max(0, b?.rssGrowthMB.median ?? NaN).toFixed(0)}`;
      const both = mine !== undefined && base !== undefined && Number.isFinite(mine) && Number.isFinite(base);
      const rss = verdict(s?.rssRatios ?? [], 1, 'atMost');
      out.push({
        workload: 'W2',
        what: 'wredis peak RSS vs ioredis',
        target: '<= ioredis',
        value: both
          ? `${mine.toFixed(0)} MB vs ${base.toFixed(0)} MB (${loop}; ratio ${bandText(rss)})`
          : 'no figure',
        status: rss.n === 0 ? 'n/a' : rss.verdict,
      });
    }
  }
  return out;
}

/** Each client's notes (fallbacks taken, options set), once. */
export function notesText(summaries: readonly Summary[]): string {
  const byClient = new Map<string, Set<string>>();
  for (const s of summaries) {
    for (const n of s.notes) {
      const set = byClient.get(s.client) ?? new Set<string>();
      set.add(n);
      byClient.set(s.client, set);
    }
  }
  return [...byClient].map(([c, ns]) => `  ${c}: ${[...ns].join('; ')}`).join('\n');
}

export function targetsText(checks: readonly TargetCheck[]): string {
  return checks
    .map(
      (t) =>
        `  ${t.workload.padEnd(11)} ${t.what.padEnd(34)} ${t.target.padEnd(11)} ${t.value.padEnd(24)} ${t.status}`,
    )
    .join('\n');
}

/** The `--against` lines: wredis ÷ each wredis@<ref>, per workload. */
export function comparisonsText(comparisons: readonly Comparison[]): string {
  return comparisons
    .map(
      (c) =>
        `  ${c.workload.padEnd(11)} ${`${c.a} ÷ ${c.b}`.padEnd(36)} ${range(c.ratio, (x) => fmtNum(x, 2))}`,
    )
    .join('\n');
}
