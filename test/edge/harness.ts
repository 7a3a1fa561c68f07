/**
 * Node side of the edge smoke tests: finds the runtime binaries installed from npm
 * (failing loudly when one is missing), starts the servers the smoke suite talks to
 * (plain, TLS-only, a three-primary cluster), runs a runtime as a child process with a
 * time limit, and turns its report into one node:test test per check.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startPrimariesOnlyCluster, type RedisClusterHandle } from '../support/cluster.js';
import { startRedis, type RedisServerHandle } from '../support/redis-server.js';
import { startTlsRedis, type TlsRedisHandle } from '../support/tls.js';
import { CHECKS, type CheckName, type SmokeConfig, type SmokeReport } from './smoke.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const run = promisify(execFile);

export type Runtime = 'workerd' | 'deno' | 'bun';

/**
 * The runtime's binary from node_modules (devDependencies), checked to start. Throws with
 * the fix when it is missing or broken: a missing runtime fails the test, never skips it.
 */
export async function runtimeBinary(name: Runtime): Promise<{ path: string; version: string }> {
  const path = join(repoRoot, 'node_modules', '.bin', name);
  if (!existsSync(path)) {
    throw new Error(
      `${name} is not installed: ${path} is missing. It is a devDependency (npm package "${name}"); run \`npm ci\` (or \`npm install --no-save ${name}\`).`,
    );
  }
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 30_000 });
    return { path, version: stdout.trim() };
  } catch (e) {
    throw new Error(
      `${name} is installed at ${path} but does not run (\`${name} --version\` failed: ${(e as Error).message}). Reinstall it with \`npm ci\`.`,
    );
  }
}

/**
 * The edge entry points load the core through the package's import map; without it every
 * runtime fails with a resolution error far from the cause, so say it up front.
 */
export function assertCoreImportMap(): void {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    imports?: Record<string, string>;
  };
  if (pkg.imports?.['#core.wasm'] !== './build/core.wasm') {
    throw new Error(
      'package.json lacks "imports": { "#core.wasm": "./build/core.wasm" }, through which the edge entry points load the WASM core',
    );
  }
  if (!existsSync(join(repoRoot, 'build', 'core.wasm')))
    throw new Error('build/core.wasm is missing: run `npm run build:wasm`');
}

export interface EdgeServers {
  plain: RedisServerHandle;
  tls: TlsRedisHandle;
  cluster: RedisClusterHandle;
  silent: { host: string; port: number };
  unanswered: { host: string; port: number };
  stop(): Promise<void>;
}

/** Accepts connections and never answers (a TLS handshake there never completes). */
async function startSilentServer(): Promise<{ host: string; port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined).on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A port whose connects get no SYN-ACK, as behind a firewall: a stopped server (SIGSTOP) with
 * tcp-backlog 1, its accept queue (which holds two) filled, so the kernel drops further SYNs.
 */
async function startUnansweredPort(): Promise<{ host: string; port: number; stop(): Promise<void> }> {
  const server = await startRedis({ args: ['--tcp-backlog', '1'] });
  process.kill(server.pid, 'SIGSTOP');
  const fillers = Array.from({ length: 4 }, () =>
    connect(server.port, '127.0.0.1').on('error', () => undefined),
  );
  return {
    host: '127.0.0.1',
    port: server.port,
    stop: async () => {
      for (const f of fillers) f.destroy();
      process.kill(server.pid, 'SIGCONT');
      await server.stop();
    },
  };
}

export async function startEdgeServers(): Promise<EdgeServers> {
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const plain = await startRedis({ unixSocket: true });
    started.push(plain);
    const tls = await startTlsRedis();
    started.push(tls);
    const cluster = await startPrimariesOnlyCluster();
    started.push(cluster);
    const silent = await startSilentServer();
    started.push(silent);
    const unanswered = await startUnansweredPort();
    started.push(unanswered);
    return {
      plain,
      tls,
      cluster,
      silent: { host: silent.host, port: silent.port },
      unanswered: { host: unanswered.host, port: unanswered.port },
      stop: () => stopAll(started),
    };
  } catch (e) {
    await stopAll(started);
    throw e;
  }
}

async function stopAll(handles: Array<{ stop(): Promise<void> }>): Promise<void> {
  await Promise.allSettled(handles.map((h) => h.stop()));
}

/**
 * The smoke configuration for these servers and what `runtime` can and cannot do.
 * workerd trusts the test CA through its network config, not per connection.
 */
/**
 * Checks that do not apply to a runtime, with the reason (documented in the README): they are
 * neither run nor registered as tests, so nothing sits as a todo.
 */
export const NOT_APPLICABLE: Record<Runtime, Partial<Record<CheckName, string>>> = {
  workerd: {
    'TLS refuses a certificate from an untrusted CA':
      'Workers take trusted CAs from the platform (workerd: the network service config), not per connection; tls.ca is refused (checked)',
  },
  deno: {},
  bun: {
    'TLS options the runtime cannot honour are refused, not ignored':
      'Bun.connect honours every TLS option wredis has',
  },
};

