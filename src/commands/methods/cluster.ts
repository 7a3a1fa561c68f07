/**
 * A few typed cluster commands; the rest of CLUSTER * (management: MEET,
 * ADDSLOTS, FAILOVER, …) are untyped methods (`clusterMeet(...args)`) or `call()`.
 */
import { parseInfo, toText } from './transforms.js';
import type { Implementation, RedisKey } from './types.js';

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

export const clusterCommands: Implementation<ClusterCommands<unknown>> = {
  clusterKeyslot(key: RedisKey) {
    return this.dispatch('cluster', ['KEYSLOT', key]);
  },
  clusterInfo() {
    return this.dispatch('cluster', ['INFO'], (v) => parseInfo(toText(v)));
  },
  clusterMyid() {
    return this.dispatch('cluster', ['MYID'], toText);
  },
  clusterNodes() {
    return this.dispatch('cluster', ['NODES'], toText);
  },
  clusterCountkeysinslot(slot: number) {
    return this.dispatch('cluster', ['COUNTKEYSINSLOT', slot]);
  },
  clusterGetkeysinslot(slot: number, count: number) {
    return this.dispatch('cluster', ['GETKEYSINSLOT', slot, count]);
  },
};
