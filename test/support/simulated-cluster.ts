/**
 * A simulated large cluster: one scripted server that answers CLUSTER SHARDS and CLUSTER SLOTS
 * with a topology of `shards` shards (each a primary and `replicas` replicas) on addresses where
 * nothing listens (127.0.0.2, ports from 40000) except the first primary, which is the scripted
 * server itself (it is the seed, as a real cluster member would be). For what a real cluster of
 * that size would cost too much to start: the client's time to apply a topology, the slot map's
 * memory, and routing decisions checked against an independent CRC16. No traffic goes to the
 * simulated nodes.
 */
import { startScriptedServer, HELLO3, type ScriptedServer } from './scripted-server.js';

export const SLOTS = 16384;

export interface SimulatedCluster {
  readonly server: ScriptedServer;
  readonly shards: number;
  /** Answer CLUSTER SHARDS with an error, as Redis < 7.0 does (clients fall back to CLUSTER SLOTS). */
  refuseShards: boolean;
  /** `host:port` of the primary serving `slot` in the simulated layout. */
  primaryOf(slot: number): string;
  close(): Promise<void>;
}

/** The shard serving `slot` when `shards` shards split the slot space evenly. */
export function shardIndex(slot: number, shards: number): number {
  return Math.floor((slot * shards) / SLOTS);
}

function bulk(s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

export async function startSimulatedCluster(shards: number, replicas = 0): Promise<SimulatedCluster> {
  let seedPort = 0;
  const host = (i: number): string => (i === 0 ? '127.0.0.1' : '127.0.0.2');
  const port = (shard: number, member: number): number =>
    shard === 0 && member === 0 ? seedPort : 40000 + shard * (1 + replicas) + member;
  const range = (i: number): [number, number] => [
    Math.ceil((i * SLOTS) / shards),
    Math.ceil(((i + 1) * SLOTS) / shards) - 1,
  ];
  let shardsReply = '';
  let slotsReply = '';
  const build = (): void => {
    const out: string[] = [`*${shards}\r\n`];
    const slots: string[] = [`*${shards}\r\n`];
    for (let i = 0; i < shards; i++) {
      const [start, end] = range(i);
      out.push(`%2\r\n${bulk('slots')}*2\r\n:${start}\r\n:${end}\r\n${bulk('nodes')}*${1 + replicas}\r\n`);
      slots.push(`*${3 + replicas}\r\n:${start}\r\n:${end}\r\n`);
      for (let m = 0; m <= replicas; m++) {
        const h = m === 0 ? host(i) : '127.0.0.2';
        const p = port(i, m);
        const id = `${i}-${m}`.padEnd(40, '0');
        out.push(
          `%8\r\n${bulk('id')}${bulk(id)}${bulk('port')}:${p}\r\n${bulk('ip')}${bulk(h)}${bulk('endpoint')}${bulk(h)}` +
            `${bulk('role')}${bulk(m === 0 ? 'master' : 'replica')}${bulk('replication-offset')}:1\r\n` +
            `${bulk('health')}${bulk('online')}${bulk('hostname')}${bulk('')}`,
        );
        slots.push(`*3\r\n${bulk(h)}:${p}\r\n${bulk(id)}`);
      }
    }
    shardsReply = out.join('');
    slotsReply = slots.join('');
  };
  const server = await startScriptedServer((cmd) => {
    if (cmd[0] === 'hello') return HELLO3;
    if (cmd[0] === 'cluster' && cmd[1]?.toUpperCase() === 'SHARDS')
      return sim.refuseShards ? "-ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.\r\n" : shardsReply;
    if (cmd[0] === 'cluster' && cmd[1]?.toUpperCase() === 'SLOTS') return slotsReply;
    return '-ERR the simulated cluster only answers CLUSTER SHARDS / SLOTS\r\n';
  });
  seedPort = server.port;
  build();
  const sim: SimulatedCluster = {
    server,
    shards,
    refuseShards: false,
    primaryOf: (slot) => {
      const i = shardIndex(slot, shards);
      return `${host(i)}:${port(i, 0)}`;
    },
    close: () => server.close(),
  };
  return sim;
}