export function smokeConfig(runtime: Runtime, s: EdgeServers): SmokeConfig {
  const m = s.tls.material;
  const base = {
    runtime,
    host: s.plain.host,
    port: s.plain.port,
    unixSocket: s.plain.socketPath,
    cluster: s.cluster.startupNodes(),
    silent: s.silent,
    unanswered: s.unanswered,
  };
  switch (runtime) {
    case 'workerd':
      return {
        ...base,
        tls: { host: s.tls.host, port: s.tls.port },
        refusedTls: { options: { ca: m.ca }, message: 'not supported on Cloudflare Workers' },
        notApplicable: NOT_APPLICABLE.workerd,
        refusedUnixSocket: 'not supported on Cloudflare Workers',
        connectFailureCodes: { refused: 'ERR_WREDIS_CONNECTION_FAILED', tls: 'ERR_WREDIS_CONNECTION_FAILED' },
      };
    case 'deno':
      return {
        ...base,
        tls: { host: s.tls.host, port: s.tls.port, ca: m.ca, otherCa: m.otherCa },
        refusedTls: { options: { ca: m.ca, rejectUnauthorized: false }, message: 'not supported on Deno' },
      };
    case 'bun':
      return {
        ...base,
        tls: { host: s.tls.host, port: s.tls.port, ca: m.ca, otherCa: m.otherCa },
        notApplicable: NOT_APPLICABLE.bun,
      };
  }
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to completion, killing it (SIGKILL) after `timeoutMs`. */
export function runChild(
  cmd: string,
  args: string[],
  options: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

const MARK = 'WREDIS_SMOKE ';

/** The report a `*-main.ts` printed, or an error carrying the child's output. */
export function reportFrom(r: ChildResult, what: string): SmokeReport {
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined) {
    const why = r.timedOut ? 'timed out' : `exited with ${r.code ?? r.signal}`;
    throw new Error(
      `${what} ${why} without a report.\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`,
    );
  }
  return JSON.parse(line.slice(MARK.length)) as SmokeReport;
}

export function tail(s: string, n = 4000): string {
  return s.length > n ? `…${s.slice(-n)}` : s;
}

/**
 * One test per smoke check. `getReport` is awaited inside each test, so a runtime that
 * failed to start fails every check with its reason. A check the client cannot run yet
 * (a feature not implemented) is a visible todo; checks that do not apply to the runtime (NOT_APPLICABLE) are not registered.
 */
export function smokeTests(runtime: Runtime, getReport: () => Promise<SmokeReport>): void {
  const applicable = CHECKS.filter((name) => NOT_APPLICABLE[runtime][name] === undefined);
  for (const name of applicable) {
    it(name, async (t: TestContext) => {
      const report = await getReport();
      const result = report.results.find((r) => r.name === name);
      assert.ok(result !== undefined, `the runtime did not report "${name}"`);
      if (result.todo !== undefined) {
        t.todo(result.todo);
        return;
      }
      assert.ok(result.ok, `${report.runtime}: ${result.error ?? 'failed'}`);
    });
  }
  it('reports exactly the known checks', async () => {
    const report = await getReport();
    assert.deepEqual(
      report.results.map((r) => r.name),
      applicable,
    );
  });
}

/**
 * The suite of a runtime that runs as a child process (Deno, Bun): start the servers, run the
 * smoke suite once in the runtime (`command` gives its arguments), and report every check as a test.
 */
export function childRuntimeSuite(
  runtime: 'deno' | 'bun',
  title: string,
  command: (config: SmokeConfig, servers: EdgeServers) => { args: string[]; env?: NodeJS.ProcessEnv },
): void {
  describe(title, () => {
    let setup: Promise<{ servers: EdgeServers; binary: string }>;

    before(() => {
      setup = (async () => {
        assertCoreImportMap();
        const { path } = await runtimeBinary(runtime);
        return { binary: path, servers: await startEdgeServers() };
      })();
      setup.catch(() => undefined); // reported by every test through getReport()
    });

    after(async () => {
      const s = await setup.catch(() => undefined);
      await s?.servers.stop();
    });

    let report: Promise<SmokeReport> | undefined;
    const getReport = (): Promise<SmokeReport> =>
      (report ??= (async () => {
        const { servers, binary } = await setup;
        const { args, env } = command(smokeConfig(runtime, servers), servers);
        const r = await runChild(binary, args, {
          cwd: repoRoot,
          timeoutMs: 240_000,
          env: { ...process.env, NO_COLOR: '1', ...env },
        });
        return reportFrom(r, runtime);
      })());
    smokeTests(runtime, getReport);
  });
}
