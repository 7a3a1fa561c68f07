/**
 * wredis inside Cloudflare's workerd (npm package `workerd`): a Worker bundled like
 * Wrangler does, served with a config that lets `connect()` reach loopback, runs the edge
 * smoke suite against servers started here. Once without `nodejs_compat` (no Buffer, no
 * node:* at all) and once with it (Buffer exists; replies must still be plain Uint8Array).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import {
  assertCoreImportMap,
  repoRoot,
  runtimeBinary,
  smokeConfig,
  smokeTests,
  startEdgeServers,
  type EdgeServers,
} from './edge/harness.js';
import type { SmokeReport } from './edge/smoke.js';
import { bundleWorker, serveWorker, type ServedWorker } from './edge/workerd.js';

describe('wredis on Cloudflare workerd', () => {
  let setup: Promise<{ servers: EdgeServers; binary: string; dir: string }>;
  const served: ServedWorker[] = [];

  before(() => {
    setup = (async () => {
      assertCoreImportMap();
      const { path } = await runtimeBinary('workerd');
      const dir = mkdtempSync(join(tmpdir(), 'wredis-workerd-'));
      await bundleWorker(join(repoRoot, 'test', 'edge', 'worker.ts'), dir);
      return { servers: await startEdgeServers(), binary: path, dir };
    })();
    setup.catch(() => undefined); // reported by every test through getReport()
  });

  after(async () => {
    await Promise.allSettled(served.map((s) => s.stop()));
    const s = await setup.catch(() => undefined);
    await s?.servers.stop();
    if (s) rmSync(s.dir, { recursive: true, force: true });
  });

  for (const flags of [[], ['nodejs_compat']]) {
    describe(
      flags.length === 0 ? 'without nodejs_compat (no Buffer, no node:*)' : 'with nodejs_compat',
      () => {
        let report: Promise<SmokeReport> | undefined;
        const getReport = (): Promise<SmokeReport> =>
          (report ??= (async () => {
            const { servers, binary, dir } = await setup;
            const worker = await serveWorker(binary, dir, {
              compatibilityFlags: flags,
              trustedCertificates: [servers.tls.material.ca],
            });
            served.push(worker);
            const config = smokeConfig('workerd', servers);
            const res = await fetch(`${worker.url}?config=${encodeURIComponent(JSON.stringify(config))}`, {
              signal: AbortSignal.timeout(180_000),
            });
            const body = await res.text();
            if (!res.ok)
              throw new Error(
                `the worker answered ${res.status}: ${body}\n--- workerd output ---\n${worker.output().slice(-4000)}`,
              );
            return JSON.parse(body) as SmokeReport;
          })());
        smokeTests('workerd', getReport);
      },
    );
  }
});
