/**
 * Runs child processes one at a time (never two measurements at once on a 2-core machine),
 * each bounded by a hard timeout after which it is killed by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX, type ChildResult, type ChildTask } from './protocol.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let current: ChildProcess | undefined;

/** Kills the running child, if any (used on SIGINT). */
export function killCurrentChild(): void {
  const pid = current?.pid;
  if (pid !== undefined && current?.exitCode === null) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Node flags of every child: the same for every client. */
export const CHILD_NODE_FLAGS = ['--expose-gc', '--import', 'tsx'];

export function runChild(task: ChildTask, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CHILD_NODE_FLAGS, CHILD, JSON.stringify(task)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    current = p;
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (p.pid !== undefined) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }, timeoutMs);
    const fail = (error: string): ChildResult => ({
      ok: false,
      client: task.client,
      workload: task.workload,
      unavailable: false,
      error,
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      current = undefined;
      resolve(fail(`could not spawn: ${e.message}`));
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith(RESULT_PREFIX));
      if (line !== undefined) {
        try {
          resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult);
          return;
        } catch {
          /* fall through */
        }
      }
      const tail = err.trim().split('\n').slice(-3).join(' | ');
      resolve(
        fail(
          timedOut
            ? `killed after ${Math.round(timeoutMs / 1000)} s`
            : `child exited ${signal ?? code} without a result${tail !== '' ? `: ${tail}` : ''}`,
        ),
      );
    });
  });
}
