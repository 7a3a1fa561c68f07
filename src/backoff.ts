/**
 * Backoff strategies: how long to wait (ms) before the next attempt after `failures` failures.
 * Formulas follow redis-py's `redis/backoff.py`, in milliseconds instead of seconds.
 * The jittered ones take an injectable `random` (returns [0, 1)) so tests can pin them.
 */
import { DataError } from './errors/classes.js';

/** A backoff strategy. */
export interface Backoff {
  /** Delay in ms before the next attempt; `failures` counts failures so far (1 after the first). */
  compute(failures: number): number;
  /** Forget per-operation state (called once before each retried operation). */
  reset(): void;
}

/** Uniform random number in [0, 1). */
export type RandomSource = () => number;

/** Default smallest step of the exponential strategies, ms (redis-py: 8 ms). */
export const DEFAULT_BACKOFF_BASE = 8;
/** Default largest delay of the exponential strategies, ms (redis-py: 512 ms). */
export const DEFAULT_BACKOFF_CAP = 512;

/** Options of the exponential strategies. */
export interface ExponentialBackoffOptions {
  /** Base step in ms (default 8). */
  base?: number;
  /** Upper bound in ms (default 512). */
  cap?: number;
}

/** Options of the jittered strategies. */
export interface JitterBackoffOptions extends ExponentialBackoffOptions {
  /** Random source in [0, 1) (default `Math.random`). */
  random?: RandomSource;
}

/** The same delay after every failure. */
export class ConstantBackoff implements Backoff {
  /** The delay in ms. */
  readonly ms: number;

  constructor(ms: number) {
    this.ms = checkMs(ms, 'ConstantBackoff delay');
  }

  compute(_failures: number): number {
    return this.ms;
  }

  reset(): void {}
}

/** Retry at once. */
export class NoBackoff extends ConstantBackoff {
  constructor() {
    super(0);
  }
}

/** `min(cap, base * 2^failures)`. */
export class ExponentialBackoff implements Backoff {
  /** Base step in ms. */
  readonly base: number;
  /** Upper bound of a delay in ms. */
  readonly cap: number;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.base = checkMs(options.base ?? DEFAULT_BACKOFF_BASE, 'base');
    this.cap = checkMs(options.cap ?? DEFAULT_BACKOFF_CAP, 'cap');
  }

  compute(failures: number): number {
    return Math.min(this.cap, exponential(this.base, failures));
  }

  reset(): void {}
}

/** `min(cap, random() * base * 2^failures)`: exponential growth, jittered over the whole step. */
export class ExponentialWithJitterBackoff implements Backoff {
  /** Base step in ms. */
  readonly base: number;
  /** Upper bound of a delay in ms. */
  readonly cap: number;
  private readonly random: RandomSource;

  constructor(options: JitterBackoffOptions = {}) {
    this.base = checkMs(options.base ?? DEFAULT_BACKOFF_BASE, 'base');
    this.cap = checkMs(options.cap ?? DEFAULT_BACKOFF_CAP, 'cap');
    this.random = options.random ?? Math.random;
  }

  compute(failures: number): number {
    return Math.min(this.cap, exponential(this.random() * this.base, failures));
  }

  reset(): void {}
}

/**
 * "Decorrelated jitter" (AWS architecture blog): each delay is uniform in
 * `[base, max(base, 3 * previous)]`, capped; the previous delay is reset per operation.
 */
export class DecorrelatedJitterBackoff implements Backoff {
  /** Base step in ms. */
  readonly base: number;
  /** Upper bound of a delay in ms. */
  readonly cap: number;
  private readonly random: RandomSource;
  private previous = 0;

  constructor(options: JitterBackoffOptions = {}) {
    this.base = checkMs(options.base ?? DEFAULT_BACKOFF_BASE, 'base');
    this.cap = checkMs(options.cap ?? DEFAULT_BACKOFF_CAP, 'cap');
    this.random = options.random ?? Math.random;
  }

  compute(_failures: number): number {
    const high = Math.max(this.base, this.previous * 3);
    this.previous = Math.min(this.cap, this.base + this.random() * (high - this.base));
    return this.previous;
  }

  reset(): void {
    this.previous = 0;
  }
}

/** `base * 2^failures`, without NaN from `0 * Infinity` once 2^failures overflows. */
function exponential(base: number, failures: number): number {
  return base === 0 ? 0 : base * 2 ** Math.max(0, failures);
}

function checkMs(value: number, what: string): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new DataError(`${what} must be a finite number of milliseconds >= 0`);
  }
  return value;
}
