/**
 * The connection queue's line (a ring over one array) against a plain array doing the same
 * operations: random sequences of push, shift, peek, retain (with pushes from inside it and a
 * throw part-way), popNewest, drain and iteration, across growth, wrap-around and shrinking.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fifo } from '../src/connection/fifo.js';

type Op =
  | { kind: 'push'; n: number }
  | { kind: 'shift'; n: number }
  | { kind: 'peek' }
  | { kind: 'retain'; mod: number; pushInside: number; throwAt: number }
  | { kind: 'popNewest'; below: number }
  | { kind: 'drain' }
  | { kind: 'iterate' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 700 }) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 700 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('peek' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('retain' as const),
      mod: fc.integer({ min: 1, max: 4 }),
      pushInside: fc.integer({ min: 0, max: 3 }),
      throwAt: fc.integer({ min: -1, max: 50 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('popNewest' as const), below: fc.integer({ min: 0, max: 40 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('iterate' as const) }) },
);

/** Runs `ops` on a Fifo and on an array model; every answer and the final contents must agree. */
function check(ops: Op[]): void {
  const fifo = new Fifo<number>();
  let model: number[] = [];
  let next = 0;
  for (const o of ops) {
    switch (o.kind) {
      case 'push':
        for (let i = 0; i < o.n; i++) {
          fifo.push(next);
          model.push(next++);
        }
        break;
      case 'shift':
        for (let i = 0; i < o.n; i++) assert.equal(fifo.shift(), model.shift());
        break;
      case 'peek':
        assert.equal(fifo.peek(), model[0]);
        break;
      case 'retain': {
        // Keeps the items divisible by `mod`; the first `pushInside` judged push a new item
        // (it goes behind the kept ones); at `throwAt` it throws (that item and the rest stay).
        let judged = 0;
        const pushed: number[] = [];
        const keptModel: number[] = [];
        let threw = false;
        try {
          fifo.retain((x) => {
            if (judged === o.throwAt) throw new Error('keep threw');
            judged++;
            if (pushed.length < o.pushInside) {
              pushed.push(next);
              fifo.push(next++);
            }
            return x % o.mod === 0;
          });
        } catch (e) {
          assert.equal((e as Error).message, 'keep threw');
          threw = true;
        }
        for (let i = 0; i < model.length; i++) {
          const x = model[i] as number;
          if (i >= judged || x % o.mod === 0) keptModel.push(x);
        }
        assert.equal(threw, o.throwAt >= 0 && o.throwAt < model.length);
        model = [...keptModel, ...pushed];
        break;
      }
      case 'popNewest': {
        const out = fifo.popNewest((x) => x >= next - o.below);
        let from = model.length;
        while (from > 0 && (model[from - 1] as number) >= next - o.below) from--;
        assert.deepEqual(out, model.slice(from));
        model = model.slice(0, from);
        break;
      }
      case 'drain':
        assert.deepEqual(fifo.drain(), model);
        model = [];
        break;
      case 'iterate':
        assert.deepEqual([...fifo], model);
        break;
    }
    assert.equal(fifo.length, model.length);
  }
  assert.deepEqual([...fifo], model);
}

describe('Fifo (the connection queue line)', () => {
  test('matches an array under random push / shift / peek / retain / popNewest / drain', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => check(ops)),
      { numRuns: 400 },
    );
  });

  test('a steady line wraps around its ring without growing: 100 in flight, 10,000 through', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 100; i++) fifo.push(i);
    for (let i = 100; i < 10_100; i++) {
      assert.equal(fifo.shift(), i - 100);
      fifo.push(i);
    }
    assert.equal(fifo.length, 100);
    assert.deepEqual(
      [...fifo],
      Array.from({ length: 100 }, (_, i) => 10_000 + i),
    );
    // 128 slots: the ring of the high-water mark, reached at the first 100 pushes.
    assert.equal((fifo as unknown as { items: unknown[] }).items.length, 128);
  });

  test('a line that never empties gives back the room a burst took (shift, retain, popNewest)', () => {
    // A connection under steady load after a burst (a stalled server's backlog, a reconnect's
    // requeue): its in-flight and deadline lines hold a few commands at every moment, so "back to
    // empty" never comes. The ring must still shrink, as the array it replaced did (sliced every
    // thousand shifts), else every such connection keeps its high-water ring (16 MB per line at 2M).
    const ring = (f: Fifo<number>): number => (f as unknown as { items: unknown[] }).items.length;
    const fifo = new Fifo<number>();
    let next = 0;
    for (; next < 100_000; next++) fifo.push(next);
    assert.equal(ring(fifo), 131_072);
    // Steady: one out, one in, while the backlog drains down to 100 (never empty).
    let expected = 0;
    while (fifo.length > 100) {
      assert.equal(fifo.shift(), expected++);
      if (expected % 2 === 0) fifo.push(next++);
    }
    assert.ok(ring(fifo) <= 2048, `ring of ${ring(fifo)} slots kept for ${fifo.length} items`);
    assert.deepEqual(
      [...fifo],
      Array.from({ length: fifo.length }, (_, i) => expected + i),
    );

    // retain (failed reconnects age the waiting line) and popNewest (a withdrawal) shrink it too.
    for (let i = 0; i < 100_000; i++) fifo.push(next++);
    fifo.retain((x) => x % 1000 === 0);
    assert.ok(ring(fifo) <= 2048, `ring of ${ring(fifo)} slots kept for ${fifo.length} items after retain`);
    const kept = fifo.length;
    const burst = next;
    for (let i = 0; i < 100_000; i++) fifo.push(next++);
    assert.equal(fifo.popNewest((x) => x >= burst).length, 100_000);
    assert.equal(fifo.length, kept);
    assert.ok(
      ring(fifo) <= 2048,
      `ring of ${ring(fifo)} slots kept for ${fifo.length} items after popNewest`,
    );
  });

  test('an emptied line gives back the room a burst took', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    assert.equal((fifo as unknown as { items: unknown[] }).items.length, 8192);
    for (let i = 0; i < 5000; i++) fifo.shift();
    assert.equal((fifo as unknown as { items: unknown[] }).items.length, 16);
    assert.equal(fifo.shift(), undefined);
    assert.equal(fifo.peek(), undefined);
  });
});
