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

/** Error classes (subclasses included) or a predicate deciding which errors are retried. */
export type RetryOn = readonly ErrorClass[] | ((error: unknown) => boolean);

/** Options of `Retry`. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; `Infinity` retries forever). 0 never retries. */
  retries?: number;
  /** Delay strategy (default `ExponentialWithJitterBackoff({ base: 8, cap: 512 })`). */
  backoff?: Backoff;
  /** Which errors are retried (default `[ConnectionError]`, i.e. also TimeoutError and BusyLoadingError). */
  retryOn?: RetryOn;
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
  readonly retries: number;
  readonly backoff: Backoff;
  private readonly matches: (error: unknown) => boolean;

  constructor(options: RetryOptions = {}) {
    const retries = options.retries ?? DEFAULT_RETRIES;
    if (!(retries === Infinity || (Number.isInteger(retries) && retries >= 0))) {
      throw new DataError('retries must be an integer >= 0 or Infinity');
    }
    this.retries = retries;
    this.backoff = options.backoff ?? new ExponentialWithJitterBackoff();
    const retryOn = options.retryOn ?? [ConnectionError];
    this.matches =
      typeof retryOn === 'function' ? retryOn : (error) => retryOn.some((cls) => error instanceof cls);
  }

  /** Whether the error's kind is retried at all (`retryOn`), regardless of budget. */
  isRetryable(error: unknown): boolean {
    return this.matches(error);
  }

  /**
   * Whether to try again after `failures` failures (1 after the first), the latest being `error`.
   * False once `failures > retries`, for errors `retryOn` does not match, and for a command that
   * may already have run on the server (`sent`) unless it is `safe` to repeat — except after
   * `-LOADING` (BusyLoadingError), which proves the command was not executed.
   */
  shouldRetry(error: unknown, failures: number, context?: RetryContext): boolean {
    if (failures > this.retries || !this.matches(error)) return false;
    if (context?.sent === true && context.safe !== true && !(error instanceof BusyLoadingError)) return false;
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

/** The default policy: 3 retries of ConnectionError (incl. TimeoutError, BusyLoadingError), jittered exponential 8..512 ms. */
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
