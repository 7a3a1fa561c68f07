/**
 * The package as a user gets it: `npm pack` (of the current build), the tarball installed
 * into a fresh project without the registry, then imported from plain ESM, from CommonJS
 * (`require`, through Node's require(esm)) and from TypeScript compiled under the
 * `module` / `moduleResolution` settings users have — each program running a SET/GET
 * against a real server. publint and @arethetypeswrong check the tarball's metadata and
 * its types under every resolution mode. Needs `npm run build` (dist/, build/core.wasm).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import ts from 'typescript';
import { repoRoot } from './edge/harness.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

const run = promisify(execFile);
const bin = (name: string): string => join(repoRoot, 'node_modules', '.bin', name);

/** One program per style; each prints the reply of GET and whether a wredis error is an Error. */
const MAIN_TS = `import { Redis, RedisError, keySlot } from 'wredis';

async function main(): Promise<void> {
  const r = new Redis({ host: '127.0.0.1', port: Number(process.argv[2]), lazyConnect: true });
  try {
    await r.set('pkg:k', 'hello');
    const value: string | null = await r.get('pkg:k');
    const slot: number = keySlot('foo');
    console.log(JSON.stringify({ value, slot, error: new RedisError('x') instanceof Error }));
  } finally {
    await r.close();
  }
}
void main();
`;
const MAIN_ESM = `import { Redis, RedisError, keySlot } from 'wredis';
const r = new Redis({ host: '127.0.0.1', port: Number(process.argv[2]) });
await r.set('pkg:k', 'hello');
console.log(JSON.stringify({ value: await r.get('pkg:k'), slot: keySlot('foo'), error: new RedisError('x') instanceof Error }));
await r.close();
`;
const MAIN_CJS = `const { Redis, RedisError, keySlot } = require('wredis');
(async () => {
  const r = new Redis({ host: '127.0.0.1', port: Number(process.argv[2]) });
  await r.set('pkg:k', 'hello');
  console.log(JSON.stringify({ value: await r.get('pkg:k'), slot: keySlot('foo'), error: new RedisError('x') instanceof Error }));
  await r.close();
})();
`;
const EXPECTED = { value: 'hello', slot: 12182, error: true };

