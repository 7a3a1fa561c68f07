/**
 * An in-memory harness for the connection core: a fake `Transport` whose peer the test plays
 * (it sees every command written, decoded, and answers with raw RESP when it chooses), and a
 * controllable clock (timeouts, backoff, stuck detection advance only when the test says).
 * Ordering and state-machine tests run on it in milliseconds and deterministically; behaviour
 * against a real server stays in the real-server tests.
 */
import '../../src/platform-node.js';
import { Connection, type ConnectionConfig } from '../../src/connection/connection.js';
import type { Clock, TimerHandle } from '../../src/connection/clock.js';
import { ConnectionError } from '../../src/errors/index.js';
import { NoBackoff, Retry } from '../../src/retry.js';
import type { Transport, TransportTarget } from '../../src/transport/types.js';

/** Time that moves only when `advance()` is called. Microtasks stay real (one write per tick). */
export class FakeClock implements Clock {
  private time = 1_000_000;
  private timers: Array<{ id: number; at: number; fn: () => void }> = [];
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  microtask(fn: () => void): void {
    queueMicrotask(fn);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running due timers in order (and the microtasks they queue). */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    for (let guard = 0; guard < 100_000; guard++) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (next === undefined || next.at > until) break;
      this.timers.shift();
      this.time = next.at;
      next.fn();
      await settle();
    }
    this.time = until;
    await settle();
  }
}

/** Lets queued microtasks and promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** One socket as the test's fake server sees it. */
export class FakeSocket implements Transport {
  /** Every command written, decoded to strings, in order. */
  readonly commands: string[][] = [];
  /** Bytes written, total. */
  written = 0;
  /** How many whole commands each `write()` call completed, in order. */
  readonly writes: number[] = [];
  closed = false;
  ended = false;
  /**
   * When true, writes stay "in the socket" (their memory referenced, not yet read) until
   * `releaseWrites()`, and `flushed()` says so: a kernel whose send buffer is full.
   */
  holdWrites = false;
  /** Every `write()`'s data as passed (not copied), in order. */
  readonly views: Uint8Array[] = [];
  private held: Uint8Array[] = [];
  private dataListener: ((chunk: Uint8Array) => void) | undefined;
  private closeListener: ((error: Error | undefined) => void) | undefined;
  private buffer = '';

  constructor(
    readonly target: TransportTarget,
    private readonly server: FakeServer,
  ) {}

  write(data: Uint8Array): void {
    if (this.closed) return;
    this.views.push(data);
    if (this.holdWrites || this.held.length > 0) this.held.push(data);
    else this.take(data);
  }

  flushed(): boolean {
    return this.held.length === 0;
  }

  /** The held writes are read now, in order, from the memory they were written from. */
  releaseWrites(): void {
    this.holdWrites = false;
    for (const d of this.held.splice(0)) this.take(d);
  }

  private take(data: Uint8Array): void {
    this.written += data.length;
    this.buffer += Buffer.from(data).toString('latin1');
    let completed = 0;
    for (;;) {
      const parsed = parseRequest(this.buffer);
      if (parsed === undefined) break;
      this.buffer = this.buffer.slice(parsed.used);
      this.commands.push(parsed.command);
      completed++;
      this.server.received(this, parsed.command);
    }
    this.writes.push(completed);
  }

  cork(): void {}
  uncork(): void {}

  end(): void {
    this.ended = true;
    this.close(undefined);
  }

  destroy(): void {
    this.close(undefined);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListener = listener;
  }

  onClose(listener: (error: Error | undefined) => void): void {
    this.closeListener = listener;
  }

  /** The server sends raw RESP (e.g. `'+OK\r\n'`). */
  reply(raw: string | Uint8Array): void {
    if (this.closed) return;
    this.dataListener?.(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw);
  }

  /** The server (or the network) closes the socket. */
  close(error: Error | undefined = new ConnectionError('socket closed by the fake server')): void {
    if (this.closed) return;
    this.closed = true;
    const l = this.closeListener;
    queueMicrotask(() => l?.(error));
  }

  /** The server closes cleanly (a FIN: the close comes with no error). */
  closeCleanly(): void {
    if (this.closed) return;
    this.closed = true;
    const l = this.closeListener;
    queueMicrotask(() => l?.(undefined));
  }

  /** Closes with the close listener called at once (before a pending flush). */
  closeNow(error: Error | undefined = new ConnectionError('socket closed by the fake server')): void {
    if (this.closed) return;
    this.closed = true;
    this.closeListener?.(error);
  }

