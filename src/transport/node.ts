/**
 * Node's transports: `net` for TCP and unix sockets, `tls` for TLS. Certificates
 * are verified unless the caller sets `rejectUnauthorized: false`.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ConnectionError, ErrorCodes, TimeoutError } from '../errors/index.js';
import { connectFailureCode } from '../errors/codes.js';
import type { Transport, TransportFactory, TransportTarget } from './types.js';

class NodeTransport implements Transport {
  constructor(private readonly socket: Socket) {}

  write(data: Uint8Array, onWritten?: () => void): void {
    this.socket.write(data, onWritten);
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
  onData(listener: (chunk: Uint8Array) => void): void {
    this.socket.on('data', listener);
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
    let socket: Socket;
    const readyEvent = target.tls ? 'secureConnect' : 'connect';
    if (target.tls) {
      const t = target.tls;
      const opts: ConnectionOptions = {
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
      socket = netConnect({ path: target.path });
    } else {
      socket = netConnect({ host: target.host, port: target.port });
    }
    // 0 means no limit, as for commandTimeout: a zero-delay timer would race the handshake.
    // So do Infinity and delays above the timer maximum, which Node would turn into 1 ms.
    const limited = target.connectTimeout > 0 && target.connectTimeout <= MAX_TIMER_MS;
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
      resolve(new NodeTransport(socket));
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off(readyEvent, onReady);
    }
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
  });

/** Largest delay `setTimeout` honours (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
