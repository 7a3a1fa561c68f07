/**
 * Time as the connection sees it: the wall clock and timers in production, a controllable
 * clock in the in-memory tests (test/support/fake-transport.ts), so timeouts, backoff and
 * stuck detection are tested deterministically.
 */

/** An opaque timer handle. */
export type TimerHandle = { readonly __timer: unique symbol } | object | number;

export interface Clock {
  /** Milliseconds, monotonic enough for deadlines. */
  now(): number;
  /**
   * Runs `fn` after `ms`. Timers are unreferenced unless `keepAlive`: a pending command
   * timeout or retry must not keep a process alive; a reconnect under way does.
   */
  setTimeout(fn: () => void, ms: number, keepAlive?: boolean): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` after the current job (one socket write per tick). */
  microtask(fn: () => void): void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms, keepAlive) {
    const t = setTimeout(fn, Math.min(Math.max(0, ms), 2_147_483_647));
    if (keepAlive !== true) (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as ReturnType<typeof setTimeout>);
  },
  microtask: (fn) => queueMicrotask(fn),
};
