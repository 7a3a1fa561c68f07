/**
 * A scripted TCP server for what a real redis-server will not do on demand:
 * malformed bytes, a reply cut in half, -LOADING, a dropped socket. It reads RESP
 * request arrays and answers each with whatever the script returns.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** A reply to write (raw bytes/string), `null` for no reply, or 'destroy' to drop the socket. */
export type ScriptedReply = string | Uint8Array | null | 'destroy';
export type Script = (command: string[], socket: Socket) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedServer {
  port: number;
  /** Every command received, in order (command name lower-cased). */
  received: string[][];
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** Replies a handshake needs, so clients get past HELLO. */
export const HELLO3 =
  '%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n$5\r\nproto\r\n:3\r\n';

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const parsed = readRequest(buffered);
        if (parsed === undefined) break;
        buffered = buffered.subarray(parsed.used);
        const cmd = parsed.args;
        cmd[0] = (cmd[0] ?? '').toLowerCase();
        received.push(cmd);
        chain = chain.then(async () => {
          const reply = await script(cmd, socket);
          if (reply === 'destroy') socket.destroy();
          else if (reply !== null && !socket.destroyed) socket.write(reply);
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    received,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Parses one `*N\r\n$len\r\n…` request; undefined when incomplete. */
function readRequest(buf: Buffer): { args: string[]; used: number } | undefined {
  if (buf.length === 0) return undefined;
  let pos = 0;
  const line = (): string | undefined => {
    const end = buf.indexOf('\r\n', pos);
    if (end < 0) return undefined;
    const s = buf.toString('latin1', pos, end);
    pos = end + 2;
    return s;
  };
  const head = line();
  if (head === undefined || head[0] !== '*') return undefined;
  const n = Number(head.slice(1));
  const args: string[] = [];
  for (let i = 0; i < n; i++) {
    const h = line();
    if (h === undefined) return undefined;
    const len = Number(h.slice(1));
    if (buf.length < pos + len + 2) return undefined;
    args.push(buf.toString('utf8', pos, pos + len));
    pos += len + 2;
  }
  return { args, used: pos };
}

/** A RESP bulk string. */
export const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

/** The RESP3 push a sentinel sends its subscribers for `+switch-master <message>`. */
export const switchMasterPush = (message: string): string =>
  `>3\r\n${bulk('message')}${bulk('+switch-master')}${bulk(message)}`;

/**
 * A scripted sentinel, for a `+switch-master` sent when the test says (a real sentinel sends one only
 * on a failover): it names 127.0.0.1:`primaryPort()` as the primary, answers HELLO and SUBSCRIBE, and
 * keeps the subscribed sockets in `subscribed` for the test to push to. `other` answers any other
 * command (`+OK` when absent).
 */
export async function startScriptedSentinel(
  primaryPort: () => number,
  other?: Script,
): Promise<ScriptedServer & { subscribed: Set<Socket> }> {
  const subscribed = new Set<Socket>();
  const server = await startScriptedServer((cmd, socket) => {
    if (cmd[0] === 'hello') return HELLO3;
    if (cmd[0] === 'sentinel') return `*2\r\n${bulk('127.0.0.1')}${bulk(String(primaryPort()))}`;
    if (cmd[0] === 'subscribe') {
      subscribed.add(socket);
      return `>3\r\n${bulk('subscribe')}${bulk(cmd[1] ?? '')}:1\r\n`;
    }
    return other !== undefined ? other(cmd, socket) : '+OK\r\n';
  });
  return Object.assign(server, { subscribed });
}
