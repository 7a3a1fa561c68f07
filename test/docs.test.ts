/**
 * `npm run docs`: the typedoc site builds from the TSDoc comments with every warning an error
 * (an exported class, method, option or type without documentation, a broken link, a public type
 * that is not exported), into a temporary directory. Needs `npm run build` (the typedoc plugin
 * reads the command table from dist/).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from './edge/harness.js';

const run = promisify(execFile);

describe('the API reference (typedoc)', () => {
  const out = mkdtempSync(join(tmpdir(), 'wredis-docs-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('builds with --treatWarningsAsErrors, and command methods carry their TSDoc through the mapped types', async () => {
    const typedoc = join(repoRoot, 'node_modules', '.bin', 'typedoc');
    // --disableSources: source links need a git remote, which a tarball or a fresh clone without `origin` lacks;
    // this test is about the comments, and typedoc warns (an error here) when it cannot link sources.
    const result = await run(typedoc, ['--out', out, '--treatWarningsAsErrors', '--disableSources'], {
      cwd: repoRoot,
      timeout: 240_000,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    }).catch((e: { stdout?: string; stderr?: string; message: string }) =>
      assert.fail(`typedoc failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`),
    );
    assert.doesNotMatch(result.stdout + result.stderr, /warning|error/i);
    const redis = readFileSync(join(out, 'classes', 'Redis.html'), 'utf8');
    // The comment of `get` is declared in src/commands/methods/string.ts and reaches Redis through Promised<>.
    assert.match(redis, /GET: the value, or null when the key does not exist/);
    // Untyped methods generated from the command table are left out (see scripts/typedoc-plugin.mjs).
    assert.doesNotMatch(redis, /id="acldryrun/);
    for (const page of [
      'RedisCluster',
      'Sentinel',
      'Pipeline',
      'Transaction',
      'DedicatedConnection',
      'MovedError',
    ]) {
      assert.ok(existsSync(join(out, 'classes', `${page}.html`)), `${page}.html is missing`);
    }
  });
});
