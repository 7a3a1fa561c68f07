/**
 * `tls: { rejectUnauthorized: false, servername }` on Bun: run by test/edge-bun.test.ts as
 * `bun test/edge/bun-tls-unverified.ts <port>` against a TLS-only server whose certificate
 * neither chains to a trusted CA nor names `servername`. Unverified TLS ignores both (as on
 * Node); the servername is only sent as SNI. Prints `WREDIS_TLS <outcome>`.
 */
import * as wredis from '../../src/index.bun.js';

const Bun = (globalThis as unknown as { Bun: { argv: string[] } }).Bun;

const r = new wredis.Redis({
  host: '127.0.0.1',
  port: Number(Bun.argv[2]),
  tls: { rejectUnauthorized: false, servername: 'other.example' },
  connectTimeout: 10_000,
  maxReconnectAttempts: 0,
  lazyConnect: true,
});
const outcome = await r.connect().then(
  () => r.ping(),
  (e: unknown) => `connect failed: ${e instanceof Error ? e.message : String(e)}`,
);
r.disconnect();
console.log(`WREDIS_TLS ${outcome}`);
