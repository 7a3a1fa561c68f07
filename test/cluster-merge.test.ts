/** Merging fanned-out cluster replies by response policy: pure logic, every policy and the failures. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeReplies } from '../src/cluster/merge.js';
import { ClusterResponseError, ResponseError } from '../src/index.js';

const err = (m: string): ResponseError => new ResponseError(m, { code: m.split(' ')[0] as string });

describe('cluster reply merging', () => {
  it('aggregates numbers: sum, min, max, logical and/or', () => {
    assert.equal(mergeReplies('DBSIZE', 'agg_sum', [1, 2, 3]), 6);
    assert.equal(mergeReplies('X', 'agg_min', [4, 2, 9]), 2);
    assert.equal(mergeReplies('X', 'agg_max', [4, 2, 9]), 9);
    assert.equal(mergeReplies('X', 'agg_logical_and', [1, 1, 0]), 0);
    assert.equal(mergeReplies('X', 'agg_logical_and', [1, 1, 1]), 1);
    assert.equal(mergeReplies('X', 'agg_logical_or', [0, 0, 1]), 1);
    assert.equal(mergeReplies('X', 'agg_logical_or', [0, 0, 0]), 0);
  });

  it('aggregates arrays element by element (SCRIPT EXISTS across shards)', () => {
    assert.deepEqual(
      mergeReplies('SCRIPT', 'agg_logical_and', [
        [1, 0, 1],
        [1, 1, 1],
      ]),
      [1, 0, 1],
    );
  });

  it('all_succeeded returns one reply, or the first error', () => {
    assert.equal(mergeReplies('FLUSHALL', 'all_succeeded', ['OK', 'OK']), 'OK');
    const e = err('ERR boom');
    assert.throws(
      () => mergeReplies('FLUSHALL', 'all_succeeded', ['OK', e]),
      (x: unknown) => x === e,
    );
  });

  it('one_succeeded returns the first success, or the first error when all failed', () => {
    const e1 = err('NOTBUSY a');
    assert.equal(mergeReplies('SCRIPT', 'one_succeeded', [e1, 'OK', err('NOTBUSY b')]), 'OK');
    assert.throws(
      () => mergeReplies('SCRIPT', 'one_succeeded', [e1, err('NOTBUSY b')]),
      (x: unknown) => x === e1,
    );
  });

  it('without a policy concatenates arrays, merges maps, collapses equal scalars', () => {
    assert.deepEqual(mergeReplies('KEYS', undefined, [['a'], ['b', 'c'], []]), ['a', 'b', 'c']);
    assert.deepEqual({ ...(mergeReplies('X', undefined, [{ a: 1 }, { b: 2 }]) as object) }, { a: 1, b: 2 });
    assert.equal(mergeReplies('PING', undefined, ['PONG', 'PONG']), 'PONG');
  });

  it('rejects merges that cannot be made with ClusterResponseError', () => {
    assert.throws(() => mergeReplies('X', undefined, ['a', 'b']), ClusterResponseError);
    assert.throws(() => mergeReplies('X', 'agg_sum', [1, 'two']), ClusterResponseError);
    assert.throws(() => mergeReplies('X', 'special', [1, 2]), ClusterResponseError);
  });
  it('any_one (no response_policy, nondeterministic output: RANDOMKEY) picks a non-null reply; arrays concatenate', () => {
    const picked = new Set<unknown>();
    for (let i = 0; i < 200; i++) picked.add(mergeReplies('RANDOMKEY', 'any_one', ['a', null, 'b']));
    assert.ok(
      [...picked].every((k) => k === 'a' || k === 'b'),
      [...picked].join(),
    );
    assert.equal(mergeReplies('RANDOMKEY', 'any_one', [null, null]), null);
    assert.deepEqual(mergeReplies('SLOWLOG', 'any_one', [[1], [2, 3]]), [1, 2, 3]);
    const e = err('ERR boom');
    assert.throws(
      () => mergeReplies('RANDOMKEY', 'any_one', ['a', e]),
      (x: unknown) => x === e,
    );
  });

  it('special: replies equal by value agree (arrays, nested, bytes); differing ones still fail', () => {
    assert.deepEqual(mergeReplies('LATENCY', 'special', [[], [], []]), []);
    assert.deepEqual(
      mergeReplies('X', 'special', [
        [['a', 1], new Uint8Array([1])],
        [['a', 1], new Uint8Array([1])],
      ]),
      [['a', 1], new Uint8Array([1])],
    );
    assert.throws(() => mergeReplies('X', 'special', [[['a', 1]], [['a', 2]]]), ClusterResponseError);
  });
});
