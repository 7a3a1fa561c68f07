/**
 * Bun's transport: `Bun.connect` (TCP, unix, TLS). Bun sockets do not buffer: `write()`
 * returns how much the kernel took, so the rest waits in a queue for the `drain` event.
 * Incoming chunks are asked for as plain `Uint8Array`s (`binaryType: 'uint8array'`), so
 * bytes replies built from them are not Buffers, as on the other edge runtimes.
 */
import type { TransportFactory, TransportTarget } from './types.js';
import {
  Attempt,
  QueuedTransport,
  openWithin,
  pemList,
  pemText,
  refuseAborted,
  refuseTlsExtras,
} from './edge-util.js';

const RUNTIME = 'Bun';

/** The slice of Bun's `Socket` used here. */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  setNoDelay?(noDelay: boolean): boolean;
  setKeepAlive?(enable: boolean, initialDelay: number): boolean;
}

interface BunHandlers {
  binaryType: 'uint8array';
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  connectError(socket: BunSocket, error: Error): void;
  handshake(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
}

interface BunTlsOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  serverName?: string;
}

type BunConnectOptions = ({ hostname: string; port: number } | { unix: string }) & {
  tls?: BunTlsOptions | boolean;
  socket: BunHandlers;
};

interface BunNamespace {
  connect(options: BunConnectOptions): Promise<BunSocket>;
}

function bun(): BunNamespace {
  const ns = (globalThis as unknown as { Bun?: BunNamespace }).Bun;
  if (ns === undefined) throw new Error('wredis: the Bun entry point was loaded outside Bun');
  return ns;
}

class BunTransport extends QueuedTransport {
  socket: BunSocket | undefined;
  /** The part of a write the kernel has not taken yet, and what to call when it has. */
  private rest: Uint8Array | undefined;
  private restDone: (() => void) | undefined;
  private dataListener: ((chunk: Uint8Array) => void) | undefined;
  private lastError: Error | undefined;
  private destroyed = false;
  /** Settles when the TLS handshake is over (Bun.connect resolves at TCP open, before it). */
  private handshakeSettle: { resolve(): void; reject(e: Error): void } | undefined;
  readonly handshakeDone = new Promise<void>(
    (resolve, reject) => (this.handshakeSettle = { resolve, reject }),
  );

  constructor() {
    super();
    // Marks the promise handled: connect awaits handshakeDone and sees the rejection there.
    this.handshakeDone.catch(() => undefined);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.queue.clear();
    this.rest = undefined;
    this.socket?.terminate();
    this.closeSignal.fire(undefined);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListener = listener;
  }

  /** Writes as much as the socket takes now; the `drain` handler calls again for the rest. */
  flush(): void {
    const socket = this.socket;
    if (socket === undefined || this.closeSignal.closed) return;
    for (;;) {
      if (this.rest === undefined) {
        if (this.queue.empty) break;
        const batch = this.queue.take();
        this.rest = batch.data;
        this.restDone = batch.done;
      }
      const data = this.rest;
      const n = socket.write(data);
      if (n < data.byteLength) {
        // Backpressure: keep what is left for `drain`.
        if (n > 0) this.rest = data.subarray(n);
        return;
      }
      const done = this.restDone;
      this.rest = undefined;
      this.restDone = undefined;
      done?.();
    }
    if (this.ending) socket.end();
  }

  // --- Bun socket handlers ---------------------------------------------------

  received(data: Uint8Array): void {
    if (!this.closeSignal.closed) this.dataListener?.(data);
  }

  failed(error: Error): void {
    this.lastError ??= error;
  }

  /** Set for `rejectUnauthorized: false`: the certificate's verdict is not ours to act on. */
  unverified = false;

  handshaken(success: boolean, authorizationError: Error | null): void {
    // With rejectUnauthorized Bun closes the socket itself on a bad certificate; be explicit anyway.
    // Unverified, Bun still reports a failed check (success false) when a servername is set and
    // the certificate does not match it; Node ignores the name then too, so the connection stands.
    // A handshake that really failed closes the socket, and `closed` rejects.
    if (success || authorizationError === null || this.unverified) this.handshakeSettle?.resolve();
    else this.handshakeSettle?.reject(authorizationError);
  }

  closed(error: Error | undefined): void {
    this.handshakeSettle?.reject(
      error ?? this.lastError ?? new Error('socket closed during the TLS handshake'),
    );
    this.queue.clear();
    this.rest = undefined;
    this.closeSignal.fire(this.destroyed ? undefined : (error ?? this.lastError));
  }
}

const handlers = (t: BunTransport): BunHandlers => ({
  binaryType: 'uint8array',
  data: (_s, data) => t.received(data),
  drain: () => t.flush(),
  // The server half-closed (it is going away): finish our side too, which leads to `close`.
  end: (s) => s.end(),
  close: (_s, error) => t.closed(error),
  error: (_s, error) => t.failed(error),
  // Reported through the rejected connect promise.
  connectError: () => undefined,
  handshake: (_s, success, authorizationError) => t.handshaken(success, authorizationError),
});

function options(target: TransportTarget, t: BunTransport): BunConnectOptions {
  const where =
    target.path !== undefined ? { unix: target.path } : { hostname: target.host, port: target.port };
  const tls = target.tls;
  if (tls === undefined) return { ...where, socket: handlers(t) };
  refuseTlsExtras(RUNTIME, tls);
  const ca = pemList(tls.ca);
  return {
    ...where,
    socket: handlers(t),
    tls: {
      ...(ca && { ca }),
      ...(tls.cert !== undefined && { cert: pemText(tls.cert) }),
      ...(tls.key !== undefined && { key: pemText(tls.key) }),
      rejectUnauthorized: tls.rejectUnauthorized !== false,
      ...(tls.servername !== undefined
        ? { serverName: tls.servername }
        : isIp(target.host)
          ? {}
          : { serverName: target.host }),
    },
  };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** Opens a TCP, TLS or unix-socket connection with `Bun.connect`. */
export const bunTransport: TransportFactory = async (target) => {
  refuseAborted(target);
  const t = new BunTransport();
  t.unverified = target.tls?.rejectUnauthorized === false;
  // Bun.connect takes no signal and returns no socket until TCP is open: a connect given up on
  // (the deadline, or the connection closed) rejects at once, but the SYN the server never answers
  // goes on until the kernel gives up; the socket is terminated as soon as it opens. One already
  // open (a TLS handshake under way) is terminated at once.
  const attempt = new Attempt<BunSocket>((s) => s.terminate());
  const opening = bun()
    .connect(options(target, t))
    .then(async (s) => {
      attempt.track(s);
      if (target.tls === undefined) return s;
      try {
        await t.handshakeDone;
      } catch (e) {
        s.terminate();
        throw e;
      }
      return s;
    });
  const socket = await openWithin(target, opening, (s) => s.terminate(), attempt.abort);
  socket.setNoDelay?.(true);
  socket.setKeepAlive?.(true, 30_000);
  t.socket = socket;
  return t;
};
