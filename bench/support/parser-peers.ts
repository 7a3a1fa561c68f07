/**
 * The peers of the parser micro-benchmarks (micro-parser.ts, micro-pair.ts): each decodes a whole
 * reply stream, fed in 64 KiB chunks, counting the replies and keeping the last one so that every
 * peer can be checked before it is timed.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** How the streams are cut: the size of one socket read of the Node client. */
export const CHUNK = 65536;

/** One decoder under test. */
export interface Peer {
  name: string;
  /** Feeds one whole run; returns the reply count. */
  run(): number;
  last(): unknown;
}

/** What the peers need of a wredis parser (this tree's or another tree's copy). */
export interface ParserLike {
  feed(chunk: Uint8Array, transient?: boolean): void;
  readInto(): Uint8Array | null;
}
/** A wredis `Parser` class: src/core/parser.ts of this or another tree. */
export type ParserCtor = new (handler: {
  onReply(v: unknown): void;
  onError(e: Error): void;
  onPush(v: unknown[]): void;
  onProtocolError(code: number, message: string): void;
}) => ParserLike;

/** Copies of `CHUNK` bytes (copies, so that no peer reads another's buffer). */
export function chunks(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += CHUNK) out.push(Buffer.from(b.subarray(i, i + CHUNK)));
  return out;
}

/**
 * A peer around one decoder: `setup` gets the callback for replies and errors (it counts them and
 * keeps the last) and returns one pass over the whole stream. The callback is one closure, as
 * each peer had before, so the per-reply cost stays what it was.
 */
export function countingPeer(name: string, setup: (reply: (v: unknown) => void) => () => void): Peer {
  let count = 0;
  let last: unknown;
  const pass = setup((v) => {
    count++;
    last = v;
  });
  return {
    name,
    run() {
      count = 0;
      pass();
      return count;
    },
    last: () => last,
  };
}

/** A wredis parser fed with `wire`'s chunks, as a stream of socket reads. */
export function wredisPeer(name: string, P: ParserCtor, wire: Buffer): Peer {
  const parts = chunks(wire);
  return countingPeer(name, (reply) => {
    const p = new P(wredisHandler(reply));
    return () => {
      for (let i = 0; i < parts.length; i++) p.feed(parts[i]!);
    };
  });
}

/**
 * The reply handler of a wredis parser under test: replies and error replies both go to
 * `reply`; push frames are not part of these streams; a protocol error fails the benchmark.
 */
export function wredisHandler(reply: (v: unknown) => void): ConstructorParameters<ParserCtor>[0] {
  return {
    onReply: reply,
    onError: reply,
    onPush() {},
    onProtocolError(code, message) {
      throw new Error(`${code} ${message}`);
    },
  };
}

const require = createRequire(import.meta.url);
type RedisParserCtor = new (o: {
  returnReply(v: unknown): void;
  returnError(e: Error): void;
  returnFatalError(e: Error): void;
}) => { execute(b: Buffer): void };
const RedisParser = require('redis-parser') as RedisParserCtor;

/** redis-parser (ioredis' parser) fed with `wire`'s chunks (RESP2: it reads no RESP3). */
export function redisParserPeer(wire: Buffer): Peer {
  const parts = chunks(wire);
  return countingPeer('redis-parser', (reply) => {
    const p = new RedisParser({
      returnReply: reply,
      returnError: reply,
      returnFatalError(e) {
        throw e;
      },
    });
    return () => {
      for (let i = 0; i < parts.length; i++) p.execute(parts[i]!);
    };
  });
}

/**
 * The `Parser` of another tree: `dir` holds a copy of its src/core and build/core.wasm (plus a
 * package.json with "type": "module"), for before/after in one process. Its WebAssembly core is
 * loaded first, as the Node entry point does.
 */
export async function loadTreeParser(dir: string): Promise<ParserCtor> {
  const node = (await import(pathToFileURL(`${dir}/src/core/wasm-node.ts`).href)) as {
    loadNodeCore(): void;
  };
  node.loadNodeCore();
  return ((await import(pathToFileURL(`${dir}/src/core/parser.ts`).href)) as { Parser: ParserCtor }).Parser;
}
