/**
 * Error handling pattern 3: retry with backoff.
 *
 * Connection errors and timeouts are usually transient: a restart, a failover, a network
 * blip. Retry them a bounded number of times, waiting longer after each failure, with
 * jitter so that many clients do not come back in lockstep. Retry only what is safe to
 * run twice (here SET then GET of a fixed value); anything else fails at once.
 *
 * Two layers, both driven by a `Retry` policy:
 * - the client's `retry` option: reconnects, and resends commands that were never sent
 *   or that the command table marks safe to repeat (default: 3 retries, 8..512 ms);
 * - `retry.run(fn)`: repeats a whole operation of the application.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/retry-with-backoff.ts
 */
import { ConnectionError, ExponentialWithJitterBackoff, Redis, Retry } from '../src/index.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const redis = new Redis(url, {
  connectTimeout: 1_000,
  // Client level: a command waits through at most 2 failed reconnects, 10..100 ms apart.
  retry: new Retry({ retries: 2, backoff: new ExponentialWithJitterBackoff({ base: 10, cap: 100 }) }),
});

// Application level: up to 8 more attempts of the whole operation, each delay drawn from
// [0, min(1000, 50 * 2^failures)] ms (full jitter). TimeoutError and BusyLoadingError are
// ConnectionErrors, so they are retried too; a ResponseError is not.
const retry = new Retry({
  retries: 8,
  backoff: new ExponentialWithJitterBackoff({ base: 50, cap: 1_000 }),
  retryOn: [ConnectionError],
});

const key = 'example:retry-with-backoff:status';
let attempts = 0;
try {
  const status = await retry.run(
    async () => {
      attempts++;
      await redis.set(key, 'ready', { ex: 60 });
      return redis.get(key);
    },
    {
      onRetry: (error, failures, delay) => {
        const name = error instanceof Error ? error.name : 'error';
        console.log(
          `retry-with-backoff: attempt ${failures} failed (${name}), retrying in ${Math.round(delay)} ms`,
        );
      },
    },
  );
  console.log(`retry-with-backoff: ok after ${attempts} attempt(s), status=${status}`);
  await redis.close();
} catch (error) {
  redis.disconnect();
  const name = error instanceof Error ? error.name : 'error';
  console.error(`retry-with-backoff: gave up after ${attempts} attempts (${name})`);
  process.exitCode = 1;
}
