/**
 * Pieces shared by the edge transports (Cloudflare, Deno, Bun): a write queue that joins
 * small chunks, a once-only close notification, the corking write side of Deno and Bun, and
 * a connect deadline. Nothing here touches a runtime-specific API.
 */
import { ConnectionError, ErrorCodes, TimeoutError } from '../errors/index.js';
import { connectFailureCode } from '../errors/codes.js';
import { TLS_OPTION_KEYS, type TlsOptions, type Transport, type TransportTarget } from './types.js';
import { timerFor } from '../util/timer.js';
import { closedError } from '../errors/closed.js';

/** Chunks joined into one write stay under this size; larger chunks go out alone, uncopied. */
export const JOIN_LIMIT = 64 * 1024;

/** One write taken from the queue: the bytes, and what to call once they are all out. */
export interface Batch {
  data: Uint8Array;
  done: (() => void) | undefined;
}

/** Writes waiting for the socket, in order, with the callbacks to run once they are out. */
export class WriteQueue {
  private chunks: Uint8Array[] = [];
  private callbacks: Array<(() => void) | undefined> = [];

  get empty(): boolean {
    return this.chunks.length === 0;
  }

  push(data: Uint8Array, onWritten: (() => void) | undefined): void {
    this.chunks.push(data);
    this.callbacks.push(onWritten);
  }

  /**
   * Takes the next write: consecutive chunks joined while they fit in `JOIN_LIMIT`
   * (one copy, fewer syscalls), or a single large chunk as it is.
   */
  take(): Batch {
    const first = this.chunks[0]!;
    let count = 1;
    let size = first.byteLength;
    while (count < this.chunks.length && size + this.chunks[count]!.byteLength <= JOIN_LIMIT) {
      size += this.chunks[count]!.byteLength;
      count++;
    }
    const parts = this.chunks.splice(0, count);
    const due = this.callbacks.splice(0, count).filter((cb) => cb !== undefined);
    return {
      data: count === 1 ? first : join(parts, size),
      done: due.length === 0 ? undefined : due.length === 1 ? due[0] : () => due.forEach((cb) => cb()),
    };
  }

  /** Forgets everything (the socket is gone; callbacks never run, as with a destroyed Node socket). */
  clear(): void {
    this.chunks = [];
    this.callbacks = [];
  }
}

