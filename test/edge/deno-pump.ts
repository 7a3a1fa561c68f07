/**
 * Deno's write pump at the moment it finds its queue empty: run by test/edge-deno.test.ts as
 * `deno run --sloppy-imports --allow-net=127.0.0.1 test/edge/deno-pump.ts <port>` against a real
 * redis-server. A write, or an end(), made by code that runs in the microtask right after the
 * pump's last write completed must still reach the server. Prints `WREDIS_PUMP write <replies>`
 * and `WREDIS_PUMP end <closed|open>`, each bounded at 5 s.
 */
import { denoTransport } from '../../src/transport/deno.js';

const Deno = (globalThis as unknown as { Deno: { args: string[]; exit(code: number): never } }).Deno;
const port = Number(Deno.args[0]);
const enc = new TextEncoder();
const dec = new TextDecoder();
const LIMIT_MS = 5000;

async function until(done: () => boolean): Promise<void> {
  const end = Date.now() + LIMIT_MS;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

// A write queued from the microtask that follows the pump's last completed write.
{
  const t = await denoTransport({ host: '127.0.0.1', port, connectTimeout: 5000 });
  let got = '';
  t.onData((c) => (got += dec.decode(c)));
  t.onClose(() => undefined);
  t.write(enc.encode('PING\r\n'), () => queueMicrotask(() => t.write(enc.encode('ECHO second\r\n'))));
  await until(() => got.includes('second'));
  console.log(`WREDIS_PUMP write ${JSON.stringify(got)}`);
  t.destroy();
}

// end() called there: the half-close must still be sent (the server then closes the socket).
{
  const t = await denoTransport({ host: '127.0.0.1', port, connectTimeout: 5000 });
  let closed = false;
  t.onData(() => undefined);
  t.onClose(() => (closed = true));
  t.write(enc.encode('PING\r\n'), () => queueMicrotask(() => t.end()));
  await until(() => closed);
  console.log(`WREDIS_PUMP end ${closed ? 'closed' : 'open'}`);
  t.destroy();
}
Deno.exit(0);
