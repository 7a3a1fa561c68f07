/**
 * The connection core on the in-memory harness (test/support/fake-transport.ts): ordering,
 * timeouts that keep their slot, stuck detection, reconnect requeue and the replay rules,
 * whole-or-nothing batches, queue bounds, set-up errors, the stop condition, credentials,
 * keep-alive PING, graceful close with a timeout, and the retried error replies. Time is a
 * fake clock: nothing here waits on the wall clock.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  AuthenticationFailureError,
  AuthorizationError,
  ConnectionError,
  DataError,
  InvalidResponse,
  ReadOnlyError,
  ExecAbortError,
  UnblockedError,
  ResponseError,
  TimeoutError,
} from '../src/errors/index.js';
import { abandon, type SendHandle } from '../src/connection/connection.js';
import { Pending } from '../src/connection/pending.js';
import { EARLY_SHARE, EARLY_WRITE } from '../src/connection/queue.js';
import { resolveOptions } from '../src/shared/options.js';
import type { Transport, TransportTarget } from '../src/transport/types.js';
import { Redis, RedisCluster, Sentinel } from '../src/index.js';
import { NoBackoff, Retry } from '../src/retry.js';
import { ConstantBackoff, ExponentialBackoff } from '../src/backoff.js';
import {
  FakeClock,
  FakeServer,
  echoServer,
  fakeConnection,
  outcome,
  settle,
} from './support/fake-transport.js';

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

describe('connection core (in-memory)', () => {
  it('replies reach their callers in order, whatever the chunking', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    const a = c.send('GET', ['a']);
    const b = c.send('GET', ['b']);
    const d = c.send('GET', ['d']);
    await settle();
    assert.deepEqual(server.socket.commands, [
      ['GET', 'a'],
      ['GET', 'b'],
      ['GET', 'd'],
    ]);
    const all = bulk('A') + bulk('B') + bulk('D');
    for (const ch of all) server.socket.reply(ch);
    assert.deepEqual(
      (await Promise.all([a, b, d])).map((v) => String(v)),
      ['A', 'B', 'D'],
    );
    c.disconnect();
  });

  it('a timed-out command keeps its slot as a placeholder: its late reply is dropped, the next caller gets its own', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { commandTimeout: 100 });
    await c.connect();
    const x = outcome(c.send('GET', ['x']));
    const y = outcome(c.send('GET', ['y'], { readOnly: true }));
    await settle();
    await clock.advance(50);
    server.socket.reply(bulk('X')); // bytes arrive after y was written: slow, not stuck
    await clock.advance(60);
    assert.equal(x.value, 'X');
    assert.ok(y.error instanceof TimeoutError, String(y.error));
    assert.match((y.error as Error).message, /timed out after 100 ms/);
    assert.equal(y.error.code, 'ERR_WREDIS_COMMAND_TIMEOUT');
    assert.equal(c.status, 'ready', 'not torn down: bytes kept arriving');
    const slot = (c as unknown as { queue: { inflight: Iterable<{ args: unknown[]; settled: boolean }> } })
      .queue.inflight;
    const kept = [...slot];
    assert.equal(kept.length, 1);
    assert.equal(kept[0]?.settled, true);
    assert.deepEqual(kept[0]?.args, [], 'arguments released');
    const z = c.send('GET', ['z']);
    await settle();
    server.socket.reply(bulk('late Y') + bulk('Z'));
    assert.equal(await z, 'Z');
    assert.equal(server.sockets.length, 1);
    c.disconnect();
  });

  it('stuck: a timeout with nothing received since the write tears the socket down; read-only commands go again, writes reject', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { commandTimeout: 100 });
    await c.connect();
    const generation = c.generation;
    const get = outcome(c.send('GET', ['k'], { readOnly: true }));
    const set = outcome(c.send('SET', ['k', 'v'], { safe: true }));
    await settle();
    await clock.advance(100);
    assert.ok(set.error instanceof TimeoutError, String(set.error));
    assert.equal(server.sockets[0]?.closed, true, 'stuck socket destroyed');
    await clock.advance(1);
    assert.equal(server.sockets.length, 2, 'reconnected');
    assert.equal(c.generation, generation + 1);
    assert.deepEqual(server.socket.commands, [['GET', 'k']], 'only the read-only command is sent again');
    server.socket.reply(bulk('V'));
    await settle();
    assert.equal(get.value, 'V');
    c.disconnect();
  });

  it('stuck, retryOn: [TimeoutError]: the timed-out read goes again on the new socket (the rule is asked about its TimeoutError, not the teardown)', async () => {
    for (const retryOn of [[TimeoutError], (e: unknown) => e instanceof TimeoutError]) {
      const server = new FakeServer();
      const clock = new FakeClock();
      const retry = new Retry({ retries: 3, backoff: new NoBackoff(), retryOn });
      const c = fakeConnection(server, clock, { commandTimeout: 100, retry });
      await c.connect();
      const get = outcome(c.send('GET', ['k'], { readOnly: true }));
      await settle();
      await clock.advance(100);
      assert.equal(server.sockets[0]?.closed, true, 'stuck socket destroyed');
      await clock.advance(1);
      assert.equal(server.sockets.length, 2, 'reconnected');
      assert.equal(get.settled, false, String(get.error));
      assert.deepEqual(server.socket.commands, [['GET', 'k']], 'the read is sent again');
      server.socket.reply(bulk('V'));
      await settle();
      assert.equal(get.value, 'V');
      c.disconnect();
    }
  });

  it('after a lost reply only read-only commands are replayed by default; idempotent writes with replay: idempotent; FLUSHALL never', async () => {
    for (const replay of ['readonly', 'idempotent'] as const) {
      const server = new FakeServer();
      const clock = new FakeClock();
      const retry = new Retry({ retries: 3, backoff: new NoBackoff(), replay });
      const c = fakeConnection(server, clock, { retry });
      await c.connect();
      const get = outcome(c.send('GET', ['k'], { readOnly: true, safe: true }));
      const set = outcome(c.send('SET', ['k', 'v'], { safe: true }));
      const incr = outcome(c.send('INCR', ['n']));
      const flush = outcome(c.send('FLUSHALL', [], { safe: true }));
      await settle();
      server.socket.close();
      await clock.advance(1);
      const resent = server.socket.commands.map((cmd) => cmd[0]);
      assert.deepEqual(resent, replay === 'readonly' ? ['GET'] : ['GET', 'SET'], replay);
      for (const o of replay === 'readonly' ? [set, incr, flush] : [incr, flush]) {
        assert.ok(o.error instanceof ConnectionError, String(o.error));
        assert.equal(o.error.code, 'ERR_WREDIS_CONNECTION_LOST');
        assert.match((o.error as Error).message, /outcome unknown/);
      }
      assert.equal(get.settled, false, 'the read waits for its replay');
      c.disconnect();
    }
  });

  it('commands not yet flushed when the socket drops are sent on the next socket whatever their kind', async () => {
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const set = c.send('SET', ['a', '1']);
    server.socket.closeNow(); // before the microtask flush
    await clock.advance(1);
    assert.equal(await set, 'OK');
    c.disconnect();
  });

  it('a full offline queue rejects a MULTI block whole; nothing of it is ever sent (item 2)', async () => {
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    server.hang = true;
    const c = fakeConnection(server, clock, { maxOfflineQueue: 3 });
    const g1 = c.send('GET', ['a']);
    const g2 = c.send('GET', ['b']);
    const block = c.sendBatch([
      { name: 'MULTI', args: [] },
      { name: 'SET', args: ['a', '1'] },
      { name: 'SET', args: ['b', '2'] },
      { name: 'EXEC', args: [] },
    ]);
    const results = await Promise.allSettled(block);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal((r.reason as ConnectionError).code, 'ERR_WREDIS_OFFLINE_QUEUE_FULL');
    }
    server.hang = false;
    c.disconnect();
    await Promise.allSettled([g1, g2]);
    const c2 = fakeConnection(server, clock, { maxOfflineQueue: 3 });
    const ok = c2.send('GET', ['a']);
    await c2.connect();
    assert.equal(await ok, null);
    assert.equal(server.socket.named('MULTI').length, 0);
    c2.disconnect();
  });

  it('a batch with one bad argument rejects whole and writes nothing', async () => {
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const block = c.sendBatch([
      { name: 'MULTI', args: [] },
      { name: 'SET', args: ['a', '1'] },
      { name: 'SET', args: ['b', {}] },
      { name: 'EXEC', args: [] },
    ]);
    for (const r of await Promise.allSettled(block)) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof DataError);
      // Every part names the command at fault, EXEC's (what exec() rejects with) included.
      assert.equal(r.reason.command, 'SET');
    }
    assert.equal(await c.send('GET', ['a']), null);
    assert.deepEqual(server.socket.commands, [['GET', 'a']]);
    c.disconnect();
  });

  it('a MULTI block that waited in line with an argument the encoder refuses rejects whole; nothing of it is written', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { maxInflight: 1, maxArgumentLength: 20 });
    await c.connect();
    const first = c.send('GET', ['x']);
    // Behind maxInflight: the block waits. A string that long is refused as it enters the line
    // (below); a bigint's digits are only counted by the encoder, when the block is written.
    const block = c.sendBatch([
      { name: 'MULTI', args: [] },
      { name: 'SET', args: ['a', '1'] },
      { name: 'SET', args: ['b', 10n ** 21n] },
      { name: 'EXEC', args: [] },
    ]);
    await settle();
    server.socket.reply(bulk('X'));
    assert.equal(String(await first), 'X');
    for (const r of await Promise.allSettled(block)) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof DataError, String(r.reason));
      assert.equal(r.reason.command, 'SET');
    }
    const after = c.send('GET', ['a']);
    await settle();
    assert.deepEqual(server.socket.commands, [
      ['GET', 'x'],
      ['GET', 'a'],
    ]);
    server.socket.reply('$-1\r\n');
    assert.equal(await after, null);
    c.disconnect();
  });

  it('a command or block over maxArgumentLength is refused as it enters the line, not when its turn comes', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { maxInflight: 1, maxArgumentLength: 20, commandTimeout: 1000 });
    await c.connect();
    const first = outcome(c.send('GET', ['x']));
    await settle();
    // The server is stalled: nothing is answered, no time passes, and still both reject at once.
    const long = outcome(c.send('SET', ['k', 'é'.repeat(11)])); // 11 characters, 22 bytes
    const block = Promise.allSettled(
      c.sendBatch([
        { name: 'MULTI', args: [] },
        { name: 'SET', args: ['b', 'v'.repeat(21)] },
        { name: 'EXEC', args: [] },
      ]),
    );
    await settle();
    assert.ok(long.error instanceof DataError, String(long.error));
    for (const r of await block) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof DataError, String(r.reason));
      assert.equal(r.reason.command, 'SET');
    }
    assert.equal(first.settled, false);
    assert.deepEqual(server.socket.commands, [['GET', 'x']]);
    server.socket.reply(bulk('X'));
    await settle();
    assert.equal(String(first.value), 'X');
    c.disconnect();
  });

  it('a tick of many commands to an idle server goes out in parts, in order; to a busy one in one write', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const socket = server.socket;
    const before = socket.writes.length;
    const E = EARLY_WRITE;
    // Nothing in flight: a part goes as soon as it holds more than the server has left to do.
    const burst = Array.from({ length: 100 }, (_, i) => c.send('GET', [`k${i}`]));
    assert.deepEqual(socket.writes.slice(before), [E, E + 1, 2 * E + 2], 'written before the tick ends');
    await settle();
    assert.deepEqual(socket.writes.slice(before), [E, E + 1, 2 * E + 2, 100 - (4 * E + 3)]);
    // 100 in flight, unanswered: the next tick's 40 are one write.
    const busy = Array.from({ length: 40 }, (_, i) => c.send('GET', [`b${i}`]));
    await settle();
    assert.deepEqual(socket.writes.slice(before + 4), [40]);
    // Fewer than EARLY_WRITE never split, even to an idle server.
    socket.reply([...burst, ...busy].map((_, i) => bulk(String(i))).join(''));
    assert.deepEqual(
      (await Promise.all([...burst, ...busy])).map(String),
      Array.from({ length: 140 }, (_, i) => String(i)),
    );
    const small = Array.from({ length: E - 1 }, (_, i) => c.send('GET', [`s${i}`]));
    await settle();
    assert.deepEqual(socket.writes.slice(before + 5), [E - 1]);
    assert.deepEqual(
      socket.commands.map((x) => x[1]),
      [
        ...Array.from({ length: 100 }, (_, i) => `k${i}`),
        ...Array.from({ length: 40 }, (_, i) => `b${i}`),
        ...Array.from({ length: E - 1 }, (_, i) => `s${i}`),
      ],
    );
    socket.reply(small.map(() => '$-1\r\n').join(''));
    await Promise.all(small);
    c.disconnect();
  });

  it('a steady load is written in two parts, the first EARLY_SHARE of what was recently in flight; the floor falls with the load', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const socket = server.socket;
    const tick = async (n: number, tag: string): Promise<number[]> => {
      const before = socket.writes.length;
      const sent = Array.from({ length: n }, (_, i) => c.send('GET', [`${tag}${i}`]));
      await settle();
      const writes = socket.writes.slice(before);
      socket.reply(sent.map((_, i) => bulk(`${tag}${i}`)).join(''));
      assert.deepEqual(
        (await Promise.all(sent)).map(String),
        sent.map((_, i) => `${tag}${i}`),
      );
      return writes;
    };
    const E = EARLY_WRITE;
    // No history yet: parts of EARLY_WRITE and more, as soon as each outgrows what is unanswered.
    assert.deepEqual(await tick(100, 'a'), [E, E + 1, 2 * E + 2, 100 - (4 * E + 3)]);
    // 100 were in flight at the last tick's end: the first part waits for 64 of the next 100.
    const share = (100 * EARLY_SHARE) >> 6;
    assert.ok(share > 2 * E + 2 && share < 100, String(share));
    assert.deepEqual(await tick(100, 'b'), [share, 100 - share]);
    // Quiet ticks of one command: the remembered load decays a sixteenth a tick, back to EARLY_WRITE.
    for (let i = 0; i < 40; i++) assert.deepEqual(await tick(1, `q${i}-`), [1]);
    assert.deepEqual(await tick(100, 'c'), [E, E + 1, 2 * E + 2, 100 - (4 * E + 3)]);
    c.disconnect();
  });

  it('commands sent from a close listener wait for the next socket unwritten, even a tick of EARLY_WRITE and more', async () => {
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const n = EARLY_WRITE + 4;
    const incrs: Array<ReturnType<typeof outcome>> = [];
    let withdrawn: ReturnType<typeof outcome> | undefined;
    c.once('close', () => {
      // Not a retry's replay: INCR goes again only because it never left.
      for (let i = 0; i < n; i++) incrs.push(outcome(c.send('INCR', ['n'])));
      // And one the caller gives up on at once is taken back, never sent.
      const handle: SendHandle = {};
      withdrawn = outcome(c.send('INCR', ['w'], { handle }));
      abandon(handle, new Error('given up'));
    });
    server.socket.close();
    for (let i = 0; i < 3; i++) await clock.advance(1);
    assert.equal(server.sockets.length, 2);
    assert.deepEqual(server.sockets[0]?.named('INCR'), [], 'nothing written to the socket that was gone');
    assert.deepEqual(
      incrs.map((o) => (o.error === undefined ? o.value : String(o.error))),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    assert.equal((withdrawn?.error as Error | undefined)?.message, 'given up');
    assert.equal(server.socket.named('INCR').length, n, 'each once, on the new socket');
    c.disconnect();
  });

  it('-READONLY on many writes in one read: every one goes to the new primary, none back to the replica', async () => {
    // Each refused write is retried; written again to the socket about to be dropped (by an early
    // part of the tick), it would count as sent there and reject as "outcome unknown".
    const server: FakeServer = new FakeServer((cmd, socket) =>
      cmd[0] === 'SET' && socket !== server.sockets[0] ? '+OK\r\n' : undefined,
    );
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { retry: new Retry({ retries: 2, backoff: new NoBackoff() }) });
    await c.connect();
    const n = 4 * EARLY_WRITE;
    const sets = Array.from({ length: n }, (_, i) => outcome(c.send('SET', [`k${i}`, 'v'])));
    await settle();
    const replica = server.socket;
    replica.reply("-READONLY You can't write against a read only replica.\r\n".repeat(n));
    for (let i = 0; i < 3; i++) await clock.advance(1);
    assert.equal(server.sockets.length, 2);
    assert.equal(replica.named('SET').length, n, 'each written once to the replica');
    assert.deepEqual(
      sets.map((o) => (o.error === undefined ? o.value : String(o.error))),
      Array(n).fill('OK'),
    );
    assert.deepEqual(
      server.socket.named('SET').map((x) => x[1]),
      Array.from({ length: n }, (_, i) => `k${i}`),
    );
    c.disconnect();
  });

  it('maxInflight bounds written-but-unanswered commands; the rest wait unwritten, in order', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { maxInflight: 2 });
    await c.connect();
    const ps = ['1', '2', '3', '4', '5'].map((k) => c.send('GET', [k]));
    await settle();
    assert.equal(server.socket.commands.length, 2);
    server.socket.reply(bulk('v1'));
    await settle();
    assert.equal(server.socket.commands.length, 3);
    server.socket.reply(bulk('v2') + bulk('v3'));
    await settle();
    server.socket.reply(bulk('v4') + bulk('v5'));
    assert.deepEqual(await Promise.all(ps), ['v1', 'v2', 'v3', 'v4', 'v5']);
    assert.deepEqual(
      server.socket.commands.map((x) => x[1]),
      ['1', '2', '3', '4', '5'],
    );
    c.disconnect();
  });

  it('close() with commands waiting behind maxInflight writes them, answers them all, then closes', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { maxInflight: 1 });
    await c.connect();
    const ps = ['1', '2', '3'].map((k) => outcome(c.send('GET', [k])));
    const closed = outcome(c.close());
    for (const k of ['1', '2', '3']) {
      await settle();
      server.socket.reply(bulk(`v${k}`));
    }
    await settle();
    assert.deepEqual(
      ps.map((o) => (o.error === undefined ? o.value : String(o.error))),
      ['v1', 'v2', 'v3'],
    );
    assert.equal(closed.settled, true, 'close() resolved');
    assert.equal(c.status, 'closed');
  });

  it('memory (item 6): a command waiting behind maxInflight stays small, and timed-out ones are released', () => {
    // A child process with --expose-gc measures heap bytes after GC (no timing involved).
    const res = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        fileURLToPath(new URL('./support/queue-memory.ts', import.meta.url)),
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(res.status, 0, res.stderr);
    const m = JSON.parse(res.stdout.trim().split('\n').pop() as string) as {
      count: number;
      rejected: number;
      perQueued: number;
      perFloor: number;
      perAfterTimeout: number;
      socketCommands: number;
    };
    assert.equal(m.rejected, m.count, 'every command timed out');
    assert.equal(m.socketCommands, 100, 'only maxInflight were written');
    // The command's promise and resolving functions alone (perFloor) are ~216 bytes in V8 on
    // Node 20. What the queue adds is measured beside it: 252 bytes before the compact Pending,
    // 188 with it, 124 since up to two arguments live in the Pending (no array): an argument
    // array kept again (+64) fails this.
    assert.ok(
      m.perQueued - m.perFloor < 150,
      `heap bytes the queue adds per waiting command: ${m.perQueued - m.perFloor} (floor ${m.perFloor})`,
    );
    assert.ok(m.perQueued < 380, `heap bytes per waiting command: ${m.perQueued}`);
    // Before, every timed-out waiting command kept a 170-byte placeholder until a reconnect.
    assert.ok(m.perAfterTimeout < 40, `heap bytes per command after all timed out: ${m.perAfterTimeout}`);
  });

  it('a command timeout costs O(expired), not O(timed-out slots kept) (item 6)', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { commandTimeout: 100 });
    await c.connect();
    const n = 20_000;
    const slots = Array.from({ length: n }, (_, i) => outcome(c.send('GET', [`k${i}`])));
    await settle();
    server.socket.reply('$1000\r\nab'); // an unfinished reply: bytes arrive, so slow rather than stuck
    await clock.advance(150);
    assert.ok(slots.every((o) => o.error instanceof TimeoutError));
    assert.equal(c.status, 'ready');
    assert.equal(c.queued, n, 'the timed-out commands keep their slots (their replies are still due)');
    // Count the work of later timeouts as reads of `settled` on queued commands: a check that
    // walks the kept slots reads it once per slot.
    const proto = Pending.prototype as unknown as object;
    const original = Object.getOwnPropertyDescriptor(proto, 'settled') as PropertyDescriptor;
    let reads = 0;
    Object.defineProperty(proto, 'settled', {
      ...original,
      get(this: Pending) {
        reads++;
        return (original.get as () => boolean).call(this);
      },
    });
    try {
      for (let i = 0; i < 5; i++) {
        reads = 0;
        const late = outcome(c.send('GET', ['late']));
        await settle();
        server.socket.reply('c'); // one more byte of that reply: still slow, not stuck
        await clock.advance(75);
        // And more within commandTimeout: a socket silent for that long behind kept slots is stuck.
        server.socket.reply('c');
        await clock.advance(75);
        assert.ok(late.error instanceof TimeoutError, String(late.error));
        assert.ok(reads < 20, `settled read ${reads} times for one timeout beside ${n} kept slots`);
      }
    } finally {
      Object.defineProperty(proto, 'settled', original);
    }
    assert.equal(c.status, 'ready');
    c.disconnect();
  });

  it('maxQueued rejects beyond it with ERR_WREDIS_QUEUE_FULL', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { maxQueued: 2 });
    await c.connect();
    const a = outcome(c.send('GET', ['a']));
    const b = outcome(c.send('GET', ['b']));
    const d = outcome(c.send('GET', ['d']));
    await settle();
    assert.ok(d.error instanceof ConnectionError);
    assert.equal(d.error.code, 'ERR_WREDIS_QUEUE_FULL');
    assert.equal(a.settled || b.settled, false);
    c.disconnect();
  });

  it('an argument longer than maxArgumentLength rejects with DataError unsent; the connection stays (item 8)', async () => {
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { maxArgumentLength: 20_000 });
    await c.connect();
    const big = outcome(c.send('SET', ['k', 'x'.repeat(20_001)]));
    const bigBytes = outcome(c.send('SET', ['k', new Uint8Array(30_000)]));
    assert.equal(await c.send('SET', ['k', 'small']), 'OK');
    assert.ok(big.error instanceof DataError, String(big.error));
    assert.ok(bigBytes.error instanceof DataError, String(bigBytes.error));
    assert.deepEqual(server.socket.commands, [['SET', 'k', 'small']]);
    assert.equal(server.sockets.length, 1);
    c.disconnect();
  });

  for (const [what, step, reply, Cls] of [
    [
      'WRONGPASS on AUTH',
      'AUTH',
      '-WRONGPASS invalid username-password pair\r\n',
      AuthenticationFailureError,
    ],
    [
      'NOPERM on SELECT',
      'SELECT',
      '-NOPERM this user has no permissions to run the select command\r\n',
      AuthorizationError,
    ],
    ['DB index out of range', 'SELECT', '-ERR DB index is out of range\r\n', ResponseError],
  ] as const) {
    it(`set-up error (${what}): queued and new commands reject with the typed error; reconnects back off >= 1 s (item 10)`, async () => {
      const server = new FakeServer((cmd) => (cmd[0] === step ? reply : '+OK\r\n'));
      const clock = new FakeClock();
      const c = fakeConnection(server, clock, { password: 'secret', db: 99 });
      const delays: number[] = [];
      c.on('reconnecting', (d) => delays.push(d));
      const queued = outcome(c.send('GET', ['a']));
      await assert.rejects(c.connect(), Cls);
      await settle();
      assert.ok(queued.error instanceof Cls, String(queued.error));
      assert.ok(!(queued.error instanceof ConnectionError));
      await assert.rejects(c.send('GET', ['b']), Cls);
      assert.ok((delays[0] ?? 0) >= 1000, `first delay ${delays[0]}`);
      await clock.advance(1000);
      assert.equal(server.sockets.length, 2);
      assert.ok((delays[1] ?? 0) >= 1000);
      // The server is fixed: the next attempt succeeds and commands flow.
      server.responder = echoServer();
      await clock.advance(1000);
      assert.equal(c.status, 'ready');
      assert.equal(await c.send('GET', ['a']), null);
      c.disconnect();
    });
  }

  it('NOPERM on HELLO: an explicit protocol: 3 fails the set-up with AuthorizationError; the default falls back to RESP2', async () => {
    // Redis 7.0 itself never refuses HELLO by ACL; managed services' proxies may, hence the fake peer.
    const refusing = (): FakeServer =>
      new FakeServer((cmd) =>
        cmd[0] === 'HELLO'
          ? '-NOPERM this user has no permissions to run the hello command\r\n'
          : cmd[0] === 'GET'
            ? '$2\r\nv2\r\n'
            : '+OK\r\n',
      );
    const strict = refusing();
    const clock = new FakeClock();
    const c = fakeConnection(strict, clock, { protocol: 3, protocolRequired: true, password: 'pw' });
    const queued = outcome(c.send('GET', ['a']));
    await assert.rejects(c.connect(), AuthorizationError);
    await settle();
    assert.ok(queued.error instanceof AuthorizationError, String(queued.error));
    await assert.rejects(c.send('GET', ['b']), AuthorizationError);
    assert.deepEqual(
      strict.socket.commands.map((x) => x[0]),
      ['HELLO'],
      'no AUTH / RESP2 set-up after the refusal',
    );
    c.disconnect();

    const lenient = refusing();
    const d = fakeConnection(lenient, new FakeClock(), { protocol: 3, password: 'pw' });
    assert.equal(await d.send('GET', ['a']), 'v2');
    assert.equal(d.hello.protocol, 2);
    assert.deepEqual(
      lenient.socket.commands.map((x) => x[0]),
      ['HELLO', 'AUTH', 'GET'],
    );
    d.disconnect();
  });

  it('subscriptions on a RESP3 connection: a reconnect whose HELLO 3 is refused fails the set-up, not replaying them over RESP2 (messages taken for replies)', async () => {
    let refusing = false;
    // A message published to the channel lands just ahead of each GET's answer.
    const message = `*3\r\n${bulk('message')}${bulk('ch')}${bulk('hi')}`;
    const server = new FakeServer((cmd) => {
      switch (cmd[0]?.toUpperCase()) {
        case 'HELLO':
          // The next socket's server (a failover to an older node, a proxy) has no HELLO.
          return refusing
            ? "-ERR unknown command 'HELLO', with args beginning with: '3' \r\n"
            : `%1\r\n${bulk('proto')}:3\r\n`;
        case 'SUBSCRIBE':
          return `${refusing ? '*' : '>'}3\r\n${bulk('subscribe')}${bulk('ch')}:1\r\n`;
        case 'GET':
          // In RESP2 a subscribed connection refuses GET; in RESP3 the message is a push.
          return refusing
            ? `${message}-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n`
            : `>${message.slice(1)}${bulk('v')}`;
        default:
          return '+OK\r\n';
      }
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { protocol: 3 });
    // What the Pub/Sub layer installs on a RESP3 connection it keeps its subscriptions on.
    c.routePubSub({ bytes: true, subscriptions: () => [{ name: 'SUBSCRIBE', args: ['ch'] }] });
    c.on('error', () => undefined);
    assert.equal(await c.send('GET', ['k']), 'v');
    assert.equal(c.hello.protocol, 3);
    refusing = true;
    server.socket.close();
    await clock.advance(2_000);
    const got = outcome(c.send('GET', ['k']));
    await clock.advance(2_000);
    assert.ok(got.settled, 'GET settled');
    assert.ok(!Array.isArray(got.value), `GET was handed a Pub/Sub message: ${JSON.stringify(got.value)}`);
    assert.ok(got.error instanceof ResponseError, String(got.error));
    assert.equal(
      server.sockets.slice(1).some((s) => s.named('SUBSCRIBE').length > 0),
      false,
      'no SUBSCRIBE replayed over RESP2',
    );
    c.disconnect();
    // With no subscription held (the hook installed, none left), there is nothing to misread:
    // the set-up falls back to RESP2 as for any connection.
    refusing = false;
    const d = fakeConnection(server, clock, { protocol: 3 });
    d.routePubSub({ bytes: true, subscriptions: () => [] });
    d.on('error', () => undefined);
    assert.equal(await d.send('GET', ['k']), 'v');
    refusing = true;
    server.socket.close();
    await clock.advance(2_000);
    const plain = outcome(d.send('SET', ['k', 'v']));
    await clock.advance(2_000);
    assert.equal(plain.value, 'OK', String(plain.error));
    assert.equal(d.hello.protocol, 2);
    d.disconnect();
  });

  it('protocolRequired is set only when the caller gave protocol (options or URL)', () => {
    assert.equal(resolveOptions({}).protocolRequired, false);
    assert.equal(resolveOptions({ protocol: 3 }).protocolRequired, true);
    assert.equal(resolveOptions('redis://127.0.0.1:6380?protocol=3').protocolRequired, true);
  });

  it('a URL protocol other than 2 or 3 is refused with DataError, as the option is (not silently RESP3)', () => {
    assert.throws(() => resolveOptions({ protocol: 4 as 3 }), DataError);
    for (const bad of ['4', 'resp2', '', '2.0'])
      assert.throws(() => resolveOptions(`redis://127.0.0.1:6380?protocol=${bad}`), DataError, bad);
    assert.equal(resolveOptions('redis://127.0.0.1:6380?protocol=2').protocol, 2);
  });

  it('a URL database other than plain digits is refused with DataError (not read as a number in some other form)', () => {
    // Number() read '0x2' as db 2, '1e1' as db 10 and an empty '?db=' as db 0: another database than meant.
    for (const bad of ['0x2', '1e1', '+1', ' 1', '1.0', '-1', 'x'])
      assert.throws(() => resolveOptions(`redis://127.0.0.1:6380/${bad}`), DataError, bad);
    for (const bad of ['', '0x2', '1e1'])
      assert.throws(() => resolveOptions(`redis://127.0.0.1:6380?db=${bad}`), DataError, `?db=${bad}`);
    assert.equal(resolveOptions('redis://127.0.0.1:6380/12').db, 12);
    assert.equal(resolveOptions('redis://127.0.0.1:6380?db=3').db, 3);
  });

  it('a port of 0, below it, above 65535 or not an integer is refused with DataError: options, URL, cluster seeds, sentinels', () => {
    // Port 0 was accepted (options, URL, cluster seeds): the client was made, and only its first
    // dial failed, with a socket error, retried as if the server were down.
    // A client made anyway is closed, so that a failure here leaves no timer or socket behind.
    const refused = (make: () => { disconnect(): void } | object, what: string): void =>
      assert.throws(
        () => {
          const made = make();
          if ('disconnect' in made) made.disconnect();
        },
        DataError,
        what,
      );
    const bad = [0, -1, 65536, 1.5, NaN, '6379'] as unknown as number[];
    for (const port of bad) {
      const what = JSON.stringify(port);
      refused(() => resolveOptions({ port }), `options ${what}`);
      refused(() => new Redis({ port, lazyConnect: true }), `Redis ${what}`);
      refused(
        () => new RedisCluster({ nodes: [{ host: '127.0.0.1', port }], lazyConnect: true }),
        `cluster seed ${what}`,
      );
      refused(
        () => new Sentinel({ sentinels: [{ host: '127.0.0.1', port }], name: 'x' }),
        `sentinel ${what}`,
      );
    }
    // WHATWG URL parsing refuses a negative, non-digit or too large port itself; it keeps :0.
    for (const url of [
      'redis://127.0.0.1:0',
      'rediss://h:0/1',
      'redis://h:00',
      'redis://h:-1',
      'redis://h:65536',
      'redis://h:1.5',
    ])
      refused(() => resolveOptions(url), url);
    refused(() => new Redis('redis://127.0.0.1:0', { lazyConnect: true }), 'Redis redis://127.0.0.1:0');
    for (const port of [1, 6379, 65535]) {
      assert.equal(resolveOptions({ port }).port, port);
      assert.equal(resolveOptions(`redis://127.0.0.1:${port}`).port, port);
    }
    // A URL without a port, or options without one, take the default.
    assert.equal(resolveOptions('redis://127.0.0.1').port, 6379);
    assert.equal(resolveOptions({}).port, 6379);
  });

  it('a retry option that is not a Retry, or a Retry whose backoff is not a Backoff, is refused with DataError', () => {
    // Accepted before, it threw TypeError from the socket's close handler at the first reconnect
    // and left the commands waiting on that connection unsettled.
    for (const retry of [{ retries: 3 }, {}, 5, { backoff: new NoBackoff() }])
      assert.throws(() => resolveOptions({ retry: retry as never }), DataError, JSON.stringify(retry));
    for (const backoff of [1000, {}, { compute: () => 1 }])
      assert.throws(() => new Retry({ backoff: backoff as never }), DataError, JSON.stringify(backoff));
    const custom = { compute: () => 5, reset: () => undefined };
    assert.equal(resolveOptions({ retry: new Retry({ backoff: custom }) }).retry.backoff, custom);
  });

  it("a malformed percent-escape in the URL's user or password is refused with DataError, not URIError, and not shown", () => {
    for (const url of ['redis://:hunter2%zz@127.0.0.1:6380', 'redis://us%E0er:hunter2@127.0.0.1:6380/1']) {
      assert.throws(
        () => resolveOptions(url),
        (e: unknown) => e instanceof DataError && !String(e).includes('hunter2') && !String(e).includes('%'),
        url,
      );
    }
    // A well-formed escape is decoded.
    assert.equal(resolveOptions('redis://:a%25b%40c@127.0.0.1:6380').password, 'a%b@c');
  });

  it('a URL object (JavaScript callers) is read as its text: spread as options it was {}, the default server, silently', () => {
    const o = resolveOptions(new URL('redis://:pw@127.0.0.1:6390/2'));
    assert.deepEqual([o.host, o.port, o.db, o.password], ['127.0.0.1', 6390, 2, 'pw']);
  });

  it('tls: null (JavaScript) leaves rediss:// on TLS; tls: false is the explicit way to turn it off', () => {
    const nul = null as unknown as boolean;
    assert.deepEqual(resolveOptions('rediss://127.0.0.1:6380', { tls: nul }).tls, {});
    assert.equal(resolveOptions('redis://127.0.0.1:6380', { tls: nul }).tls, undefined);
    assert.equal(resolveOptions('rediss://127.0.0.1:6380', { tls: false }).tls, undefined);
  });

  it("a tls that is neither a boolean nor an object is refused with DataError: '' or 0 (an empty env variable) made rediss:// plaintext", () => {
    for (const bad of ['', 0, NaN, 'true', 1, []]) {
      const tls = bad as unknown as boolean;
      assert.throws(() => resolveOptions('rediss://127.0.0.1:6380', { tls }), DataError, String(bad));
      assert.throws(() => new Redis({ tls, lazyConnect: true }), DataError, String(bad));
      for (const options of [{ sentinelTls: tls }, { tls }])
        assert.throws(
          () => new Sentinel({ sentinels: [{ host: '127.0.0.1' }], name: 'x', ...options }),
          DataError,
          String(bad),
        );
    }
    assert.deepEqual(resolveOptions('rediss://127.0.0.1:6380', { tls: { servername: 'h' } }).tls, {
      servername: 'h',
    });
  });

  it("withConnection's callback that is not a function is a DataError before anything connects (cluster too)", async () => {
    const cluster = new RedisCluster({ nodes: [{ host: '127.0.0.1', port: 1 }] });
    try {
      await assert.rejects(cluster.withConnection('k', 5 as never), DataError);
    } finally {
      cluster.disconnect();
    }
  });

  it('a keyPrefix that is not a string is refused with DataError (was a TypeError from deep inside)', () => {
    for (const bad of [5, {}, Buffer.from('p:')]) {
      assert.throws(() => new Redis({ keyPrefix: bad as unknown as string, lazyConnect: true }), DataError);
      assert.throws(
        () =>
          new RedisCluster({ nodes: [{ host: '127.0.0.1', port: 1 }], keyPrefix: bad as unknown as string }),
        DataError,
      );
    }
  });

  it('?tls or ?ssl on a plaintext URL is refused (it would stay plaintext, password included); rediss:// is TLS', () => {
    for (const url of ['redis://:pw@127.0.0.1:6380?tls=true', 'redis://127.0.0.1?ssl=1', 'valkey://h?tls']) {
      assert.throws(() => resolveOptions(url), DataError, url);
    }
    assert.ok(resolveOptions('rediss://:pw@127.0.0.1:6380?tls=true').tls !== undefined);
    assert.equal(resolveOptions('redis://127.0.0.1:6380?family=4').port, 6380); // other parameters are not read
  });

  it('maxBulkLength beyond what the parser takes is refused with DataError by every client, not a RangeError later', () => {
    for (const bad of [Infinity, 2 ** 31, 4 * 1024 ** 3, 1.5, -1]) {
      assert.throws(() => resolveOptions({ maxBulkLength: bad }), DataError, String(bad));
      assert.throws(() => new Redis({ maxBulkLength: bad, lazyConnect: true }), DataError, String(bad));
      // The cluster made its node connections later: every command failed with "no cluster node answered".
      assert.throws(
        () => new RedisCluster({ nodes: [{ host: '127.0.0.1', port: 1 }], maxBulkLength: bad }),
        DataError,
        String(bad),
      );
    }
    assert.equal(resolveOptions({ maxBulkLength: 2 ** 31 - 1 }).maxBulkLength, 2 ** 31 - 1);
  });

  it('a server that closes with a reason gives a ConnectionError carrying it', async () => {
    const server = new FakeServer((_cmd, socket) => {
      socket.reply('-ERR max number of clients reached\r\n');
      socket.close();
      return undefined;
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { password: 'p' });
    const err = await c.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConnectionError, String(err));
    const text = `${(err as Error).message} ${String((err as Error).cause)}`;
    assert.match(text, /max number of clients reached/);
    c.disconnect();
  });

  it('an old unsolicited error is not given as the reason of a later, unrelated close', async () => {
    const server = new FakeServer((cmd) => (cmd[1] === 'a' ? bulk('x') : undefined));
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    const events: Error[] = [];
    c.on('error', (e) => events.push(e));
    await c.connect();
    server.socket.reply('-ERR an old stray error\r\n');
    await settle();
    assert.match(String(events[0]), /old stray error/);
    // The connection goes on: a reply arrives after the stray error.
    assert.equal(String(await c.send('GET', ['a'])), 'x');
    const pending = c.send('GET', ['b']).then(
      () => undefined,
      (e: unknown) => e,
    );
    await settle();
    // A clean close (no socket error): the reason would be taken from the server's last words.
    server.socket.closeCleanly();
    const err = await pending;
    assert.ok(err instanceof ConnectionError, String(err));
    let text = '';
    for (let e: unknown = err, i = 0; e instanceof Error && i < 5; e = e.cause, i++) text += ` ${e.message}`;
    assert.doesNotMatch(text, /old stray error/);
    c.disconnect();
  });

  it('connect timeout messages state the real wait', async () => {
    const server = new FakeServer(() => undefined);
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { password: 'p', connectTimeout: 3000 });
    const p = c.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await settle();
    await clock.advance(3000);
    const err = await p;
    assert.ok(err instanceof TimeoutError, String(err));
    assert.match((err as Error).message, /after 3000 ms/);
    assert.equal(err.code, 'ERR_WREDIS_CONNECT_TIMEOUT');
    c.disconnect();
  });

  it('maxReconnectAttempts: when spent, status closed, end, queued commands reject with the last error as cause, no timer left', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    server.refuse = new ConnectionError('connect ECONNREFUSED');
    const c = fakeConnection(server, clock, {
      maxReconnectAttempts: 2,
      retry: new Retry({ retries: 100, backoff: new NoBackoff() }),
    });
    let ended = false;
    c.on('end', () => (ended = true));
    const cmd = outcome(c.send('GET', ['a']));
    await settle();
    await clock.advance(10);
    await clock.advance(10);
    assert.equal(c.status, 'closed');
    assert.equal(ended, true);
    assert.ok(cmd.error instanceof ConnectionError, String(cmd.error));
    assert.equal(((cmd.error as Error).cause as Error).message, 'connect ECONNREFUSED');
    assert.equal(clock.pending, 0, 'no timer keeps the process alive');
  });

  it('a server that accepts and closes before answering anything: backoff and maxReconnectAttempts apply even with a set-up that has no round trip (RESP2, no AUTH)', async () => {
    // RESP2 without password, db or name sends nothing to set up: such a socket was "ready" at
    // once and reset the failure count, so a server at maxclients (its error, then a close) made
    // the client reconnect at 0 ms for good, never reaching maxReconnectAttempts.
    const server = new FakeServer();
    const clock = new FakeClock();
    const delays: number[] = [];
    const c = fakeConnection(server, clock, {
      maxReconnectAttempts: 3,
      retry: new Retry({ retries: 3, backoff: new ConstantBackoff(100) }),
    });
    c.on('error', () => undefined);
    c.on('reconnecting', (d) => delays.push(d));
    c.on('ready', () => {
      // Bounded: a client still reconnecting after ten sockets is the spin this test is about.
      if (server.sockets.length > 10) {
        c.disconnect();
        return;
      }
      server.socket.reply('-ERR max number of clients reached\r\n');
      server.socket.close();
    });
    const cmd = outcome(c.send('GET', ['a']));
    for (let i = 0; i < 10 && c.status !== 'closed'; i++) await clock.advance(100);
    assert.deepEqual(delays, [100, 100, 100]);
    assert.equal(server.sockets.length, 4);
    assert.equal(c.status, 'closed');
    assert.ok(cmd.error instanceof ConnectionError, String(cmd.error));
    assert.equal(clock.pending, 0, 'no timer keeps the process alive');
  });

  it('a healthy server that drops idle clients (its `timeout`): idle sockets lost before any exchange are no failed attempts, maxReconnectAttempts is not spent on them', async () => {
    // RESP2 with nothing to set up: a socket no command went over hears nothing, so the rule
    // "lost before any reply = failed attempt" took each idle drop for one, and the client gave
    // up (status closed, 'end') after maxReconnectAttempts idle periods on a server that works.
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, {
      maxReconnectAttempts: 2,
      retry: new Retry({ retries: 3, backoff: new ConstantBackoff(100) }),
    });
    let ended = false;
    c.on('error', () => undefined);
    c.on('end', () => (ended = true));
    await c.connect();
    assert.equal(await c.send('SET', ['k', 'v']), 'OK');
    for (let i = 1; i <= 5; i++) {
      server.socket.closeCleanly();
      await clock.advance(100);
      assert.equal(c.status, 'ready', `after idle drop ${i}`);
    }
    assert.equal(ended, false);
    assert.equal(await c.send('GET', ['k']), 'v');
    assert.equal(server.sockets.length, 6);
    c.disconnect();
  });

  it('a server that accepts and closes at once, the client idle: reconnects back off without ending it; a command ends the wait and then the attempts count', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const delays: number[] = [];
    const c = fakeConnection(server, clock, {
      maxReconnectAttempts: 2,
      retry: new Retry({ retries: 5, backoff: new ExponentialBackoff({ base: 50, cap: 400 }) }),
    });
    let ended = false;
    c.on('error', () => undefined);
    c.on('end', () => (ended = true));
    c.on('reconnecting', (d) => delays.push(d));
    c.on('ready', () => {
      // After the tick's write: a command waiting for the socket reaches it first.
      const socket = server.socket;
      queueMicrotask(() => socket.closeCleanly());
    });
    await c.connect();
    for (let i = 0; i < 6; i++) await clock.advance(400);
    // Paced (never 0 ms), growing to the cap: not a redial loop, and not given up on.
    assert.deepEqual(delays.slice(0, 4), [100, 200, 400, 400]);
    assert.ok(delays.length < 12, `${delays.length} reconnects`);
    assert.equal(ended, false);
    assert.equal(c.status, 'reconnecting');
    // A command does not wait out the pacing: it is written to a socket opened at once, and a
    // socket closed on it unanswered is a failed attempt (the quiet ones between neither count
    // nor clear the count): the third ends the client.
    const errors: unknown[] = [];
    for (let i = 0; i < 5 && !c.closed; i++) {
      assert.equal(c.status, 'reconnecting');
      const opened = server.sockets.length;
      const cmd = outcome(c.send('GET', ['a']));
      await settle();
      assert.equal(server.sockets.length, opened + 1, `GET ${i + 1} waited for the pacing`);
      assert.deepEqual(server.socket.commands, [['GET', 'a']]);
      await clock.advance(400);
      await clock.advance(400);
      errors.push(cmd.error);
    }
    assert.equal(errors.length, 3);
    assert.ok(
      errors.every((e) => e instanceof ConnectionError),
      String(errors),
    );
    assert.equal(c.status, 'closed');
    assert.equal(ended, true);
    assert.equal(clock.pending, 0, 'no timer keeps the process alive');
  });

  it('close() or disconnect() while the socket is being opened stops the dial: connect() rejects at once', async () => {
    for (const end of ['disconnect', 'close'] as const) {
      const clock = new FakeClock();
      const dials: TransportTarget[] = [];
      // A connect the server never answers (no SYN-ACK): it ends only when the target's signal says so.
      const transport = (target: TransportTarget): Promise<Transport> =>
        new Promise((_resolve, reject) => {
          dials.push(target);
          target.signal?.addEventListener('abort', () => reject(new ConnectionError('dial stopped')));
        });
      const c = fakeConnection(new FakeServer(), clock, { transport, connectTimeout: 0 });
      const connecting = outcome(c.connect());
      await settle();
      if (end === 'close') await c.close();
      else c.disconnect();
      await settle();
      assert.equal(dials.length, 1);
      assert.equal(dials[0]?.signal?.aborted, true, `${end}: the dial was not told to stop`);
      assert.ok(connecting.error instanceof ConnectionError, `${end}: connect() ${String(connecting.error)}`);
      assert.equal(clock.pending, 0);
    }
  });

  it('credentials() is called at every connect and reauthenticate() sends AUTH with fresh ones', async () => {
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    let n = 0;
    const c = fakeConnection(server, clock, {
      credentials: async () => ({ username: 'app', password: `token-${++n}` }),
    });
    await c.connect();
    assert.deepEqual(server.socket.named('AUTH'), [['AUTH', 'app', 'token-1']]);
    server.socket.close();
    await clock.advance(1);
    await c.connect();
    assert.deepEqual(server.socket.named('AUTH'), [['AUTH', 'app', 'token-2']]);
    await c.reauthenticate();
    assert.deepEqual(server.socket.named('AUTH')[1], ['AUTH', 'app', 'token-3']);
    c.disconnect();
  });

  it('pingInterval: an idle connection sends PING; no answer within connectTimeout reconnects', async () => {
    let answer = true;
    const server = new FakeServer((cmd) => (cmd[0] === 'PING' && answer ? '+PONG\r\n' : undefined));
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { pingInterval: 1000, connectTimeout: 500 });
    await c.connect();
    await clock.advance(1000);
    assert.equal(server.socket.named('PING').length, 1);
    answer = false;
    await clock.advance(1000);
    assert.equal(server.sockets[0]?.named('PING').length, 2);
    await clock.advance(500);
    assert.equal(server.sockets[0]?.closed, true);
    await clock.advance(1);
    assert.equal(server.sockets.length, 2);
    c.disconnect();
  });

  it('pingInterval: a command unanswered past the interval is looked at again an interval later, not every millisecond', async () => {
    // Only PING is answered: the GET stays unanswered (a slow command, or a frozen server).
    const server = new FakeServer((cmd) => (cmd[0] === 'PING' ? '+PONG\r\n' : undefined));
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { pingInterval: 1000, connectTimeout: 500 });
    await c.connect();
    const get = outcome(c.send('GET', ['slow']));
    let timers = 0;
    const setTimer = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn, ms) => {
      timers++;
      return setTimer(fn, ms);
    };
    await clock.advance(10_000);
    assert.ok(timers <= 20, `${timers} timers set in 10 s of a reply awaited`);
    assert.equal(server.socket.named('PING').length, 0, 'no PING while a reply is awaited');
    assert.equal(get.settled, false);
    c.disconnect();
  });

  it('maxOfflineQueue and maxQueued count only commands still waiting: those that timed out there take no room', async () => {
    for (const [bound, code] of [
      [{ maxOfflineQueue: 10 }, 'ERR_WREDIS_OFFLINE_QUEUE_FULL'],
      [{ maxQueued: 10 }, 'ERR_WREDIS_QUEUE_FULL'],
    ] as const) {
      const server = new FakeServer();
      server.hang = true; // the connect never completes: every command waits
      const clock = new FakeClock();
      const c = fakeConnection(server, clock, { ...bound, commandTimeout: 100 });
      const timedOut = Array.from({ length: 10 }, (_, i) => outcome(c.send('GET', [`a${i}`])));
      await clock.advance(150);
      for (const o of timedOut) assert.ok(o.error instanceof TimeoutError, code);
      // Nothing waits now: ten more are taken, and the bound still holds for them.
      const next = Array.from({ length: 10 }, (_, i) => outcome(c.send('GET', [`b${i}`])));
      const over = outcome(c.send('GET', ['c']));
      await settle();
      for (const o of next) assert.equal(o.settled, false, `${code}: taken, waiting`);
      assert.equal((over.error as ConnectionError | undefined)?.code, code);
      await clock.advance(150);
      for (const o of next) assert.ok(o.error instanceof TimeoutError, code);
      c.disconnect();
    }
  });

  it('close({ timeout }) is graceful up to the timeout, then disconnects', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const answered = c.send('GET', ['a']);
    const unanswered = outcome(c.send('GET', ['b']));
    await settle();
    const closed = outcome(c.close({ timeout: 500 }));
    server.socket.reply(bulk('A'));
    assert.equal(await answered, 'A');
    await clock.advance(499);
    assert.equal(closed.settled, false);
    await clock.advance(1);
    assert.equal(closed.settled, true);
    assert.ok(unanswered.error instanceof ConnectionError);
    assert.equal(c.status, 'closed');
  });

  it('-LOADING: commands wait until INFO persistence says loading:0, then go again', async () => {
    let loading = true;
    const server = new FakeServer((cmd) => {
      if (cmd[0] === 'INFO') return bulk(`# Persistence\r\nloading:${loading ? 1 : 0}\r\n`);
      if (loading) return '-LOADING Redis is loading the dataset in memory\r\n';
      return cmd[0] === 'SET' ? '+OK\r\n' : bulk('v');
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { retry: new Retry({ retries: 1, backoff: new NoBackoff() }) });
    await c.connect();
    const set = outcome(c.send('SET', ['k', 'v']));
    await settle();
    await clock.advance(5000);
    assert.equal(set.settled, false, 'waits while loading');
    assert.ok(server.socket.named('INFO').length >= 3, 'polled with backoff');
    assert.equal(server.socket.named('SET').length, 1, 'not re-sent while loading');
    loading = false;
    await clock.advance(1000);
    assert.equal(set.value, 'OK');
    c.disconnect();
  });

  it('close() during -LOADING: the command waits the loading out, is answered, then the connection closes', async () => {
    let loading = true;
    const server = new FakeServer((cmd) => {
      if (cmd[0] === 'INFO') return bulk(`# Persistence\r\nloading:${loading ? 1 : 0}\r\n`);
      if (loading) return '-LOADING Redis is loading the dataset in memory\r\n';
      return cmd[0] === 'SET' ? '+OK\r\n' : undefined;
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { retry: new Retry({ retries: 1, backoff: new NoBackoff() }) });
    await c.connect();
    const set = outcome(c.send('SET', ['k', 'v']));
    const closed = outcome(c.close());
    await settle();
    await clock.advance(2000);
    assert.equal(set.settled, false, 'waits while loading');
    assert.equal(server.socket.named('SET').length, 1, 'not re-sent while loading');
    loading = false;
    await clock.advance(1000);
    assert.equal(set.value, 'OK');
    assert.equal(server.socket.named('SET').length, 2);
    assert.equal(closed.settled, true, 'close() resolved');
    assert.equal(c.status, 'closed');
  });

  it('BUSY that ends while later commands are in flight: the refused ones, overtaken, reject with BUSY; none runs out of order', async () => {
    let busy = 2; // the first two SETs are refused, the script ends before the third
    const server = new FakeServer((cmd) => {
      if (cmd[0] !== 'SET') return undefined;
      if (busy > 0) {
        busy--;
        return '-BUSY Redis is busy running a script.\r\n';
      }
      return '+OK\r\n';
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { retry: new Retry({ retries: 5, backoff: new NoBackoff() }) });
    await c.connect();
    const sets = ['1', '2', '3', '4'].map((v) => outcome(c.send('SET', ['k', v])));
    await settle();
    await clock.advance(10);
    assert.deepEqual(
      sets.map((o) => (o.error === undefined ? o.value : (o.error as ResponseError).code)),
      ['BUSY', 'BUSY', 'OK', 'OK'],
    );
    assert.deepEqual(
      server.socket.named('SET').map((x) => x[2]),
      ['1', '2', '3', '4'],
      'SET 1 and 2 never sent again after SET 3 and 4 ran',
    );
    c.disconnect();
  });

  it('BUSY refusals of a whole pipelined run go again in their order, after every earlier reply', async () => {
    let busy = 3;
    const server = new FakeServer((cmd) => {
      if (cmd[0] !== 'RPUSH') return undefined;
      if (busy > 0) {
        busy--;
        return '-BUSY Redis is busy running a script.\r\n';
      }
      return ':1\r\n';
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const pushes = ['a', 'b', 'c'].map((v) => outcome(c.send('RPUSH', ['l', v])));
    await settle();
    for (let i = 0; i < 10; i++) await clock.advance(100);
    assert.deepEqual(
      pushes.map((o) => (o.error === undefined ? o.value : String(o.error))),
      [1, 1, 1],
    );
    assert.deepEqual(
      server.socket.named('RPUSH').map((x) => x[2]),
      ['a', 'b', 'c', 'a', 'b', 'c'],
    );
    c.disconnect();
  });

  it('BUSY, TRYAGAIN, MASTERDOWN are retried for any command (they prove it did not run); not with retryReplies: false', async () => {
    for (const code of ['BUSY', 'TRYAGAIN', 'MASTERDOWN']) {
      let first = true;
      const server = new FakeServer((cmd) => {
        if (cmd[0] !== 'INCR') return undefined;
        if (first) {
          first = false;
          return `-${code} not now\r\n`;
        }
        return ':1\r\n';
      });
      const clock = new FakeClock();
      const c = fakeConnection(server, clock);
      await c.connect();
      const incr = outcome(c.send('INCR', ['n']));
      await settle();
      await clock.advance(10);
      assert.equal(incr.value, 1, code);
      assert.equal(server.socket.named('INCR').length, 2);
      c.disconnect();
      first = true;
      const off = fakeConnection(server, clock, { retryReplies: false });
      await off.connect();
      await assert.rejects(off.send('INCR', ['n']), (e: ResponseError) => e.code === code);
      off.disconnect();
    }
  });

  it('-READONLY on a write reconnects and retries it; when the budget is spent it rejects with ReadOnlyError', async () => {
    // The first socket reaches the old primary (now a replica); the reconnect reaches the new one.
    let primary = false;
    const server: FakeServer = new FakeServer((cmd: string[], socket): string | undefined => {
      if (cmd[0] !== 'SET') return undefined;
      return primary || socket !== server.sockets[0]
        ? '+OK\r\n'
        : "-READONLY You can't write against a read only replica.\r\n";
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { retry: new Retry({ retries: 2, backoff: new NoBackoff() }) });
    await c.connect();
    const set = outcome(c.send('SET', ['k', 'v']));
    await clock.advance(1);
    assert.equal(server.sockets.length, 2, 'reconnected');
    assert.equal(set.value, 'OK');
    assert.equal(server.socket.named('SET').length, 1, 'sent again on the new socket');
    server.responder = (cmd: string[]) =>
      cmd[0] === 'SET' ? "-READONLY You can't write against a read only replica.\r\n" : undefined;
    primary = false;
    const doomed = outcome(c.send('SET', ['k', 'w']));
    for (let i = 0; i < 5; i++) await clock.advance(1);
    assert.ok(doomed.error instanceof ReadOnlyError, String(doomed.error));
    c.disconnect();
  });

  it('commandTimeout: a blocking command settled by a lost socket leaves no deadline timer behind', async () => {
    // Its bound (its own timeout + commandTimeout + 1 s) stayed armed after the loss rejected it:
    // on a flapping network, one timer (and the command) held per lost BLPOP k 3600, for an hour.
    const server = new FakeServer(echoServer());
    const clock = new FakeClock();
    const c = fakeConnection(server, clock, { commandTimeout: 100 });
    c.on('error', () => undefined);
    await c.connect();
    for (let i = 0; i < 3; i++) {
      const pop = outcome(c.send('BLPOP', ['q', 3600], { blocking: true }));
      await settle();
      server.socket.close();
      await clock.advance(1);
      assert.equal(c.status, 'ready', 'reconnected');
      assert.ok(pop.error instanceof ConnectionError, String(pop.error));
      assert.equal(pop.error.code, 'ERR_WREDIS_CONNECTION_LOST');
    }
    assert.equal(clock.pending, 0, 'no timer left for commands already settled');
    c.disconnect();
  });

  it('UNBLOCKED because the primary turned replica: the blocking command goes again on a new socket (as after -READONLY); from CLIENT UNBLOCK it rejects', async () => {
    // The text Redis 7.0 sends a blocked client when REPLICAOF demotes its primary (checked on a real server).
    const demoted =
      '-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n';
    const server: FakeServer = new FakeServer((cmd: string[], socket): string | undefined =>
      cmd[0] !== 'BLPOP'
        ? undefined
        : socket === server.sockets[0]
          ? demoted
          : '*2\r\n$1\r\nq\r\n$1\r\nx\r\n',
    );
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const popped = outcome(c.send('BLPOP', ['q', 0], { blocking: true }));
    for (let i = 0; i < 3; i++) await clock.advance(1);
    assert.equal(server.sockets.length, 2, 'reconnected');
    assert.deepEqual(popped.value, ['q', 'x'], String(popped.error));
    c.disconnect();
    // Someone's CLIENT UNBLOCK … ERROR is a wish to end the command: not retried.
    const unblock = new FakeServer((cmd: string[]) =>
      cmd[0] === 'BLPOP' ? '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n' : undefined,
    );
    const d = fakeConnection(unblock, clock);
    await d.connect();
    const ended = outcome(d.send('BLPOP', ['q', 0], { blocking: true }));
    for (let i = 0; i < 3; i++) await clock.advance(1);
    assert.ok(ended.error instanceof UnblockedError, String(ended.error));
    assert.equal(unblock.sockets.length, 1);
    d.disconnect();
  });

  it('-READONLY inside MULTI: the block aborts (ExecAbortError, nothing ran) and the connection moves to the new primary', async () => {
    // A client writing only through multi() never met a READONLY outside a block, so it stayed on
    // the demoted node for good (a failover behind a stable name).
    const readonly = "-READONLY You can't write against a read only replica.\r\n";
    const server: FakeServer = new FakeServer((cmd: string[], socket): string | undefined => {
      const old = socket === server.sockets[0];
      switch (cmd[0]) {
        case 'MULTI':
          return '+OK\r\n';
        case 'SET':
          return old ? readonly : '+QUEUED\r\n';
        case 'EXEC':
          return old ? '-EXECABORT Transaction discarded because of previous errors.\r\n' : '*1\r\n+OK\r\n';
        default:
          return undefined;
      }
    });
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const block = (): Array<Promise<unknown>> =>
      c.sendBatch([
        { name: 'MULTI', args: [] },
        { name: 'SET', args: ['k', 'v'] },
        { name: 'EXEC', args: [] },
      ]);
    const first = await Promise.allSettled(block());
    assert.ok(first[1]?.status === 'rejected' && first[1].reason instanceof ReadOnlyError);
    assert.ok(first[2]?.status === 'rejected' && first[2].reason instanceof ExecAbortError, String(first[2]));
    for (let i = 0; i < 3; i++) await clock.advance(1);
    assert.equal(server.sockets.length, 2, 'reconnected after the aborted block');
    const second = await Promise.all(block());
    assert.deepEqual(second, ['OK', 'QUEUED', ['OK']]);
    assert.equal(server.socket.named('EXEC').length, 1, 'the next block ran on the new socket');
    c.disconnect();
  });

  it('-READONLY costs one attempt of the retry budget: each retry reaches a new socket, the last error is ReadOnlyError', async () => {
    // The retried command must not be encoded into the socket being dropped: lost() counted it once
    // more ("lost before it was sent"), so with retries: 1 a READONLY was never retried and an odd
    // budget ended in ConnectionError instead of ReadOnlyError.
    const readonly = "-READONLY You can't write against a read only replica.\r\n";
    for (const retries of [1, 3]) {
      // Only the first socket reaches the old primary (now a replica): one retry is enough.
      const moved: FakeServer = new FakeServer((cmd: string[], socket): string | undefined =>
        cmd[0] !== 'SET' ? undefined : socket === moved.sockets[0] ? readonly : '+OK\r\n',
      );
      const clock = new FakeClock();
      const retry = new Retry({ retries, backoff: new NoBackoff() });
      const c = fakeConnection(moved, clock, { retry });
      await c.connect();
      const set = outcome(c.send('SET', ['k', 'v']));
      for (let i = 0; i < 3; i++) await clock.advance(1);
      assert.equal(set.value, 'OK', `retries ${retries}: ${String(set.error)}`);
      c.disconnect();
      // Every socket refuses: one reconnect per retry, then the READONLY itself.
      const stuck = new FakeServer((cmd: string[]) => (cmd[0] === 'SET' ? readonly : undefined));
      const d = fakeConnection(stuck, clock, { retry });
      await d.connect();
      const doomed = outcome(d.send('SET', ['k', 'w']));
      for (let i = 0; i < 3 * retries + 3; i++) await clock.advance(1);
      assert.ok(doomed.error instanceof ReadOnlyError, `retries ${retries}: ${String(doomed.error)}`);
      assert.equal(stuck.sockets.length, retries + 1, `retries ${retries}: one socket per attempt`);
      d.disconnect();
    }
  });

  it('a protocol error fails its command with InvalidResponse, the others with ConnectionError, and reconnects', async () => {
    const server = new FakeServer();
    const clock = new FakeClock();
    const c = fakeConnection(server, clock);
    await c.connect();
    const a = outcome(c.send('GET', ['a']));
    const b = outcome(c.send('INCR', ['b']));
    await settle();
    server.socket.reply('?garbage\r\n');
    await clock.advance(1);
    assert.ok(a.error instanceof InvalidResponse, String(a.error));
    assert.ok(b.error instanceof ConnectionError, String(b.error));
    assert.equal(server.sockets.length, 2);
    c.disconnect();
  });

  // sendEach() fills a slot per settlement: a command settled twice (its error, then its deadline)
  // would overwrite its slot in the array the caller already has, and count as two commands.
  for (const [what, first, reply] of [
    ['refused by the encoder', ['SET', ['k', 'x'.repeat(20_001)]], bulk('B')],
    ['answered with a malformed reply', ['GET', ['a']], '?garbage\r\n'],
  ] as const) {
    it(`sendEach: a command ${what} settles its slot once; its deadline later changes nothing`, async () => {
      const server = new FakeServer();
      const clock = new FakeClock();
      const c = fakeConnection(server, clock, { commandTimeout: 100, maxArgumentLength: 20_000 });
      c.on('error', () => undefined);
      await c.connect();
      const all = c.sendEach(
        [
          { name: first[0], args: first[1], transform: undefined },
          { name: 'GET', args: ['b'], transform: undefined },
        ],
        false,
      );
      await settle();
      server.socket.reply(reply);
      const results = await all;
      const seen = [...results];
      assert.ok(results[0] instanceof (first[0] === 'SET' ? DataError : InvalidResponse), String(results[0]));
      assert.ok(results[1] === 'B' || results[1] instanceof ConnectionError, String(results[1]));
      await clock.advance(150);
      assert.deepEqual(results, seen, 'the resolved slots stay as they were');
      c.disconnect();
    });
  }
  describe('ASK detour (sendAsking): ASKING never reaches the socket without its command', () => {
    // ASKING lets whatever the socket carries next into a slot the node is importing: written
    // without its command, it lets the next caller's command in instead.
    const alone = (commands: string[][]): boolean =>
      commands.some((cmd, i) => cmd[0] === 'ASKING' && commands[i + 1]?.[1] !== 'k');

    it('maxOfflineQueue with room for one more: neither enters, both reject', async () => {
      const server = new FakeServer();
      const c = fakeConnection(server, new FakeClock(), { maxOfflineQueue: 2 });
      const a = c.send('GET', ['a']);
      const k = outcome(c.sendAsking('GET', ['k'], {}));
      await settle();
      assert.equal((k.error as ConnectionError | undefined)?.code, 'ERR_WREDIS_OFFLINE_QUEUE_FULL');
      const next = c.send('GET', ['next']);
      await settle();
      assert.deepEqual(server.socket.commands, [
        ['GET', 'a'],
        ['GET', 'next'],
      ]);
      server.socket.reply(bulk('A') + bulk('N'));
      assert.deepEqual(await Promise.all([a, next]), ['A', 'N']);
      c.disconnect();
    });

    it('maxQueued with room for one more: neither enters, both reject', async () => {
      const server = new FakeServer();
      const c = fakeConnection(server, new FakeClock(), { maxQueued: 2 });
      await c.connect();
      const a = c.send('GET', ['a']);
      const k = outcome(c.sendAsking('GET', ['k'], {}));
      await settle();
      assert.equal((k.error as ConnectionError | undefined)?.code, 'ERR_WREDIS_QUEUE_FULL');
      assert.deepEqual(server.socket.commands, [['GET', 'a']]);
      server.socket.reply(bulk('A'));
      assert.equal(await a, 'A');
      const next = c.send('GET', ['next']);
      await settle();
      assert.equal(alone(server.socket.commands), false, JSON.stringify(server.socket.commands));
      server.socket.reply(bulk('N'));
      assert.equal(await next, 'N');
      c.disconnect();
    });

    it('abandoned unwritten (this tick, or waiting for the connection) takes ASKING along; once written both stay', async () => {
      for (const connected of [true, false]) {
        const server = new FakeServer();
        const c = fakeConnection(server, new FakeClock());
        if (connected) await c.connect();
        const handle: SendHandle = {};
        const k = outcome(c.sendAsking('GET', ['k'], { handle }));
        abandon(handle, new Error('given up'));
        const next = c.send('GET', ['next']);
        await settle();
        assert.equal((k.error as Error | undefined)?.message, 'given up');
        assert.deepEqual(server.socket.commands, [['GET', 'next']], `connected: ${connected}`);
        server.socket.reply(bulk('N'));
        assert.equal(await next, 'N');
        c.disconnect();
      }
      const server = new FakeServer();
      const c = fakeConnection(server, new FakeClock());
      await c.connect();
      const handle: SendHandle = {};
      const k = c.sendAsking('GET', ['k'], { handle });
      await settle();
      abandon(handle, new Error('given up'));
      assert.deepEqual(server.socket.commands, [['ASKING'], ['GET', 'k']]);
      server.socket.reply('+OK\r\n' + bulk('K'));
      assert.equal(await k, 'K', 'written: it keeps its slot and its reply');
      c.disconnect();
    });

    it('maxInflight reached between the two: the pair is not split, so a timeout cannot strand ASKING', async () => {
      const server = new FakeServer();
      const clock = new FakeClock();
      const c = fakeConnection(server, clock, { maxInflight: 2, commandTimeout: 100 });
      await c.connect();
      const a = outcome(c.send('GET', ['a']));
      const k = outcome(c.sendAsking('GET', ['k'], {}));
      await settle();
      // Bytes keep arriving (not stuck), but nothing is answered before the deadline.
      server.socket.reply('$1\r\n');
      await clock.advance(100);
      assert.ok(k.error instanceof TimeoutError, String(k.error));
      assert.equal(k.error.command, 'GET', 'the timeout names the command, not ASKING');
      server.socket.reply('A\r\n+OK\r\n');
      await settle();
      const next = outcome(c.send('GET', ['next']));
      await settle();
      assert.equal(alone(server.socket.commands), false, JSON.stringify(server.socket.commands));
      assert.ok(a.error instanceof TimeoutError, String(a.error));
      c.disconnect();
      await settle();
      assert.ok(next.error instanceof ConnectionError, String(next.error));
    });
  });

  it('encodes over the bytes of the last write only once the socket has taken them all', async () => {
    const server = new FakeServer(echoServer());
    const c = fakeConnection(server, new FakeClock());
    assert.equal(await c.send('SET', ['k0', 'first']), 'OK');
    const s = server.socket;
    // The socket took the write: the next tick's bytes start where the last write's did.
    const taken = s.views.length;
    const a = c.send('SET', ['k1', 'x'.repeat(20)]);
    await settle();
    const b = c.send('SET', ['k2', 'y'.repeat(20)]);
    await settle();
    const va = s.views[taken] as Uint8Array;
    const vb = s.views[taken + 1] as Uint8Array;
    assert.equal(vb.buffer, va.buffer);
    assert.equal(vb.byteOffset, va.byteOffset, 'the slab started over');
    assert.deepEqual(await Promise.all([a, b]), ['OK', 'OK']);
    // The socket holds a write (its send buffer full): what follows goes to other memory, and
    // the held bytes reach the server as they were written.
    s.holdWrites = true;
    const held = Array.from({ length: 5 }, (_, i) => c.send('SET', [`h${i}`, `held-${i}`.repeat(4)]));
    await settle();
    const after = Array.from({ length: 5 }, (_, i) => c.send('SET', [`n${i}`, `next-${i}`.repeat(4)]));
    await settle();
    const vh = s.views.at(-2) as Uint8Array;
    const vn = s.views.at(-1) as Uint8Array;
    assert.ok(vn.buffer !== vh.buffer || vn.byteOffset >= vh.byteOffset + vh.length, 'no overlap');
    s.releaseWrites();
    assert.deepEqual(await Promise.all([...held, ...after]), Array(10).fill('OK'));
    assert.deepEqual(
      s
        .named('SET')
        .slice(-10)
        .map((cmd) => cmd.slice(1)),
      [
        ...Array.from({ length: 5 }, (_, i) => [`h${i}`, `held-${i}`.repeat(4)]),
        ...Array.from({ length: 5 }, (_, i) => [`n${i}`, `next-${i}`.repeat(4)]),
      ],
    );
    c.disconnect();
  });
});
