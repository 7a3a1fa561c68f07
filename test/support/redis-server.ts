/**
 * Starts throwaway redis-server processes on free loopback ports for tests and
 * benchmarks, and stops them by PID. Never touches the machine's own 6379.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  /** Extra `--name value` arguments, e.g. `['--requirepass', 'secret']`. */
  args?: string[];
  /** Start as `redis-server --sentinel`. */
  sentinel?: boolean;
  /** Fixed port; a free one is chosen otherwise. */
  port?: number;
}

export interface RedisServerHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period; removes the working directory. */
  stop(): Promise<void>;
  /** SIGKILL at once (a crash), keeping the directory. */
  kill(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (bounded by `timeoutMs`). */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'wredis-test-'));
  const base = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', join(dir, 'redis.log'),
  ];
  const argv = options.sentinel
    ? [join(dir, 'sentinel.conf'), '--sentinel', ...base.filter((_, i) => i < 4), '--dir', dir, '--logfile', join(dir, 'redis.log')]
    : [...base, ...(options.args ?? [])];
  if (options.sentinel) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'sentinel.conf'), '');
    argv.push(...(options.args ?? []));
  }
  const child = spawn('redis-server', argv, { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('redis-server did not start');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  let stopped = false;
  const handle: RedisServerHandle = {
    host: '127.0.0.1',
    port,
    pid,
    dir,
    process: child,
    async stop() {
      if (!stopped) {
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(pid, 'SIGTERM');
          const t = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
          await exited;
          clearTimeout(t);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
  return handle;
}
