/**
 * Cloudflare Workers' transport: `connect()` from `cloudflare:sockets`. TLS is direct
 * (`secureTransport: 'on'`), or `starttls` + `startTls({ expectedServerHostname })` when a
 * servername other than the host must be verified. The platform's own CA store is the only
 * trust source: custom CAs, client certificates and unverified TLS cannot be expressed
 * through `connect()` and are refused rather than silently dropped.
 */
import { connect, type Socket, type SocketReader, type SocketWriter } from 'cloudflare:sockets';
import type { Transport, TransportFactory, TransportTarget } from './types.js';
import {
  CloseSignal,
  WriteQueue,
  openWithin,
  refuseAborted,
  refuseTlsExtras,
  unsupported,
} from './edge-util.js';

const RUNTIME = 'Cloudflare Workers';

class CloudflareTransport implements Transport {
  private readonly writer: SocketWriter;
  private readonly held = new WriteQueue();
  private corked = 0;
  private readonly closeSignal = new CloseSignal();
  private destroyed = false;

  constructor(private readonly socket: Socket) {
    this.writer = socket.writable.getWriter();
  }

  write(data: Uint8Array, onWritten?: () => void): void {
    if (this.closeSignal.closed) return;
    if (this.corked > 0) {
      this.held.push(data, onWritten);
      return;
    }
    // The writer queues in order; the slab region stays ours until the promise settles.
    this.writer.write(data).then(onWritten, (e: unknown) => this.fail(e));
  }

  cork(): void {
    this.corked++;
  }

  uncork(): void {
    if (this.corked === 0 || --this.corked > 0) return;
    while (!this.held.empty) {
      const batch = this.held.take();
      this.writer.write(batch.data).then(batch.done, (e: unknown) => this.fail(e));
    }
  }

  end(): void {
    if (this.closeSignal.closed) return;
    this.uncorkAll();
    // Sends FIN once queued writes are out; the server then closes and the read loop ends.
    this.writer.close().catch((e: unknown) => this.fail(e));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.held.clear();
    // The socket is being torn down: a failing close has nobody to tell.
    this.socket.close().catch(() => undefined);
    this.closeSignal.fire(undefined);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    void this.readLoop(this.socket.readable.getReader(), listener);
  }

  onClose(listener: (error: Error | undefined) => void): void {
    this.closeSignal.listen(listener);
  }

  private uncorkAll(): void {
    if (this.corked > 0) {
      this.corked = 1;
      this.uncork();
    }
  }

  private async readLoop(reader: SocketReader, listener: (chunk: Uint8Array) => void): Promise<void> {
    let error: Error | undefined;
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        if (this.closeSignal.closed) return;
        if (r.value.byteLength > 0) listener(r.value);
      }
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    this.held.clear();
    // The socket is being torn down: a failing close has nobody to tell (the error above is reported).
    this.socket.close().catch(() => undefined);
    this.closeSignal.fire(this.destroyed ? undefined : error);
  }

  private fail(e: unknown): void {
    if (this.closeSignal.closed) return;
    this.held.clear();
    // The socket is being torn down after `e`, which is reported: a failing close adds nothing.
    this.socket.close().catch(() => undefined);
    this.closeSignal.fire(e instanceof Error ? e : new Error(String(e)));
  }
}

function open(target: TransportTarget): Socket {
  if (target.path !== undefined) throw unsupported(RUNTIME, 'A unix socket path');
  const tls = target.tls;
  const address = { hostname: target.host, port: target.port };
  if (tls === undefined) return connect(address, { secureTransport: 'off', allowHalfOpen: false });
  refuseTlsExtras(RUNTIME, tls);
  if (tls.ca !== undefined) throw unsupported(RUNTIME, 'A custom TLS CA (tls.ca)');
  if (tls.cert !== undefined || tls.key !== undefined)
    throw unsupported(RUNTIME, 'A TLS client certificate (tls.cert/tls.key)');
  if (tls.rejectUnauthorized === false)
    throw unsupported(RUNTIME, 'Unverified TLS (rejectUnauthorized: false)');
  if (tls.servername === undefined || tls.servername === target.host) {
    return connect(address, { secureTransport: 'on', allowHalfOpen: false });
  }
  // Verify the certificate against a name other than the one dialled.
  const plain = connect(address, { secureTransport: 'starttls', allowHalfOpen: false });
  return plain.startTls({ expectedServerHostname: tls.servername });
}

/** Opens a TCP or TLS socket with `cloudflare:sockets` (host and port only; no unix sockets). */
export const cloudflareTransport: TransportFactory = async (target) => {
  refuseAborted(target);
  const socket = open(target);
  const close = (): void => {
    // The socket is being torn down: a failing close has nobody to tell.
    socket.close().catch(() => undefined);
  };
  try {
    // close() also ends a connect still pending (no answer to the SYN, or to the TLS hello).
    await openWithin(target, socket.opened, close);
  } catch (e) {
    close(); // refused, past the deadline or the connection closed: stop the attempt now
    throw e;
  }
  return new CloudflareTransport(socket);
};
