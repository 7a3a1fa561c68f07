/**
 * `node:diagnostics_channel` events against real servers: command traces (success, error,
 * attempts over a replay), batch traces (pipeline, transaction), connect traces, ready / closed
 * messages around a reconnect, and that no context ever holds an argument value or key.
 */
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import {
  DIAGNOSTICS_CHANNELS,
  DataError,
  ExponentialBackoff,
  Redis,
  ResponseError,
  Retry,
} from '../src/index.js';
import { startRedis, waitUntil, type RedisServerHandle } from './support/redis-server.js';

const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
type TraceEvent = (typeof EVENTS)[number];

interface Seen {
  event: TraceEvent;
  /** The context object itself (mutated along the trace). */
  ctx: Record<string, unknown>;
  /** A shallow copy taken when the event was published. */
  at: Record<string, unknown>;
}

/** Subscribes to a TracingChannel and records events whose context passes `keep`. */
function recordTrace(name: string, keep: (ctx: Record<string, unknown>) => boolean) {
  const seen: Seen[] = [];
  const tc = dc.tracingChannel(name);
  const handlers = Object.fromEntries(
    EVENTS.map((event) => [
      event,
      (message: unknown) => {
        const ctx = message as Record<string, unknown>;
        if (keep(ctx)) seen.push({ event, ctx, at: { ...ctx } });
      },
    ]),
  ) as unknown as Parameters<typeof tc.subscribe>[0];
  tc.subscribe(handlers);
  return {
    seen,
    of: (event: TraceEvent) => seen.filter((s) => s.event === event),
    stop: () => tc.unsubscribe(handlers),
  };
}

function recordChannel(name: string, keep: (m: Record<string, unknown>) => boolean) {
  const seen: Array<Record<string, unknown>> = [];
  const onMessage = (m: unknown): void => {
    if (keep(m as Record<string, unknown>)) seen.push({ ...(m as Record<string, unknown>) });
  };
  dc.subscribe(name, onMessage);
  return { seen, stop: () => dc.unsubscribe(name, onMessage) };
}

const SECRET_KEY = 'diag:secret-key-4711';
const SECRET_VALUE = 'secret-value-0815';

