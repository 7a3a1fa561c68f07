/**
 * A few typed cluster commands; the rest of CLUSTER * (management: MEET,
 * ADDSLOTS, FAILOVER, …) are untyped methods (`clusterMeet(...args)`) or `call()`.
 */
import { parseInfo, toText } from './transforms.js';
import type { RedisKey } from './types.js';
import { command, idempotentAll, type RuleSet, type Signatures } from '../declare.js';

/**
 * The cluster command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link ClusterCommands} maps them.
 */
function declarations<S>() {
  return {
    /** CLUSTER KEYSLOT as the server computes it (`keySlot()` computes it locally). */
    clusterKeyslot: command<(key: RedisKey) => number>({
      command: 'cluster',
      params: ['key'],
      args: ([key]) => ['KEYSLOT', key],
    }),
    /** CLUSTER INFO parsed into `field -> value`. */
    clusterInfo: command<() => Record<string, string>>({
      command: 'cluster',
      params: [],
      args: () => ['INFO'],
      reply: (v) => parseInfo(toText(v)),
    }),
    clusterMyid: command<() => string>({
      command: 'cluster',
      params: [],
      args: () => ['MYID'],
      reply: toText,
    }),
    /** CLUSTER NODES: the text as the server sends it. */
    clusterNodes: command<() => string>({
      command: 'cluster',
      params: [],
      args: () => ['NODES'],
      reply: toText,
    }),
    clusterCountkeysinslot: command<(slot: number) => number>({
      command: 'cluster',
      params: ['slot'],
      args: ([slot]) => ['COUNTKEYSINSLOT', slot],
    }),
    clusterGetkeysinslot: command<(slot: number, count: number) => S[]>({
      command: 'cluster',
      params: ['slot', 'count'],
      args: ([slot, count]) => ['GETKEYSINSLOT', slot, count],
    }),
  };
}

export const clusterCommands = declarations();

/** The cluster command signatures, with plain reply types; clients wrap them in promises. */
export type ClusterCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

/** Cluster queries the server does not flag read-only. */
export const clusterRules: RuleSet = idempotentAll([
  'cluster|info',
  'cluster|slots',
  'cluster|shards',
  'cluster|nodes',
  'cluster|myid',
  'cluster|myshardid',
  'cluster|keyslot',
  'cluster|countkeysinslot',
  'cluster|getkeysinslot',
  'cluster|links',
  'cluster|replicas',
  'cluster|slaves',
  'cluster|count-failure-reports',
  'cluster|help',
]);
