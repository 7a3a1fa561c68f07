/**
 * A deliberately tiny RESP2 client for test infrastructure (starting clusters, ACL setup,
 * readiness probes). It is independent of the library under test so the harness never
 * depends on the code it is used to check. Not for production use.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';

/** An error reply (`-ERR ...`) from the server. `code` is its first word. */
export class RespError extends Error {
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
    this.code = message.split(' ', 1)[0] ?? '';
  }
}

/**
 * A decoded RESP2 reply. Bulk strings are `string` (UTF-8) or `Buffer` with `buffers: true`.
 * A top-level error reply rejects the command; errors nested in arrays (EXEC) stay in place.
 */
export type RespValue = string | number | Buffer | null | RespError | RespValue[];

export type RespArg = string | number | Buffer;

export interface RawClientOptions {
  host?: string;
  port?: number;
  /** Unix socket path; wins over host/port. */
  path?: string;
  /** TLS options (node:tls `connect`); plain TCP when absent. */
  tls?: TlsConnectionOptions;
  /** Sent as `AUTH [username] password` right after connecting. */
  username?: string;
  password?: string;
  /** Per-command and connect timeout; the connection is destroyed when it expires. Default 5000. */
  timeoutMs?: number;
  /** Return bulk strings as Buffers. */
  buffers?: boolean;
}

interface Pending {
  resolve(v: RespValue): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Serialises one command as a RESP2 array of bulk strings. */
export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Thrown by {@link parseReply} on bytes that are not RESP2. */
export class RespProtocolError extends Error {
  override name = 'RespProtocolError';
}

/**
 * Parses one reply starting at `offset`. Returns the value and the offset after it,
 * or `undefined` when the buffer does not hold a complete reply yet. Error replies are
 * returned as RespError values (so one bad reply inside an array does not lose the rest).
 */
export function parseReply(
  buf: Buffer,
  offset: number,
  buffers = false,
): { value: RespValue; next: number } | undefined {
  const eol = buf.indexOf('\r\n', offset);
  if (eol < 0) return undefined;
  const type = buf[offset];
  const line = buf.toString('utf8', offset + 1, eol);
  const after = eol + 2;
  switch (type) {
    case 0x2b: // '+'
      return { value: line, next: after };
    case 0x2d: // '-'
      return { value: new RespError(line), next: after };
    case 0x3a: // ':'
      return { value: toInt(line), next: after };
    case 0x24: {
      // '$'
      const len = toInt(line);
      if (len === -1) return { value: null, next: after };
      if (len < 0) throw new RespProtocolError(`bad bulk length ${line}`);
      if (buf.length < after + len + 2) return undefined;
      if (buf[after + len] !== 0x0d || buf[after + len + 1] !== 0x0a) {
        throw new RespProtocolError('bulk string not followed by CRLF');
      }
      const bytes = buf.subarray(after, after + len);
      return { value: buffers ? Buffer.from(bytes) : bytes.toString('utf8'), next: after + len + 2 };
    }
    case 0x2a: {
      // '*'
      const count = toInt(line);
      if (count === -1) return { value: null, next: after };
      if (count < 0) throw new RespProtocolError(`bad array length ${line}`);
      const items: RespValue[] = [];
      let pos = after;
      for (let i = 0; i < count; i++) {
        const r = parseReply(buf, pos, buffers);
        if (r === undefined) return undefined;
        items.push(r.value);
        pos = r.next;
      }
      return { value: items, next: pos };
    }
    default:
      throw new RespProtocolError(`unexpected type byte 0x${(type ?? 0).toString(16)}`);
  }
}

function toInt(s: string): number {
  if (!/^-?\d+$/.test(s)) throw new RespProtocolError(`bad integer ${JSON.stringify(s)}`);
  return Number(s);
}

/** One connection; commands are pipelined and answered in order. */
export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: Pending[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
    private readonly buffers: boolean,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connects (and authenticates when a password is given). */
  static async connect(options: RawClientOptions): Promise<RawClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const onError = (e: Error) => {
        clearTimeout(timer);
        s.destroy();
        reject(e);
      };
      const onReady = () => {
        clearTimeout(timer);
        s.off('error', onError);
        resolve(s);
      };
      const target =
        options.path !== undefined
          ? { path: options.path }
          : { host: options.host ?? '127.0.0.1', port: options.port ?? 0 };
      const s: Socket =
        options.tls !== undefined
          ? tlsConnect({ ...target, ...options.tls }, onReady)
          : netConnect(target, onReady);
      s.once('error', onError);
      const timer = setTimeout(
        () => onError(new Error(`connect timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    socket.setNoDelay(true);
    const client = new RawClient(socket, timeoutMs, options.buffers ?? false);
    if (options.password !== undefined) {
      try {
        await client.command(
          ...(options.username !== undefined
            ? ['AUTH', options.username, options.password]
            : ['AUTH', options.password]),
        );
      } catch (e) {
        client.close();
        throw e;
      }
    }
    return client;
  }

  /** Sends one command; rejects with RespError on an error reply. */
  command(...args: RespArg[]): Promise<RespValue> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<RespValue>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`${String(args[0])} timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.queue.push({ resolve, reject, timer });
      this.socket.write(encodeCommand(args));
    });
  }

  /** True once the connection failed or was closed; create a new client then. */
  get closed(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Lets the process exit while this idle connection is open (a pending command's timer
   * still keeps it alive). For long-lived admin connections of the harness.
   */
  unref(): this {
    this.socket.unref();
    return this;
  }

  /** Closes the connection; pending commands reject. */
  close(): void {
    this.fail(new Error('client closed'));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    for (;;) {
      let r: ReturnType<typeof parseReply>;
      try {
        r = parseReply(this.buf, pos, this.buffers);
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      if (r === undefined) break;
      pos = r.next;
      const p = this.queue.shift();
      if (p === undefined) {
        this.fail(new RespProtocolError('reply without a pending command'));
        return;
      }
      clearTimeout(p.timer);
      if (r.value instanceof RespError) p.reject(r.value);
      else p.resolve(r.value);
    }
    this.buf = this.buf.subarray(pos);
  }

  private fail(e: Error): void {
    if (this.failure === undefined) this.failure = e;
    this.socket.destroy();
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
  }
}

/** Connects, runs one command, closes. */
export async function rawCommand(options: RawClientOptions, ...args: RespArg[]): Promise<RespValue> {
  const c = await RawClient.connect(options);
  try {
    return await c.command(...args);
  } finally {
    c.close();
  }
}

/** Parses `INFO`-style `key:value` lines into an object. */
export function parseInfo(text: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of String(text).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
