/**
 * redis-benchmark on the same server for the same shapes: the server's (and loopback's) ceiling,
 * printed beside the clients. RESP3 (-3) like the clients' defaults.
 */
import { spawn } from 'node:child_process';
import type { Endpoint } from './adapters/types.js';
import type { Workload } from './workloads.js';

export interface Ceiling {
  workload: string;
  /** Repeat it was measured in (-1 for a median over repeats). */
  repeat: number;
  label: string;
  /** Test name as redis-benchmark prints it (e.g. "GET", "LRANGE wb:list 0 -1"). */
  test: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** Parses `-q --csv` output: a header line, then one quoted line per test. */
export function parseCsv(text: string): { test: string; rps: number; p50Ms: number; p99Ms: number }[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('"'));
  const header = (lines[0] ?? '').split(',').map((h) => h.replace(/"/g, ''));
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((l) => {
    const cells = l.split('","').map((c) => c.replace(/"/g, ''));
    const at = (name: string) => Number(cells[col(name)]);
    return { test: cells[0] ?? '', rps: at('rps'), p50Ms: at('p50_latency_ms'), p99Ms: at('p99_latency_ms') };
  });
}

function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `redis-benchmark ${signal ?? `exit ${code}`}: ${err.trim().split('\n').slice(-2).join(' ')}`,
          ),
        );
    });
  });
}

/** Runs each workload's redis-benchmark shapes; a failed one is reported, not fatal. */
export async function ceilings(
  workloads: readonly Workload[],
  endpointOf: (w: Workload) => Endpoint | undefined,
  scale: number,
  repeat: number,
  log: (s: string) => void,
): Promise<Ceiling[]> {
  const out: Ceiling[] = [];
  for (const w of workloads) {
    const ep = endpointOf(w);
    if (ep === undefined) continue;
    for (const c of w.ceilings) {
      const n = Math.max(10, Math.round(c.n * scale));
      const args = ['-h', ep.host, '-p', String(ep.port), '-3', '-q', '--csv', '-n', String(n), ...c.args];
      try {
        for (const row of parseCsv(await run(args, 60_000))) {
          const test = row.test.length > 40 ? `${row.test.slice(0, 37)}...` : row.test;
          out.push({
            workload: w.id,
            repeat,
            label: c.label,
            test,
            rps: row.rps,
            p50Ms: row.p50Ms,
            p99Ms: row.p99Ms,
          });
          log(
            `repeat ${repeat + 1} ceiling ${w.id} redis-benchmark ${c.label} ${test}: ${Math.round(row.rps).toLocaleString('en-US')} req/s`,
          );
        }
      } catch (e) {
        log(`ceiling ${w.id} ${c.label}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

/** Medians over repeats of each (workload, shape, test). */
export function medianCeilings(all: readonly Ceiling[]): Ceiling[] {
  const groups = new Map<string, Ceiling[]>();
  for (const c of all) {
    const k = `${c.workload}\u0000${c.label}\u0000${c.test}`;
    const g = groups.get(k) ?? [];
    g.push(c);
    groups.set(k, g);
  }
  const med = (xs: number[]) => {
    const v = [...xs].sort((a, b) => a - b);
    const m = v.length >> 1;
    return v.length % 2 === 1 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
  };
  return [...groups.values()].map((g) => {
    const first = g[0] as Ceiling;
    return {
      workload: first.workload,
      repeat: -1,
      label: first.label,
      test: first.test,
      rps: med(g.map((c) => c.rps)),
      p50Ms: med(g.map((c) => c.p50Ms)),
      p99Ms: med(g.map((c) => c.p99Ms)),
    };
  });
}
