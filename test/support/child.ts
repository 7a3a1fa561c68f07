/**
 * Runs an ES module's source in a child Node process (through tsx), for tests whose subject is the
 * process itself: that it exits by itself once its clients are closed. Bounded: a child still alive
 * after `killAfterMs` is killed, and its exit code is then not 0.
 */
import { spawn } from 'node:child_process';

export function runModule(
  code: string,
  killAfterMs: number,
): Promise<{ exit: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (exit) => {
      clearTimeout(timer);
      resolve({ exit, stdout });
    });
  });
}
