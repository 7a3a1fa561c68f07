/**
 * CommandNotSupportedError / ModuleCommandNotSupportedError: decided from the
 * server version (HELLO, or INFO under RESP2) and MODULE LIST before anything
 * is sent; issue order kept while those facts are fetched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandFlags } from '../src/shared/command-flags.js';
import { needsSupportCheck, versionFromInfo, modulesFromList } from '../src/commands/support.js';
import { lookupCommand } from '../src/commands/table.js';
import {
  CommandNotSupportedError,
  ModuleCommandNotSupportedError,
  ResponseError,
  type RedisError,
} from '../src/index.js';
import { perProtocol } from './commands-setup.js';
import { parseInfo } from './support/raw-client.js';

const VERSION = '7.0.15';

function notSupported(command: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CommandNotSupportedError, String(e));
    assert.ok(!(e instanceof ModuleCommandNotSupportedError));
    assert.equal(e.name, 'CommandNotSupportedError');
    assert.equal(e.command, command);
    assert.equal(e.currentVersion, VERSION);
    return true;
  };
}

function moduleMissing(command: string, module: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof ModuleCommandNotSupportedError, String(e));
    assert.ok(e instanceof CommandNotSupportedError);
    assert.equal(e.command, command);
    assert.equal(e.module, module);
    return true;
  };
}

perProtocol('support checks', (ctx) => {
  /** Error replies the server has sent so far: unchanged means the command never reached it. */
  const errorReplies = async (): Promise<number> =>
    Number(parseInfo(await ctx.server.command('INFO', 'stats')).total_error_replies);

  it('call() of a command newer than the server rejects before sending', async () => {
    const before = await errorReplies();
    await assert.rejects(ctx.r.call('WAITAOF', 0, 0, 0), notSupported('WAITAOF'));
    await assert.rejects(ctx.r.call('waitaof', 1, 0, 0), notSupported('WAITAOF'));
    assert.equal(await errorReplies(), before);
  });

  it('typed methods and subcommands too, on a fresh lazy client (first call waits for the version)', async () => {
    const c = ctx.client({ lazyConnect: true });
    await assert.rejects(c.hexpire('h', 10, ['f']), notSupported('HEXPIRE'));
    await assert.rejects(c.clientSetinfo('LIB-NAME', 'x'), notSupported('CLIENT SETINFO'));
    await assert.rejects(c.call('CLIENT', 'setinfo', 'lib-ver', '1'), notSupported('CLIENT SETINFO'));
    await assert.rejects(c.waitaof(0, 0, 0), notSupported('WAITAOF'));
    // One error object per call.
    const [e1, e2] = await Promise.all([
      c.hpersist('h', ['f']).catch((e: unknown) => e),
      c.hpersist('h', ['f']).catch((e: unknown) => e),
    ]);
    assert.ok(e1 instanceof CommandNotSupportedError && e2 instanceof CommandNotSupportedError && e1 !== e2);
  });

  it('module commands reject with ModuleCommandNotSupportedError (MODULE LIST asked once)', async () => {
    const before = await errorReplies();
    await assert.rejects(ctx.r.call('JSON.GET', 'k'), moduleMissing('JSON.GET', 'ReJSON'));
    await assert.rejects(ctx.r.jsonSet('k', '$', '{}'), moduleMissing('JSON.SET', 'ReJSON'));
    await assert.rejects(ctx.r.ftSearch('idx', '*'), moduleMissing('FT.SEARCH', 'search'));
    await assert.rejects(ctx.r.call('ts.add', 'k', '*', 1), moduleMissing('TS.ADD', 'timeseries'));
    await assert.rejects(ctx.r.bfAdd('k', 'x'), moduleMissing('BF.ADD', 'bf'));
    await assert.rejects(ctx.r.vadd('k', 'VALUES', 1, 1, 'm'), moduleMissing('VADD', 'vectorset'));
    assert.equal(await errorReplies(), before);
  });

  it('supported checked commands go through, including blocking ones', async () => {
    const r = ctx.r;
    await r.rpush('l', 'a', 'b');
    assert.deepEqual(await r.lmpop('l', 'LEFT'), { key: 'l', elements: ['a'] });
    assert.deepEqual(await r.blmpop(1, 'l', 'LEFT'), { key: 'l', elements: ['b'] });
    assert.equal(await r.call('GETDEL', 'none'), null);
  });

  it('commands issued while the version is fetched keep their order', async () => {
    const c = ctx.client({ lazyConnect: true });
    const p1 = c.rpush('l', 'a');
    const p2 = c.lmpop('l', 'RIGHT'); // checked: waits for the server's version
    const p3 = c.rpush('l', 'b'); // must not overtake p2
    const p4 = c.lpop('l');
    assert.equal(await p1, 1);
    assert.deepEqual(await p2, { key: 'l', elements: ['a'] });
    assert.equal(await p3, 1);
    assert.equal(await p4, 'b');
  });

  it('a pipeline leaves the error in the unsupported command slot and sends the rest', async () => {
    const results = await ctx.r
      .pipeline()
      .set('k', 'v')
      .hexpire('k', 10, ['f'])
      .call('JSON.GET', 'k')
      .get('k')
      .exec();
    assert.equal(results[0], 'OK');
    assert.ok(notSupported('HEXPIRE')(results[1]));
    assert.ok(moduleMissing('JSON.GET', 'ReJSON')(results[2]));
    assert.equal(results[3], 'v');
  });

  it('a transaction with an unsupported command rejects before MULTI is sent', async () => {
    await assert.rejects(
      ctx.r.multi().set('k', 'v').call('WAITAOF', 0, 0, 0).exec(),
      notSupported('WAITAOF'),
    );
    assert.equal(await ctx.r.exists('k'), 0);
    assert.deepEqual(await ctx.r.multi().set('k', 'v').lmpop('none', 'LEFT').exec(), ['OK', null]);
  });

  it('the lent connection of withConnection checks too', async () => {
    await ctx.r.withConnection(async (conn) => {
      await assert.rejects(conn.call('WAITAOF', 0, 0, 0), notSupported('WAITAOF'));
      await assert.rejects(conn.hexpire('h', 1, ['f']), notSupported('HEXPIRE'));
      assert.equal(await conn.ping(), 'PONG');
    });
  });

  it('when MODULE LIST is refused, module commands are sent and the server decides', async () => {
    await ctx.r.aclSetuser('nomod', 'on', '>pw', '~*', '+@all', '-module');
    const c = ctx.client({ username: 'nomod', password: 'pw' });
    const err = await c.call('JSON.GET', 'k').then(
      () => undefined,
      (e: unknown) => e as RedisError,
    );
    assert.ok(err instanceof ResponseError, String(err));
    assert.ok(!(err instanceof CommandNotSupportedError));
    assert.equal(err.code, 'ERR');
  });
});

