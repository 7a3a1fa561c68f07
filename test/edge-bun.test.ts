/**
 * wredis on Bun (npm package `bun`): the smoke suite through the Bun entry point
 * (Bun.connect, the core read with Bun.file), run from source.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startTlsRedis, type TlsRedisHandle } from './support/tls.js';
import { childRuntimeSuite, runChild, runtimeBinary, tail } from './edge/harness.js';

childRuntimeSuite('bun', 'wredis on Bun', (config) => ({
  args: [join('test', 'edge', 'bun-main.ts'), JSON.stringify(config)],
}));

describe('wredis on Bun: unverified TLS', () => {
  let server: TlsRedisHandle | undefined;
  after(async () => {
    await server?.stop();
  });

  it('rejectUnauthorized: false with a servername the certificate does not name connects (as on Node)', async () => {
    const { path } = await runtimeBinary('bun');
    server = await startTlsRedis();
    const r = await runChild(path, [join('test', 'edge', 'bun-tls-unverified.ts'), String(server.port)], {
      timeoutMs: 60_000,
    });
    assert.match(r.stdout, /^WREDIS_TLS PONG$/m, `stdout: ${tail(r.stdout)}\nstderr: ${tail(r.stderr)}`);
  });
});
