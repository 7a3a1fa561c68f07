/**
 * `--against <ref>`: wredis as built from another commit, measured as one more client
 * (`wredis@<ref>`) in the same interleaved run. The commit is checked out in a temporary git
 * worktree, given node_modules (a symlink to this tree's when both package-lock.json files are
 * identical, `npm ci` otherwise, or as `--against-install` says) and built with `npm run build`;
 * the worktree is removed at the end, also after a failure or a signal.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgainstClient } from './adapters/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type InstallMode = 'auto' | 'link' | 'ci';

export interface AgainstBuild {
  client: AgainstClient;
  ref: string;
  /** Full commit id the ref resolved to. */
  commit: string;
  /** The temporary worktree (its dist/ is what the child loads). */
  root: string;
  install: 'link' | 'ci';
}

function git(args: string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs a command with its output going to our stderr (the build log), bounded in time. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 2, 2], env: process.env });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} in ${cwd}: ${signal ?? `exit ${code}`}`));
    });
  });
}

const live = new Set<string>();

/** Removes a temporary worktree (registered with git, and the directory in any case). */
export function removeWorktree(root: string): void {
  try {
    git(['worktree', 'remove', '--force', root]);
  } catch {
    /* not registered (failed half-way): the directory goes below */
  }
  rmSync(root, { recursive: true, force: true });
  try {
    git(['worktree', 'prune']);
  } catch {
    /* nothing to prune */
  }
  live.delete(root);
}

/** Removes every worktree this process created and has not removed yet (for signal handlers). */
export function removeAllWorktrees(): void {
  for (const root of [...live]) removeWorktree(root);
}

/** Checks out and builds `ref`; the caller removes it with removeWorktree(build.root). */
export async function prepareAgainst(
  ref: string,
  install: InstallMode,
  log: (s: string) => void,
): Promise<AgainstBuild> {
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--against ${ref}: not a commit in ${ROOT}`);
  }
  const short = commit.slice(0, 7);
  const root = mkdtempSync(join(tmpdir(), `wredis-against-${short}-`));
  live.add(root);
  try {
    git(['worktree', 'add', '--detach', root, commit]);
    const lock = (dir: string) => {
      const f = join(dir, 'package-lock.json');
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    };
    const same = lock(root) === lock(ROOT) && existsSync(join(ROOT, 'node_modules'));
    const how: 'link' | 'ci' = install === 'auto' ? (same ? 'link' : 'ci') : install;
    log(
      `--against ${ref} (${short}): worktree ${root}, node_modules by ${how === 'link' ? 'symlink' : 'npm ci'}`,
    );
    if (how === 'link') symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    // --ignore-scripts: the package's `prepare` would build a second time.
    else await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], root, 600_000);
    await run('npm', ['run', 'build'], root, 600_000);
    if (!existsSync(join(root, 'dist/src/index.js')))
      throw new Error(`${ref}: the build left no dist/src/index.js`);
    return { client: `wredis@${ref}`, ref, commit, root, install: how };
  } catch (e) {
    removeWorktree(root);
    throw e;
  }
}
