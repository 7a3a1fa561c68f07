/**
 * A few typed cluster commands; the rest of CLUSTER * (management: MEET,
 * ADDSLOTS, FAILOVER, …) are untyped methods (`clusterMeet(...args)`) or `call()`.
 */
import { parseInfo, toText } from './transforms.js';
import type { RedisKey } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

export interface ClusterCommands<S> {
  /** CLUSTER KEYSLOT as the server computes it (`keySlot()` computes it locally). */
  clusterKeyslot(key: RedisKey): number;
  /** CLUSTER INFO parsed into `field -> value`. */
  clusterInfo(): Record<string, string>;
  clusterMyid(): string;
  /** CLUSTER NODES: the text as the server sends it. */
  clusterNodes(): string;
  clusterCountkeysinslot(slot: number): number;
  clusterGetkeysinslot(slot: number, count: number): S[];
}

export const clusterCommands = {
  clusterKeyslot: {
    command: 'cluster',
    params: ['key'],
    args: ([key]: [RedisKey]) => ['KEYSLOT', key],
  },
  clusterInfo: {
    command: 'cluster',
    params: [],
    args: () => ['INFO'],
    reply: (v) => parseInfo(toText(v)),
  },
  clusterMyid: {
    command: 'cluster',
    params: [],
    args: () => ['MYID'],
    reply: toText,
  },
  clusterNodes: {
    command: 'cluster',
    params: [],
    args: () => ['NODES'],
    reply: toText,
  },
  clusterCountkeysinslot: {
    command: 'cluster',
    params: ['slot'],
    args: ([slot]: [number]) => ['COUNTKEYSINSLOT', slot],
  },
  clusterGetkeysinslot: {
    command: 'cluster',
    params: ['slot', 'count'],
    args: ([slot, count]: [number, number]) => ['GETKEYSINSLOT', slot, count],
  },
} satisfies Declarations<ClusterCommands<unknown>>;

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
