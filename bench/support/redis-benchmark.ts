/**
 * The C ceiling beside a benchmark's own figures: redis-benchmark on the same server, in the
 * same time window.
 */
import { spawnSync } from 'node:child_process';
import type { RedisServerHandle } from '../../test/support/redis-server.js';

/**
 * Runs `redis-benchmark -3 -c 1 -P 1 -n requests` with `command` (one client, one command at a
 * time, RESP3: the harness' ceiling for single-command latency) and returns its `--csv` output;
 * an empty string when it could not run. Bounded by a 120 s timeout.
 */
export function singleClientCeiling(
  server: RedisServerHandle,
  requests: number,
  command: readonly string[],
): string {
  const args = ['-h', server.host, '-p', String(server.port), '-3', '-q', '--csv'];
  args.push('-c', '1', '-P', '1', '-n', String(requests), ...command);
  // stdout is null when the command could not be started (not installed).
  return spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 120_000 }).stdout ?? '';
}
