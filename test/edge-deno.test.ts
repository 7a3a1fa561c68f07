/**
 * wredis on Deno (npm package `deno`): the smoke suite through the Deno entry point
 * (Deno.connect / Deno.connectTls, the core by source phase import), run from source with
 * only the permissions a user would grant: loopback network and the server's socket dir.
 */
import { dirname, join } from 'node:path';
import { after, before, describe } from 'node:test';
import { assertCoreImportMap, reportFrom, repoRoot, runChild, runtimeBinary, smokeConfig, smokeTests, startEdgeServers, type EdgeServers } from './edge/harness.js';
import type { SmokeReport } from './edge/smoke.js';

describe('wredis on Deno', () => {
  let setup: Promise<{ servers: EdgeServers; binary: string }>;

  before(() => {
    setup = (async () => {
      assertCoreImportMap();
      const { path } = await runtimeBinary('deno');
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
      const config = smokeConfig('deno', servers);
      const socket = servers.plain.socketPath!;
      const socketDir = dirname(socket);
      const r = await runChild(binary, [
        'run',
        '--sloppy-imports', // the sources import './x.js' for './x.ts' (NodeNext style)
        '--no-prompt',
        '--no-remote',
        // Deno checks a unix socket against net (unix:<path>), read and write permissions.
        `--allow-net=127.0.0.1,localhost,unix:${socket}`,
        `--allow-read=${socketDir}`,
        `--allow-write=${socketDir}`,
        join('test', 'edge', 'deno-main.ts'),
        JSON.stringify(config),
      ], { cwd: repoRoot, timeoutMs: 240_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
      return reportFrom(r, 'deno');
    })());
  smokeTests('deno', getReport);
});
