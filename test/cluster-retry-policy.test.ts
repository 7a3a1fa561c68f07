/**
 * One retry policy per failure in a cluster (issue #11): node connections retry nothing
 * themselves, so a command whose reply is lost is sent again only by the cluster's redirection
 * loop, under its one budget (`maxRedirections`), and by the same replay rules as a standalone
 * client. A scripted node drops the socket on every GET/SET it receives and the test counts how
 * often each reached it: with both levels retrying it would be (retries + 1) x (maxRedirections + 1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterError, ConnectionError, Redis, RedisCluster, Retry } from '../src/index.js';
import { HELLO3, startScriptedServer, type ScriptedServer } from './support/scripted-server.js';

function slotsReply(port: number): string {
  return `*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:${port}\r\n$40\r\n${'a'.repeat(40)}\r\n`;
}

/** A one-node "cluster" that loses the reply of every GET and SET (the socket drops). */
async function droppingNode(): Promise<ScriptedServer> {
  let port = 0;
  const srv = await startScriptedServer((cmd) => {
    if (cmd[0] === 'hello') return HELLO3;
    if (cmd[0] === 'cluster')
      return cmd[1]?.toUpperCase() === 'SLOTS' ? slotsReply(port) : '-ERR unknown\r\n';
    if (cmd[0] === 'get' || cmd[0] === 'set') return 'destroy';
    return '+OK\r\n';
  });
  port = srv.port;
  return srv;
}

const maxRedirections = 3;

/** A cluster client of the dropping node, with no background refresh and `maxRedirections`. */
const clusterOn = (srv: ScriptedServer, retry: Retry): RedisCluster =>
  new RedisCluster({
    nodes: [{ host: '127.0.0.1', port: srv.port }],
    refreshInterval: 0,
    maxRedirections,
    retry,
  });

const sent = (srv: ScriptedServer, name: string): number => srv.received.filter((c) => c[0] === name).length;

describe('one retry policy per failure', () => {
  it('standalone: the connection replays a read whose reply was lost, retries + 1 times in all', async () => {
    const srv = await droppingNode();
    const r = new Redis({ port: srv.port, retry: new Retry({ retries: 3 }) });
    try {
      await assert.rejects(r.get('k'), ConnectionError);
      assert.equal(sent(srv, 'get'), 4);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('cluster: a lost read is sent again by the redirection loop only, within maxRedirections', async () => {
    const srv = await droppingNode();
    const r = clusterOn(srv, new Retry({ retries: 3 }));
    try {
      await r.connect();
      const e = await r.get('k').then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(e instanceof ClusterError, String(e));
      const gets = sent(srv, 'get');
      // At most one write per attempt of the cluster's loop (an attempt may find the node still
      // reconnecting and not send at all); the connection's own policy would multiply this by 4.
      assert.ok(gets >= 1 && gets <= maxRedirections + 1, `GET reached the node ${gets} times`);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('cluster: a lost write is not sent again by default; under replay: idempotent only by the loop', async () => {
    const srv = await droppingNode();
    const r = clusterOn(srv, new Retry({ retries: 3 }));
    const idem = clusterOn(srv, new Retry({ retries: 3, replay: 'idempotent' }));
    try {
      await r.connect();
      await assert.rejects(r.set('k', 'v'), ConnectionError);
      assert.equal(sent(srv, 'set'), 1, 'outcome unknown: sent once');
      await idem.connect();
      await assert.rejects(idem.set('k', 'v'), ClusterError);
      const sets = sent(srv, 'set') - 1;
      assert.ok(sets >= 2 && sets <= maxRedirections + 1, `SET reached the node ${sets} times`);
    } finally {
      r.disconnect();
      idem.disconnect();
      await srv.close();
    }
  });
});
