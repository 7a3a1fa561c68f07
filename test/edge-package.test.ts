/**
 * The built package as the edge runtimes see it: a consumer project with `wredis` in its
 * node_modules imports `'wredis'`, and each runtime's own resolver must pick its entry
 * point through the conditional exports (bun, deno, workerd/worker; Node keeps the
 * default) and load the core through the `#core.wasm` import map — on Deno without any
 * read permission, on Workers as a separate `.wasm` module. Needs `npm run build` (dist/).
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';
import { repoRoot, runChild, runtimeBinary, tail } from './edge/harness.js';
import { WORKER_CONDITIONS, bundleWorker, serveWorker, type ServedWorker } from './edge/workerd.js';

const ENTRIES = {
  bun: 'index.bun.js',
  deno: 'index.deno.js',
  workerd: 'index.workerd.js',
  worker: 'index.workerd.js',
} as const;

/** Runtime-neutral probe: connect, PING, a bytes round trip. */
const PROBE = `import * as wredis from 'wredis';
export async function probe(port) {
  const r = new wredis.Redis({ host: '127.0.0.1', port, connectTimeout: 5000 });
  try {
    const pong = await r.ping();
    await r.set('pkg:bytes', new Uint8Array([0, 1, 255]));
    const b = await r.withBuffers().get('pkg:bytes');
    return { pong, plainUint8Array: Object.getPrototypeOf(b) === Uint8Array.prototype, bytes: Array.from(b), slot: wredis.keySlot('foo') };
  } finally {
    await r.close();
  }
}
`;
const EXPECTED = { pong: 'PONG', plainUint8Array: true, bytes: [0, 1, 255], slot: 12182 };

const MARK = 'WREDIS_PKG ';

describe("the package's conditional exports on edge runtimes", () => {
  let dir: string;
  let server: RedisServerHandle;
  const served: ServedWorker[] = [];

  before(async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      exports?: Record<string, Record<string, string> | string>;
      imports?: Record<string, string>;
    };
    const root = pkg.exports?.['.'];
    for (const [condition, file] of Object.entries(ENTRIES)) {
      assert.ok(
        typeof root === 'object' && root[condition] === `./dist/src/${file}`,
        `package.json exports["."] has no "${condition}": "./dist/src/${file}" condition`,
      );
      assert.ok(
        existsSync(join(repoRoot, 'dist', 'src', file)),
        `dist/src/${file} is missing: run \`npm run build\` first`,
      );
    }
    assert.equal(
      pkg.imports?.['#core.wasm'],
      './build/core.wasm',
      'package.json has no "imports": { "#core.wasm": "./build/core.wasm" }',
    );
    dir = mkdtempSync(join(tmpdir(), 'wredis-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repoRoot, join(dir, 'node_modules', 'wredis'), 'dir');
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { wredis: '*' } }),
    );
    writeFileSync(join(dir, 'probe.js'), PROBE);
    writeFileSync(
      join(dir, 'deno.js'),
      `import { probe } from './probe.js';
console.log('${MARK}' + JSON.stringify({ resolved: import.meta.resolve('wredis'), ...(await probe(Number(Deno.args[0]))) }));
`,
    );
    writeFileSync(
      join(dir, 'bun.js'),
      `import { probe } from './probe.js';
console.log('${MARK}' + JSON.stringify({ resolved: import.meta.resolve('wredis'), ...(await probe(Number(Bun.argv[2]))) }));
`,
    );
    writeFileSync(
      join(dir, 'worker.js'),
      `import { probe } from './probe.js';
export default { async fetch(req) { return Response.json(await probe(Number(new URL(req.url).searchParams.get('port')))); } };
`,
    );
    server = await startRedis();
  });

  after(async () => {
    await Promise.allSettled(served.map((s) => s.stop()));
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function reportOf(
    r: { stdout: string; stderr: string; code: number | null },
    what: string,
  ): Record<string, unknown> {
    const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
    assert.ok(
      line !== undefined,
      `${what} printed no result (exit ${r.code}).\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`,
    );
    return JSON.parse(line.slice(MARK.length)) as Record<string, unknown>;
  }

  it('Node keeps the default entry', async () => {
    const r = await runChild(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('wredis'))"],
      { cwd: dir, timeoutMs: 30_000 },
    );
    assert.match(r.stdout.trim(), /\/dist\/src\/index\.js$/, r.stderr);
  });

  it('Deno takes the "deno" entry and loads the core with network permission only', async () => {
    const { path } = await runtimeBinary('deno');
    const r = await runChild(
      path,
      [
        'run',
        '--no-prompt',
        '--no-remote',
        '--node-modules-dir=manual',
        '--allow-net=127.0.0.1',
        'deno.js',
        String(server.port),
      ],
      {
        cwd: dir,
        timeoutMs: 120_000,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      },
    );
    const { resolved, ...probe } = reportOf(r, 'deno');
    assert.match(String(resolved), /\/dist\/src\/index\.deno\.js$/);
    assert.deepEqual(probe, EXPECTED);
  });

  it('Bun takes the "bun" entry', async () => {
    const { path } = await runtimeBinary('bun');
    const r = await runChild(path, ['bun.js', String(server.port)], {
      cwd: dir,
      timeoutMs: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const { resolved, ...probe } = reportOf(r, 'bun');
    assert.match(String(resolved), /\/dist\/src\/index\.bun\.js$/);
    assert.deepEqual(probe, EXPECTED);
  });

  it('a Workers bundle (workerd/worker conditions) takes the "workerd" entry, no node:* and runs in workerd', async () => {
    const { path } = await runtimeBinary('workerd');
    const out = join(dir, 'out');
    mkdirSync(out, { recursive: true });
    // What the bundler sees: which files the conditions pulled in.
    const meta = await build({
      entryPoints: [join(dir, 'worker.js')],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      conditions: WORKER_CONDITIONS,
      external: ['cloudflare:*', '*.wasm', '#core.wasm'],
      logLevel: 'silent',
      absWorkingDir: dir,
    });
    const inputs = Object.keys(meta.metafile.inputs);
    assert.ok(
      inputs.some((f) => f.endsWith('dist/src/index.workerd.js')),
      `bundle inputs: ${inputs.join(', ')}`,
    );
    assert.ok(
      !inputs.some((f) => /platform-node|transport\/node|wasm-node/.test(f)),
      `Node-only modules in the bundle: ${inputs.join(', ')}`,
    );
    const imports = Object.values(meta.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    assert.deepEqual(
      imports.filter((p) => p.startsWith('node:')),
      [],
      'the Workers bundle imports node:* modules',
    );
    await bundleWorker(join(dir, 'worker.js'), out, { absWorkingDir: dir });
    const worker = await serveWorker(path, out, { compatibilityFlags: [], trustedCertificates: [] });
    served.push(worker);
    const res = await fetch(`${worker.url}?port=${server.port}`, { signal: AbortSignal.timeout(60_000) });
    const body = await res.text();
    assert.equal(res.status, 200, `${body}\n--- workerd output ---\n${tail(worker.output())}`);
    assert.deepEqual(JSON.parse(body), EXPECTED);
  });
});
