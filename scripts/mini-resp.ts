/**
 * A deliberately tiny RESP3 client for tooling (the command-table generator
 * and its tests). It is independent of the WASM core on purpose: the table
 * must be regenerable even while the client itself is broken.
 */
import { connect, type Socket } from 'node:net';

/** A server error reply, returned as a value (tooling wants to inspect it). */
export class RespError {
  constructor(readonly message: string) {}
}

export type RespValue =
  string | number | bigint | boolean | null | RespError | RespValue[] | Map<string, RespValue>;

const INCOMPLETE = Symbol('incomplete');
type Parsed = readonly [RespValue, number] | typeof INCOMPLETE;

function lineEnd(buf: Buffer, pos: number): number {
  const i = buf.indexOf('\r\n', pos, 'latin1');
  return i;
}

/** Parses one reply at `pos`; attributes are skipped, pushes are returned like arrays. */
function parse(buf: Buffer, pos: number): Parsed {
  if (pos >= buf.length) return INCOMPLETE;
  const type = buf[pos];
  const end = lineEnd(buf, pos + 1);
  if (end < 0) return INCOMPLETE;
  const line = buf.toString('utf8', pos + 1, end);
  const next = end + 2;
  switch (type) {
    case 0x2b:
      return [line, next]; // +
    case 0x2d:
      return [new RespError(line), next]; // -
    case 0x3a:
      return [Number(line), next]; // :
    case 0x2c:
      return [line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line), next]; // ,
    case 0x28:
      return [BigInt(line), next]; // (
    case 0x23:
      return [line === 't', next]; // #
    case 0x5f:
      return [null, next]; // _
    case 0x24:
    case 0x21:
    case 0x3d: {
      // $ ! =
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return INCOMPLETE;
      let s = buf.toString('utf8', next, next + len);
      if (type === 0x3d) s = s.slice(4);
      return [type === 0x21 ? new RespError(s) : s, next + len + 2];
    }
    case 0x2a:
    case 0x7e:
    case 0x3e: {
      // * ~ >
      const n = Number(line);
      if (n < 0) return [null, next];
      const out: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p);
        if (r === INCOMPLETE) return r;
        out.push(r[0]);
        p = r[1];
      }
      return [out, p];
    }
    case 0x25:
    case 0x7c: {
      // % |
      const n = Number(line);
      const out = new Map<string, RespValue>();
      let p = next;
      for (let i = 0; i < n; i++) {
        const k = parse(buf, p);
        if (k === INCOMPLETE) return k;
        const v = parse(buf, k[1]);
        if (v === INCOMPLETE) return v;
        out.set(String(k[0]), v[0]);
        p = v[1];
      }
      if (type === 0x7c) return parse(buf, p); // attribute: the reply follows it
      return [out, p];
    }
    default:
      throw new Error(`mini-resp: unexpected type byte 0x${type?.toString(16)}`);
  }
}

function encode(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** One connection; replies are matched to requests in order. */
export class MiniResp {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: ((v: RespValue) => void)[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (e: Error) => {
      this.failure = e;
      for (const w of this.waiting.splice(0)) w(new RespError(`connection: ${e.message}`));
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('closed')));
  }

  /** Connects to 127.0.0.1:`port` and switches to RESP3. */
  static async connect(port: number, host = '127.0.0.1'): Promise<MiniResp> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    });
    const c = new MiniResp(socket);
    const hello = await c.call('HELLO', '3');
    if (hello instanceof RespError) throw new Error(`HELLO 3 failed: ${hello.message}`);
    return c;
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    while (this.waiting.length > 0) {
      const r = parse(this.buf, pos);
      if (r === INCOMPLETE) break;
      pos = r[1];
      this.waiting.shift()!(r[0]);
    }
    this.buf = this.buf.subarray(pos);
  }

  call(...args: (string | number)[]): Promise<RespValue> {
    return this.pipeline([args]).then((r) => r[0]!);
  }

  /** Sends every command in one write and resolves with all replies in order. */
  pipeline(commands: readonly (readonly (string | number)[])[]): Promise<RespValue[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = commands.map(() => new Promise<RespValue>((resolve) => this.waiting.push(resolve)));
    this.socket.write(Buffer.concat(commands.map(encode)));
    return Promise.all(replies);
  }

  close(): void {
    this.socket.destroy();
  }
}
