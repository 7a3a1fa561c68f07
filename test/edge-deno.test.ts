/**
 * wredis on Deno (npm package `deno`): the smoke suite through the Deno entry point
 * (Deno.connect / Deno.startTls, the core by source phase import), run from source with
 * only the permissions a user would grant: loopback network and the server's socket dir.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dirname, join } from 'node:path';
import { childRuntimeSuite, runChild, runtimeBinary, tail } from './edge/harness.js';

childRuntimeSuite('deno', 'wredis on Deno', (config, servers) => {
  const socket = servers.plain.socketPath!;
  const socketDir = dirname(socket);
  return {
    args: [
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
    ],
    env: { DENO_NO_UPDATE_CHECK: '1' },
  };
});

describe('wredis on Deno: nothing left running', () => {
  it('a connect abandoned at connectTimeout (no SYN-ACK; TCP and TLS) does not keep the process alive', async () => {
    const { path } = await runtimeBinary('deno');
    // The kernel retries an unanswered SYN for about two minutes; the process must end long before.
    const r = await runChild(
      path,
      [
        'run',
        '--sloppy-imports',
        '--no-prompt',
        '--no-remote',
        '--allow-net=127.0.0.1',
        join('test', 'edge', 'deno-exit.ts'),
      ],
      { timeoutMs: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } },
    );
    assert.match(
      r.stdout,
      /WREDIS_EXIT TimeoutError TimeoutError/,
      `stdout: ${tail(r.stdout)}\nstderr: ${tail(r.stderr)}`,
    );
    assert.equal(r.timedOut, false, 'the Deno process was still running after wredis gave up the connect');
    assert.equal(r.code, 0, `stderr: ${tail(r.stderr)}`);
  });
});
