/**
 * Starts throwaway redis-server processes on free loopback ports for tests and
 * benchmarks, and stops them by PID. Never touches the machine's own 6379.
 *
 * Robustness measures, each for a failure seen in practice:
 * - a chosen free port can be taken before redis binds it (other test files run in parallel):
 *   a failed listen is detected from the exit + log and retried on new ports;
 * - "accepts TCP" is not "ready" and may even be another process's server on a recycled port:
 *   readiness is a RESP round trip whose `INFO server` process_id must be our child's PID;
 * - a test process that crashes or forgets `stop()` must not leak servers: children are spawned
 *   with a parent-death signal (setpriv, Linux) and SIGKILLed from a `process.on('exit')` hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { RawClient, parseInfo, type RawClientOptions, type RespArg, type RespValue } from './raw-client.js';

/** An ACL user created with `ACL SETUSER` once the server is up (and again after a restart). */
export interface AclUser {
  name: string;
  /** `nopass` when absent. */
  password?: string;
  /** ACL rules after `reset on >password`; default `['~*', '&*', '+@all']`. */
  rules?: string[];
}

/** TLS files for the server plus what the harness itself needs to reach it. */
export interface ServerTlsConfig {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** `--tls-auth-clients`; default `'no'`. */
  authClients?: 'no' | 'optional' | 'yes';
  /** node:tls options for a client of this server (CA, servername, client cert when needed). */
  client: TlsConnectionOptions;
}

export interface RedisServerOptions {
  /** Extra `--name value` arguments, e.g. `['--maxmemory', '10mb']`. */
  args?: string[];
  /** Config file lines (written to a writable file in the server's directory, passed first). */
  config?: string[];
  /** Start as `redis-server <conf> --sentinel`. */
  sentinel?: boolean;
  /** Fixed port (no retry on a taken port); a free one is chosen otherwise. */
  port?: number;
  /** Also listen on `<dir>/redis.sock` (returned as `socketPath`). */
  unixSocket?: boolean;
  /** Sets the default user's password; the harness authenticates with it. */
  requirepass?: string;
  /** Users created after start. */
  users?: AclUser[];
  /** Serve TLS on the chosen port and disable the plaintext one. See `tls.ts`. */
  tls?: ServerTlsConfig;
  /** Reserve a second free port and pass it as `--cluster-port`. */
  clusterBus?: boolean;
  /** Startup attempts with fresh ports when the port turns out to be taken. Default 5. */
  maxAttempts?: number;
  /** Time for one attempt to answer PING. Default 10000 ms. */
  startTimeoutMs?: number;
  /** Where candidate ports come from; default {@link freePort}. For testing the retry. */
  portSource?: () => Promise<number>;
}

export interface RedisServerHandle {
  readonly host: '127.0.0.1';
  /** The port clients use (the TLS port when `tls` is set). */
  readonly port: number;
  /** Current PID (changes on `restart()`). */
  readonly pid: number;
  readonly dir: string;
  readonly process: ChildProcess;
  /** Unix socket path when `unixSocket` was set. */
  readonly socketPath: string | undefined;
  /** Cluster bus port when `clusterBus` was set. */
  readonly clusterPort: number | undefined;
  /** File holding the server's stdout/stderr log. */
  readonly logFile: string;
  /** Client TLS options (CA, servername, client cert) when the server speaks TLS. */
  readonly tls: TlsConnectionOptions | undefined;
  /** The default user's password, if any. */
  readonly password: string | undefined;
  /** True while the process runs. */
  readonly alive: boolean;
  /** SIGTERM, then SIGKILL after a grace period; removes the working directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL at once (a crash), keeping the directory so `restart()` can bring it back. */
  kill(): Promise<void>;
  /** Stops (SIGTERM) if running, then starts again on the same port and directory. */
  restart(): Promise<void>;
  /** Options for a RawClient connected as the harness (default user, TLS if any). */
  connectOptions(): RawClientOptions;
  /** A new authenticated RawClient; close it when done. */
  client(): Promise<RawClient>;
  /** Runs one command on a fresh connection. */
  command(...args: RespArg[]): Promise<RespValue>;
  /** The last lines of the server log. */
  logTail(lines?: number): string;
}

// ---------------------------------------------------------------------------------------------
// Process-wide registry: every live child, killed if this process exits without stopping it.

const live = new Map<number, ChildProcess>();
/** Working directories not yet removed by `stop()`; removed at exit too. */
const dirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  if (SETPRIV === undefined) {
    // Without a parent-death signal a signal-killed test would orphan its servers.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        for (const pid of live.keys()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      });
    }
  }
}

/** PIDs of servers started by this process that have not exited yet. */
export function livePids(): number[] {
  return [...live.keys()];
}

