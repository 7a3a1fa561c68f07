/**
 * A Deno program whose connect is abandoned at connectTimeout, or ended by disconnect() with no
 * deadline, must be free to end: run by
 * test/edge-deno.test.ts as `deno run --sloppy-imports --allow-net=127.0.0.1 test/edge/deno-exit.ts`,
 * it prints `WREDIS_EXIT <outcome>` and returns without `Deno.exit`, so the process ends only
 * when nothing of wredis (a pending connect, a timer) is left. Needs no Redis: the server is a
 * listener of its own that never accepts, its accept queue filled so a connect gets no answer.
 */
import * as wredis from '../../src/index.deno.js';

interface Conn {
  close(): void;
}
const Deno = (
  globalThis as unknown as {
    Deno: {
      listen(o: { hostname: string; port: number }): { addr: { port: number }; close(): void };
      connect(o: { hostname: string; port: number; signal?: AbortSignal }): Promise<Conn>;
    };
  }
).Deno;

/**
 * A port whose accept queue is full, so a new connect gets no SYN-ACK: a listener that never
 * accepts, filled with connections until one does not complete (at most 2000 tries, 1 s each;
 * Deno's listen backlog is 511 on Linux). The listener and its sockets stay open (they hold no
 * pending op, so they do not keep the process alive); the process ending closes them.
 */
async function silentPort(): Promise<number> {
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  const fill: Conn[] = [];
  for (let i = 0; i < 2000; i++) {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 1000);
    try {
      fill.push(await Deno.connect({ hostname: '127.0.0.1', port: listener.addr.port, signal: stop.signal }));
    } catch {
      return listener.addr.port; // aborted: the queue is full
    } finally {
      clearTimeout(timer);
    }
  }
  throw new Error('the accept queue never filled');
}

const port = await silentPort();
const outcomes: string[] = [];
// Plain TCP, then TLS (whose TCP connect is the part that gets no answer).
for (const tls of [undefined, {}]) {
  const r = new wredis.Redis({
    host: '127.0.0.1',
    port,
    ...(tls && { tls }),
    connectTimeout: 200,
    lazyConnect: true,
    maxReconnectAttempts: 0,
  });
  outcomes.push(
    await r.connect().then(
      () => 'connected',
      (e: unknown) => (e instanceof wredis.TimeoutError ? 'TimeoutError' : `other error: ${String(e)}`),
    ),
  );
  r.disconnect();
}
// No deadline: disconnect() during the dial is what must end it (TransportTarget.signal).
for (const tls of [undefined, {}]) {
  const r = new wredis.Redis({
    host: '127.0.0.1',
    port,
    ...(tls && { tls }),
    connectTimeout: 0,
    lazyConnect: true,
    maxReconnectAttempts: 0,
  });
  const connecting = r.connect().then(
    () => 'connected',
    (e: unknown) => (e instanceof wredis.ConnectionError ? e.constructor.name : `other error: ${String(e)}`),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  r.disconnect();
  outcomes.push(await connecting);
}
console.log(`WREDIS_EXIT ${outcomes.join(' ')}`);
