/**
 * The cluster's redirection policy (src/cluster/redirect.ts) as a table: which failures are
 * retried after a map refresh, for reads and writes. The behaviour on a real cluster is in
 * test/cluster.test.ts; this pins the decision for every connection failure code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from '../src/cluster/redirect.js';
import { ConnectionError, ErrorCodes, TimeoutError, UnblockedError } from '../src/index.js';
import type { AddressResolver } from '../src/cluster/slot-map.js';

const resolve: AddressResolver = (host, port) => ({ host, port, key: `${host}:${port}` });
const decide = (e: Error, safe: boolean): string => {
  const a = classify(e, safe, resolve);
  return a.kind === 'fail' ? (a.refresh ? 'fail+refresh' : 'fail') : a.kind;
};

describe('cluster redirection policy: connection failures', () => {
  it('a command that never reached a socket (the connection could not be set up) is retried after a refresh, write or read', () => {
    const notSent = [
      new ConnectionError('refused', { code: ErrorCodes.CONNECTION_REFUSED }),
      new ConnectionError('unreachable', { code: ErrorCodes.CONNECTION_FAILED }),
      new ConnectionError('no such host', { code: ErrorCodes.DNS }),
      new ConnectionError('bad certificate', { code: ErrorCodes.TLS }),
      new TimeoutError('connect timed out', { code: ErrorCodes.CONNECT_TIMEOUT }),
      new ConnectionError('lost during handshake', { code: ErrorCodes.HANDSHAKE_FAILED }),
    ];
    for (const e of notSent) {
      assert.equal(decide(e, false), 'refresh', e.message);
      assert.equal(decide(e, true), 'refresh', e.message);
    }
  });

  it('a write that may have run is not sent again; a read is', () => {
    const lost = new ConnectionError('lost', { code: ErrorCodes.CONNECTION_LOST });
    assert.equal(decide(lost, false), 'fail+refresh');
    assert.equal(decide(lost, true), 'refresh');
    const timedOut = new TimeoutError('reply timed out', { code: ErrorCodes.COMMAND_TIMEOUT });
    assert.equal(decide(timedOut, false), 'fail');
    assert.equal(decide(timedOut, true), 'fail');
  });

  it('UNBLOCKED from a primary turned replica is retried after a refresh; from CLIENT UNBLOCK … ERROR it is not', () => {
    const demoted = new UnblockedError(
      'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
    );
    assert.equal(decide(demoted, false), 'refresh');
    assert.equal(decide(new UnblockedError('UNBLOCKED client unblocked via CLIENT UNBLOCK'), false), 'fail');
  });
});
