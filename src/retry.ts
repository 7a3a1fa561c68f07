/**
 * What to retry and how long to wait: a retry budget, a backoff strategy and a test for which
 * errors are worth another attempt. Connections ask `shouldRetry()` and `delay()`; user code can
 * wrap any operation with `run()`.
 */
import {
  ConstantBackoff,
  DecorrelatedJitterBackoff,
  ExponentialBackoff,
  ExponentialWithJitterBackoff,
  NoBackoff,
  type Backoff,
} from './backoff.js';
import { BusyLoadingError, ConnectionError, DataError } from './errors/classes.js';

export {
  ConstantBackoff,
  DecorrelatedJitterBackoff,
  ExponentialBackoff,
  ExponentialWithJitterBackoff,
  NoBackoff,
};
export type { Backoff, ExponentialBackoffOptions, JitterBackoffOptions, RandomSource } from './backoff.js';
export { DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_CAP } from './backoff.js';

/** An error class, for `retryOn`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Which errors are retried: error classes (subclasses included) and server reply codes
 * (`'BUSY'`, `'TRYAGAIN'`, … matched against the error's `code`), or a predicate.
 */
export type RetryOn = ReadonlyArray<ErrorClass | string> | ((error: unknown) => boolean);

/**
 * Error replies that prove the command did not run: retried for any command (a write too),
 * since nothing can have happened twice.
 */
export const NOT_RUN_CODES: readonly string[] = ['LOADING', 'BUSY', 'TRYAGAIN', 'MASTERDOWN', 'READONLY'];

/** What may be sent again after a connection loss left its outcome unknown. */
export type ReplayPolicy = 'readonly' | 'idempotent';

/** Options of `Retry`. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; `Infinity` retries forever). 0 never retries. */
  retries?: number;
  /** Delay strategy (default `ExponentialWithJitterBackoff({ base: 8, cap: 512 })`). */
  backoff?: Backoff;
  /**
   * Which errors are retried (default `[ConnectionError, 'LOADING', 'BUSY', 'TRYAGAIN', 'MASTERDOWN',
   * 'READONLY']`: connection failures incl. TimeoutError, and the replies that prove the command did not run).
   * A predicate that throws counts as "do not retry".
   */
  retryOn?: RetryOn;
  /**
   * After a connection loss, which written commands are sent again: `'readonly'` (default) only
   * those the command table marks read-only; `'idempotent'` also writes that are harmless twice
   * (SET, DEL …). FLUSHALL, FLUSHDB, DEBUG, SHUTDOWN and the like never are.
   */
  replay?: ReplayPolicy;
}

/** What the caller knows about the failed attempt. */
export interface RetryContext {
  /**
   * The command may have reached the server (it was written and no reply proves it was not run).
   * Default false.
   */
  sent?: boolean;
  /** Running the command twice is harmless (the command table marks it read-only or idempotent). */
  safe?: boolean;
}

/** Options of `Retry.run()`. */
export interface RetryRunOptions {
  /** Stops waiting and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called before each wait with the error, the failure count and the delay in ms. */
  onRetry?: (error: unknown, failures: number, delay: number) => void;
}

/** Default number of retries. */
export const DEFAULT_RETRIES = 3;

/**
 * A retry policy: `retries` more attempts after the first, waiting `backoff.compute(failures)`
 * ms before each, for errors matched by `retryOn`.
 */
export class Retry {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** How long to wait before each retry. */
  readonly backoff: Backoff;
  /** What may be sent again after a connection loss (see RetryOptions.replay). */
  readonly replay: ReplayPolicy;
  private readonly matches: (error: unknown) => boolean;

