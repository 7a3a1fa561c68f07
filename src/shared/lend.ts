/**
 * The signal rules of `withConnection()`, shared by the standalone client and the cluster (which
 * lend from different pools and wrap the socket in different classes): aborted before a dedicated
 * connection is free, the call rejects with the signal's reason and `fn` never runs; aborted while
 * `fn` runs, the lent socket is dropped (whatever it was doing — a BLPOP 0, a WATCH — is
 * abandoned, so the server stops waiting) and the call rejects with the reason at once. Once `fn`
 * has settled its outcome is the call's: an abort while the lent connection is being ended (its
 * UNWATCH unanswered) only drops the socket, so a cleanup cut short never returns it to the pool.
 */
import type { Connection } from '../connection/connection.js';
import { abortReason, checkSignal } from './call-options.js';

/**
 * @internal Lends through `lease` under `signal`: `wrap` makes the lent connection from the
 * socket, `fn` runs on it, and the lent connection is ended (`end()`) when `fn` settles.
 * `lease` covers everything before the socket is handed over (connecting, waiting for a free one).
 */
export function lendUnderSignal<L extends { end(): Promise<void> }, T>(
  signal: AbortSignal | undefined,
  lease: (body: (conn: Connection) => Promise<T>) => Promise<T>,
  wrap: (conn: Connection) => L,
  fn: (lent: L) => Promise<T>,
): Promise<T> {
  checkSignal(signal, 'withConnection(fn, { signal })');
  if (signal === undefined) {
    return lease(async (conn) => {
      const lent = wrap(conn);
      try {
        return await fn(lent);
      } finally {
        await lent.end();
      }
    });
  }
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    // Set when fn has settled: the work is done (or failed on its own), an abort cannot undo it.
    let ran = false;
    // The lent socket, from when fn gets it until its lease has ended (then it may be lent again).
    let held: Connection | undefined;
    const onAbort = (): void => {
      // The wait for a free dedicated connection, and fn, end with the abort: a caller waiting
      // behind a BLPOP 0 would stay pending after it otherwise.
      if (!ran) reject(abortReason(signal));
      // Whatever the socket was doing (fn's BLPOP 0 or WATCH, end()'s UNWATCH) is abandoned: an
      // interrupted cleanup leaves the socket in a state nobody knows, so it is never lent again.
      held?.disconnect();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    lease(async (conn) => {
      // Aborted while waiting for a free dedicated connection: the call has rejected, fn never runs.
      if (signal.aborted) throw abortReason(signal);
      held = conn;
      const lent = wrap(conn);
      try {
        return await fn(lent);
      } finally {
        ran = true;
        try {
          await lent.end();
        } finally {
          held = undefined;
        }
      }
    }).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
