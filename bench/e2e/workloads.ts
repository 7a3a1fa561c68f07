/**
 * The registry of workloads `npm run bench` knows, in the order the table shows them.
 *
 * To add a workload: write one file under bench/e2e/workloads/ exporting a `Workload` (see
 * workload.ts: data, operation, reply check, redis-benchmark equivalent, optional cluster size and
 * adapter options) and add it to the list below. Nothing else in the harness names workloads.
 */
import type { Workload } from './workload.js';
import { CLUSTER_12 } from './workloads/cluster12.js';
import { HOT_KEYS } from './workloads/hot-keys.js';
import { STANDARD } from './workloads/standard.js';

export const WORKLOADS: readonly Workload[] = [...STANDARD, ...CLUSTER_12, ...HOT_KEYS];

export { runsFor, type Kind, type Workload } from './workload.js';
export { KEYS } from './workloads/standard.js';