/** True when a process with this PID exists (zombies count as gone for our children). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie answers kill(0); /proc tells the truth on Linux.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return true;
  }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

// ---------------------------------------------------------------------------------------------
// Ports

const handedOut = new Set<number>();

/**
 * A loopback port nobody listens on right now, not handed out before by this process
 * (so servers started in parallel do not pick the same one).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr !== null ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 0 && port !== 6379 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port found in 50 attempts');
}

let refused: Promise<number> | undefined;

/**
 * A loopback port that refuses connections for the whole run, for tests of a node that is down.
 * A port from `freePort()` is free only when asked: the test files run in parallel, and a server
 * another one starts meanwhile may be handed the same port by the kernel (listen(0) draws from
 * the ephemeral range), so the "dead" node answered. No server of the suite is ever given a port
 * below 1024 (each gets one from listen(0)), so the first of those found refusing stays so.
 */
export function refusedPort(): Promise<number> {
  refused ??= (async () => {
    for (let port = 1; port < 1024; port++) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port }, () => {
          s.destroy();
          resolve('accepted');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      if (outcome === 'ECONNREFUSED') return port;
    }
    throw new Error('no loopback port below 1024 refuses connections');
  })();
  return refused;
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
    await sleep(20);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `probe` until it resolves `undefined` (done); a string or a thrown error means "not
 * yet, because ...". Bounded by `timeoutMs` and by a count; the error names the last reason.
 */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  probe: () => Promise<string | undefined>,
  maxIntervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not checked';
  for (let i = 0; i < 10_000; i++) {
    try {
      const why = await probe();
      if (why === undefined) return;
      last = why;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) break;
    await sleep(Math.min(10 + i * 10, maxIntervalMs));
  }
  throw new Error(`${what}: not reached after ${timeoutMs} ms (${last})`);
}

/** Error from a server that could not be started; `logTail` holds the end of its log. */
export class RedisStartError extends Error {
  override name = 'RedisStartError';
  constructor(
    message: string,
    readonly logTail: string,
    readonly portTaken: boolean,
  ) {
    super(logTail === '' ? message : `${message}\n--- log tail ---\n${logTail}`);
  }
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const PORT_TAKEN =
  /Address already in use|Could not create server TCP listening socket|Failed listening on port/;

// ---------------------------------------------------------------------------------------------
// Server

interface Ports {
  port: number;
  clusterPort: number | undefined;
}

class Server implements RedisServerHandle {
  readonly host = '127.0.0.1' as const;
  readonly socketPath: string | undefined;
  readonly logFile: string;
  readonly tls: TlsConnectionOptions | undefined;
  readonly password: string | undefined;
  private child!: ChildProcess;
  private exited!: Promise<void>;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly options: RedisServerOptions,
    readonly dir: string,
    private readonly ports: Ports,
  ) {
    this.socketPath = options.unixSocket === true ? join(dir, 'redis.sock') : undefined;
    this.logFile = join(dir, 'redis.log');
    this.tls = options.tls?.client;
    const args = options.args ?? [];
    const argPass = args.indexOf('--requirepass');
    this.password =
      options.users?.find((u) => u.name === 'default')?.password ??
      options.requirepass ??
      (argPass >= 0 ? args[argPass + 1] : undefined);
  }

  get port(): number {
    return this.ports.port;
  }
  get clusterPort(): number | undefined {
    return this.ports.clusterPort;
  }
  get pid(): number {
    return this.child.pid ?? -1;
  }
  get process(): ChildProcess {
    return this.child;
  }
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  argv(): string[] {
    const o = this.options;
    const conf = join(this.dir, o.sentinel === true ? 'sentinel.conf' : 'redis.conf');
    if (!existsSync(conf)) writeFileSync(conf, (o.config ?? []).map((l) => `${l}\n`).join(''));
    const argv = [conf];
    if (o.sentinel === true) argv.push('--sentinel');
    // No --logfile: the log goes to stdout, which is redirected to logFile.
    argv.push('--bind', '127.0.0.1', '--dir', this.dir, '--daemonize', 'no');
    if (o.tls !== undefined) {
      argv.push(
        '--port',
        '0',
        '--tls-port',
        String(this.port),
        '--tls-cert-file',
        o.tls.certFile,
        '--tls-key-file',
        o.tls.keyFile,
        '--tls-ca-cert-file',
        o.tls.caFile,
        '--tls-auth-clients',
        o.tls.authClients ?? 'no',
      );
    } else {
      argv.push('--port', String(this.port));
    }
    if (o.sentinel !== true) argv.push('--save', '', '--appendonly', 'no');
    if (this.socketPath !== undefined) argv.push('--unixsocket', this.socketPath, '--unixsocketperm', '700');
    if (this.ports.clusterPort !== undefined) argv.push('--cluster-port', String(this.ports.clusterPort));
    if (o.requirepass !== undefined) argv.push('--requirepass', o.requirepass);
    argv.push(...(o.args ?? []));
    return argv;
  }

