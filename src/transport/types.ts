/**
 * The byte-stream socket a connection talks through. Node's net/tls, Cloudflare's
 * `connect()`, `Deno.connect` and `Bun.connect` all fit behind it, so the connection
 * code never learns which runtime it is on. It knows nothing of RESP.
 */
export interface Transport {
  /** Queues bytes for sending. The transport owns `data` until `onWritten` is called for it (if given). */
  write(data: Uint8Array, onWritten?: () => void): void;
  /**
   * True when every byte passed to `write()` so far has been handed to the operating system,
   * so the memory it came from may be written again (the writer reuses its buffer instead of
   * starting new memory). A transport that cannot tell leaves it out: its writes are never reused.
   */
  flushed?(): boolean;
  /** Groups the writes that follow into as few syscalls as the platform allows, until `uncork()`. */
  cork(): void;
  uncork(): void;
  /** Half-closes after pending writes have gone out. */
  end(): void;
  /** Tears the socket down at once. */
  destroy(): void;
  /**
   * Registers the single receiver of incoming chunks. A chunk passed with `transient` true is
   * valid only during the listener's call (the transport reads the next bytes into the same
   * memory); otherwise the transport never touches it again.
   *
   * `readInto`, when given, says where the receiver wants the next bytes (a large value's own
   * storage, see `Parser.readInto`); a transport that reads into memory of its choosing uses it
   * and passes the filled part of it as the chunk. Others ignore it.
   */
  onData(
    listener: (chunk: Uint8Array, transient?: boolean) => void,
    readInto?: () => Uint8Array | null,
  ): void;
  /** Called once when the socket is gone, with the error that ended it if any. */
  onClose(listener: (error: Error | undefined) => void): void;
  /**
   * The node this socket reached, when it is not the `host`/`port` the factory was given
   * (Sentinel clients: the address the sentinels named, after `natMap`). Traces
   * (`serverAddress`/`serverPort`) and `NODE_DEBUG` lines name it instead of the connection's
   * configured address. Left out by transports that connect where they were told.
   */
  readonly peer?: Peer;
}

/** The node a socket reached (see `Transport.peer`). */
export interface Peer {
  readonly host: string;
  readonly port: number;
}

/**
 * TLS settings common to every runtime. On Node, any other `tls.connect()` option given here
 * (`minVersion`, `ciphers`, `pfx`, `checkServerIdentity`, …) is passed through, as ioredis does;
 * the edge runtimes refuse options they do not have instead of ignoring them.
 */
export interface TlsOptions {
  /** PEM CA bundle(s) to trust in addition to (Node) or instead of the runtime's defaults. */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** Client certificate (PEM), for mutual TLS. */
  cert?: string | Uint8Array;
  /** Private key of the client certificate (PEM). */
  key?: string | Uint8Array;
  /** Passphrase of an encrypted `key` (Node). */
  passphrase?: string;
  /** Server name for SNI and certificate checks; defaults to the host. */
  servername?: string;
  /**
   * Certificates are verified unless this is explicitly `false`.
   * Turning it off exposes the connection to interception.
   */
  rejectUnauthorized?: boolean;
}

/** The keys of {@link TlsOptions}: the ones every runtime reads. */
export const TLS_OPTION_KEYS: ReadonlySet<string> = new Set<keyof TlsOptions>([
  'ca',
  'cert',
  'key',
  'passphrase',
  'servername',
  'rejectUnauthorized',
]);

export interface TransportTarget {
  host: string;
  port: number;
  /** Unix socket path; wins over host/port. */
  path?: string;
  tls?: TlsOptions;
  /** Milliseconds until the socket must be open (TCP connect + TLS handshake). */
  connectTimeout: number;
  /**
   * Aborted when the connection is closed (`close()`, `disconnect()`) while this socket is still
   * being opened: the factory stops the attempt and rejects. Every built-in factory does; one
   * that cannot stop a pending connect (Bun's) rejects and closes the socket once it opens. A
   * custom factory may ignore it: the socket is then destroyed once it opens.
   */
  signal?: AbortSignal;
}

/** Opens a transport; rejects with `ConnectionError`/`TimeoutError`. */
export type TransportFactory = (target: TransportTarget) => Promise<Transport>;
