/**
 * Faults a real server will not produce on demand (scripted server) and a real
 * server killed and restarted under load. What must hold: nothing is lost
 * silently and no reply ever reaches the wrong caller.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  BusyLoadingError,
  ConnectionError,
  DataError,
  ExponentialBackoff,
  ExponentialWithJitterBackoff,
  InvalidResponse,
  Redis,
  Retry,
} from '../src/index.js';
import { runModule } from './support/child.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { RawClient } from './support/raw-client.js';
import { refusedPort, sleep, startRedis } from './support/redis-server.js';
import { HELLO3, startScriptedServer } from './support/scripted-server.js';

const fastRetry = (retries = 3): Retry =>
  new Retry({ retries, backoff: new ExponentialBackoff({ base: 5, cap: 20 }) });

describe('scripted faults', () => {
  it('retries -LOADING with backoff until the server is ready', async () => {
    let loading = 2;
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'get')
        return loading-- > 0 ? '-LOADING Redis is loading the dataset in memory\r\n' : '$5\r\nready\r\n';
      return '-ERR unexpected\r\n';
    });
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    try {
      assert.equal(await r.get('k'), 'ready');
      assert.equal(srv.received.filter((c) => c[0] === 'get').length, 3);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('gives up on -LOADING with BusyLoadingError when retries are spent', async () => {
    const srv = await startScriptedServer((cmd) =>
      cmd[0] === 'hello' ? HELLO3 : '-LOADING Redis is loading the dataset in memory\r\n',
    );
    const r = new Redis({ port: srv.port, retry: fastRetry(1) });
    try {
      const err = await r.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof BusyLoadingError, String(err));
      assert.ok(err instanceof ConnectionError);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('fails the malformed reply with InvalidResponse, the rest in flight with ConnectionError, then reconnects', async () => {
    let sockets = 0;
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') {
        sockets++;
        return HELLO3;
      }
      if (cmd[0] === 'echo' && cmd[1] === 'bad') return '$abc\r\n';
      if (cmd[0] === 'echo') return `$${Buffer.byteLength(cmd[1] ?? '')}\r\n${cmd[1]}\r\n`;
      return null; // never answered: must not be answered by anyone else's reply either
    });
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    try {
      await r.connect();
      const bad = r.echo('bad');
      const incr = r.incr('n'); // not safe to repeat: must fail, not be resent
      const results = await Promise.allSettled([bad, incr]);
      assert.equal(results[0].status, 'rejected');
      assert.ok(results[0].reason instanceof InvalidResponse);
      assert.equal(results[1].status, 'rejected');
      const other = results[1].reason as Error;
      assert.ok(other instanceof ConnectionError && !(other instanceof InvalidResponse), String(other));
      assert.equal(await r.echo('fine'), 'fine');
      assert.equal(sockets, 2);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('a RESP3 push nested in a reply fails that command with InvalidResponse, not handed to it as part of its value', async () => {
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'lrange') return '*2\r\n$1\r\na\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n';
      if (cmd[0] === 'echo') return `$${Buffer.byteLength(cmd[1] ?? '')}\r\n${cmd[1]}\r\n`;
      return ':1\r\n';
    });
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    r.on('error', () => undefined);
    try {
      await r.connect();
      const [bad, incr] = await Promise.allSettled([r.lrange('l', 0, -1), r.incr('n')]);
      assert.equal(bad.status, 'rejected');
      assert.ok(bad.reason instanceof InvalidResponse, String(bad.reason));
      assert.match(bad.reason.message, /push inside an aggregate/);
      assert.equal(incr.status, 'rejected');
      assert.ok(incr.reason instanceof ConnectionError, String(incr.reason));
      assert.equal(await r.echo('fine'), 'fine');
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('multi(): an EXEC reply that is not one result per queued command is a DataError, not a TypeError', async () => {
    let exec = '';
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'multi') return '+OK\r\n';
      if (cmd[0] === 'exec') return exec;
      if (cmd[0] === 'get' && cmd[1] === 'after') return '$2\r\nok\r\n';
      return '+QUEUED\r\n';
    });
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    try {
      for (exec of ['+OK\r\n', ':3\r\n', '*1\r\n:1\r\n', '*3\r\n:1\r\n:2\r\n:3\r\n']) {
        const err: unknown = await r
          .multi()
          .get('a')
          .get('b')
          .exec()
          .then(
            (v) => v,
            (e: unknown) => e,
          );
        assert.ok(err instanceof DataError, `${JSON.stringify(exec)}: ${String(err)}`);
        assert.equal(err.code, 'ERR_WREDIS_UNEXPECTED_REPLY');
        assert.equal(await r.get('after'), 'ok');
      }
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('resumes a reply delivered in pieces', async () => {
    const value = 'x'.repeat(70_000) + '\r\n\0' + 'y'.repeat(10);
    const wire = Buffer.from(`$${Buffer.byteLength(value)}\r\n${value}\r\n`);
    const cuts = [1, 3, 7, 40_000, 70_001, wire.length];
    const srv2 = await startScriptedServer(async (cmd, socket) => {
      if (cmd[0] === 'hello') return HELLO3;
      let at = 0;
      for (const cut of cuts) {
        socket.write(wire.subarray(at, cut));
        at = cut;
        await new Promise((res) => setTimeout(res, 5));
      }
      return null;
    });
    const r = new Redis({ port: srv2.port });
    try {
      assert.equal(await r.get('big'), value);
    } finally {
      r.disconnect();
      await srv2.close();
    }
  });

  it('a reply cut by a dropped socket: unsafe commands fail, safe ones are resent', async () => {
    let first = true;
    const srv = await startScriptedServer(async (cmd, socket) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (first) {
        first = false;
        socket.write('$10\r\nhal');
        await new Promise((res) => setTimeout(res, 10));
        return 'destroy';
      }
      if (cmd[0] === 'get') return '$2\r\nok\r\n';
      if (cmd[0] === 'incr') return ':1\r\n';
      return null;
    });
    const r = new Redis({ port: srv.port, retry: fastRetry() });
    try {
      await r.connect();
      const get = r.get('k'); // read-only: resent after reconnect
      const incr = r.incr('n'); // may have run: fails
      const [g, i] = await Promise.allSettled([get, incr]);
      assert.deepEqual(g, { status: 'fulfilled', value: 'ok' });
      assert.equal(i.status, 'rejected');
      assert.ok(i.reason instanceof ConnectionError);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('a HELLO 3 answered with another protocol (or not with a map) fails the set-up with InvalidResponse, not parsed as RESP3', async () => {
    // A RESP2-only proxy passing HELLO on, one answering in RESP3 but naming protocol 2, one answering +OK.
    const answers: Array<[string, string, RegExp]> = [
      [
        'RESP2 array',
        '*6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:2\r\n',
        /HELLO 3 with protocol 2/,
      ],
      ['RESP3 map naming 2', HELLO3.replace('proto\r\n:3', 'proto\r\n:2'), /HELLO 3 with protocol 2/],
      ['+OK', '+OK\r\n', /HELLO 3 with a reply that is not a map/],
    ];
    for (const [what, hello, message] of answers) {
      const srv = await startScriptedServer((cmd) => (cmd[0] === 'hello' ? hello : '$1\r\nv\r\n'));
      const r = new Redis({ port: srv.port, lazyConnect: true, retry: fastRetry() });
      const events: Error[] = [];
      r.on('error', (e: Error) => events.push(e));
      try {
        await assert.rejects(r.connect(), (e: unknown) => {
          assert.ok(e instanceof InvalidResponse, `${what}: ${String(e)}`);
          assert.equal(e.code, 'ERR_WREDIS_PROTOCOL');
          assert.match(e.message, message);
          return true;
        });
        assert.ok(events[0] instanceof InvalidResponse, what);
        // A reconnect gets the same answer: commands fail at once instead of waiting offline.
        await assert.rejects(r.get('k'), (e: unknown) => {
          assert.ok(e instanceof ConnectionError, `${what}: ${String(e)}`);
          assert.ok(e.cause instanceof InvalidResponse, what);
          assert.match(e.message, message);
          return true;
        });
        assert.deepEqual(new Set(srv.received.map((c) => c[0])), new Set(['hello']), what);
      } finally {
        r.disconnect();
        await srv.close();
      }
    }
  });
});

describe('real server restarted under load', () => {
  it('every command gets its own reply or a ConnectionError; none is lost', async () => {
    const server = await startRedis();
    const port = server.port;
    const r = new Redis({
      port,
      retry: new Retry({ retries: 20, backoff: new ExponentialBackoff({ base: 10, cap: 100 }) }),
    });
    await r.connect();
    const total = 3000;
    let ok = 0;
    let failed = 0;
    let wrong = 0;
    const pending: Array<Promise<void>> = [];
    let restarted: Promise<void> | undefined;
    let restartedServer: Awaited<ReturnType<typeof startRedis>> | undefined;
    const deadline = Date.now() + 20_000;
    for (let i = 0; i < total && Date.now() < deadline; i++) {
      const payload = `p${i}`;
      const cmd =
        i % 3 === 0 ? r.incr(`n${i}`).then((v) => (v === 1 ? payload : `bad${String(v)}`)) : r.echo(payload);
      pending.push(
        cmd.then(
          (v) => {
            if (v === payload) ok++;
            else wrong++;
          },
          (e: unknown) => {
            if (e instanceof ConnectionError) failed++;
            else wrong++;
          },
        ),
      );
      if (i === 1000) {
        restarted = (async () => {
          await server.kill();
          await startRedis({ port }).then((s) => {
            restartedServer = s;
          });
        })();
      }
      if (i % 100 === 0) await new Promise((res) => setImmediate(res));
    }
    await restarted;
    await Promise.all(pending);
    r.disconnect();
    await restartedServer?.stop();
    await server.stop();
    assert.equal(wrong, 0);
    assert.equal(ok + failed, pending.length);
    assert.ok(ok > 0);
  });
});

describe('-BUSY from a real server (a script past busy-reply-threshold)', () => {
  it('commands refused with -BUSY never run out of the order they were issued', async () => {
    const server = await startRedis({ args: ['--save', '', '--busy-reply-threshold', '10'] });
    const admin = await server.client();
    const looper = await RawClient.connect({ ...server.connectOptions(), timeoutMs: 60_000 });
    // Jittered backoff, as by default; a budget far beyond the script's run.
    const retry = new Retry({
      retries: 200,
      backoff: new ExponentialWithJitterBackoff({ base: 8, cap: 32 }),
    });
    const r = new Redis({ port: server.port, retry });
    try {
      const script = looper
        .command('EVAL', 'local i = 0 while true do i = i + 1 end', '0')
        .catch((e: unknown) => e);
      await sleep(50); // past busy-reply-threshold: the server answers -BUSY
      const n = 20;
      const sets = Array.from({ length: n }, (_, i) => r.set('busy:k', String(i + 1)));
      const pushes = Array.from({ length: n }, (_, i) => r.rpush('busy:list', String(i + 1)));
      const incrs = Array.from({ length: n }, () => r.incr('busy:count'));
      await sleep(30); // refused, retried and refused again
      assert.equal(await admin.command('SCRIPT', 'KILL'), 'OK');
      const outcomes = await Promise.allSettled([...sets, ...pushes, ...incrs]);
      await script;
      // Acknowledged or rejected with the refusal (it did not run); never anything else.
      const ran = outcomes.map((o) => o.status === 'fulfilled');
      for (const o of outcomes)
        if (o.status === 'rejected')
          assert.equal((o.reason as { code?: string }).code, 'BUSY', String(o.reason));
      // What ran, ran in issue order: the last SET acknowledged is the value; the list and the
      // counter follow the acknowledged commands in order. Which ran depends on where SCRIPT KILL
      // fell: the server may refuse the start of a round and run the rest (then the refused ones,
      // overtaken, reject with -BUSY), so no SET at all may have run, only later commands.
      assert.ok(ran.includes(true), 'the retries outlived the script');
      const lastSet = ran.slice(0, n).lastIndexOf(true);
      assert.equal(await r.get('busy:k'), lastSet >= 0 ? String(lastSet + 1) : null);
      assert.deepEqual(
        await r.lrange('busy:list', 0, -1),
        Array.from({ length: n }, (_, i) => String(i + 1)).filter((_, i) => ran[n + i]),
      );
      const counts = outcomes.slice(2 * n).flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      assert.deepEqual(
        counts,
        Array.from({ length: counts.length }, (_, i) => i + 1),
      );
      const errors = await admin.command('INFO', 'errorstats');
      assert.match(String(errors), /errorstat_BUSY:count=\d+/, 'the server did answer -BUSY');
    } finally {
      r.disconnect();
      looper.close();
      admin.close();
      await server.stop();
    }
  });
});

describe('connect timeout', () => {
  it('covers the handshake: a server that accepts but never answers fails connect() with TimeoutError', async () => {
    const srv = await startScriptedServer(() => null);
    const r = new Redis({ port: srv.port, connectTimeout: 200, lazyConnect: true });
    try {
      const { TimeoutError } = await import('../src/index.js');
      await assert.rejects(r.connect(), TimeoutError);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });
});

describe('a real server at maxclients', () => {
  it('protocol: 2 without AUTH (no set-up round trip): reconnects back off and maxReconnectAttempts ends the client', async () => {
    // The server accepts, says "-ERR max number of clients reached" and closes. With nothing to
    // set up, each such socket was taken for a working connection: 'ready', then a 0 ms
    // reconnect, hundreds a second, for good; maxReconnectAttempts never ended it.
    const server = await startRedis({ args: ['--maxclients', '1'] });
    const hog = await RawClient.connect({ port: server.port });
    const r = new Redis({
      port: server.port,
      protocol: 2,
      maxReconnectAttempts: 3,
      retry: fastRetry(),
      lazyConnect: true,
    });
    try {
      assert.equal(await hog.command('PING'), 'PONG');
      let ready = 0;
      const delays: number[] = [];
      r.on('error', () => undefined);
      r.on('ready', () => ready++);
      r.on('reconnecting', (d) => delays.push(d));
      const ended = new Promise<boolean>((resolve) => {
        r.once('end', () => resolve(true));
        // Bounded: still reconnecting after 10 s is the loop this test is about.
        setTimeout(() => resolve(false), 10_000).unref();
      });
      await assert.rejects(r.get('k'), /max number of clients reached/);
      assert.equal(await ended, true, `not ended: ${ready} 'ready', ${delays.length} reconnects`);
      assert.equal(r.status, 'closed');
      assert.ok(ready <= 4, `${ready} 'ready' events`);
      assert.equal(delays.length, 3);
      assert.ok(
        delays.every((d) => d > 0),
        `reconnect delays ${delays.join(', ')}`,
      );
    } finally {
      r.disconnect();
      hog.close();
      await server.stop();
    }
  });

  it('a healthy server that drops idle clients (timeout 1), protocol: 2 without AUTH: the idle drops spend no reconnect attempts', async () => {
    // Nothing goes over such a socket, so the server never answers on it: each idle drop was
    // taken for a failed attempt, and the client gave up (closed, 'end') after
    // maxReconnectAttempts idle periods although the server worked all along.
    const server = await startRedis({ args: ['--timeout', '1'] });
    const r = new Redis({ port: server.port, protocol: 2, maxReconnectAttempts: 1, retry: fastRetry() });
    try {
      let closes = 0;
      let ended = false;
      r.on('error', () => undefined);
      const dropped = new Promise<void>((resolve) => {
        r.on('end', () => {
          ended = true;
          resolve();
        });
        r.on('close', () => {
          if (++closes === 3) resolve();
        });
        // Bounded: the server's timeout check drops an idle client within about 2 s.
        setTimeout(resolve, 15_000).unref();
      });
      await r.connect();
      await dropped;
      assert.equal(ended, false, `the client gave up on a working server after ${closes} idle drops`);
      assert.equal(closes >= 3, true, `${closes} idle drops seen`);
      assert.equal(await r.set('k', 'v'), 'OK');
      assert.equal(await r.get('k'), 'v');
    } finally {
      r.disconnect();
      await server.stop();
    }
  });
});

describe('closed while connecting', () => {
  it('disconnect() or close() during a connect the server never answers: connect() rejects and the process exits', async () => {
    // A SYN the server never answers: a stopped server whose accept queue is full (tcp-backlog 1
    // holds two) drops it, as a firewall would. The dial went on after disconnect() until
    // connectTimeout (here 0: the kernel's ~2 min), holding connect() and the process.
    const server = await startRedis({ args: ['--tcp-backlog', '1'] });
    process.kill(server.pid, 'SIGSTOP');
    const fillers = Array.from({ length: 4 }, () =>
      connect(server.port, '127.0.0.1').on('error', () => undefined),
    );
    try {
      const entry = pathToFileURL(new URL('../src/index.ts', import.meta.url).pathname).href;
      for (const end of ['r.disconnect()', 'await r.close()']) {
        const code = `
          import { Redis } from ${JSON.stringify(entry)};
          const r = new Redis({ port: ${server.port}, connectTimeout: 0, lazyConnect: true });
          r.on('error', () => undefined);
          const connecting = r.connect().then(() => 'connected', (e) => e.constructor.name);
          await new Promise((resolve) => setTimeout(resolve, 200));
          ${end};
          console.log(JSON.stringify({ status: r.status, connect: await connecting }));
        `;
        // Bounded: a child still alive after 10 s is the dial this test is about.
        const { exit, stdout } = await runModule(code, 10_000);
        assert.equal(exit, 0, `${end}: the process did not exit by itself (${stdout.trim()})`);
        assert.deepEqual(JSON.parse(stdout), { status: 'closed', connect: 'ConnectionError' });
      }
    } finally {
      for (const f of fillers) f.destroy();
      process.kill(server.pid, 'SIGCONT');
      await server.stop();
    }
  });
});

describe('close() while the connection is not up', () => {
  it('the commands accepted before close() still run; one issued after it rejects and never reaches the server', async () => {
    const server = await startRedis();
    const proxy = await startFaultProxy(server.port);
    const r = new Redis({ host: '127.0.0.1', port: proxy.port, retry: fastRetry(50) });
    r.on('error', () => undefined);
    try {
      await r.set('k', 'before');
      // The link frozen and cut: the client reconnects, and cannot get through until resume().
      proxy.pause();
      proxy.dropAll();
      await sleep(30);
      assert.notEqual(r.status, 'ready');
      const accepted = r.get('k');
      const closing = r.close();
      const late = r.set('k', 'after close()');
      proxy.resume();
      await assert.rejects(late, (e: unknown) => {
        assert.ok(e instanceof ConnectionError, String(e));
        assert.equal(e.code, 'ERR_WREDIS_CONNECTION_CLOSED');
        return true;
      });
      assert.equal(await accepted, 'before');
      await closing;
      assert.equal(r.status, 'closed');
      const raw = await RawClient.connect({ host: server.host, port: server.port });
      assert.equal(await raw.command('GET', 'k'), 'before');
      raw.close();
    } finally {
      r.disconnect();
      await proxy.close();
      await server.stop();
    }
  });
});

describe('close() and commands the client still holds back', () => {
  it('held for the support check (GETDEL under RESP2, or before the handshake) or for the socket (withOptions): accepted before close(), they run; one issued after it rejects unsent', async () => {
    // Such a command is not in the connection's queue yet: close() found nothing waiting and
    // closed, or closed once the fact it waited for arrived, and it rejected "Connection is
    // closed" though issued before close(), with every command held behind it.
    const server = await startRedis();
    const raw = await RawClient.connect({ host: server.host, port: server.port });
    try {
      for (const protocol of [2, 3] as const) {
        for (const connected of [false, true]) {
          const k = `held:${protocol}:${connected}`;
          await raw.command('SET', k, 'v');
          await raw.command('SET', `${k}:p`, 'w');
          const r = new Redis({ port: server.port, protocol, lazyConnect: true });
          r.on('error', () => undefined);
          try {
            if (connected) await r.connect();
            const got = r.getdel(k);
            const behind = r.get(`${k}:none`);
            const viaView = r.withOptions({ timeout: 10_000 }).set(`${k}:view`, 'x');
            const piped = r.pipeline().getdel(`${k}:p`).set(`${k}:p2`, 'y').exec();
            const closing = r.close();
            const late = r.set(`${k}:late`, 'after close()');
            const what = `RESP${protocol}, ${connected ? 'connected' : 'not connected'}`;
            await assert.rejects(late, (e: unknown) => {
              assert.ok(e instanceof ConnectionError, `${what}: ${String(e)}`);
              assert.equal(e.code, 'ERR_WREDIS_CONNECTION_CLOSED');
              return true;
            });
            assert.equal(await got, 'v', what);
            assert.equal(await behind, null, what);
            assert.equal(await viaView, 'OK', what);
            assert.deepEqual(await piped, ['w', 'OK'], what);
            await closing;
            assert.equal(r.status, 'closed');
            assert.equal(await raw.command('EXISTS', k, `${k}:p`, `${k}:late`), 0, what);
            assert.equal(await raw.command('GET', `${k}:view`), 'x', what);
          } finally {
            r.disconnect();
          }
        }
        // Nothing held for the support check: the view's command alone waits for the socket.
        const r = new Redis({ port: server.port, protocol, lazyConnect: true });
        r.on('error', () => undefined);
        try {
          const plain = r.set(`solo:${protocol}`, 'a');
          const viaView = r.withOptions({ timeout: 10_000 }).set(`solo:${protocol}:view`, 'b');
          const closing = r.close();
          assert.equal(await plain, 'OK');
          assert.equal(await viaView, 'OK', `RESP${protocol}: the view's command`);
          await closing;
          assert.equal(await raw.command('GET', `solo:${protocol}:view`), 'b');
        } finally {
          r.disconnect();
        }
      }
    } finally {
      raw.close();
      await server.stop();
    }
  });
});

describe('event listeners that throw', () => {
  /** Runs `code` (ESM) in a child (its uncaught exceptions must not end this test process); resolves its stdout. */
  function runChild(code: string): Promise<{ exit: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (exit) => {
        clearTimeout(timer);
        resolve({ exit, stdout, stderr });
      });
    });
  }

  it("a throwing 'error', 'close' or 'reconnecting' listener neither strands commands nor stops reconnecting; its exception still surfaces", async () => {
    const server = await startRedis();
    const deadPort = await refusedPort();
    const entry = pathToFileURL(new URL('../src/index.ts', import.meta.url).pathname).href;
    const code = `
      import { ExponentialBackoff, Redis, Retry } from ${JSON.stringify(entry)};
      const uncaught = [];
      process.on('uncaughtException', (e) => uncaught.push(e.message));
      // Bounded: 'unsettled' after 5 s is the failure this test is about.
      const settle = (p) => Promise.race([
        p.then((v) => 'ok ' + v, (e) => 'rejected ' + e.constructor.name),
        new Promise((r) => setTimeout(() => r('unsettled'), 5000)),
      ]);
      const out = {};
      const refused = new Redis({
        port: ${deadPort},
        maxReconnectAttempts: 1,
        retry: new Retry({ backoff: new ExponentialBackoff({ base: 5, cap: 20 }) }),
      });
      refused.on('error', () => { throw new Error('error listener'); });
      out.refused = await settle(refused.get('k'));
      refused.disconnect();
      const admin = new Redis({ port: ${server.port} });
      await admin.set('k', 'v');
      for (const event of ['close', 'reconnecting']) {
        const r = new Redis({ port: ${server.port} });
        r.on(event, () => { throw new Error(event + ' listener'); });
        const id = await r.call('CLIENT', 'ID');
        await admin.call('CLIENT', 'KILL', 'ID', String(id));
        out[event] = [await settle(r.get('k')), await settle(r.get('k'))];
        r.disconnect();
      }
      await admin.close();
      out.uncaught = [...new Set(uncaught)].sort();
      console.log(JSON.stringify(out));
      process.exit(0);
    `;
    try {
      const { exit, stdout, stderr } = await runChild(code);
      assert.equal(exit, 0, stderr);
      const out = JSON.parse(stdout) as Record<string, unknown>;
      assert.equal(out['refused'], 'rejected ConnectionError');
      assert.deepEqual(out['close'], ['ok v', 'ok v']);
      assert.deepEqual(out['reconnecting'], ['ok v', 'ok v']);
      assert.deepEqual(out['uncaught'], ['close listener', 'error listener', 'reconnecting listener']);
    } finally {
      await server.stop();
    }
  });
});

