/**
 * `r.monitor()` against a real server: sees a SET from another client (time, db, source, args,
 * binary-escaped arguments decoded), stops cleanly; MONITOR stays refused on the shared connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionError, DataError, ErrorCodes, Redis, type MonitorEvent } from '../src/index.js';
import { parseMonitorLine } from '../src/client/monitor.js';
import { startRedis, waitUntil, type RedisServerHandle } from './support/redis-server.js';

describe('monitor()', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
  });

  it('sees a SET from another client, then stops cleanly', async () => {
    const r = new Redis({ port: server.port });
    const other = new Redis({ port: server.port, db: 4 });
    const events: MonitorEvent[] = [];
    try {
      const before = Date.now() / 1000;
      const m = await r.monitor((e) => events.push(e));
      await other.set('mon:k', 'a "quoted"\nvalue');
      await waitUntil('SET seen', 5000, () =>
        Promise.resolve(events.some((e) => e.args[0] === 'set') ? undefined : `${events.length} events`),
      );
      const set = events.find((e) => e.args[0] === 'set') as MonitorEvent;
      assert.deepEqual(set.args, ['set', 'mon:k', 'a "quoted"\nvalue']);
      assert.equal(set.db, 4);
      assert.match(set.source, /^127\.0\.0\.1:\d+$/);
      assert.ok(set.time >= before - 5 && set.time <= Date.now() / 1000 + 5, String(set.time));
      await m.stop();
      const seen = events.length;
      await other.set('mon:after', '1');
      await other.ping();
      assert.equal(events.length, seen, 'no events after stop()');
      // The client itself is untouched by the monitor connection.
      assert.equal(await r.get('mon:after'), null);
    } finally {
      await r.close();
      await other.close();
    }
  });

  it('non-ASCII text reaches the listener as the text that was sent, not one char per escaped byte', async () => {
    // The server escapes every byte above 0x7f (`"h\xc3\xa9llo"`); decoded one char per byte the
    // listener saw 'hÃ©llo' while get() of the same key returns 'héllo'.
    const r = new Redis({ port: server.port });
    const other = new Redis({ port: server.port });
    const events: MonitorEvent[] = [];
    try {
      const m = await r.monitor((e) => events.push(e));
      await other.set('mon:utf8', 'héllo 日本 😀');
      await waitUntil('SET seen', 5000, () =>
        Promise.resolve(events.some((e) => e.args[1] === 'mon:utf8') ? undefined : `${events.length} events`),
      );
      await m.stop();
      const set = events.find((e) => e.args[1] === 'mon:utf8') as MonitorEvent;
      assert.deepEqual(set.args, ['set', 'mon:utf8', 'héllo 日本 😀']);
      assert.equal(await other.get('mon:utf8'), set.args[2]);
    } finally {
      await r.close();
      await other.close();
    }
  });

  it('close() and disconnect() end the monitor connections too (also one still starting); monitor() after them is refused', async () => {
    // The monitor's dedicated connection outlived the client: it kept streaming to the listener
    // and its socket kept the process alive.
    const admin = new Redis({ port: server.port });
    const monitors = async (): Promise<number> =>
      String(await admin.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => /\bflags=\S*O/.test(line)).length;
    try {
      for (const end of ['close', 'disconnect'] as const) {
        const r = new Redis({ port: server.port });
        await r.monitor(() => undefined);
        const starting = r
          .monitor(() => undefined)
          .then(
            (m) => m,
            () => undefined,
          );
        if (end === 'close') await r.close();
        else r.disconnect();
        await starting;
        // One asked for after the end is refused: it would open a connection nobody closes.
        await assert.rejects(
          r.monitor(() => undefined),
          ConnectionError,
        );
        await waitUntil(`no MONITOR connection left after ${end}()`, 5000, async () => {
          const n = await monitors();
          return n === 0 ? undefined : `${n} left`;
        });
      }
    } finally {
      await admin.close();
    }
  });

  it('a monitor connection the server kills is reported on the client error event; stop() and close() report nothing', async () => {
    // The monitor connection does not reconnect (MONITOR mode is not restored on a new socket):
    // its loss stopped the events without a word, which a caller could not tell from a quiet server.
    const r = new Redis({ port: server.port });
    const admin = new Redis({ port: server.port });
    const errors: Error[] = [];
    r.on('error', (e) => errors.push(e));
    const monitorId = async (): Promise<string | undefined> => {
      const line = String(await admin.call('CLIENT', 'LIST'))
        .split('\n')
        .find((l) => /\bflags=\S*O/.test(l));
      return /\bid=(\d+)/.exec(line ?? '')?.[1];
    };
    try {
      const stopped = await r.monitor(() => undefined);
      await stopped.stop();
      const m = await r.monitor(() => undefined);
      const id = await monitorId();
      assert.ok(id !== undefined, 'the monitor connection is listed');
      assert.equal(await admin.call('CLIENT', 'KILL', 'ID', id), 1);
      await waitUntil('the loss reported', 5000, async () =>
        errors.length > 0 ? undefined : 'no error event yet',
      );
      assert.equal(errors.length, 1);
      const lost = errors[0] as ConnectionError;
      assert.ok(lost instanceof ConnectionError);
      assert.equal(lost.code, ErrorCodes.CONNECTION_LOST);
      assert.match(lost.message, /MONITOR/);
      // stop() after the loss still resolves, and the client itself is untouched.
      await m.stop();
      assert.equal(await r.ping(), 'PONG');
      await r.monitor(() => undefined);
    } finally {
      await r.close();
      await admin.close();
    }
    // Neither stop() nor close() is a loss.
    assert.equal(errors.length, 1);
  });

  it('monitor() without a listener function is a DataError; nothing connects', async () => {
    const r = new Redis({ port: server.port, lazyConnect: true });
    try {
      await assert.rejects(r.monitor(5 as never), DataError);
    } finally {
      r.disconnect();
    }
  });

  it("call('MONITOR') on the shared connection stays refused", async () => {
    const r = new Redis({ port: server.port });
    try {
      await assert.rejects(r.call('MONITOR'));
    } finally {
      await r.close();
    }
  });

  it('parses lua and unix sources and \\x escapes', () => {
    assert.deepEqual(parseMonitorLine('1700000000.123456 [0 lua] "get" "k\\x00\\xff"'), {
      time: 1700000000.123456,
      db: 0,
      source: 'lua',
      args: ['get', 'k\u0000\u00ff'],
    });
    assert.equal(parseMonitorLine('1700000000.1 [2 unix:/tmp/r.sock] "ping"')?.source, 'unix:/tmp/r.sock');
    // Escaped UTF-8 is text again; bytes that are no UTF-8 (a lone \xc3) stay one char per byte.
    assert.deepEqual(parseMonitorLine('1700000000.1 [0 lua] "set" "\\xc3\\xa9" "\\xc3("')?.args, [
      'set',
      'é',
      '\u00c3(',
    ]);
    assert.equal(parseMonitorLine('OK'), undefined);
  });
});
