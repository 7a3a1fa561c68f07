/** Stream commands under RESP2 and RESP3: XREAD's map (RESP3) and nested arrays (RESP2) give the same shape. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandSyntaxError, DataError, Redis, StreamDuplicateConsumerGroupError } from '../src/index.js';
import { perProtocol, PROTOCOLS } from './commands-setup.js';
import { startScriptedServer } from './support/scripted-server.js';

perProtocol('stream commands', (ctx) => {
  it('xadd with fields as object or list, trimming, nomkstream; xlen, xrange, xrevrange, xdel', async () => {
    const r = ctx.r;
    assert.equal(await r.xadd('s', '1-1', { a: '1', b: 2 }), '1-1');
    assert.equal(await r.xadd('s', '2-1', ['c', '3']), '2-1');
    const auto = await r.xadd('s', '*', { d: '4' });
    assert.match(auto as string, /^\d+-\d+$/);
    assert.equal(await r.xadd('missing', '*', { x: '1' }, { nomkstream: true }), null);
    assert.equal(await r.exists('missing'), 0);
    assert.equal(await r.xlen('s'), 3);
    assert.deepEqual(await r.xrange('s', '-', '+', 2), [
      { id: '1-1', fields: { a: '1', b: '2' } },
      { id: '2-1', fields: { c: '3' } },
    ]);
    assert.deepEqual((await r.xrevrange('s', '+', '-', 1))[0]?.id, auto);
    assert.deepEqual(await r.xrange('s', '(1-1', '2-1'), [{ id: '2-1', fields: { c: '3' } }]);
    assert.deepEqual(await r.xrange('none', '-', '+'), []);
    assert.equal(await r.xdel('s', '1-1', '9-9'), 1);
    assert.equal((await r.xadd('s', '*', { e: '5' }, { maxlen: 1 })) !== null, true);
    assert.equal(await r.xlen('s'), 1);
    // A compile error in TypeScript; plain JavaScript gets the CommandSyntaxError.
    await assert.rejects(
      r.xadd('s', '*', { e: '5' }, { maxlen: 1, minid: '0' } as never),
      CommandSyntaxError,
    );
  });

  it('xtrim by maxlen and minid', async () => {
    const r = ctx.r;
    for (let i = 1; i <= 5; i++) await r.xadd('s', `${i}-0`, { i });
    assert.equal(await r.xtrim('s', { maxlen: 3 }), 2);
    assert.equal(await r.xtrim('s', { minid: '5-0' }), 2);
    assert.equal(await r.xtrim('s', { maxlen: 10, approx: true, limit: 10 }), 0);
    assert.equal(await r.xlen('s'), 1);
  });

  it('xread gives [{ stream, entries }] in request order, null when nothing is new', async () => {
    const r = ctx.r;
    await r.xadd('s1', '1-1', { a: '1' });
    await r.xadd('s2', '1-1', { b: '2' });
    await r.xadd('s2', '2-1', { c: '3' });
    assert.deepEqual(
      await r.xread(
        [
          { key: 's2', id: '0' },
          { key: 's1', id: '0' },
        ],
        { count: 1 },
      ),
      [
        { stream: 's2', entries: [{ id: '1-1', fields: { b: '2' } }] },
        { stream: 's1', entries: [{ id: '1-1', fields: { a: '1' } }] },
      ],
    );
    assert.deepEqual(await r.xread({ key: 's2', id: '1-1' }), [
      { stream: 's2', entries: [{ id: '2-1', fields: { c: '3' } }] },
    ]);
    assert.equal(await r.xread({ key: 's1', id: '$' }), null);
    assert.equal(await r.xread({ key: 's1', id: '$' }, { block: 50 }), null);
  });

  it('xread and xreadgroup keep request order for stream names that look like array indexes', async () => {
    // A RESP3 map becomes an object, and JavaScript lists integer-like keys in ascending order
    // whatever the order they were set in; the reply is still in the order the streams were asked.
    const r = ctx.r;
    await r.xadd('20', '1-1', { a: '1' });
    await r.xadd('3', '1-1', { b: '2' });
    await r.xadd('x', '1-1', { c: '3' });
    const streams = [
      { key: 'x', id: '0' },
      { key: '20', id: '0' },
      { key: '3', id: '0' },
    ];
    const names = (reads: Array<{ stream: string }> | null) => reads?.map((s) => s.stream);
    assert.deepEqual(names(await r.xread(streams)), ['x', '20', '3']);
    for (const s of streams) await r.xgroupCreate(s.key, 'g', '0');
    const read = await r.xreadgroup(
      'g',
      'c',
      streams.map((s) => ({ ...s, id: '>' })),
    );
    assert.deepEqual(names(read), ['x', '20', '3']);
    assert.deepEqual(read?.[1]?.entries, [{ id: '1-1', fields: { a: '1' } }]);
    // The same with a keyPrefix: the prefixed names are not integer-like, the stripped ones are.
    const p = ctx.client({ keyPrefix: 'app:' });
    await p.xadd('20', '1-1', { a: '1' });
    await p.xadd('3', '1-1', { b: '2' });
    assert.deepEqual(
      names(
        await p.xread([
          { key: '20', id: '0' },
          { key: '3', id: '0' },
        ]),
      ),
      ['20', '3'],
    );
  });

  it('xread of one stream at two offsets gives both parts, or (RESP3) a DataError, never a part silently', async () => {
    const r = ctx.r;
    await r.xadd('s', '1-1', { a: '1' });
    await r.xadd('s', '2-1', { b: '2' });
    const read = r.xread([
      { key: 's', id: '0' },
      { key: 's', id: '1-1' },
    ]);
    if (ctx.protocol === 2) {
      assert.deepEqual(await read, [
        {
          stream: 's',
          entries: [
            { id: '1-1', fields: { a: '1' } },
            { id: '2-1', fields: { b: '2' } },
          ],
        },
        { stream: 's', entries: [{ id: '2-1', fields: { b: '2' } }] },
      ]);
    } else {
      await assert.rejects(
        read,
        (e: unknown) =>
          e instanceof DataError && e.code === 'ERR_WREDIS_UNEXPECTED_REPLY' && /asked twice/.test(e.message),
      );
    }
    assert.equal(await r.ping(), 'PONG');
  });

  it('consumer groups: create (BUSYGROUP), xreadgroup, xack, xpending, xclaim, xautoclaim', async () => {
    const r = ctx.r;
    await r.xadd('s', '1-1', { a: '1' });
    await r.xadd('s', '2-1', { b: '2' });
    assert.equal(await r.xgroupCreate('s', 'g', '0'), 'OK');
    await assert.rejects(r.xgroupCreate('s', 'g', '0'), StreamDuplicateConsumerGroupError);
    assert.equal(await r.xgroupCreate('new', 'g', '$', { mkstream: true, entriesRead: 0 }), 'OK');
    assert.deepEqual(await r.xreadgroup('g', 'c1', { key: 's', id: '>' }, { count: 10 }), [
      {
        stream: 's',
        entries: [
          { id: '1-1', fields: { a: '1' } },
          { id: '2-1', fields: { b: '2' } },
        ],
      },
    ]);
    assert.equal(await r.xreadgroup('g', 'c1', { key: 's', id: '>' }), null);
    // History: an entry deleted since delivery has null fields.
    await r.xdel('s', '2-1');
    assert.deepEqual(await r.xreadgroup('g', 'c1', [{ key: 's', id: '0' }]), [
      {
        stream: 's',
        entries: [
          { id: '1-1', fields: { a: '1' } },
          { id: '2-1', fields: null },
        ],
      },
    ]);
    const summary = await r.xpending('s', 'g');
    assert.deepEqual(summary, {
      count: 2,
      minId: '1-1',
      maxId: '2-1',
      consumers: [{ name: 'c1', pending: 2 }],
    });
    assert.deepEqual(await r.xpending('new', 'g'), { count: 0, minId: null, maxId: null, consumers: [] });
    const range = await r.xpendingRange('s', 'g', '-', '+', 10, { consumer: 'c1' });
    assert.deepEqual(
      range.map((e) => [e.id, e.consumer, e.deliveries]),
      [
        ['1-1', 'c1', 2],
        // Re-reading history counts a delivery only for entries that still exist.
        ['2-1', 'c1', 1],
      ],
    );
    assert.ok(range.every((e) => typeof e.idle === 'number'));
    assert.deepEqual(await r.xclaim('s', 'g', 'c2', 0, ['1-1']), [{ id: '1-1', fields: { a: '1' } }]);
    assert.deepEqual(await r.xclaimJustId('s', 'g', 'c3', 0, ['1-1'], { retrycount: 5 }), ['1-1']);
    const auto = await r.xautoclaim('s', 'g', 'c4', 0, '0-0', 10);
    assert.deepEqual(auto, { next: '0-0', entries: [{ id: '1-1', fields: { a: '1' } }], deleted: ['2-1'] });
    assert.deepEqual(await r.xautoclaimJustId('s', 'g', 'c5', 0, '0-0'), {
      next: '0-0',
      entries: ['1-1'],
      deleted: [],
    });
    assert.equal(await r.xack('s', 'g', '1-1', '9-9'), 1);
  });

  it('xgroup subcommands and xinfo', async () => {
    const r = ctx.r;
    await r.xadd('s', '1-1', { a: '1' });
    await r.xadd('s', '2-1', { b: '2' });
    await r.xgroupCreate('s', 'g', '0');
    assert.equal(await r.xgroupCreateconsumer('s', 'g', 'c1'), true);
    assert.equal(await r.xgroupCreateconsumer('s', 'g', 'c1'), false);
    await r.xreadgroup('g', 'c1', { key: 's', id: '>' }, { count: 1 });
    const info = await r.xinfoStream('s');
    assert.deepEqual(
      { ...info },
      {
        length: 2,
        radixTreeKeys: 1,
        radixTreeNodes: 2,
        lastGeneratedId: '2-1',
        maxDeletedEntryId: '0-0',
        entriesAdded: 2,
        recordedFirstEntryId: '1-1',
        groups: 1,
        firstEntry: { id: '1-1', fields: { a: '1' } },
        lastEntry: { id: '2-1', fields: { b: '2' } },
      },
    );
    assert.deepEqual(await r.xinfoGroups('s'), [
      { name: 'g', consumers: 1, pending: 1, lastDeliveredId: '1-1', entriesRead: 1, lag: 1 },
    ]);
    const consumers = await r.xinfoConsumers('s', 'g');
    assert.equal(consumers.length, 1);
    assert.equal(consumers[0]?.name, 'c1');
    assert.equal(consumers[0]?.pending, 1);
    assert.equal(typeof consumers[0]?.idle, 'number');
    assert.equal(await r.xgroupSetid('s', 'g', '0', { entriesRead: 0 }), 'OK');
    assert.equal(await r.xgroupDelconsumer('s', 'g', 'c1'), 1);
    assert.equal(await r.xgroupDestroy('s', 'g'), true);
    assert.equal(await r.xgroupDestroy('s', 'g'), false);
  });

  it('xinfo counters beyond 2^53 are the exact decimal string, never a rounded number', async () => {
    const r = ctx.r;
    await r.xadd('s', '1-1', { a: '1' });
    // 2^53 + 1 entries added (XSETID can say so): Number() would give 9007199254740992.
    await r.call('xsetid', 's', '1-1', 'ENTRIESADDED', '9007199254740993', 'MAXDELETEDID', '0-0');
    await r.xgroupCreate('s', 'g', '0');
    await r.call('xgroup', 'setid', 's', 'g', '0', 'ENTRIESREAD', '0');
    const info = await r.xinfoStream('s');
    assert.equal(info.entriesAdded, '9007199254740993' as unknown as number);
    assert.equal(info.length, 1);
    const [group] = await r.xinfoGroups('s');
    assert.equal(group?.lag, '9007199254740993' as unknown as number);
    assert.equal(group?.entriesRead, 0);
  });

  it('an entry that repeats a field name fails with DataError in every form, never a value silently dropped', async () => {
    const r = ctx.r;
    // XADD keeps both pairs; an object can hold one, so `{ f: 'w' }` would lose 'v' without a word.
    await r.xadd('s', '1-1', ['f', 'v', 'f', 'w']);
    await r.xadd('s', '1-2', ['é', '1', 'é', '2']);
    await r.xgroupCreate('s', 'g', '0');
    const repeated = (e: unknown): boolean =>
      e instanceof DataError &&
      e.code === 'ERR_WREDIS_UNEXPECTED_REPLY' &&
      /repeats a field name/.test(e.message);
    for (const c of [r, r.withBuffers()]) {
      await assert.rejects(c.xrange('s', '-', '1-1'), repeated);
      await assert.rejects(c.xrange('s', '1-2', '+'), repeated);
      await assert.rejects(c.xrevrange('s', '+', '-', 1), repeated);
      await assert.rejects(c.xread({ key: 's', id: '0' }), repeated);
      await assert.rejects(c.xinfoStream('s'), repeated);
    }
    await assert.rejects(r.xreadgroup('g', 'c', { key: 's', id: '>' }), repeated);
    await assert.rejects(r.xclaim('s', 'g', 'c', 0, ['1-1']), repeated);
    await assert.rejects(r.xautoclaim('s', 'g', 'c', 0, '0'), repeated);
    // The raw reply has both pairs; the connection carries on.
    assert.deepEqual(await r.call('XRANGE', 's', '-', '1-1'), [['1-1', ['f', 'v', 'f', 'w']]]);
  });

  it('xpending counts beyond 2^53 are the exact decimal string, never a rounded number', async () => {
    const r = ctx.r;
    await r.xadd('s', '1-1', { a: '1' });
    await r.xgroupCreate('s', 'g', '0');
    await r.xreadgroup('g', 'c', { key: 's', id: '>' });
    // RETRYCOUNT sets the delivery counter to anything: Number() would give 9007199254740992.
    await r.call('XCLAIM', 's', 'g', 'c', '0', '1-1', 'RETRYCOUNT', '9007199254740993');
    const [entry] = await r.xpendingRange('s', 'g', '-', '+', 10);
    assert.equal(entry?.deliveries, '9007199254740993' as unknown as number);
    assert.equal(entry?.id, '1-1');
    assert.equal(typeof entry?.idle, 'number');
  });

  it('field values are bytes under withBuffers(); ids and stream names stay strings', async () => {
    await ctx.r.xadd('s', '1-1', { f: Buffer.from([0, 255]) });
    const b = ctx.r.withBuffers();
    const read = await b.xread({ key: 's', id: '0' });
    assert.equal(read?.[0]?.stream, 's');
    const entry = read?.[0]?.entries[0];
    assert.equal(entry?.id, '1-1');
    assert.deepEqual(Buffer.from(entry?.fields.f as Uint8Array), Buffer.from([0, 255]));
    const range = await b.xrange('s', '-', '+');
    assert.ok(range[0]?.fields.f instanceof Uint8Array);
  });

  it('xread of two streams whose names are not UTF-8 and decode to one text fails alike under both protocols', async () => {
    // 0xf8 and 0xf9 are never UTF-8: both names decode to "\uFFFDx", so the replies' streams could not be told apart.
    const a = Buffer.from([0xf8, 0x78]);
    const z = Buffer.from([0xf9, 0x78]);
    await ctx.r.xadd(a, '1-1', { n: 'a' });
    await ctx.r.xadd(z, '1-1', { n: 'z' });
    const b = ctx.r.withBuffers();
    await assert.rejects(
      b.xread([
        { key: a, id: '0' },
        { key: z, id: '0' },
      ]),
      (e: unknown) => e instanceof DataError && e.code === 'ERR_WREDIS_UNEXPECTED_REPLY',
    );
    assert.equal(await ctx.r.ping(), 'PONG');
  });
});

// Redis 6.2 answers XAUTOCLAIM with a null in place of a pending entry deleted since delivery (7.0
// lists its ID under `deleted` instead); a real 7.x server cannot be made to, so a scripted one does.
describe('xautoclaim against Redis 6.2 replies', () => {
  for (const protocol of PROTOCOLS) {
    it(`RESP${protocol}: a deleted entry (null) is left out, the claimed ones are returned`, async () => {
      const nil = protocol === 3 ? '_\r\n' : '$-1\r\n';
      const hello =
        protocol === 3
          ? '%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n6.2.0\r\n$5\r\nproto\r\n:3\r\n'
          : '-ERR unknown command\r\n';
      const entry = '*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n';
      const srv = await startScriptedServer((cmd) => {
        if (cmd[0] === 'hello') return hello;
        if (cmd[0] === 'xautoclaim') return `*2\r\n$3\r\n0-0\r\n*2\r\n${entry}${nil}`;
        return '+OK\r\n';
      });
      const r = new Redis({ port: srv.port, protocol });
      try {
        assert.deepEqual(await r.xautoclaim('s', 'g', 'c', 0, '0-0'), {
          next: '0-0',
          entries: [{ id: '1-1', fields: { f: 'v' } }],
          deleted: [],
        });
      } finally {
        await r.close();
        await srv.close();
      }
    });
  }
});
