/**
 * The runtime-neutral pieces the edge transports (Cloudflare, Deno, Bun) share, run under Node:
 * the write queue's joining, the once-only close signal, the corked write side, the connect
 * deadline and the PEM helpers. The transports themselves run in their runtimes
 * (test/edge-*.test.ts), where c8 cannot see them; these pieces need no runtime API.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ConnectionError, ErrorCodes, TimeoutError } from '../src/errors/index.js';
import {
  Attempt,
  CloseSignal,
  JOIN_LIMIT,
  QueuedTransport,
  WriteQueue,
  describeTarget,
  openWithin,
  pemList,
  pemText,
  refuseTlsExtras,
  unsupported,
} from '../src/transport/edge-util.js';
import type { TransportTarget } from '../src/transport/types.js';
import { refusedPort } from './support/redis-server.js';

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);
const target = (connectTimeout: number, port = 1): TransportTarget => ({
  host: '127.0.0.1',
  port,
  connectTimeout,
});

describe('refuseTlsExtras', () => {
  it("refuses Node's other TLS options by name on a runtime without them; TlsOptions' own keys pass", () => {
    refuseTlsExtras('Deno', {
      ca: 'x',
      cert: 'c',
      key: 'k',
      passphrase: 'p',
      servername: 's',
      rejectUnauthorized: true,
    });
    // Given but undefined says nothing.
    refuseTlsExtras('Deno', { ca: 'x', minVersion: undefined } as never);
    for (const extra of [
      { minVersion: 'TLSv1.3' },
      { pfx: 'secret-bytes' },
      { checkServerIdentity: () => undefined },
    ]) {
      const key = Object.keys(extra)[0] as string;
      assert.throws(
        () => refuseTlsExtras('Deno', { ca: 'x', ...extra }),
        (e: unknown) =>
          e instanceof ConnectionError &&
          e.code === ErrorCodes.PLATFORM_UNSUPPORTED &&
          e.message.includes(JSON.stringify(key)) &&
          !e.message.includes('secret-bytes') &&
          !e.message.includes('TLSv1.3'),
      );
    }
  });
});

describe('WriteQueue', () => {
  it('joins consecutive small chunks up to JOIN_LIMIT into one write, in order', () => {
    const q = new WriteQueue();
    assert.equal(q.empty, true);
    q.push(Uint8Array.of(1, 2), undefined);
    q.push(Uint8Array.of(3), undefined);
    q.push(bytes(JOIN_LIMIT - 3, 9), undefined); // exactly fills the limit
    q.push(Uint8Array.of(4), undefined);
    const first = q.take();
    assert.equal(first.data.byteLength, JOIN_LIMIT);
    assert.deepEqual([...first.data.subarray(0, 4)], [1, 2, 3, 9]);
    assert.equal(first.done, undefined);
    const second = q.take();
    assert.deepEqual([...second.data], [4]);
    assert.equal(q.empty, true);
  });

  it('sends a chunk larger than the limit alone and uncopied', () => {
    const q = new WriteQueue();
    const big = bytes(JOIN_LIMIT + 1);
    q.push(Uint8Array.of(1), undefined);
    q.push(big, undefined);
    assert.deepEqual([...q.take().data], [1]);
    assert.equal(q.take().data, big);
  });

  it('runs the callbacks of every chunk in a joined write, once, in order', () => {
    const q = new WriteQueue();
    const ran: number[] = [];
    q.push(Uint8Array.of(1), () => ran.push(1));
    q.push(Uint8Array.of(2), undefined);
    q.push(Uint8Array.of(3), () => ran.push(3));
    const batch = q.take();
    assert.ok(batch.done !== undefined);
    batch.done();
    assert.deepEqual(ran, [1, 3]);
    q.push(Uint8Array.of(4), () => ran.push(4));
    q.take().done?.();
    assert.deepEqual(ran, [1, 3, 4]);
  });

  it('clear() forgets chunks and callbacks', () => {
    const q = new WriteQueue();
    let ran = false;
    q.push(Uint8Array.of(1), () => (ran = true));
    q.clear();
    assert.equal(q.empty, true);
    assert.equal(ran, false);
  });
});

describe('CloseSignal', () => {
  it('delivers the first close only, to a listener registered before', () => {
    const s = new CloseSignal();
    const seen: Array<Error | undefined> = [];
    s.listen((e) => seen.push(e));
    const first = new Error('reset');
    s.fire(first);
    s.fire(new Error('later'));
    s.fire(undefined);
    assert.equal(s.closed, true);
    assert.deepEqual(seen, [first]);
  });

  it('delivers a close that happened before the listener registered, asynchronously', async () => {
    const s = new CloseSignal();
    s.fire(undefined);
    const seen: Array<Error | undefined> = [];
    s.listen((e) => seen.push(e));
    assert.deepEqual(seen, []);
    await Promise.resolve();
    assert.deepEqual(seen, [undefined]);
  });
});

/** A QueuedTransport whose socket is an array: each flush takes the whole queue. */
class RecordingTransport extends QueuedTransport {
  readonly writes: number[][] = [];
  halfClosed = false;

