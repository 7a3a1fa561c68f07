/**
 * Shared setup of the command tests: one throwaway server per test file, and
 * each group's tests run once per protocol (RESP2 and RESP3) against it, on a
 * flushed database, so every typed reply is checked to be the same under both.
 */
import { after, before, beforeEach, describe } from 'node:test';
import { Redis } from '../src/index.js';
import { startRedis, type RedisServerHandle, type RedisServerOptions } from './support/redis-server.js';

export const PROTOCOLS = [2, 3] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface CommandTestContext {
  /** The client of the protocol under test (valid inside tests). */
  readonly r: Redis;
  readonly server: RedisServerHandle;
  readonly protocol: Protocol;
  /** A new client to the same server with extra options; closed after the group. */
  client(options?: ConstructorParameters<typeof Redis>[0] & object): Redis;
}

/**
 * `describe`s `title` once per protocol; `body` declares the tests, reading the
 * context lazily (`ctx.r`) since servers start in `before`.
 */
export function perProtocol(
  title: string,
  body: (ctx: CommandTestContext) => void,
  serverOptions?: RedisServerOptions,
): void {
  let server: RedisServerHandle | undefined;
  before(async () => {
    server = await startRedis(serverOptions);
  });
  after(async () => {
    await server?.stop();
  });
  for (const protocol of PROTOCOLS) {
    describe(`${title} (RESP${protocol})`, () => {
      let r: Redis | undefined;
      const extra: Redis[] = [];
      const ctx: CommandTestContext = {
        get r() {
          if (r === undefined) throw new Error('client not started');
          return r;
        },
        get server() {
          if (server === undefined) throw new Error('server not started');
          return server;
        },
        protocol,
        client(options) {
          const s = ctx.server;
          const c = new Redis({ host: s.host, port: s.port, protocol, ...options });
          extra.push(c);
          return c;
        },
      };
      before(async () => {
        const s = ctx.server;
        r = new Redis({ host: s.host, port: s.port, protocol });
        await r.connect();
      });
      beforeEach(async () => {
        await ctx.r.flushall();
      });
      after(async () => {
        await Promise.all([r?.close(), ...extra.map((c) => c.close())]);
      });
      body(ctx);
    });
  }
}

/** Plain object copy (replies built with a null prototype compare equal to literals this way). */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