describe('diagnostics channels', () => {
  let server: RedisServerHandle;
  let port: number;
  const mine = (ctx: Record<string, unknown>): boolean => ctx['serverPort'] === port;

  before(async () => {
    server = await startRedis();
    port = server.port;
  });
  after(async () => {
    await server?.stop();
  });

  it('a GET: one trace with the start context, attempts and result at asyncEnd; no key or value anywhere', async () => {
    const r = new Redis({ port, db: 2 });
    await r.set(SECRET_KEY, SECRET_VALUE);
    const rec = recordTrace(DIAGNOSTICS_CHANNELS.command, mine);
    try {
      assert.equal(await r.get(SECRET_KEY), SECRET_VALUE);
    } finally {
      rec.stop();
      await r.close();
    }
    assert.deepEqual(
      rec.seen.map((s) => s.event),
      ['start', 'end', 'asyncStart', 'asyncEnd'],
    );
    const start = rec.of('start')[0]?.at;
    assert.deepEqual(start, {
      command: 'GET',
      database: 2,
      serverAddress: '127.0.0.1',
      serverPort: port,
      protocol: 3,
      attempts: 0,
    });
    const end = rec.of('asyncEnd')[0]?.at;
    assert.equal(end?.['result'], SECRET_VALUE);
    assert.equal(end?.['attempts'], 1);
    for (const s of rec.seen) {
      const text = JSON.stringify({ ...s.at, result: undefined });
      assert.ok(!text.includes(SECRET_KEY) && !text.includes(SECRET_VALUE), `${s.event}: ${text}`);
    }
  });

  it('an error reply: the error event carries the typed rejection', async () => {
    const r = new Redis({ port });
    await r.set('diag:str', 'x');
    const rec = recordTrace(DIAGNOSTICS_CHANNELS.command, mine);
    try {
      await assert.rejects(r.lpush('diag:str', 'y'), ResponseError);
    } finally {
      rec.stop();
      await r.close();
    }
    assert.deepEqual(
      rec.seen.map((s) => s.event),
      ['start', 'end', 'error', 'asyncStart', 'asyncEnd'],
    );
    const error = rec.of('error')[0]?.at['error'];
    assert.ok(error instanceof ResponseError);
    assert.equal(error.code, 'WRONGTYPE');
    assert.equal(rec.of('start')[0]?.at['command'], 'LPUSH');
  });

  it('a pipeline of 3: one batch trace, three command traces with batchSize', async () => {
    const r = new Redis({ port });
    await r.ping();
    const cmds = recordTrace(DIAGNOSTICS_CHANNELS.command, mine);
    const batch = recordTrace(DIAGNOSTICS_CHANNELS.batch, mine);
    let results: unknown[];
    try {
      results = await r.pipeline().set(SECRET_KEY, SECRET_VALUE).get(SECRET_KEY).incr('diag:n').exec();
    } finally {
      cmds.stop();
      batch.stop();
      await r.close();
    }
    const b = batch.of('start');
    assert.equal(b.length, 1);
    assert.deepEqual(b[0]?.at, {
      commands: ['SET', 'GET', 'INCR'],
      transaction: false,
      database: 0,
      serverAddress: '127.0.0.1',
      serverPort: port,
    });
    assert.deepEqual(batch.of('asyncEnd')[0]?.at['result'], results);
    const starts = cmds.of('start').map((s) => s.at);
    assert.deepEqual(
      starts.map((s) => [s['command'], s['batchSize']]),
      [
        ['SET', 3],
        ['GET', 3],
        ['INCR', 3],
      ],
    );
    assert.deepEqual(
      cmds.of('asyncEnd').map((s) => s.at['result']),
      ['OK', SECRET_VALUE, results[2]],
    );
    const text = JSON.stringify([...starts, ...b.map((s) => s.at)]);
    assert.ok(!text.includes(SECRET_KEY) && !text.includes(SECRET_VALUE), text);
  });

  it('a transaction: one batch trace (transaction: true); each command ends with its EXEC slot', async () => {
    const r = new Redis({ port });
    await r.set('diag:tx-str', 'x');
    const cmds = recordTrace(DIAGNOSTICS_CHANNELS.command, mine);
    const batch = recordTrace(DIAGNOSTICS_CHANNELS.batch, mine);
    try {
      const out = await r.multi().set('diag:tx', '1').lpush('diag:tx-str', 'y').get('diag:tx').exec();
      assert.equal(out[0], 'OK');
    } finally {
      cmds.stop();
      batch.stop();
      await r.close();
    }
    assert.deepEqual(batch.of('start')[0]?.at['commands'], ['SET', 'LPUSH', 'GET']);
    assert.equal(batch.of('start')[0]?.at['transaction'], true);
    assert.equal(batch.of('asyncEnd').length, 1);
    assert.deepEqual(
      cmds.of('start').map((s) => [s.at['command'], s.at['batchSize']]),
      [
        ['SET', 3],
        ['LPUSH', 3],
        ['GET', 3],
      ],
    );
    const errors = cmds.of('error');
    assert.equal(errors.length, 1, 'only LPUSH failed');
    assert.equal((errors[0]?.at['error'] as ResponseError).code, 'WRONGTYPE');
    assert.deepEqual(
      cmds
        .of('asyncEnd')
        .filter((s) => s.ctx['error'] === undefined)
        .map((s) => s.at['result']),
      ['OK', '1'],
    );
  });

  it('a reconnect: closed, connect trace and ready messages; a replayed write counts 2 attempts', async () => {
    const connects = recordTrace(DIAGNOSTICS_CHANNELS.connect, mine);
    const ready = recordChannel(DIAGNOSTICS_CHANNELS.connectionReady, mine);
    const closed = recordChannel(DIAGNOSTICS_CHANNELS.connectionClosed, mine);
    const cmds = recordTrace(DIAGNOSTICS_CHANNELS.command, mine);
    const r = new Redis({
      port,
      retry: new Retry({
        retries: 3,
        backoff: new ExponentialBackoff({ base: 5, cap: 20 }),
        replay: 'idempotent',
      }),
    });
    try {
      const id = (await r.call('CLIENT', 'ID')) as number;
      // The SET waits in the server (writes paused) and is surely in flight when the socket dies.
      await server.command('CLIENT', 'PAUSE', '5000', 'WRITE');
      const write = r.set('diag:replayed', 'v');
      await server.command('CLIENT', 'KILL', 'ID', String(id));
      await waitUntil('reconnected', 5000, () =>
        Promise.resolve(ready.seen.length >= 2 ? undefined : `${ready.seen.length} ready`),
      );
      await server.command('CLIENT', 'UNPAUSE');
      assert.equal(await write, 'OK');
    } finally {
      await server.command('CLIENT', 'UNPAUSE');
      await r.close();
      connects.stop();
      ready.stop();
      closed.stop();
      cmds.stop();
    }
    const starts = connects.of('start').map((s) => s.at);
    assert.equal(starts.length, 2);
    assert.deepEqual(starts[0], { serverAddress: '127.0.0.1', serverPort: port, attempt: 1, tls: false });
    assert.equal(connects.of('asyncEnd').length, 2);
    assert.equal(connects.of('error').length, 0);
    assert.deepEqual(ready.seen[0], {
      serverAddress: '127.0.0.1',
      serverPort: port,
      protocol: 3,
      database: 0,
    });
    assert.ok(closed.seen.length >= 1);
    const set = cmds.of('asyncEnd').find((s) => s.ctx['command'] === 'SET');
    assert.equal(set?.at['attempts'], 2);
    assert.equal(set?.at['result'], 'OK');
  });

  it('a refused connection: the connect trace ends with the error', async () => {
    const { refusedPort } = await import('./support/redis-server.js');
    const free = await refusedPort();
    const rec = recordTrace(DIAGNOSTICS_CHANNELS.connect, (c) => c['serverPort'] === free);
    const r = new Redis({ port: free, lazyConnect: true, retry: new Retry({ retries: 0 }) });
    try {
      await assert.rejects(r.connect());
    } finally {
      r.disconnect();
      rec.stop();
    }
    const err = rec.of('error')[0]?.at['error'] as { code?: string } | undefined;
    assert.equal(err?.code, 'ERR_WREDIS_CONNECTION_REFUSED');
  });

  it('a command name that is not a string rejects with DataError while traced, as untraced (no synchronous TypeError)', async () => {
    const rec = recordTrace(DIAGNOSTICS_CHANNELS.command, () => true);
    const r = new Redis({ port });
    try {
      await r.ping();
      for (const name of [123, undefined, Buffer.from('PING')]) {
        let settled: Promise<unknown>;
        try {
          settled = r.call(name as never);
        } catch (e) {
          assert.fail(`call(${String(name)}) threw synchronously: ${String(e)}`);
        }
        await assert.rejects(settled, DataError);
        await r.withConnection(async (conn) => {
          let lent: Promise<unknown>;
          try {
            lent = conn.call(name as never);
          } catch (e) {
            assert.fail(`lent call(${String(name)}) threw synchronously: ${String(e)}`);
          }
          await assert.rejects(lent, DataError);
        });
      }
    } finally {
      rec.stop();
      await r.close();
    }
    assert.equal(rec.of('start').length, rec.of('asyncEnd').length, 'every trace started also ended');
  });

  it('client-side cache: a write whose key position holds a non-key rejects with DataError, and its trace ends', async () => {
    const rec = recordTrace(DIAGNOSTICS_CHANNELS.command, mine);
    const r = new Redis({ port, clientSideCache: true });
    try {
      await r.ping();
      let settled: Promise<unknown>;
      try {
        settled = r.call('SORT', Object.create(null) as never);
      } catch (e) {
        assert.fail(`call('SORT', {}) threw synchronously: ${String(e)}`);
      }
      await assert.rejects(settled, DataError);
    } finally {
      rec.stop();
      await r.close();
    }
    const sorts = rec.seen.filter((s) => s.ctx['command'] === 'SORT');
    assert.equal(sorts.filter((s) => s.event === 'start').length, 1);
    assert.equal(sorts.filter((s) => s.event === 'asyncEnd').length, 1, 'the SORT trace ended');
  });

  it('internal commands (handshake, client name) are not traced; nothing is published without subscribers', async () => {
    const rec = recordTrace(DIAGNOSTICS_CHANNELS.command, mine);
    const r = new Redis({ port, clientName: 'diag', db: 1, lazyConnect: true });
    try {
      await r.connect();
      assert.equal(rec.seen.length, 0, 'HELLO / SETNAME / SELECT are not caller commands');
      await r.ping();
      assert.deepEqual(
        rec.of('start').map((s) => s.at['command']),
        ['PING'],
      );
    } finally {
      rec.stop();
      await r.close();
    }
    assert.equal(dc.tracingChannel(DIAGNOSTICS_CHANNELS.command).hasSubscribers, false);
  });
});
