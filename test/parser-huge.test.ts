/**
 * Issue #11 item 12, sizes: a reply of 40M elements decodes (scripted server, client in a child
 * process with an explicit --max-old-space-size); past what the core's memory allows (its tape
 * holds at most 2^26 - 4 records) the command rejects with a DataError saying the reply is too
 * large, and the next command on the same client gets its own reply; 5M elements from a real
 * redis-server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Redis } from '../src/index.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';
import { HELLO3, startScriptedServer, type ScriptedServer } from './support/scripted-server.js';

const CHILD = fileURLToPath(new URL('./support/huge-reply-child.ts', import.meta.url));
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

interface ChildResult {
  length?: number;
  firstWrong?: number;
  error?: { name: string; message: string; code?: string };
  ms: number;
  rssMiB: number;
  after?: unknown;
  afterError?: string;
}

/** Writes `count` elements in chunks of `element`-repeats, waiting for the socket to drain; stops when it closes. */
async function stream(
  socket: Socket,
  header: string,
  chunk: Buffer,
  perChunk: number,
  count: number,
): Promise<void> {
  socket.write(header);
  let left = count;
  const tail = Buffer.from(chunk.subarray(0, (chunk.length / perChunk) * (count % perChunk)));
  while (left > 0 && !socket.destroyed) {
    const full = left >= perChunk;
    const ok = socket.write(full ? chunk : tail);
    left -= full ? perChunk : left;
    if (!ok) {
      await new Promise<void>((resolve) => {
        // Both listeners go when either fires: a 'close' listener left per drain piled up
        // (MaxListenersExceededWarning after ten waits).
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });
    }
  }
}

function runChild(port: number, heapMiB: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', CHILD, String(port), ALPHABET],
      { timeout: 120_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`child failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
      },
    );
  });
}

describe('huge replies', { timeout: 300_000 }, () => {
  describe('scripted server, client in a child process', () => {
    let server: ScriptedServer;
    let count = 0;
    let element: 'bulk' | 'int' = 'bulk';
    before(async () => {
      // One-character bulks cycling through ALPHABET (the child checks every index), or `:1`.
      const bulks = Buffer.from(
        Array.from({ length: 228 }, () => [...ALPHABET].map((c) => `$1\r\n${c}\r\n`).join('')).join(''),
      );
      const ints = Buffer.from(':1\r\n'.repeat(8192));
      server = await startScriptedServer(async (cmd, socket) => {
        if (cmd[0] === 'hello') return HELLO3;
        if (cmd[0] === 'get') return `$${cmd[1]!.length}\r\n${cmd[1]}\r\n`;
        if (cmd[0] === 'lrange') {
          if (element === 'bulk') await stream(socket, `*${count}\r\n`, bulks, 228 * ALPHABET.length, count);
          else await stream(socket, `*${count}\r\n`, ints, 8192, count);
          return null;
        }
        return '+OK\r\n';
      });
    });
    after(async () => {
      await server.close();
    });

    it('a reply of 40M elements decodes, in order, and the next reply follows', async () => {
      count = 40_000_000;
      element = 'bulk';
      const got = await runChild(server.port, 4096);
      assert.equal(got.error, undefined, JSON.stringify(got));
      assert.equal(got.length, count);
      assert.equal(got.firstWrong, -1);
      assert.equal(got.after, 'after');
    });

    it('past the core memory it rejects with a DataError saying the reply is too large; the client goes on', async () => {
      // 70M records do not fit the core's tape (at most 2^26 - 4 records of 16 bytes).
      count = 70_000_000;
      element = 'int';
      const got = await runChild(server.port, 4096);
      assert.equal(got.length, undefined, JSON.stringify(got));
      assert.equal(got.error?.name, 'DataError', JSON.stringify(got));
      assert.match(got.error.message, /too large to decode/);
      assert.doesNotMatch(got.error.message, /out of memory|Protocol error/);
      assert.equal(got.after, 'after', JSON.stringify(got));
    });
  });

  describe('real redis-server', () => {
    let server: RedisServerHandle;
    before(async () => {
      server = await startRedis({ args: ['--save', ''] });
    });
    after(async () => {
      await server.stop();
    });

    it('LRANGE 0 -1 of a 5M-element list decodes', async () => {
      const r = new Redis({ port: server.port });
      try {
        const total = 5_000_000;
        const batch = 10_000;
        // 500 RPUSH calls of 10k values, 50 in flight at a time: bounded in count.
        for (let start = 0; start < total; start += batch * 50) {
          const calls: Promise<number>[] = [];
          for (let b = start; b < Math.min(total, start + batch * 50); b += batch) {
            calls.push(
              r.rpush(
                'big',
                Array.from({ length: batch }, (_, i) => String(b + i)),
              ),
            );
          }
          await Promise.all(calls);
        }
        assert.equal(await r.llen('big'), total);
        const list = await r.lrange('big', 0, -1);
        assert.equal(list.length, total);
        let wrong = -1;
        for (let i = 0; i < total && wrong < 0; i++) if (list[i] !== String(i)) wrong = i;
        assert.equal(wrong, -1);
        assert.equal(await r.call('PING'), 'PONG');
      } finally {
        r.disconnect();
      }
    });
  });
});
