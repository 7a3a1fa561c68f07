/**
 * Error handling pattern 1: fail fast.
 *
 * When an error means this program cannot do its job correctly, stop: let the error
 * propagate, report what it was, exit non-zero, and leave the next step to whatever
 * supervises the process (systemd, Kubernetes, a CI job, an operator). Two kinds here:
 *
 * - ConnectionError (TimeoutError included): Redis is unreachable and this job has no
 *   use without it. Retrying inside the program would only hide the outage.
 * - ResponseError: the server refused a command, which in this program means a bug.
 *   Run with `--bug` to make one.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/fail-fast.ts [--bug]
 */
import { Redis, Retry } from '../src/index.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const simulateBug = process.argv.includes('--bug');

// `retries: 0`: a failure surfaces at once instead of being waited out behind reconnects.
const redis = new Redis(url, { connectTimeout: 2_000, retry: new Retry({ retries: 0 }) });

async function main(): Promise<void> {
  const key = 'example:fail-fast:greeting';
  await redis.set(key, 'hello', { ex: 60 });
  if (simulateBug) {
    // INCR of a string that is not a number: the server answers -ERR. Nothing to handle,
    // a bug to fix, so it propagates like every other error in this program.
    await redis.incr(key);
  }
  const greeting = await redis.get(key);
  console.log(`fail-fast: ok, greeting=${greeting}`);
}

try {
  await main();
  await redis.close();
} catch (error) {
  redis.disconnect();
  // The class name says what kind of failure it was; wredis messages carry no passwords or values.
  const e = error instanceof Error ? error : new Error(String(error));
  console.error(`fail-fast: ${e.name}: ${e.message}`);
  process.exitCode = 1;
}
