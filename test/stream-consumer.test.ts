/**
 * Stream consumers against a real server, RESP2 and RESP3: XREAD and XREADGROUP iteration,
 * shared groups, recovery of own and crashed consumers' pending entries, acks, ending.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  ConnectionError,
  Redis,
  StreamConsumerInitializationError,
  StreamDuplicateConsumerGroupError,
} from '../src/index.js';
import {
  streamConsumer,
  type GroupConsumerEntry,
  type StreamConsumerOptions,
  type ConsumerEntry,
} from '../src/features/stream-consumer.js';
import type { ClientLike } from '../src/features/types.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';
import type { FaultProxy } from './support/fault-proxy.js';
import { startHoldProxy } from './support/hold-proxy.js';
import { parseInfo } from './support/raw-client.js';
import { startProxiedRedis, type ProxiedRedis } from './support/proxied-redis.js';

const delay = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** Waits (bounded) until some client is blocked in `command`. */
async function waitBlocked(server: RedisServerHandle, command: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const list = String(await server.command('CLIENT', 'LIST'));
    if (list.split('\n').some((l) => l.includes(`cmd=${command}`) && / flags=\S*b/.test(l))) return;
    await delay(20);
  }
  throw new Error(`no client blocked in ${command}`);
}

/** The promise's value, or a failure after `ms` (a broken feature must not hang the run). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Collects up to `max` entries (bounded) from an iterator. */
async function take<E>(it: AsyncIterator<E>, max: number): Promise<E[]> {
  const out: E[] = [];
  for (let i = 0; i < max; i++) {
    const r = await within(it.next(), 10_000);
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

/**
 * `c` as a consumer's client, recording the ConnectionErrors its calls reject with: the consumer
 * swallows those it repairs, and a test must know which faults it repaired. Every call goes to `c`.
 */
function recording(c: Redis): { client: ClientLike; errors: ConnectionError[] } {
  const errors: ConnectionError[] = [];
  const client: ClientLike = {
    get status() {
      return c.status;
    },
    call: (name, ...args) =>
      c.call(name, ...args).catch((e: unknown) => {
        if (e instanceof ConnectionError) errors.push(e);
        throw e;
      }),
  };
  return { client, errors };
}

/** How many times the server ran `command` since the last CONFIG RESETSTAT. */
async function calls(server: RedisServerHandle, command: string): Promise<number> {
  const line = parseInfo(await server.command('INFO', 'commandstats'))[`cmdstat_${command}`];
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

const plain = <V>(e: ConsumerEntry<V>): { stream: string; id: string; fields: Record<string, V> } => ({
  stream: e.stream,
  id: e.id,
  fields: { ...e.fields },
});

for (const protocol of [2, 3] as const) {
  describe(`stream consumers (RESP${protocol})`, () => {
    let server: RedisServerHandle;
    let r: Redis;
    before(async () => {
      server = await startRedis();
      r = new Redis({ host: server.host, port: server.port, protocol });
    });
    after(async () => {
      await r.close();
      await server.stop();
    });
    beforeEach(() => server.command('FLUSHALL'));

    const add = async (stream: string, n: number, from = 0): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = from; i < from + n; i++)
        ids.push(String(await r.call('XADD', stream, '*', 'n', i, 'tag', `t${i}`)));
      return ids;
    };
    const pendingCount = async (stream: string, group: string): Promise<number> =>
      Number(((await r.call('XPENDING', stream, group)) as unknown[])[0]);

    it('XREAD from an ID: entries with fields as objects, in order, over several batches', async () => {
      const ids = await add('s', 5);
      const it = streamConsumer(r, { streams: 's', startId: '0', batch: 2, stopWhenIdle: true });
      const got = await take(it, 10);
      assert.deepEqual(
        got.map(plain),
        ids.map((id, i) => ({ stream: 's', id, fields: { n: String(i), tag: `t${i}` } })),
      );
      assert.equal('ack' in (got[0] as object), false);
      assert.deepEqual(await it.next(), { done: true, value: undefined });
    });

    it("XREAD from '$': only entries added after the start, none missed between reads", async () => {
      await add('s', 2);
      const it = streamConsumer(r, { streams: 's', block: 5000 });
      const first = it.next();
      await waitBlocked(server, 'xread');
      const [id1] = await add('s', 1, 10);
      assert.equal((await first).value?.id, id1);
      // Added while nobody reads: still delivered.
      const [id2, id3] = await add('s', 2, 11);
      assert.deepEqual(
        (await take(it, 2)).map((e) => e.id),
        [id2, id3],
      );
      await it.return();
    });

    it('reads several streams, each from its own ID', async () => {
      const a = await add('a', 3);
      const b = await add('b', 2);
      const it = streamConsumer(r, { streams: { a: a[0] as string, b: '0' }, stopWhenIdle: true });
      const got = await take(it, 10);
      assert.deepEqual(
        got.map((e) => `${e.stream}:${e.id}`).sort(),
        [...a.slice(1).map((id) => `a:${id}`), ...b.map((id) => `b:${id}`)].sort(),
      );
    });

    it('group members share the entries: each entry to exactly one consumer', async () => {
      const ids = await add('s', 12);
      const opts = { streams: 's', group: 'g', startId: '0', batch: 2, stopWhenIdle: true } as const;
      const c1 = streamConsumer(r, { ...opts, consumer: 'c1' });
      const c2 = streamConsumer(r, { ...opts, consumer: 'c2' });
      const seen1: string[] = [];
      const seen2: string[] = [];
      // Alternate so both read: each next() on an empty buffer reads the next batch of 2.
      for (let i = 0; i < 20; i++) {
        const [x, y] = await Promise.all([c1.next(), c2.next()]);
        if (x.done !== true) seen1.push(x.value.id);
        if (y.done !== true) seen2.push(y.value.id);
        if (x.done === true && y.done === true) break;
      }
      assert.ok(seen1.length > 0 && seen2.length > 0, `${seen1.length} / ${seen2.length}`);
      assert.deepEqual([...seen1, ...seen2].sort(), [...ids].sort());
      assert.equal(new Set([...seen1, ...seen2]).size, ids.length);
      assert.equal(await pendingCount('s', 'g'), 0, 'auto-acked');
    });

    it('manual ack: entries stay pending until entry.ack()', async () => {
      await add('s', 3);
      const it = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'c',
        startId: '0',
        ack: 'manual',
        stopWhenIdle: true,
      });
      const got = await take<GroupConsumerEntry>(it, 10);
      assert.equal(got.length, 3);
      assert.equal(await pendingCount('s', 'g'), 3);
      assert.equal(await got[1]?.ack(), true);
      assert.equal(await got[1]?.ack(), false, 'idempotent');
      assert.equal(await pendingCount('s', 'g'), 2);
      await Promise.all(got.map((e) => e.ack()));
      assert.equal(await pendingCount('s', 'g'), 0);
    });

    it('break stops the iterator; the entry broken on stays pending, earlier ones are acked', async () => {
      await add('s', 5);
      const consumer = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'c',
        startId: '0',
        block: 100,
      });
      let n = 0;
      for await (const entry of consumer) {
        assert.equal(entry.fields.n, String(n));
        if (++n === 3) break;
      }
      assert.deepEqual(await consumer.next(), { done: true, value: undefined });
      assert.equal(await pendingCount('s', 'g'), 3, 'the 2 entries not handed out and the one broken on');
    });

    it('a restarted consumer gets its own pending entries first (recovery), then new ones', async () => {
      const ids = await add('s', 4);
      const opts: StreamConsumerOptions = {
        streams: 's',
        group: 'g',
        consumer: 'c',
        startId: '0',
        ack: 'manual',
        stopWhenIdle: true,
      };
      const before = streamConsumer(r, opts);
      assert.deepEqual(
        (await take(before, 2)).map((e) => e.id),
        ids.slice(0, 2),
      );
      await before.return();
      // Entry 0 is deleted from the stream while pending: nothing to deliver, dropped from the PEL.
      await r.call('XDEL', 's', ids[0]);
      const more = await add('s', 1, 10);
      const again = streamConsumer(r, { ...opts, ack: 'auto' });
      const got = await take(again, 10);
      // Own pending (entry 1), then the undelivered 2 and 3, then the new one.
      assert.deepEqual(
        got.map((e) => e.id),
        [ids[1], ids[2], ids[3], ...more],
      );
      assert.equal(await pendingCount('s', 'g'), 0);
    });

    it("a crashed consumer's pending entries are claimed after claimIdleMs", async () => {
      const ids = await add('s', 3);
      const crashed = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'dead',
        startId: '0',
        ack: 'manual',
        stopWhenIdle: true,
      });
      assert.equal((await take(crashed, 10)).length, 3);
      await crashed.return();
      // Not idle long enough: nothing to claim.
      const patient = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'live',
        claimIdleMs: 3_600_000,
        stopWhenIdle: true,
      });
      assert.deepEqual(await take(patient, 10), []);
      await delay(5);
      const rescuer = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'live',
        claimIdleMs: 1,
        batch: 2,
        stopWhenIdle: true,
      });
      const got = await take(rescuer, 10);
      assert.deepEqual(
        got.map((e) => e.id),
        ids,
      );
      assert.deepEqual({ ...got[0]?.fields }, { n: '0', tag: 't0' });
      assert.equal(await pendingCount('s', 'g'), 0);
    });

    it('keeps claiming while running, every claimIdleMs', async () => {
      // Added before the group exists (created at '$'): never delivered by a '>' read.
      const [id] = await add('s', 1);
      const rescuer = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'live',
        claimIdleMs: 50,
        block: 20,
      });
      const first = rescuer.next();
      await waitBlocked(server, 'xreadgroup');
      // Another consumer now holds the entry pending (as if it read it) and dies without acking.
      await r.call('XCLAIM', 's', 'g', 'dead', 0, id, 'FORCE');
      const entry = await within(first, 10_000);
      assert.equal(entry.value?.id, id);
      await rescuer.return();
      const pending = (await r.call('XPENDING', 's', 'g', '-', '+', 10)) as unknown[][];
      assert.deepEqual(
        pending.map((p) => [p[0], p[1]]),
        [[id, 'live']],
        'now pending with the rescuer',
      );
    });

    it("autoCreate 'fresh' rejects StreamDuplicateConsumerGroupError; false needs the group", async () => {
      await r.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const fresh = streamConsumer(r, { streams: 's', group: 'g', consumer: 'c', autoCreate: 'fresh' });
      await assert.rejects(fresh.next(), StreamDuplicateConsumerGroupError);
      assert.equal((await fresh.next()).done, true);
      const ok = streamConsumer(r, {
        streams: 's',
        group: 'g2',
        consumer: 'c',
        autoCreate: 'fresh',
        stopWhenIdle: true,
      });
      assert.equal((await ok.next()).done, true);

      const noStream = streamConsumer(r, {
        streams: 'missing',
        group: 'g',
        consumer: 'c',
        autoCreate: false,
      });
      await assert.rejects(noStream.next(), StreamConsumerInitializationError);
      const noGroup = streamConsumer(r, { streams: 's', group: 'other', consumer: 'c', autoCreate: false });
      await assert.rejects(noGroup.next(), StreamConsumerInitializationError);
      const existing = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'c',
        autoCreate: false,
        stopWhenIdle: true,
      });
      assert.equal((await existing.next()).done, true);
      assert.equal(await r.exists('missing'), 0, 'nothing created');
    });

    it('rejects invalid configuration on the first next(), never synchronously', async () => {
      const bad: unknown[] = [
        {},
        { streams: [] },
        { streams: 5 },
        { streams: ['s', 's'] },
        { streams: { s: '' } },
        { streams: 's', block: -1 },
        { streams: 's', block: 1.5 },
        { streams: 's', batch: 0 },
        { streams: 's', group: 'g' },
        { streams: 's', consumer: 'c' },
        { streams: 's', ack: 'manual' },
        { streams: 's', claimIdleMs: 10 },
        { streams: 's', group: 'g', consumer: 'c', ack: 'sometimes' },
        { streams: 's', group: 'g', consumer: 'c', claimIdleMs: -1 },
        { streams: 's', group: 'g', consumer: 'c', autoCreate: 'yes' },
        { streams: 's', startId: '' },
      ];
      for (const options of bad) {
        const it = streamConsumer(r, options as StreamConsumerOptions);
        await assert.rejects(it.next(), StreamConsumerInitializationError, JSON.stringify(options));
        assert.equal((await it.next()).done, true);
      }
      assert.equal(await r.call('DBSIZE'), 0, 'nothing was sent');
    });

    it('ends quietly when the client closes while a read blocks', async () => {
      const c = new Redis({ host: server.host, port: server.port, protocol });
      const it = streamConsumer(c, { streams: 's', group: 'g', consumer: 'c', block: 100 });
      const pending = it.next();
      await waitBlocked(server, 'xreadgroup');
      await c.close();
      assert.deepEqual(await pending, { done: true, value: undefined });
    });

    it('close() while an entry is handled: the rest of its batch is not handed out after it', async () => {
      const ids = await add('s', 5);
      const c = new Redis({ host: server.host, port: server.port, protocol });
      const seen: string[] = [];
      const consumer = streamConsumer(c, {
        streams: 's',
        group: 'g',
        consumer: 'c',
        startId: '0',
        block: 100,
      });
      for await (const e of consumer) {
        seen.push(e.id);
        // A shutdown while this handler runs: no later entry can be acked (or handled with c).
        await c.close();
        if (seen.length > ids.length) break; // bound
      }
      assert.deepEqual(seen, ids.slice(0, 1));
      // Read in one batch and never acked: all pending with c, handed out first on its next run.
      assert.equal(await pendingCount('s', 'g'), 5);
    });

    it('return() during a blocked read ends the iteration', async () => {
      const it = streamConsumer(r, { streams: 's', block: 100 });
      const pending = it.next();
      await waitBlocked(server, 'xread');
      assert.deepEqual(await it.return(), { done: true, value: undefined });
      assert.deepEqual(await pending, { done: true, value: undefined });
    });

    it('on a withBuffers() view: field names are strings, values bytes', async () => {
      await add('s', 1);
      const it = streamConsumer<Uint8Array>(r.withBuffers(), {
        streams: 's',
        startId: '0',
        stopWhenIdle: true,
      });
      const [entry] = await take(it, 2);
      assert.equal(entry?.stream, 's');
      assert.equal(typeof entry?.id, 'string');
      assert.ok(entry?.fields.tag instanceof Uint8Array);
      assert.equal(Buffer.from(entry.fields.tag).toString(), 't0');
    });
  });
}

