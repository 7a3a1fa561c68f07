/**
 * Child-process script (run by test/connection-core.test.ts with --expose-gc): heap bytes per
 * command waiting unwritten behind maxInflight, and per command after all of them timed out
 * (issue #11, item 6), on the in-memory harness, beside the floor any promise-returning client
 * pays (a promise with its resolve and reject kept). Prints one JSON line. Heap figures after GC,
 * not time: the parent asserts bounds on bytes.
 */
import { FakeClock, FakeServer, fakeConnection, settle } from './fake-transport.js';

const count = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const clock = new FakeClock();
// A server that takes the commands and never answers them.
const server = new FakeServer();
const c = fakeConnection(server, clock, { commandTimeout: 1000, maxInflight: 100 });
await c.connect();
const keys: string[] = [];
for (let i = 0; i < count; i++) keys.push(`key:${i}`);
const value = 'v'.repeat(20);
const promises: Array<Promise<unknown>> = new Array<Promise<unknown>>(count);
// The floor any promise-returning client pays: a promise whose resolve and reject are kept.
const floorResolvers: Array<(v: unknown) => void> = new Array<(v: unknown) => void>(count);
const floorRejecters: Array<(e: Error) => void> = new Array<(e: Error) => void>(count);
const floorStart = heap();
for (let i = 0; i < count; i++)
  promises[i] = new Promise((resolve, reject) => {
    floorResolvers[i] = resolve;
    floorRejecters[i] = reject;
  });
const perFloor = Math.round((heap() - floorStart) / count);
void promises.fill(Promise.resolve());
floorResolvers.fill(() => undefined);
floorRejecters.fill(() => undefined);
const before = heap();
for (let i = 0; i < count; i++) promises[i] = c.send('set', [keys[i], value]);
await settle();
const queued = heap();
let rejected = 0;
for (const p of promises) p.catch(() => rejected++);
// Bytes arrive (an unfinished reply): slow, not stuck, so the socket stays and the written ones keep their slots.
server.socket.reply('$5\r\nab');
await clock.advance(1500);
// The caller lets go of its promises (they all settled).
promises.length = 0;
const after = heap();
c.disconnect();
console.log(
  JSON.stringify({
    count,
    rejected,
    perQueued: Math.round((queued - before) / count),
    perFloor,
    perAfterTimeout: Math.round((after - before) / count),
    socketCommands: server.socket.commands.length,
  }),
);
