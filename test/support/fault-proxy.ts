/**
 * A TCP proxy between a client and a real redis-server that injects the network faults a
 * real server will not produce on demand: pause (nothing flows either way), a reply cut in
 * half (then the connection drops), an RST right after the client's next write reached the
 * server (also after every write of a given command, for a command whose every answer is lost),
 * a drop after N bytes from the server, and a slow drain (server bytes trickle out).
 * Everything the server says is the real server's; only the delivery is tampered with.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  server: Socket;
}

export interface FaultProxy {
  readonly port: number;
  /** Live client connections through the proxy. */
  readonly connections: number;
  /** Holds every byte in both directions until `resume()` (a frozen network or server). */
  pause(): void;
  resume(): void;
  /** The next chunk from the server is delivered only in half, then the connection drops. */
  cutNextReply(): void;
  /**
   * The client's next write is forwarded to the server, then the client socket is reset (RST).
   * `then` runs right after the reset (e.g. `pause()`, so that the reconnect cannot complete).
   */
  resetAfterNextWrite(then?: () => void): void;
  /**
   * The next `times` client writes whose text contains `text` (case-insensitive, e.g. a command
   * name) are each forwarded to the server, then the client socket is reset; other writes (the
   * reconnect's handshake) pass. For a command whose every answer is lost. `times` 0 disarms.
   */
  resetAfterWritesOf(text: string, times: number): void;
  /** After `n` more bytes from the server, the connection drops (those bytes delivered). */
  dropAfter(n: number): void;
  /** Server bytes are delivered `bytes` at a time every `everyMs` ms (until `fast()`). */
  slow(bytes: number, everyMs: number): void;
  fast(): void;
  /** Drops every connection now (both sides). */
  dropAll(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `targetPort`. */
export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let paused = false;
  const held: Array<() => void> = [];
  let cut = false;
  let reset = false;
  let afterReset: (() => void) | undefined;
  let resetOf: { text: string; times: number } | undefined;
  let dropBudget: number | undefined;
  let slow: { bytes: number; everyMs: number } | undefined;
  const slowTimers = new Set<ReturnType<typeof setTimeout>>();

  const drop = (pair: Pair): void => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.server.destroy();
  };

  const toClient = (pair: Pair, chunk: Buffer): void => {
    if (!pairs.has(pair)) return;
    if (paused) {
      held.push(() => toClient(pair, chunk));
      return;
    }
    if (cut) {
      cut = false;
      pair.client.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => drop(pair));
      return;
    }
    if (dropBudget !== undefined) {
      if (chunk.length >= dropBudget) {
        const part = chunk.subarray(0, dropBudget);
        dropBudget = undefined;
        pair.client.write(part, () => drop(pair));
        return;
      }
      dropBudget -= chunk.length;
    }
    if (slow !== undefined) {
      const { bytes, everyMs } = slow;
      pair.server.pause();
      let at = 0;
      const step = (): void => {
        if (pair.client.destroyed) return;
        pair.client.write(chunk.subarray(at, at + bytes));
        at += bytes;
        if (at < chunk.length) {
          const t = setTimeout(() => {
            slowTimers.delete(t);
            step();
          }, everyMs);
          slowTimers.add(t);
        } else pair.server.resume();
      };
      step();
      return;
    }
    pair.client.write(chunk);
  };

  /** `chunk` reaches the server, then the client's socket is reset (RST) and `then` runs. */
  const forwardThenReset = (pair: Pair, chunk: Buffer, then: (() => void) | undefined): void => {
    pair.server.write(chunk, () => {
      pairs.delete(pair);
      pair.client.resetAndDestroy();
      pair.server.destroy();
      then?.();
    });
  };

  const toServer = (pair: Pair, chunk: Buffer): void => {
    if (!pairs.has(pair)) return;
    if (paused) {
      held.push(() => toServer(pair, chunk));
      return;
    }
    if (resetOf !== undefined && chunk.toString('latin1').toUpperCase().includes(resetOf.text)) {
      if (--resetOf.times === 0) resetOf = undefined;
      forwardThenReset(pair, chunk, undefined);
      return;
    }
    if (reset) {
      reset = false;
      const then = afterReset;
      afterReset = undefined;
      forwardThenReset(pair, chunk, then);
      return;
    }
    pair.server.write(chunk);
  };

  const server: Server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    const pair: Pair = { client, server: upstream };
    pairs.add(pair);
    client.on('data', (c: Buffer) => toServer(pair, c));
    upstream.on('data', (c: Buffer) => toClient(pair, c));
    const end = (): void => drop(pair);
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');

  return {
    port: address.port,
    get connections() {
      return pairs.size;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const f of held.splice(0)) f();
    },
    cutNextReply() {
      cut = true;
    },
    resetAfterNextWrite(then?: () => void) {
      reset = true;
      afterReset = then;
    },
    resetAfterWritesOf(text, times) {
      resetOf = times > 0 ? { text: text.toUpperCase(), times } : undefined;
    },
    dropAfter(n) {
      dropBudget = n;
    },
    slow(bytes, everyMs) {
      slow = { bytes, everyMs };
    },
    fast() {
      slow = undefined;
    },
    dropAll() {
      for (const p of [...pairs]) drop(p);
    },
    async close() {
      paused = false;
      resetOf = undefined;
      held.length = 0;
      for (const t of slowTimers) clearTimeout(t);
      for (const p of [...pairs]) drop(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
