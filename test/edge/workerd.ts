/**
 * Bundling a Worker that uses wredis (esbuild, as Wrangler does: `workerd`/`worker`
 * conditions, `cloudflare:sockets` external, the `.wasm` kept as its own module) and
 * serving it with workerd from a generated capnp config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { freePort } from '../support/redis-server.js';
import { repoRoot, tail } from './harness.js';

/** What Wrangler passes to esbuild for Workers. */
export const WORKER_CONDITIONS = ['workerd', 'worker', 'browser'];

/** The name of the core module next to the worker module. */
export const WASM_MODULE = 'core.wasm';

/**
 * `#core.wasm` (and any `*.wasm` import) stays an import of a separate module named
 * `core.wasm`, the way Wrangler's CompiledWasm rule turns it into a `WebAssembly.Module`.
 */
const wasmAsModule: Plugin = {
  name: 'wasm-as-module',
  setup(b) {
    b.onResolve({ filter: /(^#core\.wasm$)|(\.wasm$)/ }, () => ({
      path: `./${WASM_MODULE}`,
      external: true,
    }));
  },
};

export interface WorkerBundle {
  /** Directory holding `worker.js` and `core.wasm`. */
  dir: string;
  js: string;
  wasm: string;
}

/** Bundles `entry` into `<dir>/worker.js` and copies the core next to it. */
export async function bundleWorker(
  entry: string,
  dir: string,
  options: { minify?: boolean; absWorkingDir?: string } = {},
): Promise<WorkerBundle> {
  const js = join(dir, 'worker.js');
  const wasm = join(dir, WASM_MODULE);
  await build({
    entryPoints: [entry],
    outfile: js,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: WORKER_CONDITIONS,
    mainFields: ['browser', 'module', 'main'],
    external: ['cloudflare:*'],
    plugins: [wasmAsModule],
    minify: options.minify ?? false,
    legalComments: 'none',
    logLevel: 'silent',
    ...(options.absWorkingDir !== undefined && { absWorkingDir: options.absWorkingDir }),
  });
  copyFileSync(join(repoRoot, 'build', 'core.wasm'), wasm);
  return { dir, js, wasm };
}

/** A capnp string literal. */
function capnpString(s: string): string {
  return JSON.stringify(s);
}

export interface WorkerdConfig {
  port: number;
  compatibilityFlags: string[];
  /** PEM CAs the `internet` network trusts for TLS from `connect()`. */
  trustedCertificates: string[];
}

/**
 * The config: the worker with its two modules, and an `internet` network service —
 * the one `connect()` goes through — allowing loopback ("local") addresses, which
 * workerd refuses by default, and trusting the test CA.
 */
export function workerdConfig(c: WorkerdConfig): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .smokeWorker),
    (name = "internet", network = (
      allow = ["local"],
      tlsOptions = (trustedCertificates = [${c.trustedCertificates.map(capnpString).join(', ')}]),
    )),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${c.port}", http = (), service = "main") ],
);

const smokeWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "${WASM_MODULE}", wasm = embed "${WASM_MODULE}"),
  ],
  compatibilityDate = "2025-06-01",
  compatibilityFlags = [${c.compatibilityFlags.map(capnpString).join(', ')}],
);
`;
}

export interface ServedWorker {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Serves the bundle in `dir` with workerd on a free loopback port; resolves once it answers
 * HTTP. Retries on new ports if the chosen one was taken meanwhile.
 */
export async function serveWorker(
  binary: string,
  dir: string,
  config: Omit<WorkerdConfig, 'port'>,
  attempts = 3,
): Promise<ServedWorker> {
  let last: Error | undefined;
  for (let i = 0; i < attempts; i++) {
    const port = await freePort();
    const file = join(dir, `config-${port}.capnp`);
    writeFileSync(file, workerdConfig({ ...config, port }));
    const child = spawn(binary, ['serve', file, '--verbose'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    const url = `http://127.0.0.1:${port}/`;
    try {
      await waitForHttp(url, child, 30_000);
      return { url, process: child, output: () => out, stop };
    } catch (e) {
      await stop();
      last = new Error(
        `workerd did not start: ${(e as Error).message}\n--- workerd output ---\n${tail(out)}`,
      );
    }
  }
  throw last ?? new Error('workerd did not start');
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 600 && Date.now() < deadline; i++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`workerd exited (${child.exitCode ?? child.signalCode})`);
    try {
      // Any HTTP answer (the worker says 400 without ?config=) means it is serving.
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`no HTTP answer on ${url} within ${timeoutMs} ms`);
}
