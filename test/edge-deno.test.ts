/**
 * wredis on Deno (npm package `deno`): the smoke suite through the Deno entry point
 * (Deno.connect / Deno.startTls, the core by source phase import), run from source with
 * only the permissions a user would grant: loopback network and the server's socket dir.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { dirname, join } from 'node:path';
import { childRuntimeSuite, runChild, runtimeBinary, tail } from './edge/harness.js';
import { startTlsRedis, type TlsRedisHandle } from './support/tls.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

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

/** Runs test/edge/<script> in Deno with loopback network only, as a user would grant it; bounded at 60 s. */
async function runLoopbackScript(script: string, ...args: string[]): ReturnType<typeof runChild> {
  const { path } = await runtimeBinary('deno');
  return runChild(
    path,
    [
      'run',
      '--sloppy-imports',
      '--no-prompt',
      '--no-remote',
      '--allow-net=127.0.0.1',
      join('test', 'edge', script),
      ...args,
    ],
    { timeoutMs: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } },
  );
}

describe('wredis on Deno: nothing left running', () => {
  it('a connect abandoned at connectTimeout, or by disconnect() without one (no SYN-ACK; TCP and TLS), does not keep the process alive', async () => {
    // The kernel retries an unanswered SYN for about two minutes; the process must end long before.
    const r = await runLoopbackScript('deno-exit.ts');
    assert.match(
      r.stdout,
      /WREDIS_EXIT TimeoutError TimeoutError ConnectionError ConnectionError/,
      `stdout: ${tail(r.stdout)}\nstderr: ${tail(r.stderr)}`,
    );
    assert.equal(r.timedOut, false, 'the Deno process was still running after wredis gave up the connect');
    assert.equal(r.code, 0, `stderr: ${tail(r.stderr)}`);
  });
});

describe('wredis on Deno: TLS failures', () => {
  let server: TlsRedisHandle | undefined;
  after(async () => {
    await server?.stop();
  });

  it('a certificate that fails verification rejects with ConnectionError ERR_WREDIS_TLS, as on Node and Bun', async () => {
    // Deno reports rustls's verdict as an error of class InvalidData, with no code: it was
    // classed ERR_WREDIS_CONNECTION_FAILED, the code of a reset or unreachable socket.
    server = await startTlsRedis();
    const m = server.material;
    const r = await runLoopbackScript(
      'deno-tls-codes.ts',
      JSON.stringify({ port: server.port, ca: m.ca, otherCa: m.otherCa }),
    );
    const seen = r.stdout.split('\n').filter((l) => l.startsWith('WREDIS_TLS_CODE '));
    assert.deepEqual(
      seen,
      [
        'WREDIS_TLS_CODE other-ca ConnectionError ERR_WREDIS_TLS',
        'WREDIS_TLS_CODE wrong-name ConnectionError ERR_WREDIS_TLS',
      ],
      `stdout: ${tail(r.stdout)}\nstderr: ${tail(r.stderr)}`,
    );
  });
});

describe('wredis on Deno: the write pump', () => {
  let server: RedisServerHandle | undefined;
  after(async () => {
    await server?.stop();
  });

  it('a write or end() made right after the pump found its queue empty still reaches the server', async () => {
    // The pump was marked idle one microtask after it stopped: a write in between was queued and
    // never sent (its command hung until some later write), an end() never half-closed.
    server = await startRedis();
    const r = await runLoopbackScript('deno-pump.ts', String(server.port));
    const seen = r.stdout.split('\n').filter((l) => l.startsWith('WREDIS_PUMP '));
    assert.deepEqual(
      seen,
      ['WREDIS_PUMP write "+PONG\\r\\n$6\\r\\nsecond\\r\\n"', 'WREDIS_PUMP end closed'],
      `stdout: ${tail(r.stdout)}\nstderr: ${tail(r.stderr)}`,
    );
  });
});
