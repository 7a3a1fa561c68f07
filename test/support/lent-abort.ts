/**
 * An abort that lands while `withConnection()` ends its lent connection: `fn` has settled, the
 * UNWATCH the lease sends on its way out is held in a hold proxy (not yet at the server, or
 * answered with the answer held back), and only then does the signal abort.
 */
import type { Pipe } from './hold-proxy.js';
import { waitUntil } from './redis-server.js';

export type Outcome = { value: unknown } | { error: unknown };

/**
 * Runs `lend(fn, signal)`, whose fn WATCHes `key`, holds the `hold` direction of the pipe that
 * sent it and settles with `settle()`; aborts with `reason` once end()'s UNWATCH is held; resolves
 * with what the call settled with and the lent pipe. `key` must be new to `pipes` (it finds the pipe).
 */
export async function abortWhileEnding(
  pipes: readonly Pipe[],
  lend: (
    fn: (c: { watch(key: string): Promise<unknown> }) => Promise<unknown>,
    signal: AbortSignal,
  ) => Promise<unknown>,
  key: string,
  hold: 'up' | 'down',
  settle: () => Promise<unknown>,
  reason: Error,
): Promise<{ outcome: Outcome; lent: Pipe }> {
  const ac = new AbortController();
  // Set by fn (a closure: control flow would not see a plain variable change).
  const seen: { lent?: Pipe; mark: number } = { mark: 0 };
  const call = lend(async (c) => {
    await c.watch(key);
    // Only the lent connection has sent the key.
    const lent = pipes.find((p) => p.up.includes(key));
    if (lent === undefined) throw new Error(`no pipe carried WATCH ${key}`);
    seen.mark = hold === 'up' ? lent.up.length : lent.down.length;
    if (hold === 'up') lent.holdUp = true;
    else lent.holdDown = true;
    seen.lent = lent;
    return settle();
  }, ac.signal);
  const outcome = call.then(
    (value): Outcome => ({ value }),
    (error: unknown): Outcome => ({ error }),
  );
  await waitUntil(`end()'s UNWATCH held (${hold})`, 5000, async () => {
    const { lent, mark } = seen;
    if (lent === undefined) return 'fn has not watched yet';
    if (hold === 'up') return lent.up.slice(mark).includes('UNWATCH') ? undefined : 'UNWATCH not written';
    return lent.down.length > mark ? undefined : 'UNWATCH not answered';
  });
  ac.abort(reason);
  const lent = seen.lent as Pipe; // waitUntil returned: fn has set it
  return { outcome: await outcome, lent };
}

/** Waits (5 s at most) until the client's side of `pipe` has closed. */
export function pipeClosed(pipe: Pipe, what: string): Promise<void> {
  return waitUntil(what, 5000, async () => (pipe.client.destroyed ? undefined : 'still open'));
}
