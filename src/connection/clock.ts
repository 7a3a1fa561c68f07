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

const proc = (globalThis as { process?: { nextTick?: (fn: () => void) => void } }).process;
const nextTick = typeof proc?.nextTick === 'function' ? proc.nextTick.bind(proc) : undefined;

/**
 * Why not a plain microtask: a command's flush queued as a microtask runs as soon as the
 * microtasks queued before it have run, while code resumed by those (callers answered from the
 * client-side cache, which loop on without I/O) queues more commands behind it, each few
 * getting their own socket write (measured under W7 with the cache: ~8 commands per server read
 * instead of ~85, and writes the biggest cost of the client). A `process.nextTick` queued from a
 * microtask runs after the whole microtask queue has drained, so everything those callers send
 * before waiting on I/O leaves in one write (or its early parts, see CommandQueue.write); the order of commands is not affected.
 */
function afterMicrotasks(fn: () => void): void {
  queueMicrotask(() => (nextTick as (fn: () => void) => void)(fn));
}

/** The real clock: `microtask` once the microtask queue has drained where `process.nextTick` exists (Node, Bun, Deno), else a microtask. */
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
  microtask: nextTick !== undefined ? afterMicrotasks : (fn) => queueMicrotask(fn),
};