function join(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Delivers the end of a socket exactly once, to a listener that may register late. */
export class CloseSignal {
  private listener: ((error: Error | undefined) => void) | undefined;
  private done = false;
  private error: Error | undefined;

  get closed(): boolean {
    return this.done;
  }

  listen(listener: (error: Error | undefined) => void): void {
    this.listener = listener;
    if (this.done) queueMicrotask(() => listener(this.error));
  }

  /** First call wins; later calls (a read error after a local destroy, say) are ignored. */
  fire(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.listener?.(error);
  }
}

/**
 * The write side of a transport that drains its own queue (Deno, Bun): writes wait in the
 * queue while corked, nothing is accepted after `end()` or the close, and `end()` flushes
 * even when corked. Subclasses say how the queue reaches the socket (`flush`), and half-close
 * once it is empty when `ending` is set.
 */
export abstract class QueuedTransport implements Transport {
  protected readonly queue = new WriteQueue();
  protected readonly closeSignal = new CloseSignal();
  /** Set by `end()`: `flush` half-closes after the queue. */
  protected ending = false;
  private corked = 0;

  write(data: Uint8Array, onWritten?: () => void): void {
    if (this.closeSignal.closed || this.ending) return;
    this.queue.push(data, onWritten);
    if (this.corked === 0) this.flush();
  }

  cork(): void {
    this.corked++;
  }

  uncork(): void {
    if (this.corked === 0 || --this.corked > 0) return;
    this.flush();
  }

  end(): void {
    if (this.closeSignal.closed || this.ending) return;
    this.ending = true;
    this.corked = 0;
    this.flush();
  }

  onClose(listener: (error: Error | undefined) => void): void {
    this.closeSignal.listen(listener);
  }

  /** Starts sending what the queue holds; a no-op while a send is under way or after the close. */
  protected abstract flush(): void;
  abstract destroy(): void;
  abstract onData(listener: (chunk: Uint8Array) => void): void;
}

export function describeTarget(target: TransportTarget): string {
  return target.path ?? `${target.host}:${target.port}`;
}

/**
 * Waits for `opening` within `target.connectTimeout` (0 = no limit), and only until
 * `target.signal` aborts (the connection closed meanwhile). At the deadline or the abort `abort`
 * stops the attempt (closing a socket that is open but still in its TLS handshake), and a
 * socket that opens later anyway is disposed of. Failures become `ConnectionError`, the
 * deadline `TimeoutError`, the abort the closed connection's `ConnectionError`.
 */
export function openWithin<S>(
  target: TransportTarget,
  opening: Promise<S>,
  dispose: (socket: S) => void,
  abort?: () => void,
): Promise<S> {
  const ms = target.connectTimeout;
  const where = describeTarget(target);
  const signal = target.signal;
  const failed = (e: unknown): ConnectionError => {
    if (e instanceof ConnectionError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new ConnectionError(`connect to ${where} failed: ${message}`, {
      cause: e,
      code: connectFailureCode(e),
    });
  };
  return new Promise<S>((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (error: ConnectionError): void => {
      if (settled) return;
      finish();
      abort?.();
      reject(error);
    };
    // Closed while connecting: Node's transport stops its dial here too. Unheard, a connect the
    // server never answers went on until connectTimeout (with 0, until the kernel gave up, or
    // for good for a TLS handshake never answered), the caller's connect() unsettled all along.
    const onAbort = (): void => giveUp(closedError());
    // 0, or beyond the timer maximum (which a timer would turn into 1 ms), is no limit.
    const timer = timerFor(ms)
      ? setTimeout(
          () =>
            giveUp(
              new TimeoutError(`connect to ${where} timed out after ${ms} ms`, {
                code: ErrorCodes.CONNECT_TIMEOUT,
              }),
            ),
          ms,
        )
      : undefined;
    opening.then(
      (socket) => {
        if (settled) dispose(socket);
        else {
          finish();
          resolve(socket);
        }
      },
      (e: unknown) => {
        if (settled) return; // past the deadline or the abort: already reported
        finish();
        reject(failed(e));
      },
    );
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Refuses to start a dial for a connection that closed before it began. */
export function refuseAborted(target: TransportTarget): void {
  if (target.signal?.aborted === true) throw closedError();
}

/** Sockets of one connect attempt, so a deadline can close whichever is open. */
export class Attempt<S> {
  private open: S | undefined;
  private aborted = false;

  constructor(private readonly close: (socket: S) => void) {}

  /** Records a socket of this attempt; closes it at once if the attempt was already abandoned. */
  track<T extends S>(socket: T): T {
    this.open = socket;
    if (this.aborted) this.close(socket);
    return socket;
  }

  readonly abort = (): void => {
    this.aborted = true;
    if (this.open !== undefined) this.close(this.open);
  };
}

/** TLS material as PEM text (the edge runtimes take strings only). */
export function pemText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : new TextDecoder().decode(value);
}

/** The CA option as a list of PEM strings, or undefined. */
export function pemList(
  ca: string | Uint8Array | Array<string | Uint8Array> | undefined,
): string[] | undefined {
  if (ca === undefined) return undefined;
  return (Array.isArray(ca) ? ca : [ca]).map(pemText);
}

/**
 * Refuses TLS options beyond {@link TlsOptions} (Node's `minVersion`, `pfx`, … passed from
 * JavaScript): a runtime without them would otherwise connect with weaker settings than asked.
 */
export function refuseTlsExtras(runtime: string, tls: TlsOptions): void {
  for (const key of Object.keys(tls)) {
    if (!TLS_OPTION_KEYS.has(key) && (tls as Record<string, unknown>)[key] !== undefined)
      throw unsupported(runtime, `The TLS option ${JSON.stringify(key)}`);
  }
}

/** The error thrown for an option a runtime cannot honour: refused at connect, never ignored. */
export function unsupported(runtime: string, what: string): ConnectionError {
  return new ConnectionError(`${what} is not supported on ${runtime}`, {
    code: ErrorCodes.PLATFORM_UNSUPPORTED,
  });
}
