/** Client-side caching on Sentinel-managed clients: primary and replica reads, and a failover. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis, Sentinel } from '../src/index.js';
import { waitUntil } from './support/redis-server.js';
import { startSentinel, type SentinelTopology } from './support/sentinel.js';

/** Reads `key` twice until the second is a hit: tracking is on. */
async function cached(r: Redis, key: string): Promise<void> {
  await waitUntil('a cache hit', 10_000, async () => {
    await r.get(key);
    const before = r.clientSideCache!.stats().hits;
    await r.get(key);
    return r.clientSideCache!.stats().hits > before ? undefined : 'no hit yet';
  });
}

describe('client-side cache on Sentinel-managed clients', () => {
  let topo: SentinelTopology;
  let s: Sentinel;
  before(async () => {
    topo = await startSentinel({ replicas: 1, sentinels: 3 });
    s = new Sentinel({ sentinels: topo.sentinelNodes(), name: topo.masterName, clientSideCache: true });
  });
  after(async () => {
    await s.close();
    await topo.stop();
  });

  it('caches primary and replica reads (RESP3 and RESP2), invalidated by writes, flushed by a failover', async () => {
    const primary = s.primary();
    const primary2 = s.primary({ protocol: 2 });
    const replica = s.replica();
    const writer = s.primary({ clientSideCache: false });
    await writer.set('sk', 'one');
    await waitUntil('replicated', 10_000, async () =>
      (await replica.call('GET', 'sk')) === 'one' ? undefined : 'not yet',
    );
    for (const r of [primary, primary2, replica]) await cached(r, 'sk');
    assert.equal(await primary.get('sk'), 'one');

    await writer.set('sk', 'two');
    await primary.ping();
    await primary2.ping();
    assert.equal(await primary.get('sk'), 'two');
    assert.equal(await primary2.get('sk'), 'two');
    // Redis 7.0 sends invalidations for replicated writes to clients tracking on a replica.
    await waitUntil('replica invalidated', 10_000, async () =>
      (await replica.get('sk')) === 'two' ? undefined : 'stale',
    );
    assert.ok(replica.clientSideCache!.stats().invalidations > 0);

    await cached(primary, 'sk');
    const { to } = await topo.failover();
    await writer.set('sk', 'three'); // on the new primary
    await waitUntil('primary client followed the failover', 20_000, async () =>
      (await primary.get('sk')) === 'three' ? undefined : 'old value',
    );
    assert.equal(Number(/tcp_port:(\d+)/.exec(String(await primary.call('INFO', 'server')))?.[1]), to.port);
    await cached(primary, 'sk');
    await writer.set('sk', 'four');
    await primary.ping();
    assert.equal(await primary.get('sk'), 'four');
  });
});
