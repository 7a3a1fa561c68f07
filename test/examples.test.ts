/**
 * The error handling examples (examples/*.ts) run as real programs, the way a user runs
 * them: `node --import tsx examples/<name>.ts` with REDIS_URL pointing at a throwaway
 * server, at a port nothing listens on, at a frozen server (SIGSTOP) or at a server that
 * only comes up while the program is already retrying. What is checked: exit codes, the
 * summary lines, the state left on the server, and that no password is ever printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort, refusedPort, startRedis, type RedisServerHandle } from './support/redis-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Upper bound for one example run (tsx start-up included); the slowest run needs about 8 s. */
const RUN_TIMEOUT_MS = 45_000;

interface RunResult {
  /** Exit code, or null when killed (the bound was hit). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr lines in arrival order. */
  lines: string[];
}

interface RunOptions {
  args?: string[];
  /** Called with each complete output line as it arrives. */
  onLine?: (line: string) => void;
}

/** Runs an example to completion (bounded by RUN_TIMEOUT_MS, then SIGKILL). */
function runExample(name: string, url: string, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: url };
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', `examples/${name}.ts`, ...(options.args ?? [])],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    const lines: string[] = [];
    const partial = { out: '', err: '' };
    const take = (which: 'out' | 'err', chunk: string): void => {
      const parts = (partial[which] + chunk).split('\n');
      partial[which] = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        options.onLine?.(line);
      }
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      take('out', c);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      take('err', c);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const rest of [partial.out, partial.err]) if (rest !== '') lines.push(rest);
      resolve({ code, stdout, stderr, lines });
    });
  });
}

