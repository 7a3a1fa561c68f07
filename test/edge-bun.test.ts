/**
 * wredis on Bun (npm package `bun`): the smoke suite through the Bun entry point
 * (Bun.connect, the core read with Bun.file), run from source.
 */
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { assertCoreImportMap, reportFrom, repoRoot, runChild, runtimeBinary, smokeConfig, smokeTests, startEdgeServers, type EdgeServers } from './edge/harness.js';
import type { SmokeReport } from './edge/smoke.js';

describe('wredis on Bun', () => {
  let setup: Promise<{ servers: EdgeServers; binary: string }>;

  before(() => {
    setup = (async () => {
      assertCoreImportMap();
      const { path } = await runtimeBinary('bun');
      return { binary: path, servers: await startEdgeServers() };
    })();
    setup.catch(() => undefined); // reported by every test through getReport()
  });

  after(async () => {
    const s = await setup.catch(() => undefined);
    await s?.servers.stop();
  });

  let report: Promise<SmokeReport> | undefined;
  const getReport = (): Promise<SmokeReport> =>
    (report ??= (async () => {
      const { servers, binary } = await setup;
      const r = await runChild(binary, [join('test', 'edge', 'bun-main.ts'), JSON.stringify(smokeConfig('bun', servers))], {
        cwd: repoRoot,
        timeoutMs: 240_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
      return reportFrom(r, 'bun');
    })());
  smokeTests('bun', getReport);
});