  constructor(options: RetryOptions = {}) {
    const retries = options.retries ?? DEFAULT_RETRIES;
    if (!(retries === Infinity || (Number.isInteger(retries) && retries >= 0))) {
      throw new DataError('retries must be an integer >= 0 or Infinity');
    }
    this.retries = retries;
    const backoff = options.backoff ?? new ExponentialWithJitterBackoff();
    // Checked here: a number (`backoff: 1000`) would only fail when a reconnect computes its delay.
    if (typeof backoff?.compute !== 'function' || typeof backoff.reset !== 'function')
      throw new DataError(
        'backoff must be a Backoff (compute(failures), reset()), e.g. new ConstantBackoff(1000)',
      );
    this.backoff = backoff;
    const replay = options.replay ?? 'readonly';
    if (replay !== 'readonly' && replay !== 'idempotent')
      throw new DataError("replay must be 'readonly' or 'idempotent'");
    this.replay = replay;
    const retryOn = options.retryOn ?? [ConnectionError, ...NOT_RUN_CODES];
    // `retryOn: ConnectionError` (a class, not in a list) would be called as a predicate and throw.
    if (
      (typeof retryOn !== 'function' && !Array.isArray(retryOn)) ||
      (typeof retryOn === 'function' && isErrorClass(retryOn))
    )
      throw new DataError(
        "retryOn must be a list of error classes and reply codes ([ConnectionError, 'BUSY']) or a predicate",
      );
    if (Array.isArray(retryOn) && !retryOn.every((c) => typeof c === 'string' || typeof c === 'function'))
      throw new DataError('retryOn lists error classes and reply codes (strings) only');
    if (typeof retryOn === 'function') {
      // Asked inside socket events (a lost connection, a timeout): a throw there escaped as an
      // uncaught exception and left the connection's commands waiting forever. A predicate that
      // cannot decide does not retry; the command rejects with its own error.
      this.matches = (error) => {
        try {
          return Boolean(retryOn(error));
        } catch {
          return false;
        }
      };
    } else {
      const codes = new Set(retryOn.filter((c): c is string => typeof c === 'string'));
      const classes = retryOn.filter((c): c is ErrorClass => typeof c === 'function');
      this.matches = (error) =>
        classes.some((cls) => error instanceof cls) ||
        (codes.size > 0 && codes.has((error as { code?: unknown } | null)?.code as string));
    }
  }

  /** Whether the error's kind is retried at all (`retryOn`), regardless of budget. */
  isRetryable(error: unknown): boolean {
    return this.matches(error);
  }

  /**
   * Whether to try again after `failures` failures (1 after the first), the latest being `error`.
   * False once `failures > retries`, for errors `retryOn` does not match, and for a command that
   * may already have run on the server (`sent`) unless it is `safe` to repeat — except after
   * an error reply that proves the command was not executed (LOADING, BUSY, TRYAGAIN, MASTERDOWN, READONLY).
   */
  shouldRetry(error: unknown, failures: number, context?: RetryContext): boolean {
    if (failures > this.retries || !this.matches(error)) return false;
    if (context?.sent === true && context.safe !== true && !provesNotRun(error)) return false;
    return true;
  }

  /** Delay in ms before the next attempt after `failures` failures. */
  delay(failures: number): number {
    return this.backoff.compute(failures);
  }

  /** Resets the backoff's per-operation state; call before a new operation. */
  reset(): void {
    this.backoff.reset();
  }

  /**
   * Runs `fn` until it succeeds, retrying errors allowed by `shouldRetry` (with `context`)
   * after the backoff delay. Rejects with the last error. `fn` gets the attempt number (0 first).
   */
  async run<T>(
    fn: (attempt: number) => T | PromiseLike<T>,
    options: RetryRunOptions & RetryContext = {},
  ): Promise<T> {
    this.backoff.reset();
    for (let failures = 0; ;) {
      try {
        return await fn(failures);
      } catch (error) {
        failures++;
        if (!this.shouldRetry(error, failures, options)) throw error;
        const ms = this.backoff.compute(failures);
        options.onRetry?.(error, failures, ms);
        await sleep(ms, options.signal);
      }
    }
  }
}

function isErrorClass(f: unknown): boolean {
  const proto = (f as { prototype?: unknown }).prototype;
  return f === Error || (typeof proto === 'object' && proto !== null && proto instanceof Error);
}

/** Whether an error reply proves its command did not run. */
function provesNotRun(error: unknown): boolean {
  if (error instanceof BusyLoadingError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_RUN_CODES.includes(code) && !(error instanceof ConnectionError);
}

/** The default policy: 3 retries of ConnectionError (incl. TimeoutError, BusyLoadingError) and of the not-run replies, jittered exponential 8..512 ms. */
export function defaultRetry(): Retry {
  return new Retry();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  if (ms <= 0 && signal === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
