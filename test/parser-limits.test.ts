/**
 * Issue #11 item 12, what the host can promise about huge and hostile replies: an aggregate
 * header announcing 2^32-1 elements allocates nothing in proportion to that count before the
 * elements arrive; the core running out of memory is a DataError that says so (not a
 * protocol error, not "out of memory" of the core); a reply that cannot be built is a
 * DataError; "Protocol error:" is said once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Parser, ProtocolErrorCode } from '../src/core/parser.js';
import { DataError, InvalidResponse, Redis, protocolError, undecodableReply } from '../src/index.js';
import { HELLO3, startScriptedServer, type ScriptedServer } from './support/scripted-server.js';

const noop = (): void => undefined;

/** The core's linear memory in bytes (WebAssembly memory never shrinks within an instance). */
const coreBytes = (p: Parser): number =>
  (p as unknown as { core: { memory: WebAssembly.Memory } }).core.memory.buffer.byteLength;

describe('huge and hostile replies', { timeout: 60_000 }, () => {
  it('an aggregate header of 2^32-1 elements allocates nothing in proportion to it', () => {
    let replies = 0;
    let failed = 0;
    const p = new Parser({
      onReply: () => replies++,
      onError: noop,
      onPush: noop,
      onProtocolError: () => failed++,
    });
    const start = coreBytes(p);
    p.feed(Buffer.from('*4294967295\r\n'));
    assert.ok(coreBytes(p) - start < 1 << 20, `grew ${coreBytes(p) - start} bytes on the header alone`);
    // 1 MiB of elements: memory follows the bytes that arrived (tape + input), not the header's count.
    const chunk = Buffer.from(':1\r\n'.repeat(16384));
    for (let i = 0; i < 16; i++) p.feed(chunk);
    assert.ok(coreBytes(p) - start < 32 << 20, `grew ${coreBytes(p) - start} bytes for 1 MiB of elements`);
    assert.equal(replies, 0);
    assert.equal(failed, 0);
    // A nested header announcing as many does not either.
    p.reset();
    p.feed(Buffer.from('*2\r\n*4294967295\r\n%4294967295\r\n'));
    assert.ok(coreBytes(p) - start < 32 << 20);
  });

  it('the core running out of memory is a DataError saying the reply is too large', () => {
    const e = protocolError(
      ProtocolErrorCode.CoreFailure,
      'Protocol error: RESP parser core failed (out of memory)',
    );
    assert.ok(e instanceof DataError);
    assert.match(e.message, /too large to decode/);
    assert.doesNotMatch(e.message, /Protocol error|out of memory/);
    assert.equal(e.code, 'ERR_WREDIS_UNEXPECTED_REPLY');
  });

  it('a reply that cannot be built becomes a DataError for its command; the stream goes on', () => {
    const events: unknown[] = [];
    const p = new Parser(
      {
        onReply: (v) => events.push(v),
        onError: (e) => events.push(e),
        onPush: noop,
        onProtocolError: noop,
      },
      {
        makeError: () => {
          throw new RangeError('Invalid string length');
        },
        decodeError: undecodableReply,
      },
    );
    p.feed(Buffer.from('*2\r\n:1\r\n-ERR x\r\n+after\r\n'));
    assert.equal(events.length, 2);
    assert.ok(events[0] instanceof DataError);
    assert.match((events[0] as Error).message, /^The reply could not be decoded: Invalid string length$/);
    assert.ok((events[0] as Error).cause instanceof RangeError);
    assert.equal(events[1], 'after');
  });

  it('linear memory grown past 16 MiB by one reply is given back once it is delivered, not while a reply is open', () => {
    const replies: unknown[] = [];
    let failed = 0;
    const p = new Parser({
      onReply: (v) => replies.push(Array.isArray(v) ? v.length : v),
      onError: noop,
      onPush: noop,
      onProtocolError: () => failed++,
    });
    const start = coreBytes(p);
    const n = 1_500_000; // 6 MB of input, 24 MB of tape records
    p.feed(Buffer.from(`*${n}\r\n`));
    const chunk = Buffer.from(':1\r\n'.repeat(50_000));
    for (let i = 0; i < n / 50_000 - 1; i++) p.feed(chunk);
    assert.ok(coreBytes(p) > 16 << 20, `grew to ${coreBytes(p)} bytes only`);
    // The last elements, and the next reply cut in two: its first part must survive.
    p.feed(Buffer.concat([chunk, Buffer.from('$5\r\nhel')]));
    assert.deepEqual(replies, [n]);
    assert.ok(coreBytes(p) > 16 << 20, 'replaced while a reply was open');
    p.feed(Buffer.from('lo\r\n+OK\r\n:7\r\n'));
    assert.deepEqual(replies, [n, 'hello', 'OK', 7]);
    assert.ok(coreBytes(p) <= start, `still ${coreBytes(p)} bytes after every reply was delivered`);
    p.feed(Buffer.from('*2\r\n:1\r\n$1\r\nx\r\n'));
    assert.deepEqual(replies.slice(4), [2]);
    assert.equal(failed, 0);
  });

  describe('through a client', () => {
    let server: ScriptedServer;
    let r: Redis;
    before(async () => {
      server = await startScriptedServer((cmd) => {
        if (cmd[0] === 'hello') return HELLO3;
        if (cmd[0] === 'get') return '?what\r\n';
        return '+OK\r\n';
      });
      r = new Redis({ host: '127.0.0.1', port: server.port, retry: undefined });
    });
    after(async () => {
      r.disconnect();
      await server.close();
    });

    it('"Protocol error:" is said once', async () => {
      const e: unknown = await r.get('k').then(
        () => assert.fail('should reject'),
        (err: unknown) => err,
      );
      assert.ok(e instanceof InvalidResponse, String(e));
      assert.match(e.message, /^Protocol error: unknown RESP type byte$/);
    });
  });
});
