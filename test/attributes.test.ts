/**
 * RESP3 attributes end to end against a real server (`DEBUG PROTOCOL attrib` sends one): the
 * onAttribute option receives it right before the reply settles; without the option the reply is
 * the same and nothing else happens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from '../src/index.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

const REPLY = 'Some real reply following the attribute';

describe('onAttribute (RESP3 attributes)', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  });
  after(async () => {
    await server.stop();
  });

  it('receives the attribute before its reply settles, and the reply is unchanged', async () => {
    const seen: unknown[] = [];
    const r = new Redis({
      host: server.host,
      port: server.port,
      onAttribute: (a) => seen.push(['attr', a]),
    });
    try {
      const reply = r.call('DEBUG', 'PROTOCOL', 'attrib').then((v) => {
        seen.push(['reply', v]);
        return v;
      });
      assert.equal(await reply, REPLY);
      assert.deepEqual(seen, [
        ['attr', { 'key-popularity': ['key:123', 90] }],
        ['reply', REPLY],
      ]);
      // Other replies on the same connection carry none.
      assert.equal(await r.call('PING'), 'PONG');
      assert.equal(seen.length, 2);
    } finally {
      await r.close();
    }
  });

  it('without onAttribute the reply is the same', async () => {
    const r = new Redis({ host: server.host, port: server.port });
    try {
      assert.equal(await r.call('DEBUG', 'PROTOCOL', 'attrib'), REPLY);
    } finally {
      await r.close();
    }
  });
});
