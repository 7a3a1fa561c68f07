/**
 * Smoke test of the end-to-end benchmark harness (bench/run.ts): a --quick run against its own
 * throwaway servers exits 0, prints the table, writes JSON of the documented shape and stops every
 * redis-server it started. No figure is asserted (timing never decides pass/fail).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../bench/e2e/ceiling.js';
import { parseOptions, UsageError } from '../bench/e2e/options.js';
import { compare, spread, type RunRecord } from '../bench/e2e/stats.js';
import { pidAlive } from './support/redis-server.js';

const out = mkdtempSync(join(tmpdir(), 'wredis-bench-smoke-'));
after(() => rmSync(out, { recursive: true, force: true }));

function runBench(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      if (p.pid !== undefined) process.kill(p.pid, 'SIGINT');
    }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Results {
  meta: {
    node: string;
    redisServer: string;
    packages: Record<string, string>;
    machine: { nproc: number; cpu: string };
  };
  options: { servers: { startedPids: number[] }; clients: string[]; workloads: string[] };
  runs: {
    repeat: number;
    result: {
      ok: true;
      client: string;
      workload: string;
      cmdsPerSec: number;
      p50Ms: number;
      p99Ms: number;
      cpuUsPerCmd: number;
      rssPeakMB: number;
    };
  }[];
  failures: { client: string; workload: string; unavailable: boolean; reason: string }[];
  summaries: { workload: string; client: string; ratio: { median: number } }[];
  targets: { workload: string; status: string }[];
}

describe('bench/run.ts --quick', () => {
  it(
    'runs the peers and wredis, prints a table, writes JSON and stops its servers',
    { timeout: 150_000 },
    async () => {
      const r = await runBench(
        [
          '--quick',
          '--clients',
          'ioredis,node-redis,wredis',
          '--workloads',
          'W1,W2',
          '--repeats',
          '1',
          '--out',
          out,
        ],
        120_000,
      );
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      assert.match(r.stdout, /cmd\/s/);
      assert.match(r.stdout, /^W1 /m);
      assert.match(r.stdout, /^W2 /m);
      for (const c of ['ioredis', 'ioredis-ap', 'node-redis', 'wredis'])
        assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
      assert.match(r.stderr, /\[\d+\/\d+\] repeat 1\/1 W1/, 'progress lines on stderr');

      const files = readdirSync(out);
      const json = files.find((f) => /^results-.*\.json$/.test(f));
      assert.ok(json !== undefined, `no results JSON in ${files.join(', ')}`);
      assert.ok(
        files.some((f) => /^chart-.*\.svg$/.test(f)),
        'no SVG chart',
      );
      assert.match(
        readFileSync(join(out, files.find((f) => f.endsWith('.svg')) as string), 'utf8'),
        /^<svg [^>]*xmlns/,
      );

      const res = JSON.parse(readFileSync(join(out, json), 'utf8')) as Results;
      assert.equal(res.meta.node, process.version);
      assert.match(res.meta.redisServer, /^\d+\.\d+/);
      assert.ok(res.meta.machine.nproc >= 1);
      assert.deepEqual(res.options.workloads, ['W1', 'W2']);
      // The peers must have produced figures; wredis either figures or is reported, never silently absent.
      for (const w of ['W1', 'W2']) {
        for (const c of ['ioredis', 'node-redis', 'wredis']) {
          const run = res.runs.find((x) => x.result.workload === w && x.result.client === c);
          const failure = res.failures.find((x) => x.workload === w && x.client === c);
          if (c !== 'wredis') assert.ok(run !== undefined, `${w} ${c}: no run (${failure?.reason ?? ''})`);
          assert.ok(run !== undefined || failure !== undefined, `${w} ${c}: neither a figure nor a reason`);
          if (run === undefined) continue;
          assert.ok(run.result.cmdsPerSec > 0);
          assert.ok(run.result.p50Ms > 0 && run.result.p99Ms >= run.result.p50Ms);
          assert.ok(run.result.cpuUsPerCmd > 0 && run.result.rssPeakMB > 0);
        }
      }
      assert.ok(
        res.runs.some((x) => x.result.workload === 'W2' && x.result.client === 'ioredis-ap'),
        'ioredis-ap row for W2',
      );
      const base = res.summaries.find((s) => s.workload === 'W1' && s.client === 'ioredis');
      assert.equal(base?.ratio.median, 1);
      assert.ok(res.targets.some((t) => t.workload === 'W2'));

      const pids = res.options.servers.startedPids;
      assert.ok(pids.length >= 1, 'it started its own server');
      for (const pid of pids) assert.equal(pidAlive(pid), false, `redis-server ${pid} still running`);
    },
  );
});

describe('bench helpers', () => {
  it('parses redis-benchmark --csv output', () => {
    const rows = parseCsv(
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"\n"GET","41580.04","0.019","0.008","0.015","0.039","0.047","15.727"\n',
    );
    assert.deepEqual(rows, [{ test: 'GET', rps: 41580.04, p50Ms: 0.015, p99Ms: 0.047 }]);
  });

  it('takes medians and ranges over repeats', () => {
    assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
    assert.equal(spread([1, 2, 3, 10]).median, 2.5);
    assert.equal(spread([NaN]).n, 0);
  });

  it('selects workload families and adds ioredis-ap with ioredis', () => {
    const o = parseOptions(['--workloads', 'W4,W1', '--clients', 'ioredis', '--quick']);
    assert.deepEqual(
      o.workloads.map((w) => w.id),
      ['W1', 'W4-mget', 'W4-lrange', 'W4-hgetall'],
    );
    assert.deepEqual(o.clients, ['ioredis', 'ioredis-ap']);
    assert.equal(o.repeats, 1);
    assert.throws(() => parseOptions(['--workloads', 'W9']), UsageError);
    assert.throws(() => parseOptions(['--repeats', '0']), UsageError);
  });

  it('warms up as many operations as it measures unless --warmup says otherwise', () => {
    assert.equal(parseOptions([]).warmup, 1);
    assert.equal(parseOptions(['--warmup', '0.1']).warmup, 0.1);
    assert.equal(parseOptions(['--warmup=0']).warmup, 0);
    assert.throws(() => parseOptions(['--warmup', '-1']), UsageError);
    assert.throws(() => parseOptions(['--warmup', 'lots']), UsageError);
  });

  it('--against adds wredis@<ref> right after wredis, once per ref', () => {
    const o = parseOptions([
      '--clients',
      'ioredis,wredis',
      '--against',
      'main',
      '--against=HEAD~1',
      '--against',
      'main',
    ]);
    assert.deepEqual(o.clients, ['wredis', 'wredis@main', 'wredis@HEAD~1', 'ioredis', 'ioredis-ap']);
    assert.equal(o.againstInstall, 'auto');
    assert.equal(parseOptions(['--against', 'x', '--against-install', 'ci']).againstInstall, 'ci');
    assert.throws(() => parseOptions(['--against-install', 'copy']), UsageError);
    assert.throws(() => parseOptions(['--against', '--quick']), UsageError);
  });

  it('compares two clients within each repeat', () => {
    const run = (repeat: number, client: string, cmdsPerSec: number) =>
      ({ repeat, order: 0, result: { workload: 'W1', client, cmdsPerSec } }) as unknown as RunRecord;
    const runs = [
      run(0, 'wredis', 200),
      run(0, 'wredis@a', 100),
      run(1, 'wredis', 300),
      run(1, 'wredis@a', 100),
    ];
    assert.deepEqual(compare('W1', 'wredis', 'wredis@a', runs).ratio, { median: 2.5, min: 2, max: 3, n: 2 });
  });
});
