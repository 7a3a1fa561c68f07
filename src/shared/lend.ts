/**
 * The signal rules of `withConnection()`, shared by the standalone client and the cluster (which
 * lend from different pools and wrap the socket in different classes): aborted before a dedicated
 * connection is free, the call rejects with the signal's reason and `fn` never runs; aborted while
 * `fn` runs, the lent socket is dropped (whatever it was doing — a BLPOP 0, a WATCH — is
 * abandoned, so the server stops waiting) and the call rejects with the reason at once.
 */
import type { Connection } from '../connection/connection.js';
import { abortReason, underOptions } from './call-options.js';

/**
 * @internal Lends through `lease` under `signal`: `wrap` makes the lent connection from the
 * socket, `fn` runs on it, and the lent connection is ended (`end()`) when `fn` settles.
 * `lease` covers everything before the socket is handed over (connecting, waiting for a free one).
 */
export function lendUnderSignal<L extends { end(): Promise<void> }, T>(
  signal: AbortSignal | undefined,
  command: string,
  lease: (body: (conn: Connection) => Promise<T>) => Promise<T>,
  wrap: (conn: Connection) => L,
  fn: (lent: L) => Promise<T>,
): Promise<T> {
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  const leased = lease(async (conn) => {
    // Aborted while waiting for a free dedicated connection: the call has rejected, fn never runs.
    if (signal?.aborted === true) throw abortReason(signal);
    const lent = wrap(conn);
    // On abort the connection is dropped (whatever it was doing is abandoned) and the call
    // rejects with the signal's reason at once (underOptions below).
    const drop = (): void => conn.disconnect();
    signal?.addEventListener('abort', drop, { once: true });
    try {
      return await fn(lent);
    } finally {
      signal?.removeEventListener('abort', drop);
      await lent.end();
    }
  });
  // The signal covers the wait for a free dedicated connection too, not only fn: a caller
  // waiting behind a BLPOP 0 would stay pending after the abort.
  return signal === undefined ? leased : underOptions({ signal }, command, () => leased);
}
