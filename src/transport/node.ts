/**
 * Node's transports: `net` for TCP and unix sockets, `tls` for TLS. Certificates
 * are verified unless the caller sets `rejectUnauthorized: false`.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ConnectionError, ErrorCodes, TimeoutError } from '../errors/index.js';
import { connectFailureCode } from '../errors/codes.js';
import type { Transport, TransportFactory, TransportTarget } from './types.js';
import { timerFor } from '../util/timer.js';
import { closedError } from '../errors/closed.js';

/**
 * Node itself, not a runtime emulating `node:net` (Deno's compatibility layer reports every write
 * as done at once, whether or not the kernel has the bytes): only then does `flushed()` vouch.
 */
const NODE_WRITES =
  typeof process === 'object' && process.versions.deno === undefined && process.versions.bun === undefined;

/** Bytes per read into the reused buffer (Node's own read size). */
const READ_SIZE = 65536;

/**
 * Reads of a plain TCP / unix socket (`net` `onread`): every read lands in one reused buffer,
 * or, while the receiver collects a large value, straight into that value's storage. Either
 * way no buffer is allocated per read, and a large payload is never copied after the kernel's.
 */
class Reader {
  listener: ((chunk: Uint8Array, transient?: boolean) => void) | undefined;
  readInto: (() => Uint8Array | null) | undefined;
  private readonly scratch = Buffer.allocUnsafeSlow(READ_SIZE);
  private early: Uint8Array[] | undefined; // bytes read before the listener was registered

  /** Where the next read goes (Node asks after every read). */
  readonly next = (): Uint8Array => this.readInto?.() ?? this.scratch;

  /** A read of `n` bytes into `buf` (the buffer `next` returned for it). */
  readonly got = (n: number, buf: Uint8Array): boolean => {
    const chunk = buf.subarray(0, n);
    if (this.listener !== undefined) this.listener(chunk, true);
    else (this.early ??= []).push(chunk.slice()); // copied: the buffer is reused for the next read
    return true;
  };

  attach(
    listener: (chunk: Uint8Array, transient?: boolean) => void,
    readInto: (() => Uint8Array | null) | undefined,
  ): void {
    this.listener = listener;
    this.readInto = readInto;
    const early = this.early;
    this.early = undefined;
    if (early !== undefined) for (const c of early) listener(c);
  }
}

class NodeTransport implements Transport {
  constructor(
    private readonly socket: Socket,
    private readonly reader: Reader | undefined,
  ) {}

  write(data: Uint8Array, onWritten?: () => void): void {
    this.socket.write(data, onWritten);
  }
  flushed(): boolean {
    // Plain sockets only: Node's Writable counts a write out of `writableLength` once libuv took
    // all of it synchronously (the kernel copied it), while a partial or queued write still counts.
    // TLS encrypts behind the same counter on its own terms, so its writes are not vouched for.
    return this.reader !== undefined && NODE_WRITES && this.socket.writableLength === 0;
  }
  cork(): void {
    this.socket.cork();
  }
  uncork(): void {
    this.socket.uncork();
  }
  end(): void {
    this.socket.end();
  }
  destroy(): void {
    this.socket.destroy();
  }
  onData(
    listener: (chunk: Uint8Array, transient?: boolean) => void,
    readInto?: () => Uint8Array | null,
  ): void {
    if (this.reader !== undefined) this.reader.attach(listener, readInto);
    else this.socket.on('data', listener);
  }
  onClose(listener: (error: Error | undefined) => void): void {
    let lastError: Error | undefined;
    this.socket.on('error', (e) => {
      lastError = e;
    });
    this.socket.once('close', () => listener(lastError));
  }
}

function describe(target: TransportTarget): string {
  return target.path ?? `${target.host}:${target.port}`;
}

/** Opens a TCP, TLS or unix-socket connection with Node's own modules. */
export const nodeTransport: TransportFactory = (target) =>
  new Promise<Transport>((resolve, reject) => {
    const signal = target.signal;
    if (signal?.aborted === true) {
      reject(closedError());
      return;
    }
    let socket: Socket;
    // TLS sockets have no `onread`: they emit 'data' chunks.
    const reader = target.tls ? undefined : new Reader();
    const onread = reader !== undefined ? { buffer: reader.next, callback: reader.got } : undefined;
    const readyEvent = target.tls ? 'secureConnect' : 'connect';
    if (target.tls) {
      const t = target.tls;
      const opts: ConnectionOptions = {
        // Node's own options beyond TlsOptions (minVersion, ciphers, pfx, …), as ioredis passes
        // them; the ones below win, so verification stays on unless rejectUnauthorized is false.
        ...(t as ConnectionOptions),
        host: target.host,
        port: target.port,
        servername: t.servername ?? (isIp(target.host) ? undefined : target.host),
        rejectUnauthorized: t.rejectUnauthorized !== false,
        ca: t.ca as ConnectionOptions['ca'],
        cert: t.cert as ConnectionOptions['cert'],
        key: t.key as ConnectionOptions['key'],
      };
      if (t.passphrase !== undefined) opts.passphrase = t.passphrase;
      if (target.path) (opts as { path?: string }).path = target.path;
      try {
        socket = tlsConnect(opts);
      } catch (e) {
        // Unreadable CA/cert/key PEM throws here, synchronously: still a ConnectionError.
        reject(
          new ConnectionError(`TLS setup for ${describe(target)} failed: ${(e as Error).message}`, {
            cause: e,
            code: ErrorCodes.TLS,
          }),
        );
        return;
      }
    } else if (target.path) {
      socket = netConnect({ path: target.path, onread });
    } else {
      socket = netConnect({ host: target.host, port: target.port, onread });
    }
    // 0 means no limit, as for commandTimeout: a zero-delay timer would race the handshake.
    // So do Infinity and delays above the timer maximum, which Node would turn into 1 ms.
    const limited = timerFor(target.connectTimeout);
    const timer = limited
      ? setTimeout(() => {
          cleanup();
          socket.destroy();
          reject(
            new TimeoutError(`connect to ${describe(target)} timed out after ${target.connectTimeout} ms`, {
              code: ErrorCodes.CONNECT_TIMEOUT,
            }),
          );
        }, target.connectTimeout)
      : undefined;
    const onError = (e: Error): void => {
      cleanup();
      socket.destroy();
      reject(
        new ConnectionError(`connect to ${describe(target)} failed: ${e.message}`, {
          cause: e,
          code: connectFailureCode(e),
        }),
      );
    };
    const onReady = (): void => {
      cleanup();
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      resolve(new NodeTransport(socket, reader));
    };
    // Closed while connecting: a connect the server never answers (no SYN-ACK, or no TLS
    // handshake) would otherwise go on until connectTimeout, or the kernel's ~2 min with none,
    // keeping the process alive and the caller's connect() unsettled after disconnect().
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(closedError());
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off(readyEvent, onReady);
      signal?.removeEventListener('abort', onAbort);
    }
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
