/** Connection, server and cluster commands under RESP2 and RESP3. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from '../src/index.js';
import { PROTOCOLS, perProtocol } from './commands-setup.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

perProtocol('connection commands', (ctx) => {
  it('ping, echo', async () => {
    assert.equal(await ctx.r.ping(), 'PONG');
    assert.equal(await ctx.r.ping('hi'), 'hi');
    assert.equal(await ctx.r.echo('é'), 'é');
  });

  it('clientId, clientSetname/Getname, clientInfo and clientList describe the shared connection', async () => {
    const r = ctx.r;
    const id = await r.clientId();
    assert.equal(typeof id, 'number');
    assert.equal(await r.clientGetname(), null);
    assert.equal(await r.clientSetname('cmd-tests'), 'OK');
    assert.equal(await r.clientGetname(), 'cmd-tests');
    const info = await r.clientInfo();
    assert.equal(info.id, String(id));
    assert.equal(info.name, 'cmd-tests');
    assert.equal(info.resp, String(ctx.protocol));
    const list = await r.clientList();
    assert.ok(list.some((c) => c.id === String(id) && c.name === 'cmd-tests'));
    assert.deepEqual(
      (await r.clientList({ ids: [id] })).map((c) => c.id),
      [String(id)],
    );
    assert.ok((await r.clientList({ type: 'NORMAL' })).length >= 1);
  });

  it('clientKill by id, clientPause/Unpause; clientNoEvict is refused on the shared connection', async () => {
    const other = ctx.client();
    const otherId = await other.clientId();
    assert.equal(await ctx.r.clientKill({ id: otherId }), 1);
    assert.equal(await ctx.r.clientKill({ id: otherId }), 0);
    assert.equal(await ctx.r.clientPause(10, 'WRITE'), 'OK');
    assert.equal(await ctx.r.clientUnpause(), 'OK');
    await assert.rejects(ctx.r.clientNoEvict(true), { name: 'DataError', command: 'CLIENT NO-EVICT' });
    assert.equal(await ctx.r.clientUnblock(otherId), false);
  });
});

perProtocol('server commands', (ctx) => {
  it('info as text and as an object', async () => {
    const text = await ctx.r.info('server');
    assert.match(text, /^# Server/m);
    const o = await ctx.r.infoObject('server');
    assert.equal(o.redis_version, '7.0.15');
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    const all = await ctx.r.infoObject();
    assert.ok('used_memory' in all && 'redis_version' in all);
  });

  it('dbsize, flushdb, swapdb, time, lastsave, save', async () => {
    const r = ctx.r;
    await r.mset({ a: 1, b: 2 });
    assert.equal(await r.dbsize(), 2);
    assert.equal(await r.swapdb(0, 5), 'OK');
    assert.equal(await r.dbsize(), 0);
    assert.equal(await r.swapdb(0, 5), 'OK');
    assert.equal(await r.flushdb('SYNC'), 'OK');
    assert.equal(await r.dbsize(), 0);
    const [seconds, micros] = await r.time();
    assert.ok(Math.abs(seconds - Date.now() / 1000) < 60);
    assert.ok(micros >= 0 && micros < 1_000_000);
    assert.equal(await r.save(), 'OK');
    assert.ok(Math.abs((await r.lastsave()) - Date.now() / 1000) < 60);
  });

  it('configGet as an object, configSet in both spellings, resetstat', async () => {
    const r = ctx.r;
    assert.equal(await r.configSet({ 'slowlog-max-len': 64, 'maxmemory-samples': '7' }), 'OK');
    assert.equal(await r.configSet('slowlog-log-slower-than', 0), 'OK');
    assert.deepEqual(await r.configGet('slowlog-max-len', 'maxmemory-samples'), {
      'slowlog-max-len': '64',
      'maxmemory-samples': '7',
    });
    const many = await r.configGet('maxmemory*');
    assert.equal(many['maxmemory-samples'], '7');
    assert.equal(await r.configResetstat(), 'OK');
  });

  it('slowlog, memoryUsage, commandCount, moduleList, role', async () => {
    const r = ctx.r;
    await r.configSet('slowlog-log-slower-than', 0);
    await r.slowlogReset();
    await r.set('k', 'v');
    const log = await r.slowlogGet(10);
    const entry = log.find((e) => e.args[0] === 'set');
    assert.ok(entry !== undefined, JSON.stringify(log));
    assert.deepEqual(entry.args, ['set', 'k', 'v']);
    assert.equal(typeof entry.duration, 'number');
    assert.equal(typeof entry.clientAddress, 'string');
    assert.ok((await r.slowlogLen()) >= 1);
    await r.configSet('slowlog-log-slower-than', 10000);
    assert.equal(typeof (await r.memoryUsage('k')), 'number');
    assert.equal(await r.memoryUsage('none'), null);
    assert.ok((await r.commandCount()) > 200);
    assert.deepEqual(await r.moduleList(), []);
    assert.deepEqual((await r.role())[0], 'master');
  });

  it('acl commands', async () => {
    const r = ctx.r;
    assert.equal(await r.aclWhoami(), 'default');
    assert.ok((await r.aclCat()).includes('string'));
    assert.ok((await r.aclCat('string')).includes('get'));
    assert.equal(await r.aclSetuser('u1', 'on', '>pw', '~k*', '+get'), 'OK');
    assert.deepEqual((await r.aclUsers()).sort(), ['default', 'u1']);
    assert.ok((await r.aclList()).some((l) => l.startsWith('user u1 on')));
    assert.match(await r.aclGenpass(64), /^[0-9a-f]{16}$/);
    assert.equal(await r.aclDeluser('u1', 'nobody'), 1);
  });
});

describe('cluster commands on a cluster-enabled node', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis({ clusterBus: true, args: ['--cluster-enabled', 'yes'] });
  });
  after(() => server.stop());

  for (const protocol of PROTOCOLS) {
    it(`clusterKeyslot, clusterInfo, clusterMyid, clusterNodes, slot queries (RESP${protocol})`, async () => {
      const r = new Redis({ host: server.host, port: server.port, protocol });
      try {
        assert.equal(await r.clusterKeyslot('foo'), 12182);
        assert.equal(await r.clusterKeyslot('{user1}.a'), await r.clusterKeyslot('user1'));
        const info = await r.clusterInfo();
        assert.equal(info.cluster_state, 'fail');
        assert.equal(info.cluster_slots_assigned, '0');
        assert.match(await r.clusterMyid(), /^[0-9a-f]{40}$/);
        assert.match(await r.clusterNodes(), /myself/);
        assert.equal(await r.clusterCountkeysinslot(0), 0);
        assert.deepEqual(await r.clusterGetkeysinslot(0, 10), []);
      } finally {
        await r.close();
      }
    });
  }
});