  /** Spawns and waits for a PING answered by this very process; throws RedisStartError. */
  async launch(): Promise<void> {
    installExitHook();
    const out = openSync(this.logFile, 'a');
    const argv = this.argv();
    try {
      this.child =
        SETPRIV !== undefined
          ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', 'redis-server', ...argv], {
              stdio: ['ignore', out, out],
            })
          : spawn('redis-server', argv, { stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    const child = this.child;
    // Forgotten servers must not keep the test process alive; the exit hook kills them.
    child.unref();
    const pid = child.pid;
    if (pid === undefined) {
      await new Promise((r) => child.once('error', r));
      throw new RedisStartError('redis-server could not be spawned', '', false);
    }
    live.set(pid, child);
    this.exited = new Promise<void>((resolve) => {
      const done = () => {
        live.delete(pid);
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once('exit', done);
    });
    try {
      await this.waitReady(pid);
      for (const u of this.options.users ?? []) {
        const rules = u.rules ?? ['~*', '&*', '+@all'];
        const pass = u.password !== undefined ? `>${u.password}` : 'nopass';
        await this.command('ACL', 'SETUSER', u.name, 'reset', 'on', pass, ...rules);
      }
    } catch (e) {
      await this.hardKill();
      const tail = this.logTail(20);
      throw new RedisStartError(
        `redis-server on 127.0.0.1:${this.port} did not start: ${(e as Error).message}`,
        tail,
        PORT_TAKEN.test(tail),
      );
    }
  }

  private async waitReady(pid: number): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    // A probe may hang on a port answered by someone else; the child's exit must win at once.
    const exit = this.exited.then(() => `process exited (${this.child.exitCode ?? this.child.signalCode})`);
    let lastError = 'no answer';
    for (let attempt = 0; attempt < 2000; attempt++) {
      if (!this.alive) throw new Error(await exit);
      if (Date.now() > deadline) throw new Error(`no PING answer after ${timeoutMs} ms (${lastError})`);
      const probe = this.probe(pid);
      probe.catch(() => undefined);
      const outcome = await Promise.race([probe, exit]).catch((e: unknown) => (e as Error).message);
      if (outcome === '') return;
      lastError = outcome;
      await Promise.race([sleep(Math.min(5 + attempt * 5, 50)), exit]);
    }
    throw new Error(`no PING answer (${lastError})`);
  }

  /** '' when this very process answers PING, else why not. */
  private async probe(pid: number): Promise<string> {
    const c = await RawClient.connect({ ...this.connectOptions(), timeoutMs: 1000 });
    try {
      const info = parseInfo(await c.command('INFO', 'server'));
      // Another process's server may listen on a recycled port while ours failed to bind.
      if (Number(info.process_id) !== pid) return `port answered by PID ${info.process_id ?? '?'}`;
      const pong = await c.command('PING');
      return pong === 'PONG' ? '' : `PING answered ${String(pong)}`;
    } finally {
      c.close();
    }
  }

  private async waitExit(ms: number): Promise<boolean> {
    this.child.ref();
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    const ok = await Promise.race([this.exited.then(() => true), t]);
    clearTimeout(timer);
    this.child.unref();
    return ok;
  }

  private async hardKill(): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    if (!(await this.waitExit(5000))) throw new Error(`redis-server PID ${this.pid} survived SIGKILL`);
  }

  private async terminate(): Promise<void> {
    if (!this.alive) return;
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    if (await this.waitExit(3000)) return;
    await this.hardKill();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.terminate();
      rmSync(this.dir, { recursive: true, force: true });
      dirs.delete(this.dir);
    })();
    return this.stopping;
  }

  async kill(): Promise<void> {
    await this.hardKill();
  }

  async restart(): Promise<void> {
    if (this.stopping !== undefined) throw new Error('restart() after stop()');
    await this.terminate();
    // Same port: a client reconnecting must find the server where it was.
    let last: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.launch();
        return;
      } catch (e) {
        last = e;
        if (!(e instanceof RedisStartError && e.portTaken)) break;
        await sleep(100);
      }
    }
    throw last;
  }

  connectOptions(): RawClientOptions {
    return {
      host: this.host,
      port: this.port,
      ...(this.tls !== undefined ? { tls: this.tls } : {}),
      ...(this.password !== undefined ? { password: this.password } : {}),
    };
  }

  client(): Promise<RawClient> {
    return RawClient.connect(this.connectOptions());
  }

  async command(...args: RespArg[]): Promise<RespValue> {
    const c = await this.client();
    try {
      return await c.command(...args);
    } finally {
      c.close();
    }
  }

  logTail(lines = 30): string {
    return tailOf(this.logFile, lines);
  }
}

/**
 * Starts a redis-server (or sentinel) on a free loopback port and resolves once it answers
 * PING (and the users exist). Rejects with {@link RedisStartError} carrying the log tail.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  // The machine's own server lives there; a test must never start, stop or probe it.
  if (options.port === 6379) throw new RangeError("port 6379 is reserved for the machine's own redis-server");
  const fixed = options.port !== undefined;
  const attempts = fixed ? 1 : Math.max(1, options.maxAttempts ?? 5);
  const nextPort = options.portSource ?? freePort;
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const ports: Ports = {
      port: options.port ?? (await nextPort()),
      clusterPort: options.clusterBus === true ? await freePort() : undefined,
    };
    const dir = mkdtempSync(join(tmpdir(), 'wredis-test-'));
    dirs.add(dir);
    const server = new Server(options, dir, ports);
    try {
      await server.launch();
      return server;
    } catch (e) {
      last = e;
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
      if (!(e instanceof RedisStartError && e.portTaken)) throw e;
    }
  }
  throw last;
}
