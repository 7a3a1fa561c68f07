/**
 * One client on the W7 shape (100 in flight, 95 % GET / 5 % SET over 1,000 keys of 100 B), for
 * profiling (`node --cpu-prof`, `--trace-gc`, `--heap-prof`): no pairing, just CPU µs per
 * operation and the cache's counters at the end.
 *
 *   node --import tsx bench/w7-one.ts [--tree dir] [--cache on|off|JSON] [--ops N] [--set-every N]
 *
 * Starts its own redis-server on a free loopback port and stops it by PID.
 */
import { startRedis } from '../test/support/redis-server.js';
import { measure } from './support/timing.js';
import { openW7Client, singleW7Options, w7Runner, type W7Client } from './support/w7.js';

interface Client extends W7Client {
  close(): Promise<void>;
  readonly clientSideCache?: { stats(): object };
}

const opts = singleW7Options(2_000_000);
const { root, cache, ops: OPS } = opts;
const run = w7Runner(opts.setEvery);

const server = await startRedis();
try {
  const r = await openW7Client<Client>(server, opts);
  await run(r, 50_000);
  const { ms, cpu: c } = await measure(() => run(r, OPS));
  console.log(
    `${root} ${JSON.stringify(cache)}: ${(((OPS / ms) * 1000) / 1000).toFixed(0)}k ops/s, ` +
      `${((c.user + c.system) / OPS).toFixed(3)} µs CPU/op (user ${(c.user / OPS).toFixed(3)}, sys ${(c.system / OPS).toFixed(3)})`,
    JSON.stringify(r.clientSideCache?.stats()),
  );
  await r.close();
} finally {
  await server.stop();
}