  /** Commands by name (upper case), e.g. to count GETs. */
  named(name: string): string[][] {
    return this.commands.filter((c) => c[0]?.toUpperCase() === name);
  }
}

/** Answers a command with raw RESP, or `undefined` to leave it unanswered (the test answers later). */
export type Responder = (command: string[], socket: FakeSocket) => string | undefined;

/** The fake peer: the sockets opened so far and how new commands are answered. */
export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  /** When set, connects fail with this error. */
  refuse: Error | undefined;
  /** When true, a connect never completes (until the test changes it). */
  hang = false;
  responder: Responder | undefined;

  constructor(responder?: Responder) {
    this.responder = responder;
  }

  /** The most recent socket. */
  get socket(): FakeSocket {
    const s = this.sockets[this.sockets.length - 1];
    if (s === undefined) throw new Error('no socket opened yet');
    return s;
  }

  readonly factory = (target: TransportTarget): Promise<Transport> => {
    if (this.refuse !== undefined) return Promise.reject(this.refuse);
    if (this.hang) return new Promise<Transport>(() => undefined);
    const socket = new FakeSocket(target, this);
    this.sockets.push(socket);
    return Promise.resolve(socket);
  };

  received(socket: FakeSocket, command: string[]): void {
    const answer = this.responder?.(command, socket);
    if (answer !== undefined) queueMicrotask(() => socket.reply(answer));
  }
}

/** A responder that answers everything like a tiny server: GET/SET/INCR on a map, PING, the handshake. */
export function echoServer(store = new Map<string, string>()): Responder {
  return (c) => {
    const name = c[0]?.toUpperCase();
    switch (name) {
      case 'PING':
        return '+PONG\r\n';
      case 'SET':
        store.set(c[1] as string, c[2] as string);
        return '+OK\r\n';
      case 'GET': {
        const v = store.get(c[1] as string);
        return v === undefined ? '$-1\r\n' : `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
      }
      case 'INCR': {
        const n = Number(store.get(c[1] as string) ?? '0') + 1;
        store.set(c[1] as string, String(n));
        return `:${n}\r\n`;
      }
      case 'AUTH':
      case 'SELECT':
      case 'CLIENT':
      case 'MULTI':
        return '+OK\r\n';
      default:
        return undefined;
    }
  };
}

/** A Connection on a fake server and clock; RESP2 with no handshake commands unless given. */
export function fakeConnection(
  server: FakeServer,
  clock: FakeClock,
  overrides: Partial<ConnectionConfig> = {},
): Connection {
  return new Connection({
    host: 'fake',
    port: 1,
    path: undefined,
    tls: undefined,
    username: undefined,
    password: undefined,
    db: 0,
    protocol: 2,
    clientName: undefined,
    connectTimeout: 10_000,
    commandTimeout: 0,
    retry: new Retry({ retries: 3, backoff: new NoBackoff() }),
    maxOfflineQueue: 10_000,
    maxBulkLength: 512 * 1024 * 1024,
    transport: server.factory,
    binary: 'buffer',
    clock,
    ...overrides,
  });
}

/** Records how a promise settled without ever throwing (for asserting on many at once). */
export function outcome<T>(p: Promise<T>): { value?: T; error?: unknown; settled: boolean } {
  const o: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  p.then(
    (v) => {
      o.value = v;
      o.settled = true;
    },
    (e: unknown) => {
      o.error = e;
      o.settled = true;
    },
  );
  return o;
}

/** Parses one RESP request (array of bulk strings) from the front of `s` (latin1). */
function parseRequest(s: string): { command: string[]; used: number } | undefined {
  if (s.length === 0) return undefined;
  if (s[0] !== '*') throw new Error(`fake server: expected an array, got ${JSON.stringify(s.slice(0, 20))}`);
  let pos = s.indexOf('\r\n');
  if (pos < 0) return undefined;
  const n = Number(s.slice(1, pos));
  pos += 2;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const eol = s.indexOf('\r\n', pos);
    if (eol < 0) return undefined;
    const len = Number(s.slice(pos + 1, eol));
    const start = eol + 2;
    if (s.length < start + len + 2) return undefined;
    out.push(Buffer.from(s.slice(start, start + len), 'latin1').toString('utf8'));
    pos = start + len + 2;
  }
  return { command: out, used: pos };
}
