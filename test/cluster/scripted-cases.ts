/**
 * Cluster behaviour only scripted nodes produce on demand, registered inside the scripted suite of
 * test/cluster.test.ts: a transaction redirected until its budget is spent, CLUSTER SHARDS with
 * node health (loading / failed replicas left out, the online primary preferred), TLS ports,
 * hostnames, and the fallback to CLUSTER SLOTS on servers without SHARDS.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ClusterTransactionError, MovedError, RedisCluster, keySlot } from '../../src/index.js';
import { SlotMap, nodeAddress } from '../../src/cluster/slot-map.js';
import { HELLO3, startScriptedServer } from '../support/scripted-server.js';

type Resp = string | number | Resp[] | { [k: string]: Resp };

/** RESP3 text of a value (maps for objects), as a server would send it. */
function resp3(v: Resp): string {
  if (typeof v === 'number') return `:${v}\r\n`;
  if (typeof v === 'string') return `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
  if (Array.isArray(v)) return `*${v.length}\r\n${v.map(resp3).join('')}`;
  const entries = Object.entries(v);
  return `%${entries.length}\r\n${entries.map(([k, x]) => resp3(k) + resp3(x)).join('')}`;
}

interface ShardNode {
  port: number;
  role: 'master' | 'replica';
  health: 'online' | 'loading' | 'fail';
  endpoint?: string;
  tlsPort?: number;
}

function shardsReply(shards: Array<{ slots: number[]; nodes: ShardNode[] }>): Resp[] {
  return shards.map((s) => ({
    slots: s.slots,
    nodes: s.nodes.map((n, i) => ({
      id: String(i).repeat(40).slice(0, 40),
      port: n.port,
      ...(n.tlsPort === undefined ? {} : { 'tls-port': n.tlsPort }),
      ip: '127.0.0.1',
      endpoint: n.endpoint ?? '127.0.0.1',
      role: n.role,
      'replication-offset': 1,
      health: n.health,
    })),
  }));
}

/**
 * Two scripted nodes that hand the transaction's slot back and forth: the owner answers EXEC with
 * MOVED to the other node (after `onExec`) and CLUSTER SHARDS says the other owns every slot from
 * then on. (A MOVED to the node that answered is no server's: the client returns it, not follows
 * it.) GET answers 'v'. The cluster client of it has a redirection budget of 2; `count` sums both nodes.
 */
async function movingTransactionNode(onExec: () => void): Promise<{
  r: RedisCluster;
  count: (command: string) => number;
  close: () => Promise<void>;
}> {
  const ports: number[] = [];
  let owner = 0;
  const slot = keySlot('tx');
  const node = (me: number) =>
    startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'cluster' && cmd[1] === 'SHARDS')
        return resp3(
          shardsReply([
            {
              slots: [0, 16383],
              nodes: [{ port: ports[owner] as number, role: 'master', health: 'online' }],
            },
          ]),
        );
      if (cmd[0] === 'multi') return '+OK\r\n';
      if (cmd[0] === 'get') return '$1\r\nv\r\n';
      if (cmd[0] === 'exec') {
        onExec();
        owner = 1 - me;
        return `-MOVED ${slot} 127.0.0.1:${ports[owner] as number}\r\n`;
      }
      return '+QUEUED\r\n';
    });
  const srvs = [await node(0), await node(1)];
  for (const srv of srvs) ports.push(srv.port);
  const r = new RedisCluster({
    nodes: [{ host: '127.0.0.1', port: ports[0] as number }],
    maxRedirections: 2,
    refreshInterval: 0,
  });
  return {
    r,
    count: (command) => srvs.reduce((n, srv) => n + srv.received.filter((c) => c[0] === command).length, 0),
    close: async () => {
      for (const srv of srvs) await srv.close();
    },
  };
}

export function registerScriptedCases(): void {
  it('a transaction redirected on every attempt rejects with ClusterTransactionError once the budget is spent', async () => {
    const { r, count, close } = await movingTransactionNode(() => undefined);
    try {
      const err = await r
        .multi()
        .set('tx', '1')
        .exec()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof ClusterTransactionError, String(err));
      assert.ok((err as Error).cause instanceof MovedError);
      // The first block and two more, each whole.
      assert.equal(count('multi'), 3);
      assert.equal(count('exec'), 3);
    } finally {
      r.disconnect();
      await close();
    }
  });

  it('a withOptions() transaction whose caller gave up while it was being redirected is not sent again', async () => {
    const ac = new AbortController();
    // The caller gives up before the block's MOVED reaches the client.
    const { r, count, close } = await movingTransactionNode(() => ac.abort());
    try {
      const err = await r
        .withOptions({ signal: ac.signal })
        .multi()
        .set('tx', '1')
        .exec()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof Error && err.name === 'AbortError', String(err));
      // By the reply to the second GET (a round trip after the MOVED on the first node's one
      // connection, or one to the second node) the MOVED was handled: a resend would have been
      // put on the second node's connection, which the third GET then follows (the map and
      // CLUSTER SHARDS both name that node), so the node would have it by the GET's reply.
      assert.equal(await r.get('tx'), 'v');
      assert.equal(await r.get('tx'), 'v');
      assert.equal(await r.get('tx'), 'v');
      assert.equal(count('multi'), 1);
      assert.equal(count('exec'), 1);
    } finally {
      r.disconnect();
      await close();
    }
  });

  it('CLUSTER SHARDS: replicas that are loading or failed are left out; a failed old primary yields to the online one', async () => {
    let port = 0;
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'cluster' && cmd[1] === 'SHARDS')
        return resp3(
          shardsReply([
            {
              slots: [0, 8191],
              nodes: [
                { port: 7001, role: 'master', health: 'fail' },
                { port, role: 'master', health: 'online' },
                { port: 7002, role: 'replica', health: 'online' },
                { port: 7003, role: 'replica', health: 'loading' },
                { port: 7004, role: 'replica', health: 'fail' },
              ],
            },
            {
              slots: [8192, 16383],
              nodes: [{ port: 7005, role: 'master', health: 'online', endpoint: 'node-b.example' }],
            },
          ]),
        );
      return '-ERR unexpected\r\n';
    });
    port = srv.port;
    const r = new RedisCluster({ nodes: [{ host: '127.0.0.1', port }], refreshInterval: 0 });
    try {
      await r.connect();
      const first = r.slots?.shardOf(0);
      assert.equal(first?.primary.port, port);
      assert.deepEqual(
        first?.replicas.map((n) => n.port),
        [7002],
      );
      // The preferred endpoint (here a hostname) is what the client connects to.
      assert.equal(r.slots?.shardOf(16383)?.primary.key, 'node-b.example:7005');
      assert.equal(srv.received.filter((c) => c[0] === 'cluster' && c[1] === 'SLOTS').length, 0);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });

  it('CLUSTER SHARDS: a TLS client takes tls-port; a plain one port', () => {
    const reply = shardsReply([
      { slots: [0, 16383], nodes: [{ port: 6379, tlsPort: 6380, role: 'master', health: 'online' }] },
    ]);
    const resolve = (host: string, port: number) => nodeAddress(host, port);
    assert.equal(SlotMap.fromClusterShards(reply, resolve, { tls: true }).shardOf(0)?.primary.port, 6380);
    assert.equal(SlotMap.fromClusterShards(reply, resolve, { tls: false }).shardOf(0)?.primary.port, 6379);
  });

  it('falls back to CLUSTER SLOTS where CLUSTER SHARDS is unknown, and stops asking for it', async () => {
    let port = 0;
    const srv = await startScriptedServer((cmd) => {
      if (cmd[0] === 'hello') return HELLO3;
      if (cmd[0] === 'cluster' && cmd[1] === 'SHARDS')
        return "-ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.\r\n";
      if (cmd[0] === 'cluster' && cmd[1] === 'SLOTS')
        return `*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:${port}\r\n$40\r\n${'a'.repeat(40)}\r\n`;
      return '$1\r\nv\r\n';
    });
    port = srv.port;
    const r = new RedisCluster({ nodes: [{ host: '127.0.0.1', port }], refreshInterval: 0 });
    try {
      await r.connect();
      await r.refresh();
      assert.equal(await r.get('k'), 'v');
      assert.equal(r.slots?.shardOf(0)?.primary.port, port);
      assert.equal(srv.received.filter((c) => c[0] === 'cluster' && c[1] === 'SHARDS').length, 1);
      assert.equal(srv.received.filter((c) => c[0] === 'cluster' && c[1] === 'SLOTS').length, 2);
    } finally {
      r.disconnect();
      await srv.close();
    }
  });
}