  protected flush(): void {
    while (!this.queue.empty) {
      const batch = this.queue.take();
      this.writes.push([...batch.data]);
      batch.done?.();
    }
    if (this.ending) this.halfClosed = true;
  }

  destroy(): void {
    this.queue.clear();
    this.closeSignal.fire(undefined);
  }

  onData(): void {}
}

describe('QueuedTransport', () => {
  it('writes at once when not corked, and holds writes until the last uncork', () => {
    const t = new RecordingTransport();
    t.write(Uint8Array.of(1));
    assert.deepEqual(t.writes, [[1]]);
    t.cork();
    t.cork();
    t.write(Uint8Array.of(2));
    t.write(Uint8Array.of(3));
    t.uncork();
    assert.deepEqual(t.writes, [[1]]);
    t.uncork();
    assert.deepEqual(t.writes, [[1], [2, 3]]);
    t.uncork(); // an extra uncork is harmless
    assert.deepEqual(t.writes, [[1], [2, 3]]);
  });

  it('end() flushes even when corked, half-closes, and refuses later writes', () => {
    const t = new RecordingTransport();
    let written = false;
    t.cork();
    t.write(Uint8Array.of(7), () => (written = true));
    t.end();
    assert.deepEqual(t.writes, [[7]]);
    assert.equal(written, true);
    assert.equal(t.halfClosed, true);
    t.write(Uint8Array.of(8));
    t.end();
    assert.deepEqual(t.writes, [[7]]);
  });

  it('accepts nothing after the close, and tells a late close listener', async () => {
    const t = new RecordingTransport();
    t.destroy();
    t.write(Uint8Array.of(1));
    assert.deepEqual(t.writes, []);
    const closed = new Promise<Error | undefined>((resolve) => t.onClose(resolve));
    assert.equal(await closed, undefined);
  });
});

