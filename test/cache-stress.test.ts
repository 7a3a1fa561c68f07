/**
 * Randomized stress of the client-side cache: 4 writers and 8 caching readers
 * on 100 keys for a bounded time. Every value written is the key's next sequence
 * number; each writer owns its keys, so a key's numbers only grow. The oracle:
 * a read issued after the writer's acknowledgement, and after one more round trip
 * on the reader's own connection (by then any invalidation the server pushed
 * before that reply has been processed), returns that number or a later one.
 * Run under RESP3 (invalidations pushed on the reader's own connection) and RESP2
 * (CLIENT TRACKING REDIRECT to the reader's listener connection), 2 s each.
 *
 * Under RESP2 the invalidation travels on the listener's socket, which the operating
 * system may hand to the client after the reader's own socket even when the server
 * wrote it first (the README's RESP2 limit: a ready list of several sockets is read in
 * whatever order it comes). So there the round trip is taken on both sockets: a PING on
 * the listener issued after the acknowledgement is answered after every invalidation
 * the server sent it before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from '../src/index.js';
import { startRedis, waitUntil, type RedisServerHandle } from './support/redis-server.js';
import { listenerRoundTrip } from './support/cache-listener.js';

const KEYS = 100;
const WRITERS = 4;
const READERS = 8;
const DURATION_MS = 2000;
/** Per reader: a bound on rounds, whatever the time. */
const MAX_ROUNDS = 20_000;

/** Connects `r` and waits until its reads are cached (tracking acknowledged; under RESP2, the listener subscribed). */
async function tracking(r: Redis): Promise<void> {
  await r.connect();
  await waitUntil('tracking on', 5000, async () => {
    await r.get(key(0));
    const before = r.clientSideCache!.stats().hits;
    await r.get(key(0));
    return r.clientSideCache!.stats().hits > before ? undefined : 'no hit yet';
  });
}

/** The extra round trip: on the reader's own connection and, under RESP2, on its listener's. */
async function roundTrip(r: Redis, protocol: 2 | 3): Promise<void> {
  if (protocol === 3) {
    await r.ping();
    return;
  }
  await Promise.all([r.ping(), listenerRoundTrip(r)]);
}

function key(i: number): string {
  return `stress:${i}`;
}

for (const protocol of [3, 2] as const)
  describe(`client-side cache stress (RESP${protocol}): 4 writers, 8 readers, 100 keys`, () => {
    let server: RedisServerHandle;
    before(async () => {
      server = await startRedis();
    });
    after(() => server.stop());

    it('never returns a value older than one acknowledged before the read and a round trip', async (t) => {
      const acked = new Array<number>(KEYS).fill(0);
      const writers = Array.from({ length: WRITERS }, () => new Redis({ port: server.port }));
      const readers = Array.from(
        { length: READERS },
        () => new Redis({ port: server.port, protocol, clientSideCache: { maxEntries: 60 } }),
      );
      try {
        await writers[0]!.mset(Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [key(i), '0'])));
        await Promise.all(readers.map((r) => tracking(r)));
        const deadline = Date.now() + DURATION_MS;
        let writes = 0;
        let checked = 0;
        const violations: string[] = [];

        const writer = async (w: Redis, n: number): Promise<void> => {
          const mine = Array.from({ length: KEYS / WRITERS }, (_, j) => j * WRITERS + n);
          const next = new Array<number>(KEYS).fill(0);
          while (Date.now() < deadline && writes < 1_000_000) {
            const k = mine[Math.floor(Math.random() * mine.length)]!;
            const seq = ++next[k]!;
            if (Math.random() < 0.1) await w.mset({ [key(k)]: String(seq) });
            else await w.set(key(k), String(seq));
            acked[k] = seq;
            writes++;
          }
        };

        const reader = async (r: Redis): Promise<void> => {
          for (let round = 0; round < MAX_ROUNDS && Date.now() < deadline; round++) {
            const picked = Array.from({ length: 8 }, () => Math.floor(Math.random() * KEYS));
            const floors = picked.map((k) => acked[k]!);
            await roundTrip(r, protocol);
            const useMget = round % 4 === 0;
            const values = useMget
              ? await r.mget(picked.map(key))
              : await Promise.all(picked.map((k) => r.get(key(k))));
            values.forEach((v, j) => {
              checked++;
              const got = Number(v);
              if (!(got >= floors[j]!))
                violations.push(`${key(picked[j]!)}: read ${v}, acknowledged ${floors[j]} before the read`);
            });
            // Some reads without the oracle keep the cache hot between checks.
            for (let j = 0; j < 4; j++) await r.get(key(picked[j]!));
          }
        };

        await Promise.all([...writers.map((w, n) => writer(w, n)), ...readers.map((r) => reader(r))]);
        const stats = readers.map((r) => r.clientSideCache!.stats());
        const hits = stats.reduce((a, s) => a + s.hits, 0);
        const invalidations = stats.reduce((a, s) => a + s.invalidations, 0);
        const evictions = stats.reduce((a, s) => a + s.evictions, 0);
        const line = `RESP${protocol}: checked ${checked} reads, ${violations.length} stale; ${writes} writes; cache hits ${hits}, invalidations ${invalidations}, evictions ${evictions}`;
        t.diagnostic(line);
        console.log(`cache stress: ${line}`);
        assert.deepEqual(violations.slice(0, 5), [], `${violations.length} stale reads`);
        assert.ok(checked > 1000, `only ${checked} reads checked`);
        assert.ok(hits > 0 && invalidations > 0, 'the cache was exercised');
      } finally {
        await Promise.all([...writers, ...readers].map((c) => c.close()));
      }
    });
  });
