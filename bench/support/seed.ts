/**
 * Putting a benchmark's data into its throwaway server before any client under test connects.
 */
import { RawClient, type RespArg } from '../../test/support/raw-client.js';
import type { RedisServerHandle } from '../../test/support/redis-server.js';

/**
 * Sends `commands` one at a time over a raw connection (not a client under test, so loading the
 * data costs none of the builds anything and warms none of them up), then closes it.
 */
export async function seed(server: RedisServerHandle, commands: Iterable<readonly RespArg[]>): Promise<void> {
  // Loading a large data set (the W4 list and hash) can take longer than the default 5 s.
  const raw = await RawClient.connect({ host: server.host, port: server.port, timeoutMs: 30_000 });
  try {
    for (const c of commands) await raw.command(...c);
  } finally {
    raw.close();
  }
}
