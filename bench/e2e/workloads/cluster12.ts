/**
 * W6-12: W6 (GET/SET 100 B, 100 in flight) on a 12-primary cluster, to show how the clients' cluster
 * routing scales with the number of nodes (12 node connections, 12 auto-pipelined streams). Fewer
 * operations than W6 to keep the run short; no target (W6 carries the cluster target).
 */
import type { Workload } from '../workload.js';
import { STANDARD } from './standard.js';

const W6 = STANDARD.find((w) => w.id === 'W6') as Workload;
const COUNT = 100_000;

export const CLUSTER_12: readonly Workload[] = [
  {
    ...W6,
    id: 'W6-12',
    family: 'W6',
    title: 'cluster (12 primaries) GET/SET 100 B, 100 in flight',
    primaries: 12,
    count: COUNT,
    target: undefined,
    ceilings: W6.ceilings.map((c) => ({ ...c, n: COUNT })),
  },
];