describe('a frozen server and the write buffer', () => {
  it('commands written while the socket still holds earlier ones reach the server intact (SIGSTOP, 48 MB, then 3 × 12 MB)', async () => {
    const server = await startRedis({ args: ['--save', '', '--appendonly', 'no'] });
    const r = new Redis({ port: server.port });
    // 8,000 bytes: below the size sent as its own chunk, so every value is encoded into the slabs.
    const value = (i: number): string => `${i}|`.repeat(2000).slice(0, 8000);
    const N = 6000;
    let frozen = false;
    try {
      await r.ping();
      process.kill(server.pid, 'SIGSTOP');
      frozen = true;
      // More than the kernel's buffers take (send 4 MiB, receive up to 32 MiB here): the rest stays
      // in the socket, referencing the slabs, while the next ticks encode more commands.
      const sets: Array<Promise<unknown>> = [];
      for (let i = 0; i < N; i++) sets.push(r.set(`w:${i}`, value(i)));
      for (let wave = 1; wave < 4; wave++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (let i = wave * N; i < (wave + 1) * N; i += 4) sets.push(r.set(`w:${i}`, value(i)));
      }
      process.kill(server.pid, 'SIGCONT');
      frozen = false;
      const replies = await Promise.all(sets);
      assert.equal(replies.filter((v) => v === 'OK').length, sets.length);
      // Every value checked on the server, against the one its key was written with.
      const bad = await r.eval(
        `local bad = 0
         for _, k in ipairs(KEYS) do
           local i = string.sub(k, 3)
           if redis.call('GET', k) ~= string.sub(string.rep(i .. '|', 2000), 1, 8000) then bad = bad + 1 end
         end
         return bad`,
        {
          keys: [
            ...Array.from({ length: N }, (_, i) => `w:${i}`),
            ...Array.from({ length: (3 * N) / 4 }, (_, j) => `w:${N + 4 * j}`),
          ],
        },
      );
      assert.equal(bad, 0);
    } finally {
      if (frozen) process.kill(server.pid, 'SIGCONT');
      r.disconnect();
      await server.stop();
    }
  });
});