describe('support decisions (no server)', () => {
  it('GET and SET are never checked; newer and module commands are', () => {
    for (const [name, args] of [
      ['get', ['k']],
      ['set', ['k', 'v']],
      ['set', ['k', 'v', 'NX']],
      ['hset', ['h', 'f', 'v']],
      ['mget', ['a']],
    ] as const) {
      assert.equal(commandFlags(name, args).gate, undefined, name);
    }
    for (const name of ['waitaof', 'hexpire', 'lmpop', 'getdel', 'json.get', 'ft.search']) {
      const spec = lookupCommand(name);
      assert.ok(spec !== undefined && needsSupportCheck(spec), name);
    }
    assert.equal(commandFlags('client', ['NO-TOUCH', 'ON']).gate?.name, 'client|no-touch');
    assert.equal(commandFlags('client', ['ID']).gate, undefined);
  });

  it('reads the version from INFO (Valkey first) and module names from MODULE LIST in both protocols', () => {
    assert.equal(
      versionFromInfo('# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n'),
      '8.0.1',
    );
    assert.equal(versionFromInfo('# Server\r\nredis_version:7.0.15\r\n'), '7.0.15');
    assert.equal(versionFromInfo('nothing'), undefined);
    assert.deepEqual(
      [
        ...modulesFromList([
          ['name', 'ReJSON', 'ver', 20609],
          ['name', Buffer.from('search'), 'ver', 1],
        ]),
      ],
      ['ReJSON', 'search'],
    );
    assert.deepEqual([...modulesFromList([{ name: 'bf', ver: 1 }])], ['bf']);
    assert.deepEqual([...modulesFromList(null)], []);
  });
});
