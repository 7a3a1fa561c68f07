/**
 * Deno's transport: `Deno.connect` (TCP, unix), with `Deno.startTls` over it for TLS, or
 * `Deno.connectTls` for TLS with a client certificate (which startTls lacks). Deno writes may be
 * partial, so one pump drains a queue; reads copy out of one reusable buffer so chunks
 * handed to the parser are never overwritten.
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
  unsupported,
} from './edge-util.js';

/** The slice of `Deno.Conn` used here. */
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
}

interface DenoTlsConn extends DenoConn {
  handshake(): Promise<unknown>;
}

/** The slice of the `Deno` namespace used here. */
interface DenoNamespace {
  connect(
    options:
      | { hostname: string; port: number; transport?: 'tcp'; signal?: AbortSignal }
      | { transport: 'unix'; path: string },
  ): Promise<DenoConn>;
  connectTls(options: {
    hostname: string;
    port: number;
    caCerts?: string[];
    cert?: string;
    key?: string;
  }): Promise<DenoTlsConn>;
  startTls(conn: DenoConn, options: { hostname: string; caCerts?: string[] }): Promise<DenoTlsConn>;
}

const RUNTIME = 'Deno';
const READ_SIZE = 64 * 1024;

function deno(): DenoNamespace {
  const ns = (globalThis as unknown as { Deno?: DenoNamespace }).Deno;
  if (ns === undefined) throw new Error('wredis: the Deno entry point was loaded outside Deno');
  return ns;
}

class DenoTransport extends QueuedTransport {
  private pumping = false;
  private destroyed = false;

  constructor(private readonly conn: DenoConn) {
    super();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.shut();
    this.closeSignal.fire(undefined);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    void this.readLoop(listener);
  }

  /** Writes queued chunks one after another until the queue is empty; one pump at a time. */
  protected flush(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.queue.empty && !this.closeSignal.closed) {
        const { data, done } = this.queue.take();
        let at = 0;
        while (at < data.byteLength) {
          at += await this.conn.write(at === 0 ? data : data.subarray(at));
          if (this.closeSignal.closed) return;
        }
        done?.();
      }
      if (this.ending && !this.closeSignal.closed) await this.conn.closeWrite();
    } catch (e) {
      // Closed before the pump counts as idle: no later write may follow a failed one onto the socket.
      this.fail(e);
    } finally {
      // Idle the moment the queue is found empty, not a microtask later: a write() or end() made
      // in between saw a pump still running, relied on it, and was never sent.
      this.pumping = false;
    }
  }

  private async readLoop(listener: (chunk: Uint8Array) => void): Promise<void> {
    const buf = new Uint8Array(READ_SIZE);
    let error: Error | undefined;
    try {
      for (;;) {
        const n = await this.conn.read(buf);
        if (n === null) break;
        if (this.closeSignal.closed) return;
        if (n > 0) listener(buf.slice(0, n));
      }
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    this.shut();
    this.closeSignal.fire(this.destroyed ? undefined : error);
  }

  private fail(e: unknown): void {
    if (this.closeSignal.closed) return;
    this.shut();
    this.closeSignal.fire(e instanceof Error ? e : new Error(String(e)));
  }

  private shut(): void {
    this.queue.clear();
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

async function open(
  target: TransportTarget,
  attempt: Attempt<DenoConn>,
  signal: AbortSignal,
): Promise<DenoConn> {
  const D = deno();
  const tls = target.tls;
  if (target.path !== undefined) {
    if (tls !== undefined) throw unsupported(RUNTIME, 'TLS over a unix socket');
    return attempt.track(await D.connect({ transport: 'unix', path: target.path }));
  }
  if (tls === undefined) {
    const conn = attempt.track(await D.connect({ hostname: target.host, port: target.port, signal }));
    tune(conn);
    return conn;
  }
  refuseTlsExtras(RUNTIME, tls);
  if (tls.rejectUnauthorized === false) {
    throw unsupported(
      RUNTIME,
      'Unverified TLS (rejectUnauthorized: false; Deno only has --unsafely-ignore-certificate-errors)',
    );
  }
  if ((tls.cert === undefined) !== (tls.key === undefined))
    throw unsupported(RUNTIME, 'A TLS client certificate without its key (or a key without its certificate)');
  const caCerts = pemList(tls.ca);
  let conn: DenoTlsConn;
  if (tls.cert === undefined) {
    // TCP (which takes the deadline's signal, unlike Deno.connectTls), then TLS over it, verified
    // against the servername or else the host.
    const tcp = attempt.track(await D.connect({ hostname: target.host, port: target.port, signal }));
    tune(tcp);
    conn = attempt.track(
      await D.startTls(tcp, { hostname: tls.servername ?? target.host, ...(caCerts && { caCerts }) }),
    );
  } else {
    // Deno.startTls has no client certificate: Deno.connectTls, whose connect no signal can end.
    if (tls.servername !== undefined && tls.servername !== target.host)
      throw unsupported(RUNTIME, 'A TLS client certificate together with a servername other than the host');
    conn = attempt.track(
      await D.connectTls({
        hostname: target.host,
        port: target.port,
        ...(caCerts && { caCerts }),
        cert: pemText(tls.cert),
        key: pemText(tls.key!),
      }),
    );
  }
  try {
    // Certificate problems surface here, inside the connect deadline, not on the first command.
    await conn.handshake();
  } catch (e) {
    closeQuietly(conn);
    throw e;
  }
  return conn;
}

function tune(conn: DenoConn): void {
  conn.setNoDelay?.(true);
  conn.setKeepAlive?.(true);
}

/** Opens a TCP, TLS or unix-socket connection with Deno's own APIs (`--allow-net` / `--allow-read` apply). */
export const denoTransport: TransportFactory = async (target) => {
  refuseAborted(target);
  const attempt = new Attempt<DenoConn>(closeQuietly);
  // A TCP connect the server never answers (no SYN-ACK) stays pending for the kernel's whole
  // SYN retry period (about two minutes) after the deadline has rejected it, keeping the Deno
  // process alive; the signal ends it at the deadline, or when the connection closes meanwhile
  // (target.signal). It is aborted only then (aborting it later would also close the open
  // connection). Deno.connectTls (used only with a client certificate) and unix connects take
  // no signal: such a socket is closed as soon as it opens.
  const stop = new AbortController();
  const abort = (): void => {
    stop.abort();
    attempt.abort();
  };
  return new DenoTransport(await openWithin(target, open(target, attempt, stop.signal), closeQuietly, abort));
};

function closeQuietly(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
