/**
 * Error handling pattern 4: log and continue.
 *
 * For work where one failed item must not stop the rest (a batch import, best-effort
 * counters, cache writes), record the failure and move on, then report how many
 * operations succeeded. Log what identifies a failure (operation, key, error class and
 * server code), never values or credentials. Errors that are not Redis errors are bugs
 * in this program and still propagate.
 *
 * The batch below records page views; two keys hold the wrong kind of value, so their
 * INCR fails (WRONGTYPE, ERR not an integer) while the others go through. With Redis
 * unreachable every operation fails with ConnectionError, is logged, and the batch
 * still runs to the end.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/log-and-continue.ts
 */
import { Redis, RedisError, ResponseError, Retry } from '../src/index.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

// `retries: 0`: a failed item is logged and skipped, not waited out.
const redis = new Redis(url, { connectTimeout: 1_000, retry: new Retry({ retries: 0 }) });

const k = (page: string): string => `example:log-and-continue:views:${page}`;

interface Operation {
  op: string;
  key: string;
  run: () => Promise<unknown>;
}

const batch: Operation[] = [
  { op: 'DEL', key: k('*'), run: () => redis.del(k('home'), k('about'), k('faq'), k('blog')) },
  { op: 'SET', key: k('home'), run: () => redis.set(k('home'), 10) },
  // A list where a counter belongs: INCR answers WRONGTYPE.
  { op: 'RPUSH', key: k('about'), run: () => redis.rpush(k('about'), 'visitor') },
  // Not a number: INCR answers ERR value is not an integer.
  { op: 'SET', key: k('faq'), run: () => redis.set(k('faq'), 'n/a') },
  { op: 'INCR', key: k('home'), run: () => redis.incr(k('home')) },
  { op: 'INCR', key: k('about'), run: () => redis.incr(k('about')) },
  { op: 'INCR', key: k('faq'), run: () => redis.incr(k('faq')) },
  { op: 'INCR', key: k('blog'), run: () => redis.incr(k('blog')) },
];

let succeeded = 0;
const failures = new Map<string, number>();
try {
  for (const { op, key, run } of batch) {
    try {
      await run();
      succeeded++;
    } catch (error) {
      if (!(error instanceof RedisError)) throw error;
      const kind =
        error instanceof ResponseError && error.code !== undefined
          ? `${error.name}/${error.code}`
          : error.name;
      failures.set(kind, (failures.get(kind) ?? 0) + 1);
      // Structured and value-free: the operation, the key, the error class and code.
      console.warn(
        `log-and-continue: warn ${JSON.stringify({ op, key, error: error.name, code: error.code })}`,
      );
    }
  }
} finally {
  redis.disconnect();
}
const failed = batch.length - succeeded;
const detail = [...failures].map(([kind, n]) => `${kind}=${n}`).join(' ');
console.log(
  `log-and-continue: ${batch.length} operations, ${succeeded} succeeded, ${failed} failed${failed > 0 ? ` (${detail})` : ''}`,
);
