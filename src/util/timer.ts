/** Largest delay `setTimeout` honours (2^31 - 1 ms); Node turns a longer one into 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Whether a user-given limit of `ms` needs a timer: 0 (and NaN) mean no limit, and so does a
 * delay beyond the timer maximum (about 24.8 days; Infinity included) — set as a timer it would
 * fire after 1 ms, the opposite of what was asked.
 */
export function timerFor(ms: number | undefined): ms is number {
  return ms !== undefined && ms > 0 && ms <= MAX_TIMER_MS;
}

/**
 * `p`, or `fallback` once `ms` have passed (no limit where {@link timerFor} says so). The timer
 * is cleared when either settles and, like a command timeout, does not keep a process alive.
 */
export function within<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  if (!timerFor(ms)) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, ms, fallback);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