describe('stream consumers under network faults', () => {
  let env: ProxiedRedis;
  let server: RedisServerHandle;
  let proxy: FaultProxy;
  let r: Redis;
  let admin: Redis;
  before(async () => {
    env = await startProxiedRedis();
    ({ server, proxy, r, admin } = env);
  });
  after(() => env.stop());
  beforeEach(() => server.command('FLUSHALL'));
  const pendingCount = async (stream: string, group: string): Promise<number> =>
    Number(((await admin.call('XPENDING', stream, group)) as unknown[])[0]);

  it('recoverPending: false, a read cut mid-reply fails the iteration; what the server delivered stays pending and comes first next time', async () => {
    await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const it = streamConsumer(r, {
      streams: 's',
      group: 'g',
      consumer: 'c',
      block: 5000,
      recoverPending: false,
    });
    const pending = it.next();
    await waitBlocked(server, 'xreadgroup');
    proxy.cutNextReply();
    const id = String(await admin.call('XADD', 's', '*', 'n', 1));
    await assert.rejects(within(pending, 10_000), {
      name: 'ConnectionError',
      code: 'ERR_WREDIS_CONNECTION_LOST',
    });
    assert.equal(await pendingCount('s', 'g'), 1, 'delivered by the server, not acked');
    const again = streamConsumer(r, { streams: 's', group: 'g', consumer: 'c', stopWhenIdle: true });
    assert.deepEqual(
      (await take(again, 5)).map((e) => e.id),
      [id],
    );
    assert.equal(await pendingCount('s', 'g'), 0);
  });

  it('manual ack lost with the connection: the entry stays pending and a later ack() sends XACK again', async () => {
    await admin.call('XADD', 's', '*', 'n', 1);
    const it = streamConsumer(r, {
      streams: 's',
      group: 'g',
      consumer: 'c',
      startId: '0',
      ack: 'manual',
      stopWhenIdle: true,
    });
    const [entry] = await take<GroupConsumerEntry>(it, 1);
    assert.ok(entry !== undefined);
    proxy.pause();
    const lost = entry.ack();
    // Held by the proxy, then dropped: the XACK never reaches the server.
    await delay(50);
    proxy.dropAll();
    proxy.resume();
    await assert.rejects(within(lost, 10_000), { name: 'ConnectionError' });
    assert.equal(await pendingCount('s', 'g'), 1);
    assert.equal(
      await within(entry.ack(), 10_000),
      true,
      'still pending, so this ack is the one that counts',
    );
    assert.equal(await pendingCount('s', 'g'), 0);
    assert.equal(await entry.ack(), false, 'idempotent once acked');
    await it.return();
  });

  // Lost replies while the consumer runs: N entries, a fault on the reply (or ack) carrying some of
  // them, and every entry must still be handed out (at least once) and acked, with nothing left
  // pending, by the same consumer without a restart.
  const N = 10;
  const addAll = async (): Promise<string[]> => {
    // One script: a blocked reader is served once, with a full batch.
    await admin.call('EVAL', "for i = 1, ARGV[1] do redis.call('XADD', KEYS[1], '*', 'n', i) end", 1, 's', N);
    return ((await admin.call('XRANGE', 's', '-', '+')) as unknown[][]).map((e) => String(e[0]));
  };
  type Scenario = {
    name: string;
    manual: boolean;
    claim?: boolean;
    /** Sets the stream up, then injects the fault on the right reply; returns the entry IDs. */
    run(it: AsyncIterator<GroupConsumerEntry>, handed: GroupConsumerEntry[]): Promise<string[]>;
  };
  /** Takes `n` entries, acking each in manual mode. */
  const takeAcked = async (
    it: AsyncIterator<GroupConsumerEntry>,
    n: number,
    manual: boolean,
    out: GroupConsumerEntry[],
  ) => {
    for (const e of await take(it, n)) {
      out.push(e);
      if (manual) assert.equal(await e.ack(), true);
    }
  };
  const scenarios: Scenario[] = [
    {
      name: "live '>' read, reply cut in half",
      manual: false,
      async run(it, handed) {
        await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
        const first = it.next();
        await waitBlocked(server, 'xreadgroup');
        proxy.cutNextReply();
        const ids = await addAll();
        const r1 = await within(first, 10_000);
        if (r1.done !== true) handed.push(r1.value);
        return ids;
      },
    },
    {
      name: "live '>' read, connection dropped 20 bytes into the reply",
      manual: true,
      async run(it, handed) {
        await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
        const first = it.next();
        await waitBlocked(server, 'xreadgroup');
        proxy.dropAfter(20);
        const ids = await addAll();
        const r1 = await within(first, 10_000);
        if (r1.done !== true) {
          handed.push(r1.value);
          await r1.value.ack();
        }
        return ids;
      },
    },
    {
      name: 'auto ack: XACK reached the server, its reply lost (connection reset)',
      manual: false,
      async run(it, handed) {
        await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
        const ids = await addAll();
        await takeAcked(it, 4, false, handed); // the first batch (4)
        proxy.resetAfterNextWrite(); // the next write: XACK of those 4, before the next read
        return ids;
      },
    },
    {
      name: 'own pending walk (id 0), second read cut',
      manual: true,
      async run(it, handed) {
        await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
        const ids = await addAll();
        await admin.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'); // pending with c
        await takeAcked(it, 4, true, handed);
        proxy.cutNextReply();
        return ids;
      },
    },
    {
      name: 'XAUTOCLAIM, second claim reply cut (the claimed entries are pending with this consumer)',
      manual: true,
      claim: true,
      async run(it, handed) {
        await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
        const ids = await addAll();
        await admin.call('XREADGROUP', 'GROUP', 'g', 'dead', 'STREAMS', 's', '>');
        // Idle for an hour, as far as the server knows: claimable at once. Once claimed, they are
        // not claimable again within the test (claimIdleMs 60 s), so only the own walk finds them.
        await admin.call('XCLAIM', 's', 'g', 'dead', 0, ...ids, 'IDLE', 3_600_000);
        await takeAcked(it, 4, true, handed);
        proxy.cutNextReply();
        return ids;
      },
    },
  ];
  for (const sc of scenarios) {
    it(`lost reply, ${sc.name}: every entry handed out and acked, nothing left pending`, async () => {
      const it = streamConsumer(r, {
        streams: 's',
        group: 'g',
        consumer: 'c',
        block: 5000,
        batch: 4,
        ack: sc.manual ? 'manual' : 'auto',
        ...(sc.claim === true ? { claimIdleMs: 60_000 } : {}),
      });
      const handed: GroupConsumerEntry[] = [];
      const ids = await sc.run(it, handed);
      const missing = (): string[] => ids.filter((id) => !handed.some((e) => e.id === id));
      // Bounded: each step hands out an entry; duplicates are allowed (at-least-once), a few.
      for (let i = 0; i < 3 * N && missing().length > 0; i++) {
        const step = await within(it.next(), 10_000);
        if (step.done === true) assert.fail('the iteration ended');
        handed.push(step.value);
        if (sc.manual) await step.value.ack();
      }
      assert.deepEqual(missing(), [], 'every entry handed out');
      // Auto mode: the entry handed out last is acked by hand (return() leaves it pending).
      if (!sc.manual) await handed[handed.length - 1]?.ack();
      await it.return();
      assert.equal(await pendingCount('s', 'g'), 0, 'nothing left pending');
      assert.ok(handed.length <= 2 * N, `${handed.length} handed out`);
    });
  }

  it('a read of the live phase that times out (commandTimeout, reply held) is repaired as a lost one: every entry handed out and acked', async () => {
    // Its own proxy: a reply held on the consumer's connection until the commandTimeout fires.
    const hold = await startHoldProxy(server.port);
    const slow = new Redis({ host: server.host, port: hold.port, commandTimeout: 1000 });
    slow.on('error', () => undefined);
    try {
      await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const ids = await addAll();
      const { client, errors } = recording(slow);
      // No `block`: the reads are not blocking commands, so commandTimeout applies to them.
      const it = streamConsumer(client, {
        streams: 's',
        group: 'g',
        consumer: 'c',
        batch: 4,
        ack: 'manual',
        stopWhenIdle: true,
      });
      const handed: GroupConsumerEntry[] = [];
      await takeAcked(it, 4, true, handed);
      // The next '>' read reaches the server (which delivers entries 5 to 8), its reply does not.
      for (const p of hold.pipes) p.holdDown = true;
      const next = it.next();
      let timedOut = false;
      for (let i = 0; i < 500 && !timedOut; i++) {
        timedOut = errors.some((e) => e.code === 'ERR_WREDIS_COMMAND_TIMEOUT');
        if (!timedOut) await delay(20);
      }
      assert.ok(timedOut, `no command timed out: ${errors.map(String).join('; ')}`);
      hold.release();
      const step = await within(next, 10_000);
      assert.notEqual(step.done, true, 'the iteration went on');
      if (step.done !== true) {
        handed.push(step.value);
        await step.value.ack();
      }
      for (let i = 0; i < 3 * N; i++) {
        const more = await within(it.next(), 10_000);
        if (more.done === true) break;
        handed.push(more.value);
        await more.value.ack();
      }
      assert.deepEqual(
        [...new Set(handed.map((e) => e.id))].sort(),
        [...ids].sort(),
        'every entry handed out, those of the timed-out read too',
      );
      assert.equal(await pendingCount('s', 'g'), 0, 'every entry acked');
    } finally {
      hold.release();
      slow.disconnect();
      await hold.close();
    }
  });

  describe('lost answers in a row', () => {
    /** 4 entries; the group created at '$' before them. */
    const four = async (): Promise<string[]> => {
      await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(String(await admin.call('XADD', 's', '*', 'n', i)));
      return ids;
    };
    const options = {
      streams: 's',
      group: 'g',
      consumer: 'c',
      batch: 2,
      ack: 'manual',
      // No `block`: the reads go on the shared connection, the one the proxy resets.
      stopWhenIdle: true,
    } as const;
    afterEach(() => proxy.resetAfterWritesOf('XREADGROUP', 0));

    it('every read lost: after 3 repairs (4 reads) next() rejects with the ConnectionError; what the server delivered stays pending', async () => {
      const ids = await four();
      const { client, errors } = recording(r);
      const it = streamConsumer(client, options);
      const handed: GroupConsumerEntry[] = [];
      await takeAcked(it, 2, true, handed);
      await server.command('CONFIG', 'RESETSTAT');
      // Every XREADGROUP reaches the server and its answer is lost (the connection reset).
      proxy.resetAfterWritesOf('XREADGROUP', 50);
      await assert.rejects(within(it.next(), 10_000), {
        name: 'ConnectionError',
        code: 'ERR_WREDIS_CONNECTION_LOST',
      });
      proxy.resetAfterWritesOf('XREADGROUP', 0);
      assert.equal(await calls(server, 'xreadgroup'), 4, "the '>' read and 3 repairs (own pending walks)");
      assert.equal(errors.length, 4);
      assert.deepEqual(await it.next(), { done: true, value: undefined }, 'the iteration ended');
      assert.equal(await pendingCount('s', 'g'), 2, "entries 3 and 4: delivered by the lost '>' read");
      // Nothing lost: the next run of the consumer gets them first.
      const again = streamConsumer(r, options);
      assert.deepEqual(
        (await take(again, 5)).map((e) => e.id),
        ids.slice(2),
      );
      assert.deepEqual(
        handed.map((e) => e.id),
        ids.slice(0, 2),
      );
    });

    it('a read answered between lost ones starts the count again: 2 lost, 1 answered, 3 lost are all repaired', async () => {
      const ids = await four();
      const { client, errors } = recording(r);
      const it = streamConsumer(client, options);
      const handed: GroupConsumerEntry[] = [];
      // Set-up passes (XGROUP); the first two own pending walks are lost, the third is answered
      // (nothing pending), then the '>' read brings entries 1 and 2.
      proxy.resetAfterWritesOf('XREADGROUP', 2);
      await takeAcked(it, 2, true, handed);
      assert.equal(errors.length, 2);
      // The '>' read (delivering 3 and 4) and the next two walks are lost: 3 in a row, repaired.
      proxy.resetAfterWritesOf('XREADGROUP', 3);
      await takeAcked(it, 2, true, handed);
      assert.equal(errors.length, 5);
      assert.deepEqual(await within(it.next(), 10_000), { done: true, value: undefined });
      assert.deepEqual(
        handed.map((e) => e.id),
        ids,
      );
      assert.equal(await pendingCount('s', 'g'), 0);
    });
  });
});
