/**
 * A loopback TCP proxy whose connections can each hold either direction (bytes buffered, then
 * released in order): for what a real server will not do on demand, such as a client reading one
 * of its sockets late (the client-side cache's RESP2 invalidation connection).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** One proxied connection: each direction can be held (bytes buffered) and released. */
export interface Pipe {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Everything the client sent on this connection (held or not), as latin1 text. */
  up: string;
  /** Everything the server sent on this connection, as latin1 text. */
  down: string;
  holdUp: boolean;
  holdDown: boolean;
  release(): void;
}

/** A loopback TCP proxy whose connections, in accept order, can delay either direction. */
export async function startHoldProxy(
  port: number,
): Promise<{ port: number; pipes: Pipe[]; release(): void; close(): Promise<void> }> {
  const pipes: Pipe[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    const heldUp: Buffer[] = [];
    const heldDown: Buffer[] = [];
    const pipe: Pipe = {
      client,
      upstream,
      up: '',
      down: '',
      holdUp: false,
      holdDown: false,
      release() {
        pipe.holdUp = pipe.holdDown = false;
        for (const b of heldUp.splice(0)) upstream.write(b);
        for (const b of heldDown.splice(0)) client.write(b);
      },
    };
    pipes.push(pipe);
    client.on('data', (b: Buffer) => {
      pipe.up += b.toString('latin1');
      if (pipe.holdUp) heldUp.push(b);
      else upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => {
      pipe.down += b.toString('latin1');
      if (pipe.holdDown) heldDown.push(b);
      else client.write(b);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    pipes,
    // Called first in a test's cleanup: a reply still held would keep a graceful close() waiting.
    release: () => {
      for (const p of pipes) p.release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pipes) p.client.destroy();
        server.close(() => resolve());
      }),
  };
}
