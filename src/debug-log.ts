/**
 * Debug output through `util.debuglog('wredis')`: printed to stderr when the process runs with
 * `NODE_DEBUG=wredis` (Node, and runtimes whose `node:util` has debuglog). Lines say what the
 * client does (connects, handshakes, reconnects with reason and delay, redirections, topology
 * refreshes, sentinel switches) and never carry values, keys or passwords: only addresses,
 * counts, command names and error messages (which never hold argument values, see src/errors).
 *
 * Call sites test `debugging` first, so with debug off no message is formatted.
 */
import { builtin } from './util/builtin.js';
import type { Peer } from './transport/types.js';

type DebugLog = ((format: string, ...args: unknown[]) => void) & { enabled?: boolean };

const log = builtin<{ debuglog?: (section: string) => DebugLog }>('node:util')?.debuglog?.('wredis');

/** True when `NODE_DEBUG` names `wredis`. */
export const debugging: boolean = log?.enabled === true;

/** Writes one debug line (`util.format` placeholders). Test `debugging` before building arguments. */
export function debug(format: string, ...args: unknown[]): void {
  log?.(format, ...args);
}

/**
 * `host:port` (or the socket path) of a connection's target, for debug lines: the node its
 * socket reached (`peer`, see `Transport.peer`) when known, else the configured address.
 */
export function where(
  config: { host: string; port: number; path?: string | undefined },
  peer?: Peer | undefined,
): string {
  if (peer !== undefined) return `${peer.host}:${peer.port}`;
  return config.path ? config.path : `${config.host}:${config.port}`;
}
