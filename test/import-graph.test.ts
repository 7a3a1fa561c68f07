/**
 * Layering of src/: the cluster client does not reach into the standalone client. What both clients
 * use (options, pipelines and transactions, the blocking pool and lent connections, command flags and
 * the connection-state table) lives in src/shared/; src/client/ is the standalone `Redis` alone.
 * Reads the source files and follows their relative imports (static, `export … from`, `import type`
 * and dynamic `import()`), as TypeScript's own pre-processor lists them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './edge/harness.js';

const src = join(repoRoot, 'src');

/** Relative imports of one source text, resolved to .ts paths under the file's directory. */
function importsOf(file: string, text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

const inDir = (file: string, dir: string): boolean => file.startsWith(join(src, dir) + sep);
const show = (file: string): string => relative(repoRoot, file).split(sep).join('/');

/** Every file reachable from `roots` through relative imports, each with the chain that reached it. */
function reachable(roots: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>(roots.map((r) => [r, [r]]));
  const todo = [...roots];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    const chain = seen.get(file) ?? [file];
    for (const dep of importsOf(file, readFileSync(file, 'utf8'))) {
      if (seen.has(dep) || !existsSync(dep)) continue;
      seen.set(dep, [...chain, dep]);
      todo.push(dep);
    }
  }
  return seen;
}

describe('import graph of src/', () => {
  const clusterFiles = tsFilesUnder(join(src, 'cluster'));

  it('the scanner sees every import form (so the checks below can fail)', () => {
    const file = join(src, 'cluster', 'x.ts');
    const text = [
      "import { a } from '../client/a.js';",
      "import type { B } from '../client/b.js';",
      "export { c } from '../client/c.js';",
      "const d = await import('../client/d.js');",
      "import e from 'node:fs';",
    ].join('\n');
    assert.deepEqual(importsOf(file, text).map(show), [
      'src/client/a.ts',
      'src/client/b.ts',
      'src/client/c.ts',
      'src/client/d.ts',
    ]);
    // And on the real tree: the standalone client does import the shared machinery.
    const redis = join(src, 'client', 'redis.ts');
    assert.ok(importsOf(redis, readFileSync(redis, 'utf8')).some((f) => inDir(f, 'shared')));
    assert.ok(clusterFiles.length > 5, `found ${clusterFiles.length} files in src/cluster`);
  });

  it('no file in src/cluster imports from src/client', () => {
    const offenders = clusterFiles.flatMap((file) =>
      importsOf(file, readFileSync(file, 'utf8'))
        .filter((dep) => inDir(dep, 'client'))
        .map((dep) => `${show(file)} -> ${show(dep)}`),
    );
    assert.deepEqual(offenders, []);
  });

  it('nothing src/cluster imports reaches src/client through another directory either', () => {
    const offenders = [...reachable(clusterFiles)]
      .filter(([file]) => inDir(file, 'client'))
      .map(([, chain]) => chain.map(show).join(' -> '));
    assert.deepEqual(offenders, []);
  });

  it('src/shared imports neither client', () => {
    const offenders = tsFilesUnder(join(src, 'shared')).flatMap((file) =>
      importsOf(file, readFileSync(file, 'utf8'))
        .filter((dep) => inDir(dep, 'client') || inDir(dep, 'cluster'))
        .map((dep) => `${show(file)} -> ${show(dep)}`),
    );
    assert.deepEqual(offenders, []);
  });
});
