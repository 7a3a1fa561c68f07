/**
 * The type-level API, checked by tsc: test/types/api.ts must compile cleanly,
 * and every line marked `@type-error` in test/types/fail/*.ts must fail to
 * compile (a wrong argument or reply type is a compile error), with no error
 * on any other line. One tsc program covers all files.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FAIL_DIR = join(ROOT, 'test', 'types', 'fail');
const API_FILE = join(ROOT, 'test', 'types', 'api.ts');
const MARK = '// @type-error';

interface Diagnostic {
  file: string;
  line: number;
  text: string;
}

/** Runs tsc over `files` with the project's options; resolves with its diagnostics. */
function typecheck(files: string[]): Promise<Diagnostic[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wredis-types-'));
  const config = join(dir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: true,
        declaration: false,
        rootDir: ROOT,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files,
    }),
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  return new Promise((res, rej) => {
    execFile(
      process.execPath,
      [tsc, '-p', config, '--pretty', 'false'],
      { cwd: ROOT, timeout: 240_000, maxBuffer: 16 << 20 },
      (error, stdout) => {
        rmSync(dir, { recursive: true, force: true });
        if (error !== null && stdout.length === 0) {
          rej(error);
          return;
        }
        const out: Diagnostic[] = [];
        for (const line of stdout.split('\n')) {
          const m = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
          if (m !== null)
            out.push({ file: resolve(ROOT, m[1] as string), line: Number(m[2]), text: m[3] as string });
        }
        if (out.length === 0 && error !== null) rej(new Error(`tsc failed without diagnostics: ${stdout}`));
        else res(out);
      },
    );
  });
}

/** 1-based line numbers carrying the marker. */
function markedLines(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.includes(MARK) ? [i + 1] : []));
}

describe('type-level API (tsc)', () => {
  const failFiles = readdirSync(FAIL_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(FAIL_DIR, f));
  let diagnostics: Diagnostic[] = [];

  before(async () => {
    diagnostics = await typecheck([API_FILE, ...failFiles]);
  });
  after(() => undefined);

  it('test/types/api.ts compiles without errors', () => {
    const mine = diagnostics.filter((d) => d.file === API_FILE);
    assert.deepEqual(mine, []);
  });

  it('there are fail files with marked lines', () => {
    assert.ok(failFiles.length >= 4);
    for (const f of failFiles) assert.ok(markedLines(f).length > 0, relative(ROOT, f));
  });

  for (const file of readdirSync(FAIL_DIR).filter((f) => f.endsWith('.ts'))) {
    it(`types/fail/${file}: an error on every marked line and nowhere else`, () => {
      const path = join(FAIL_DIR, file);
      const marked = markedLines(path);
      const errors = diagnostics.filter((d) => d.file === path);
      const errorLines = new Set(errors.map((d) => d.line));
      const missing = marked.filter((l) => !errorLines.has(l));
      assert.deepEqual(missing, [], `marked lines that compiled: ${missing.join(', ')}`);
      const stray = errors.filter((d) => !marked.includes(d.line));
      assert.deepEqual(stray, [], 'errors on unmarked lines');
    });
  }

  it('no errors outside the checked files (the library itself compiles)', () => {
    const checked = new Set([API_FILE, ...failFiles]);
    assert.deepEqual(
      diagnostics.filter((d) => !checked.has(d.file)),
      [],
    );
  });
});