describe('openWithin (the connect deadline)', () => {
  it('resolves the socket, and without a limit (0) just waits', async () => {
    const socket = { id: 1 };
    assert.equal(await openWithin(target(1000), Promise.resolve(socket), () => assert.fail()), socket);
    assert.equal(await openWithin(target(0), Promise.resolve(socket), () => assert.fail()), socket);
  });

  it('a refused connection becomes ConnectionError with the refusal as cause and code', async () => {
    const port = await refusedPort(); // nothing listens there
    for (const ms of [0, 5000]) {
      const opening = new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
      await assert.rejects(
        openWithin(target(ms, port), opening, (s) => s.destroy()),
        (e: unknown) => {
          assert.ok(e instanceof ConnectionError && !(e instanceof TimeoutError));
          assert.equal(e.code, ErrorCodes.CONNECTION_REFUSED);
          assert.match(e.message, new RegExp(`^connect to 127\\.0\\.0\\.1:${port} failed: `));
          assert.equal((e.cause as { code?: string }).code, 'ECONNREFUSED');
          return true;
        },
      );
    }
  });

  it('keeps a ConnectionError as it is, and wraps anything else', async () => {
    const own = new ConnectionError('already typed');
    await assert.rejects(
      openWithin(target(0), Promise.reject(own), () => undefined),
      (e) => e === own,
    );
    await assert.rejects(
      openWithin(target(0), Promise.reject('a string'), () => undefined),
      (e: unknown) => e instanceof ConnectionError && e.message === 'connect to 127.0.0.1:1 failed: a string',
    );
  });

  it('at the deadline: aborts, rejects with TimeoutError, and disposes of a socket that opens later', async () => {
    let open!: (socket: { id: number }) => void;
    const opening = new Promise<{ id: number }>((resolve) => (open = resolve));
    const disposed: number[] = [];
    let aborted = 0;
    const pending = openWithin(
      target(20),
      opening,
      (s) => disposed.push(s.id),
      () => aborted++,
    );
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof TimeoutError && e instanceof ConnectionError);
      assert.equal(e.code, ErrorCodes.CONNECT_TIMEOUT);
      assert.equal(e.message, 'connect to 127.0.0.1:1 timed out after 20 ms');
      return true;
    });
    assert.equal(aborted, 1);
    open({ id: 7 });
    await opening;
    await Promise.resolve();
    assert.deepEqual(disposed, [7]);
  });

  it('the connection closing (target.signal) aborts, rejects at once, and disposes of a socket that opens later', async () => {
    // The edge transports (workerd, Deno, Bun) dial through here: the signal was not read, so a
    // dial with no deadline went on after close()/disconnect(), connect() unsettled.
    for (const ms of [0, 60_000]) {
      let open!: (socket: { id: number }) => void;
      const opening = new Promise<{ id: number }>((resolve) => (open = resolve));
      const disposed: number[] = [];
      let aborted = 0;
      const closing = new AbortController();
      const pending = openWithin(
        { ...target(ms), signal: closing.signal },
        opening,
        (s) => disposed.push(s.id),
        () => aborted++,
      );
      closing.abort();
      await assert.rejects(pending, (e: unknown) => {
        assert.ok(e instanceof ConnectionError && !(e instanceof TimeoutError), String(e));
        assert.equal(e.code, ErrorCodes.CONNECTION_CLOSED);
        return true;
      });
      assert.equal(aborted, 1, `connectTimeout ${ms}`);
      open({ id: 8 });
      await opening;
      await Promise.resolve();
      assert.deepEqual(disposed, [8], `connectTimeout ${ms}`);
    }
    // Aborted before the wait began: the same, and the socket that opens is disposed of too.
    const disposed: string[] = [];
    await assert.rejects(
      openWithin({ ...target(0), signal: AbortSignal.abort() }, Promise.resolve('s'), (s) =>
        disposed.push(s),
      ),
      (e: unknown) => e instanceof ConnectionError && e.code === ErrorCodes.CONNECTION_CLOSED,
    );
    await Promise.resolve();
    assert.deepEqual(disposed, ['s']);
    // A signal that never aborts changes nothing, and is let go of once the socket is open.
    const quiet = new AbortController();
    assert.equal(
      await openWithin({ ...target(0), signal: quiet.signal }, Promise.resolve(3), () => assert.fail()),
      3,
    );
    quiet.abort();
  });

  it('a failure after the deadline is not reported twice', async () => {
    let fail!: (e: Error) => void;
    const opening = new Promise<never>((_, reject) => (fail = reject));
    await assert.rejects(
      openWithin(target(10), opening, () => undefined),
      TimeoutError,
    );
    fail(new Error('late refusal')); // nothing may surface as an unhandled rejection
    await assert.rejects(opening);
  });

  it('names a unix socket by its path', () => {
    assert.equal(
      describeTarget({ host: '', port: 0, path: '/tmp/r.sock', connectTimeout: 0 }),
      '/tmp/r.sock',
    );
    assert.equal(describeTarget(target(0, 6390)), '127.0.0.1:6390');
  });
});

describe('Attempt', () => {
  it('closes the open socket on abort, and any socket tracked after it', () => {
    const closed: string[] = [];
    const a = new Attempt<string>((s) => closed.push(s));
    assert.equal(a.track('tcp'), 'tcp');
    a.track('tls'); // the TLS socket replaces the TCP one
    a.abort();
    assert.deepEqual(closed, ['tls']);
    a.track('late');
    assert.deepEqual(closed, ['tls', 'late']);
  });
});

describe('PEM helpers and unsupported options', () => {
  it('turns bytes into PEM text and a CA option into a list', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    assert.equal(pemText(pem), pem);
    assert.equal(pemText(new TextEncoder().encode(pem)), pem);
    assert.equal(pemList(undefined), undefined);
    assert.deepEqual(pemList(pem), [pem]);
    assert.deepEqual(pemList([pem, new TextEncoder().encode(pem)]), [pem, pem]);
  });

  it('an option a runtime cannot honour is a ConnectionError with a stable code', () => {
    const e = unsupported('workerd', 'a unix socket path');
    assert.ok(e instanceof ConnectionError);
    assert.equal(e.code, ErrorCodes.PLATFORM_UNSUPPORTED);
    assert.equal(e.message, 'a unix socket path is not supported on workerd');
  });
});
