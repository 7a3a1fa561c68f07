/**
 * Per-call options of a `withOptions()` view: an AbortSignal and a timeout.
 * The promise a caller holds rejects with the signal's reason when it aborts,
 * or with TimeoutError after `timeout` ms. What happens to the command itself
 * depends on where it is: not yet handed to a connection (the view waits for
 * the connection to be ready first), or handed over but not yet written to
 * the socket (waiting for room or a reconnect, or in the write buffer of the
 * current tick), it is withdrawn, never sent; already written, it keeps its
 * slot and its reply is discarded (as with commandTimeout) — except a
 * blocking command, whose dedicated connection is dropped so the server stops
 * waiting for it.
 */
import { DataError, ErrorCodes, RedisError, TimeoutError } from '../errors/index.js';
import { timerFor } from '../util/timer.js';

/** Options of `r.withOptions()`. */
export interface CallOptions {
  /** Commands reject with `signal.reason` when it aborts. */
  readonly signal?: AbortSignal;
  /** Commands reject with TimeoutError after this many ms (blocking ones too). 0 or absent: none. */
  readonly timeout?: number;
}

/**
 * A signal given from JavaScript that is not one (`{}`, `'x'`) failed only where it was first used:
 * for a command as a TypeError, for a lock after its SET had gone out (a lock then held by nobody
 * who knew). Checked before anything is sent; `what` names the option in the error.
 */
export function checkSignal(signal: unknown, what: string): asserts signal is AbortSignal | undefined {
  if (signal === undefined || signal === null) return; // null says nothing, as for tls
  const s = signal as Partial<AbortSignal> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.aborted !== 'boolean' ||
    typeof s.addEventListener !== 'function' ||
    typeof s.removeEventListener !== 'function'
  )
    throw new DataError(`${what} must be an AbortSignal`);
}

/** A `withOptions()` view of `client`: its options merged over the client's own, checked first. */
export function viewWith<C extends object>(
  client: C,
  base: CallOptions | undefined,
  options: CallOptions,
): C {
  const o = options as CallOptions | null | undefined;
  if (typeof o !== 'object' || o === null) throw new DataError('withOptions() takes { signal?, timeout? }');
  checkSignal(o.signal, 'withOptions({ signal })');
  const t: unknown = o.timeout;
  if (t !== undefined && (typeof t !== 'number' || !(t >= 0)))
    throw new DataError('withOptions({ timeout }) must be a number of ms, 0 or more');
  const view = Object.create(client) as C;
  Object.defineProperty(view, 'callOptions', { value: { ...base, ...o } });
  return view;
}

/** The signal's reason as the rejection (an AbortError DOMException unless the caller gave one). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new RedisError('The operation was aborted');
}

/** A rejection reason as an Error (a signal may abort with any value). */
export function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new RedisError('The operation was aborted');
}

/**
 * Who wants to learn what became of a command given up on under a signal (see {@link watchGivenUp}).
 * Keyed by the signal, so the public CallOptions stay as they are; entries go with their signal.
 */
const watchers = new WeakMap<AbortSignal, (late: Promise<unknown> | undefined) => void>();

/**
 * @internal For a feature that must act on what a command it gave up on did (the lock's SET: did
 * it run, did it take the lock?). When a command under `signal` is given up on (its caller's
 * promise rejected), `report` gets `undefined` if it was never handed to a connection (it will not
 * run), else the command's own promise: rejected with the abort reason itself when the command was
 * withdrawn unsent, else settled by the server's answer (or a lost connection).
 */
export function watchGivenUp(
  signal: AbortSignal,
  report: (late: Promise<unknown> | undefined) => void,
): void {
  watchers.set(signal, report);
}

/**
 * Runs `send` under `o`. `ready` (optional) is waited for before sending, and
 * an abort or timeout meanwhile drops the command unsent. `cancel` runs with
 * the rejection when the caller gave up on a command already handed over
 * (withdraw it if still unwritten; blocking: drop its connection).
 */
export function underOptions<T>(
  o: CallOptions,
  command: string,
  send: () => Promise<T>,
  ready?: Promise<void>,
  cancel?: (error: unknown) => void,
): Promise<T> {
  const signal = o.signal;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  const timeout = o.timeout;
  // A timeout beyond the timer maximum is no limit: setTimeout would turn it into 1 ms.
  const limited = timerFor(timeout);
  if (signal === undefined && !limited) return ready === undefined ? send() : ready.then(send);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let sent = false;
    let inner: Promise<T> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (error: unknown): void => {
      if (settled) return;
      finish();
      if (sent) cancel?.(error);
      reject(error);
      if (signal !== undefined) watchers.get(signal)?.(inner);
    };
    const onAbort = (): void => giveUp(abortReason(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (limited) {
      timer = setTimeout(
        () =>
          giveUp(
            new TimeoutError(`Command timed out after ${timeout} ms (withOptions timeout)`, {
              command: command.toUpperCase(),
              code: ErrorCodes.COMMAND_TIMEOUT,
            }),
          ),
        timeout,
      );
    }
    const go = (): void => {
      if (settled) return; // aborted or timed out while waiting: never sent
      sent = true;
      inner = send();
      inner.then(
        (v) => {
          if (settled) return;
          finish();
          resolve(v);
        },
        (e: unknown) => {
          if (settled) return;
          finish();
          reject(e);
        },
      );
    };
    if (ready === undefined) go();
    else ready.then(go, (e: unknown) => giveUp(e));
  });
}
