/**
 * (Un)subscribes under a `withOptions()` view's signal and timeout, as the view's commands are.
 * A subscription lives on after its `subscribe()` resolved, so they bound only the call: the
 * wait for the connection and for the server's confirmation. Given up on meanwhile, the call
 * rejects and the subscription made for it ends at once, so its listener hears nothing for a
 * call that failed; an already aborted signal subscribes nothing.
 */
import { underOptions, type CallOptions } from '../shared/call-options.js';
import type { Subscription } from './subscription.js';

/**
 * Runs `start` under `view` (at once without one). `start` hands the Subscription it makes to
 * `hold` before it subscribes; `hold` returns false when the caller already gave up (then
 * `start` subscribes nothing).
 */
export function subscribeUnder<M>(
  view: CallOptions | undefined,
  command: string,
  start: (hold: (sub: Subscription<M>) => boolean) => Promise<Subscription<M>>,
): Promise<Subscription<M>> {
  if (view === undefined) return start(() => true);
  let givenUp = false;
  let made: Subscription<M> | undefined;
  const hold = (sub: Subscription<M>): boolean => {
    made = sub;
    return !givenUp;
  };
  return underOptions(
    view,
    command,
    () => start(hold),
    undefined,
    () => {
      givenUp = true;
      // Its sink leaves every name now (synchronously); the UNSUBSCRIBE that follows has no caller.
      made?.unsubscribe().catch(() => undefined);
    },
  );
}

/** An unsubscribe under `view`: an aborted signal removes nothing; a timeout bounds the wait for the server. */
export function unsubscribeUnder(
  view: CallOptions | undefined,
  command: string,
  run: () => Promise<void>,
): Promise<void> {
  return view === undefined ? run() : underOptions(view, command, run);
}
