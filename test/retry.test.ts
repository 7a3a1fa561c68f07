import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ConstantBackoff,
  DEFAULT_BACKOFF_BASE,
  DEFAULT_BACKOFF_CAP,
  DEFAULT_RETRIES,
  DecorrelatedJitterBackoff,
  ExponentialBackoff,
  ExponentialWithJitterBackoff,
  NoBackoff,
  Retry,
  defaultRetry,
  type Backoff,
} from '../src/retry.js';
import {
  BusyLoadingError,
  ConnectionError,
  DataError,
  PrimaryNotFoundError,
  ResponseError,
  TimeoutError,
  TryAgainError,
} from '../src/errors/index.js';

/** A random source that replays fixed values. */
function fixed(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

/** A backoff that records its calls and never waits. */
class Recording implements Backoff {
  computed: number[] = [];
  resets = 0;
  compute(failures: number): number {
    this.computed.push(failures);
    return 0;
  }
  reset(): void {
    this.resets++;
  }
}

const unitInterval = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff formulas (ms)', () => {
  test('NoBackoff and ConstantBackoff', () => {
    assert.equal(new NoBackoff().compute(1), 0);
    assert.equal(new NoBackoff().compute(1000), 0);
    const c = new ConstantBackoff(25);
    for (const f of [0, 1, 2, 50, 5000]) assert.equal(c.compute(f), 25);
  });

  test('ExponentialBackoff: min(cap, base * 2^failures), defaults 8 / 512', () => {
    const e = new ExponentialBackoff();
    assert.equal(e.base, DEFAULT_BACKOFF_BASE);
    assert.equal(e.cap, DEFAULT_BACKOFF_CAP);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 100, 5000].map((f) => e.compute(f)),
      [16, 32, 64, 128, 256, 512, 512, 512, 512],
    );
    assert.deepEqual(
      [0, 1, 2].map((f) => new ExponentialBackoff({ base: 1, cap: 3 }).compute(f)),
      [1, 2, 3],
    );
    assert.equal(new ExponentialBackoff({ base: 0, cap: 10 }).compute(5000), 0, 'no NaN from 0 * Infinity');
  });

  test('ExponentialWithJitterBackoff: min(cap, random * base * 2^failures)', () => {
    assert.equal(new ExponentialWithJitterBackoff({ random: fixed(0) }).compute(3), 0);
    assert.equal(new ExponentialWithJitterBackoff({ random: fixed(0.5) }).compute(3), 32);
    assert.equal(
      new ExponentialWithJitterBackoff({ random: fixed(0.25), base: 10, cap: 1000 }).compute(2),
      10,
    );
    assert.equal(new ExponentialWithJitterBackoff({ random: fixed(0.5) }).compute(60), 512);
    assert.equal(
      new ExponentialWithJitterBackoff({ random: fixed(0) }).compute(5000),
      0,
      'no NaN from 0 * Infinity',
    );
  });

  test('property: ExponentialWithJitterBackoff stays in [0, min(cap, base * 2^failures)]', () => {
    fc.assert(
      fc.property(
        unitInterval,
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (r, failures, base, cap) => {
          const v = new ExponentialWithJitterBackoff({ base, cap, random: () => r }).compute(failures);
          assert.ok(v >= 0 && v <= Math.min(cap, base === 0 ? 0 : base * 2 ** failures), `${v}`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('DecorrelatedJitterBackoff: uniform in [base, 3 * previous], capped; reset forgets previous', () => {
    const d = new DecorrelatedJitterBackoff({
      base: 10,
      cap: 100,
      random: fixed(0, 1 - Number.EPSILON, 1 - Number.EPSILON, 1 - Number.EPSILON, 0.5),
    });
    assert.equal(d.compute(1), 10, 'first delay is base');
    assert.ok(Math.abs(d.compute(2) - 30) < 1e-9, 'up to 3 * 10');
    assert.ok(Math.abs(d.compute(3) - 90) < 1e-9, 'up to 3 * 30');
    assert.equal(d.compute(4), 100, 'capped');
    d.reset();
    assert.equal(d.compute(1), 10, 'after reset: base again, whatever the random value (0.5)');
  });

  test('property: DecorrelatedJitterBackoff stays in [min(base, cap), cap] and within 3x of the previous delay', () => {
    fc.assert(
      fc.property(
        fc.array(unitInterval, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (rs, base, cap) => {
          const d = new DecorrelatedJitterBackoff({ base, cap, random: fixed(...rs) });
          let previous = 0;
          for (let i = 1; i <= rs.length; i++) {
            const v = d.compute(i);
            assert.ok(v >= Math.min(base, cap) - 1e-9 && v <= cap, `${v} out of [${base}, ${cap}]`);
            assert.ok(v <= Math.max(base, 3 * previous) + 1e-9);
            previous = v;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('invalid delays are rejected with DataError', () => {
    for (const bad of [-1, Number.NaN, Infinity]) {
      assert.throws(() => new ConstantBackoff(bad), DataError);
      assert.throws(() => new ExponentialBackoff({ base: bad }), DataError);
      assert.throws(() => new ExponentialWithJitterBackoff({ cap: bad }), DataError);
      assert.throws(() => new DecorrelatedJitterBackoff({ base: bad }), DataError);
    }
  });
});

describe('Retry', () => {
  test('defaults: 3 retries of ConnectionError (and subclasses) and of the not-run replies, jittered exponential backoff 8..512 ms', () => {
    for (const r of [new Retry(), defaultRetry()]) {
      assert.equal(r.retries, DEFAULT_RETRIES);
      assert.equal(r.retries, 3);
      assert.ok(r.backoff instanceof ExponentialWithJitterBackoff);
      assert.equal(r.backoff.base, 8);
      assert.equal(r.backoff.cap, 512);
      for (const e of [
        new ConnectionError('x'),
        new TimeoutError('x'),
        new BusyLoadingError('LOADING x'),
        new PrimaryNotFoundError('x'),
        new TryAgainError('TRYAGAIN x'),
        new ResponseError('BUSY Redis is busy running a script'),
        new ResponseError('MASTERDOWN Link with MASTER is down'),
      ]) {
        assert.equal(r.isRetryable(e), true, e.name);
      }
      for (const e of [new ResponseError('ERR x'), new DataError('x'), new Error('x'), 'string', undefined]) {
        assert.equal(r.isRetryable(e), false, String(e));
      }
    }
  });

  test('shouldRetry: budget, error kind, and commands that may have reached the server', () => {
    const r = new Retry({ retries: 2, backoff: new NoBackoff() });
    const conn = new ConnectionError('lost');
    assert.equal(r.shouldRetry(conn, 1), true);
    assert.equal(r.shouldRetry(conn, 2), true);
    assert.equal(r.shouldRetry(conn, 3), false, 'budget spent');
    assert.equal(r.shouldRetry(new ResponseError('ERR x'), 1), false);
    // Written, no proof it did not run: only read-only / idempotent commands go again.
    assert.equal(r.shouldRetry(conn, 1, { sent: true }), false);
    assert.equal(r.shouldRetry(conn, 1, { sent: true, safe: false }), false);
    assert.equal(r.shouldRetry(conn, 1, { sent: true, safe: true }), true);
    assert.equal(r.shouldRetry(new TimeoutError('command timed out'), 1, { sent: true }), false);
    assert.equal(r.shouldRetry(conn, 1, { sent: false, safe: false }), true);
    // LOADING proves the command was not executed.
    assert.equal(r.shouldRetry(new BusyLoadingError('LOADING x'), 1, { sent: true, safe: false }), true);
    assert.equal(r.shouldRetry(new BusyLoadingError('LOADING x'), 3, { sent: true, safe: false }), false);
  });

  test('retries: 0 never retries; Infinity always does', () => {
    assert.equal(new Retry({ retries: 0 }).shouldRetry(new ConnectionError('x'), 1), false);
    assert.equal(new Retry({ retries: Infinity }).shouldRetry(new ConnectionError('x'), 1e9), true);
  });

  test('retryOn: a list of classes or a predicate', () => {
    const byClass = new Retry({ retryOn: [TryAgainError, TimeoutError] });
    assert.equal(byClass.isRetryable(new TryAgainError('TRYAGAIN x')), true);
    assert.equal(byClass.isRetryable(new TimeoutError('x')), true);
    assert.equal(byClass.isRetryable(new ConnectionError('x')), false);
    const byPredicate = new Retry({ retryOn: (e) => e instanceof ResponseError && e.code === 'BUSY' });
    assert.equal(byPredicate.isRetryable(new ResponseError('BUSY running a script')), true);
    assert.equal(byPredicate.isRetryable(new ConnectionError('x')), false);
  });

  test('retryOn: a predicate that throws does not retry, and run() rejects with the error it was asked about', async () => {
    const r = new Retry({
      backoff: new NoBackoff(),
      retryOn: (e) => (e as { reply: { code: string } }).reply.code === 'BUSY',
    });
    const lost = new ConnectionError('lost');
    assert.equal(r.isRetryable(lost), false);
    assert.equal(r.shouldRetry(lost, 1), false);
    let calls = 0;
    await assert.rejects(
      r.run(() => {
        calls++;
        throw lost;
      }),
      (e) => e === lost,
    );
    assert.equal(calls, 1);
    // A truthy non-boolean still means yes.
    const truthy = new Retry({
      retryOn: ((e: unknown) => (e as { code?: string }).code) as unknown as (e: unknown) => boolean,
    });
    assert.equal(truthy.isRetryable(new ResponseError('BUSY x')), true);
  });

  test('retryOn that is neither a list nor a predicate is rejected with DataError', () => {
    for (const retryOn of [ConnectionError, Error, 'BUSY', 42, [ConnectionError, undefined], [{}]]) {
      assert.throws(
        () => new Retry({ retryOn: retryOn as never }),
        (e) => e instanceof DataError && /retryOn/.test(e.message),
        String(retryOn),
      );
    }
  });

  test('delay and reset delegate to the backoff', () => {
    const b = new Recording();
    const r = new Retry({ backoff: b });
    assert.equal(r.delay(2), 0);
    r.reset();
    assert.deepEqual(b.computed, [2]);
    assert.equal(b.resets, 1);
    assert.equal(new Retry({ backoff: new ExponentialBackoff() }).delay(2), 32);
  });

  test('invalid retries are rejected with DataError', () => {
    for (const retries of [-1, 1.5, Number.NaN, -Infinity])
      assert.throws(() => new Retry({ retries }), DataError);
  });

  test('run: returns the first success', async () => {
    const b = new Recording();
    const attempts: number[] = [];
    const value = await new Retry({ retries: 3, backoff: b }).run(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 2) throw new ConnectionError('flaky');
      return 'ok';
    });
    assert.equal(value, 'ok');
    assert.deepEqual(attempts, [0, 1, 2]);
    assert.deepEqual(b.computed, [1, 2], 'backoff asked with the failure count');
    assert.equal(b.resets, 1, 'reset once per run');
  });

  test('run: stops after `retries` retries and rejects with the last error', async () => {
    const b = new Recording();
    let calls = 0;
    const seen: [number, number][] = [];
    await assert.rejects(
      new Retry({ retries: 3, backoff: b }).run(
        () => {
          calls++;
          throw new TimeoutError(`attempt ${calls}`);
        },
        { onRetry: (_e, failures, delay) => seen.push([failures, delay]) },
      ),
      (e: unknown) => e instanceof TimeoutError && e.message === 'attempt 4',
    );
    assert.equal(calls, 4, 'first attempt + 3 retries');
    assert.deepEqual(seen, [
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
  });

  test('run: an error retryOn does not match is thrown at once', async () => {
    let calls = 0;
    const error = new ResponseError('WRONGTYPE Operation against a key holding the wrong kind of value');
    await assert.rejects(
      new Retry({ backoff: new NoBackoff() }).run(() => {
        calls++;
        throw error;
      }),
      (e: unknown) => e === error,
    );
    assert.equal(calls, 1);
  });

  test('run: sent commands that are not safe are not retried', async () => {
    let calls = 0;
    await assert.rejects(
      new Retry({ backoff: new NoBackoff() }).run(
        () => {
          calls++;
          throw new ConnectionError('lost after write');
        },
        { sent: true },
      ),
      ConnectionError,
    );
    assert.equal(calls, 1);
  });

  test('run: an abort signal ends the wait with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    let calls = 0;
    await assert.rejects(
      new Retry({ retries: 5, backoff: new ConstantBackoff(60_000) }).run(
        () => {
          calls++;
          throw new ConnectionError('down');
        },
        { signal: controller.signal, onRetry: () => controller.abort(reason) },
      ),
      (e: unknown) => e === reason,
    );
    assert.equal(calls, 1);

    // Aborted while already waiting.
    const later = new AbortController();
    await assert.rejects(
      new Retry({ retries: 5, backoff: new ConstantBackoff(60_000) }).run(
        () => {
          throw new ConnectionError('down');
        },
        { signal: later.signal, onRetry: () => setImmediate(() => later.abort(reason)) },
      ),
      (e: unknown) => e === reason,
    );
  });

  test('run: works with synchronous functions and values', async () => {
    assert.equal(await new Retry().run(() => 42), 42);
  });
});