/** A readable failure message: what the program printed. */
function shown(r: RunResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

function assertLine(r: RunResult, expected: string | RegExp): void {
  const hit = r.lines.some((l) => (typeof expected === 'string' ? l === expected : expected.test(l)));
  assert.ok(hit, `no line ${String(expected)} in output:\n${shown(r)}`);
}

const url = (port: number, password?: string): string =>
  password === undefined
    ? `redis://127.0.0.1:${port}`
    : `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`;

const PASSWORD = 'examples-s3cret-Pa55';

describe('error handling examples', { timeout: 240_000, concurrency: 2 }, () => {
  let server: RedisServerHandle;
  let secured: RedisServerHandle;
  /** A loopback port nothing listens on. */
  let down: number;

  before(async () => {
    [server, secured, down] = await Promise.all([
      startRedis(),
      startRedis({ requirepass: PASSWORD }),
      refusedPort(),
    ]);
  });
  after(async () => {
    await Promise.all([server?.stop(), secured?.stop()]);
  });

  describe('fail-fast', () => {
    it('does its job and exits 0 when Redis is up', async () => {
      const r = await runExample('fail-fast', url(server.port));
      assert.equal(r.code, 0, shown(r));
      assertLine(r, 'fail-fast: ok, greeting=hello');
    });

    it('exits 1 naming ResponseError when a command is refused (a bug)', async () => {
      const r = await runExample('fail-fast', url(server.port), { args: ['--bug'] });
      assert.equal(r.code, 1, shown(r));
      assertLine(r, /^fail-fast: ResponseError: ERR value is not an integer/);
      assert.ok(!r.stdout.includes('fail-fast: ok'), shown(r));
    });

    it('exits 1 naming ConnectionError when Redis is unreachable', async () => {
      const r = await runExample('fail-fast', url(down));
      assert.equal(r.code, 1, shown(r));
      assertLine(r, /^fail-fast: ConnectionError: connect to 127\.0\.0\.1:\d+ failed/);
    });
  });

  describe('graceful-degradation', () => {
    it('serves from the cache once it is filled', async () => {
      const r = await runExample('graceful-degradation', url(server.port));
      assert.equal(r.code, 0, shown(r));
      assertLine(r, 'graceful-degradation: 6 requests served, total=1000 (cache=3 source=3 fallback=0)');
      assert.ok(!r.stdout.includes('cache unavailable'), shown(r));
    });

    it('falls back to the source of truth when Redis is down (ConnectionError), still exiting 0', async () => {
      const r = await runExample('graceful-degradation', url(down));
      assert.equal(r.code, 0, shown(r));
      assertLine(r, 'graceful-degradation: cache unavailable (ConnectionError), serving from the source');
      assertLine(r, 'graceful-degradation: 6 requests served, total=1000 (cache=0 source=0 fallback=6)');
    });

    it('falls back when Redis accepts connections but does not answer (TimeoutError)', async () => {
      const frozen = await startRedis();
      try {
        // A stopped process: the kernel still accepts the TCP connection, nothing replies.
        process.kill(frozen.pid, 'SIGSTOP');
        const r = await runExample('graceful-degradation', url(frozen.port));
        assert.equal(r.code, 0, shown(r));
        assertLine(r, 'graceful-degradation: cache unavailable (TimeoutError), serving from the source');
        assertLine(r, 'graceful-degradation: 6 requests served, total=1000 (cache=0 source=0 fallback=6)');
      } finally {
        process.kill(frozen.pid, 'SIGCONT');
        await frozen.stop();
      }
    });
  });

  describe('retry-with-backoff', () => {
    it('succeeds at the first attempt when Redis is up', async () => {
      const r = await runExample('retry-with-backoff', url(server.port));
      assert.equal(r.code, 0, shown(r));
      assertLine(r, 'retry-with-backoff: ok after 1 attempt(s), status=ready');
      assert.ok(!r.stdout.includes('failed'), shown(r));
    });

    it('retries 8 times with backoff, then gives up with exit 1 when Redis stays down', async () => {
      const r = await runExample('retry-with-backoff', url(down));
      assert.equal(r.code, 1, shown(r));
      for (let n = 1; n <= 8; n++)
        assertLine(
          r,
          new RegExp(`^retry-with-backoff: attempt ${n} failed \\(ConnectionError\\), retrying in \\d+ ms$`),
        );
      assert.ok(!r.lines.some((l) => l.includes('attempt 9 failed')), shown(r));
      assertLine(r, 'retry-with-backoff: gave up after 9 attempts (ConnectionError)');
    });

    it('recovers when the server comes up while it is retrying', async () => {
      const port = await freePort();
      let late: Promise<RedisServerHandle> | undefined;
      const r = await runExample('retry-with-backoff', url(port), {
        // Started only once the program has failed and is waiting: no race decides the outcome.
        onLine: (line) => {
          if (late === undefined && line.startsWith('retry-with-backoff: attempt 1 failed'))
            late = startRedis({ port });
        },
      });
      const lateServer = await late;
      try {
        assert.ok(lateServer !== undefined, `the program never reported a failed attempt:\n${shown(r)}`);
        assert.equal(r.code, 0, shown(r));
        const ok = r.lines
          .map((l) => /^retry-with-backoff: ok after (\d+) attempt\(s\), status=ready$/.exec(l))
          .find((m) => m !== null);
        assert.ok(ok, shown(r));
        assert.ok(Number(ok[1]) >= 2, shown(r));
        assert.equal(await lateServer.command('GET', 'example:retry-with-backoff:status'), 'ready');
      } finally {
        await lateServer?.stop();
      }
    });
  });

  describe('log-and-continue', () => {
    it('logs the failed items, finishes the batch and reports the counts', async () => {
      const r = await runExample('log-and-continue', url(server.port));
      assert.equal(r.code, 0, shown(r));
      assertLine(
        r,
        'log-and-continue: 8 operations, 6 succeeded, 2 failed (ResponseError/WRONGTYPE=1 ResponseError/ERR=1)',
      );
      const warnings = r.lines
        .filter((l) => l.startsWith('log-and-continue: warn '))
        .map((l) => JSON.parse(l.slice('log-and-continue: warn '.length)) as Record<string, unknown>);
      assert.deepEqual(warnings, [
        {
          op: 'INCR',
          key: 'example:log-and-continue:views:about',
          error: 'ResponseError',
          code: 'WRONGTYPE',
        },
        { op: 'INCR', key: 'example:log-and-continue:views:faq', error: 'ResponseError', code: 'ERR' },
      ]);
      // The items after the failures did run.
      assert.equal(await server.command('GET', 'example:log-and-continue:views:home'), '11');
      assert.equal(await server.command('GET', 'example:log-and-continue:views:blog'), '1');
      // Values never reach the log.
      assert.ok(
        !r.stdout.includes('n/a') && !r.stderr.includes('n/a') && !r.stderr.includes('visitor'),
        shown(r),
      );
    });

    it('with Redis down, logs every item as ConnectionError and still completes with exit 0', async () => {
      const r = await runExample('log-and-continue', url(down));
      assert.equal(r.code, 0, shown(r));
      assertLine(r, 'log-and-continue: 8 operations, 0 succeeded, 8 failed (ConnectionError=8)');
      assert.equal(
        r.lines.filter(
          (l) => l.startsWith('log-and-continue: warn ') && l.includes('"error":"ConnectionError"'),
        ).length,
        8,
        shown(r),
      );
    });
  });

  describe('passwords', () => {
    const examples = ['fail-fast', 'graceful-degradation', 'retry-with-backoff', 'log-and-continue'];

    it('every example works with a password in REDIS_URL', async () => {
      for (const name of examples) {
        const r = await runExample(name, url(secured.port, PASSWORD));
        assert.equal(r.code, 0, shown(r));
        assert.ok(!r.stdout.includes(PASSWORD) && !r.stderr.includes(PASSWORD), shown(r));
      }
    });

    it('no example prints the password when the server is down or the password is wrong', async () => {
      const wrong = 'wrong-examples-Pa55';
      for (const name of ['fail-fast', 'log-and-continue']) {
        for (const [target, password] of [
          [down, PASSWORD],
          [secured.port, wrong],
        ] as const) {
          const r = await runExample(name, url(target, password));
          assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), shown(r));
          if (name === 'fail-fast') {
            assert.equal(r.code, 1, shown(r));
            assertLine(
              r,
              target === down
                ? /^fail-fast: ConnectionError: /
                : /^fail-fast: AuthenticationFailureError: WRONGPASS/,
            );
          }
        }
      }
    });
  });
});