/** TypeScript set-ups: compiler options and the `type` of the project's package.json. */
const TS_SETUPS = {
  'nodenext, ESM project': { type: 'module', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
  'nodenext, CommonJS project': {
    type: 'commonjs',
    options: { module: 'nodenext', moduleResolution: 'nodenext' },
  },
  'node16, ESM project': { type: 'module', options: { module: 'node16', moduleResolution: 'node16' } },
  'bundler (module esnext)': { type: 'module', options: { module: 'esnext', moduleResolution: 'bundler' } },
} as const;

describe('the packed package, installed into a fresh project', () => {
  let dir: string;
  let tarball: string;
  let files: string[];
  let server: RedisServerHandle;
  /** Parsed declaration files shared by the TypeScript compilations (the slow part is parsing). */
  const sourceFiles = new Map<string, ts.SourceFile | undefined>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wredis-pack-'));
    // --ignore-scripts: `npm test` has just built; `prepare` would rebuild for nothing.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info !== undefined, packed.stdout);
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path).sort();
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    // wredis has no dependencies, so installing the local tarball needs no registry at all.
    await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball],
      { cwd: app, timeout: 60_000 },
    );
    server = await startRedis();
  });

  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `file` with node in `cwd` and parses the JSON line it prints. */
  async function runProgram(cwd: string, file: string): Promise<unknown> {
    const { stdout, stderr } = await run(process.execPath, [file, String(server.port)], {
      cwd,
      timeout: 30_000,
    });
    assert.equal(stderr, '', `${file} wrote to stderr`);
    return JSON.parse(stdout.trim()) as unknown;
  }

  /** A project directory under the installed app, so `wredis` resolves from app/node_modules. */
  function project(name: string, type: 'module' | 'commonjs', file: string, source: string): string {
    const p = join(dir, 'app', name);
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'package.json'), JSON.stringify({ type }));
    writeFileSync(join(p, file), source);
    return p;
  }

  /** Compiles `main.ts` in `p` with the given options; returns the diagnostics as text. */
  function compile(p: string, json: Record<string, unknown>): string[] {
    const { options, errors } = ts.convertCompilerOptionsFromJson(
      {
        target: 'ES2022',
        strict: true,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules', '@types')],
        outDir: join(p, 'out'),
        ...json,
      },
      p,
    );
    assert.deepEqual(errors, []);
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      if (!fileName.endsWith('.d.ts')) return read(fileName, languageVersion, onError, shouldCreate);
      const format = typeof languageVersion === 'object' ? languageVersion.impliedNodeFormat : undefined;
      const key = `${fileName}\0${String(format)}`;
      if (!sourceFiles.has(key)) sourceFiles.set(key, read(fileName, languageVersion, onError, shouldCreate));
      return sourceFiles.get(key);
    };
    const program = ts.createProgram([join(p, 'main.ts')], options, host);
    const emitted = program.emit();
    return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    );
  }

  it('the tarball holds the built entry points, their types, the core, README, LICENSE and CHANGELOG — no source maps, no sources, no tests', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'build/core.wasm',
      'dist/src/index.js',
      'dist/src/index.d.ts',
    ]) {
      assert.ok(files.includes(f), `${f} is not in the tarball`);
    }
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
    );
    assert.deepEqual(
      files.filter(
        (f) =>
          !/^(dist\/src\/.*\.(js|d\.ts)|build\/core\.wasm|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(
            f,
          ),
      ),
      [],
    );
    for (const f of files.filter((f) => f.endsWith('.js'))) {
      assert.ok(files.includes(f.replace(/\.js$/, '.d.ts')), `${f} has no declaration file`);
    }
  });

  it('nothing in the tarball points at a file that is not in it', () => {
    const shipped = new Set(files);
    const dangling: string[] = [];
    for (const f of files.filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
      const text = readFileSync(join(repoRoot, f), 'utf8');
      if (text.includes('sourceMappingURL')) dangling.push(`${f}: sourceMappingURL`);
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = posix.normalize(posix.join(posix.dirname(f), m[1]!));
        if (!shipped.has(target)) dangling.push(`${f} -> ${m[1]}`);
      }
      for (const m of text.matchAll(/\/\/\/\s*<reference\s+path=['"]([^'"]+)['"]/g)) {
        const target = posix.normalize(posix.join(posix.dirname(f), m[1]!));
        if (!shipped.has(target)) dangling.push(`${f} -> ${m[1]}`);
      }
    }
    assert.deepEqual(dangling, []);
  });

  it('publint finds nothing (strict)', async () => {
    const { stdout } = await run(bin('publint'), ['run', tarball, '--strict'], { timeout: 60_000 });
    assert.match(stdout, /All good!/, stdout);
  });

  it('@arethetypeswrong finds no type resolution problem (esm-only profile: CommonJS TypeScript needs nodenext)', async () => {
    // The esm-only profile leaves out `node16 (from CJS)`, where TypeScript refuses to type a
    // require of an ES module (TS1479); README and docs/typescript.md tell users to use nodenext.
    // attw exits non-zero on a problem the profile counts; its table says which.
    const result = await run(
      bin('attw'),
      [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color'],
      {
        timeout: 60_000,
      },
    ).catch((e: { stdout?: string; message: string }) => assert.fail(e.stdout ?? e.message));
    assert.match(result.stdout, /node16 \(from ESM\)/);
  });

  it('ESM: import from plain JavaScript', async () => {
    const p = project('esm', 'module', 'main.js', MAIN_ESM);
    assert.deepEqual(await runProgram(p, 'main.js'), EXPECTED);
  });

  it('CommonJS: require() from plain JavaScript', async () => {
    const p = project('cjs', 'commonjs', 'main.js', MAIN_CJS);
    assert.deepEqual(await runProgram(p, 'main.js'), EXPECTED);
  });

  for (const [name, setup] of Object.entries(TS_SETUPS)) {
    it(`TypeScript, ${name}: compiles under strict and runs`, async () => {
      const p = project(`ts-${name.replace(/\W+/g, '-')}`, setup.type, 'main.ts', MAIN_TS);
      // Declaration files are checked in the first set-up only: they are the same files, and
      // checking @types/node four times would cost seconds for nothing.
      const first = name === Object.keys(TS_SETUPS)[0];
      assert.deepEqual(compile(p, { ...setup.options, skipLibCheck: !first }), []);
      writeFileSync(join(p, 'out', 'package.json'), JSON.stringify({ type: setup.type }));
      assert.deepEqual(await runProgram(join(p, 'out'), 'main.js'), EXPECTED);
    });
  }

  it('TypeScript, node16 in a CommonJS project: refused with TS1479, as README says (use nodenext or import())', () => {
    const p = project('ts-node16-cjs', 'commonjs', 'main.ts', MAIN_TS);
    const diagnostics = compile(p, { module: 'node16', moduleResolution: 'node16', skipLibCheck: true });
    assert.equal(diagnostics.length, 1, diagnostics.join('\n'));
    assert.match(diagnostics[0]!, /cannot be imported with 'require'/);
  });
});
