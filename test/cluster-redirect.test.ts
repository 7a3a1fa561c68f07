/**
 * The cluster's redirection policy (src/cluster/redirect.ts) as a table: which failures are
 * retried after a map refresh, for reads and writes, and which MOVED / ASK replies no server would
 * send (so they are returned, not followed). The behaviour on a real cluster is in
 * test/cluster.test.ts and test/cluster-features.test.ts; this pins the decision for every
 * connection failure code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, isForgedRedirect } from '../src/cluster/redirect.js';
import {
  AskError,
  ConnectionError,
  ErrorCodes,
  MovedError,
  ResponseError,
  TimeoutError,
  UnblockedError,
} from '../src/index.js';
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

  it('UNBLOCKED of an XREADGROUP whose stream was deleted (a migrating slot) goes again where the map says', () => {
    assert.equal(decide(new UnblockedError('UNBLOCKED the stream key no longer exists'), false), 'wait');
  });
});

describe('cluster redirection policy: a MOVED / ASK no server would send', () => {
  const from = { host: '127.0.0.1', port: 7000, key: '127.0.0.1:7000' };
  // As the topology resolves: no host is the answering node's host; 10.0.0.1 is natMapped to loopback.
  const resolveFrom: AddressResolver = (host, port) => {
    const h = host === '' ? from.host : host === '10.0.0.1' ? '127.0.0.1' : host;
    return { host: h, port, key: `${h}:${port}` };
  };
  const forged = (e: Error, slot: number, script = false) =>
    isForgedRedirect(e, slot, from, resolveFrom, script);

  it('is followed when it names the command slot and another node', () => {
    assert.equal(forged(new MovedError('MOVED 12 127.0.0.1:7001'), 12), false);
    assert.equal(forged(new AskError('ASK 12 127.0.0.1:7001'), 12), false);
    assert.equal(forged(new MovedError('MOVED 12 :7001'), 12), false);
    // A command with no slot the client knows (-1): only the node is checked.
    assert.equal(forged(new MovedError('MOVED 99 127.0.0.1:7001'), -1), false);
  });

  it('is returned as is when the command is a keyless script (no server redirects EVAL … 0), from any node', () => {
    for (const E of [MovedError, AskError]) {
      const kind = E === MovedError ? 'MOVED' : 'ASK';
      assert.equal(forged(new E(`${kind} 99 127.0.0.1:7001`), -1, true), true, `${kind}: keyless script`);
      assert.equal(
        isForgedRedirect(new E(`${kind} 99 127.0.0.1:7001`), -1, undefined, resolveFrom, true),
        true,
        `${kind}: keyless script, node unknown`,
      );
      // A script with keys: the slot and node tests decide, as for any command.
      assert.equal(forged(new E(`${kind} 12 127.0.0.1:7001`), 12, true), false, `${kind}: script with keys`);
    }
  });

  it('is returned as is when it names another slot or the node that answered (after natMap)', () => {
    for (const E of [MovedError, AskError]) {
      const kind = E === MovedError ? 'MOVED' : 'ASK';
      assert.equal(forged(new E(`${kind} 13 127.0.0.1:7001`), 12), true, `${kind}: another slot`);
      assert.equal(forged(new E(`${kind} 12 127.0.0.1:7000`), 12), true, `${kind}: itself`);
      assert.equal(forged(new E(`${kind} 12 :7000`), 12), true, `${kind}: itself, no host`);
      assert.equal(forged(new E(`${kind} 12 10.0.0.1:7000`), 12), true, `${kind}: itself, natMapped`);
      assert.equal(forged(new E(`${kind} 99 127.0.0.1:7000`), -1), true, `${kind}: itself, no slot`);
    }
  });

  it('concerns only MOVED / ASK, and only once the answering node is known', () => {
    assert.equal(forged(new ResponseError('MOVEDX 13 127.0.0.1:7000'), 12), false);
    assert.equal(
      isForgedRedirect(new MovedError('MOVED 13 127.0.0.1:7000'), 12, undefined, resolveFrom, false),
      false,
    );
  });
});
