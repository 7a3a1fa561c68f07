/**
 * The code of a failed TLS check on Deno: run by test/edge-deno.test.ts as
 * `deno run --sloppy-imports --allow-net=127.0.0.1 test/edge/deno-tls-codes.ts <json>` against a
 * TLS-only server (`{ port, ca, otherCa }`). Prints one `WREDIS_TLS_CODE <case> <class> <code>`
 * line per refused certificate: signed by another CA, and not naming the servername asked for.
 */
import * as wredis from '../../src/index.deno.js';

const Deno = (globalThis as unknown as { Deno: { args: string[] } }).Deno;
const config = JSON.parse(Deno.args[0] ?? '{}') as { port: number; ca: string; otherCa: string };

const cases: Array<[string, wredis.TlsOptions]> = [
  ['other-ca', { ca: config.otherCa }],
  ['wrong-name', { ca: config.ca, servername: 'not-in-the-cert.example' }],
];
for (const [name, tls] of cases) {
  const r = new wredis.Redis({
    host: '127.0.0.1',
    port: config.port,
    tls,
    connectTimeout: 10_000,
    maxReconnectAttempts: 0,
    lazyConnect: true,
  });
  const outcome = await r.connect().then(
    () => 'connected',
    (e: unknown) => (e instanceof wredis.RedisError ? `${e.name} ${String(e.code)}` : `raw ${String(e)}`),
  );
  r.disconnect();
  console.log(`WREDIS_TLS_CODE ${name} ${outcome}`);
}
