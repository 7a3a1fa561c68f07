/**
 * Lua scripts (EVALSHA with the EVAL fallback, pipelines, read-only runs, SCRIPT KILL) and
 * Redis Functions, against a real server under RESP2 and RESP3.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ConstantBackoff,
  DataError,
  FunctionError,
  NoScriptError,
  NotBusyError,
  Redis,
  ResponseError,
  Retry,
} from '../src/index.js';
import { Script, defineScript, evalScript } from '../src/features/script.js';
import { sha1Hex } from '../src/features/sha1.js';
import { parseInfo } from './support/raw-client.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

describe('sha1Hex', () => {
  it('matches node:crypto on any text and bytes (every padding boundary included)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 })),
        (s) => {
          assert.equal(sha1Hex(s), createHash('sha1').update(s, 'utf8').digest('hex'));
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        assert.equal(sha1Hex(b), createHash('sha1').update(b).digest('hex'));
      }),
      { numRuns: 200 },
    );
    for (let n = 50; n <= 130; n++) {
      const s = 'x'.repeat(n);
      assert.equal(sha1Hex(s), createHash('sha1').update(s).digest('hex'), `length ${n}`);
    }
  });
});

/** Calls and failures of a command since the last CONFIG RESETSTAT, read from the server itself. */
async function stats(server: RedisServerHandle, command: string): Promise<{ calls: number; failed: number }> {
  const info = parseInfo(await server.command('INFO', 'commandstats'));
  const line = info[`cmdstat_${command}`];
  if (line === undefined) return { calls: 0, failed: 0 };
  const fields = Object.fromEntries(line.split(',').map((kv) => kv.split('=') as [string, string]));
  return { calls: Number(fields.calls), failed: Number(fields.failed_calls ?? 0) };
}

const delay = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

for (const protocol of [2, 3] as const) {
  describe(`scripts (RESP${protocol})`, () => {
    let server: RedisServerHandle;
    let r: Redis;
    before(async () => {
      server = await startRedis();
      r = new Redis({ host: server.host, port: server.port, protocol });
    });
    after(async () => {
      await r.close();
      await server.stop();
    });
    beforeEach(async () => {
      await server.command('SCRIPT', 'FLUSH');
      await server.command('FLUSHALL');
      await server.command('CONFIG', 'RESETSTAT');
    });

    it('knows its digest synchronously, the same as SCRIPT LOAD', async () => {
      const s = new Script(r, 'return 1');
      assert.equal(s.sha, await r.scriptLoad('return 1'));
      assert.equal(await s.load(), s.sha);
      assert.equal(await s.exists(), true);
      assert.deepEqual(await r.scriptExists(s.sha, '0'.repeat(40)), [true, false]);
    });

    it('runs by EVALSHA when cached, falling back to EVAL on NOSCRIPT (first use and after SCRIPT FLUSH)', async () => {
      const s = new Script(r, "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])");
      assert.equal(await s.run({ keys: ['k'], args: ['v1'] }), 'v1');
      assert.deepEqual(await stats(server, 'evalsha'), { calls: 1, failed: 1 });
      assert.equal((await stats(server, 'eval')).calls, 1);

      assert.equal(await s.run({ keys: ['k'], args: ['v2'] }), 'v2');
      assert.deepEqual(await stats(server, 'evalsha'), { calls: 2, failed: 1 });
      assert.equal((await stats(server, 'eval')).calls, 1, 'the cached script is not resent');

      assert.equal(await r.scriptFlush(), 'OK');
      assert.equal(await s.run({ keys: ['k'], args: ['v3'] }), 'v3');
      assert.equal((await stats(server, 'eval')).calls, 2);
      assert.equal(await r.get('k'), 'v3');
    });

    it('passes keys and arguments of every type and returns replies as decoded', async () => {
      const s = new Script(r, 'return {KEYS[1], ARGV[1], ARGV[2], #KEYS, #ARGV, 42}');
      assert.deepEqual(await s.run({ keys: [Buffer.from('bk')], args: [7, 'x'] }), [
        'bk',
        '7',
        'x',
        1,
        2,
        42,
      ]);
      assert.equal(await new Script(r, 'return nil').run(), null);
      const bytes = await new Script(r.withBuffers(), 'return ARGV[1]').run({ args: ['é'] });
      assert.ok(bytes instanceof Uint8Array);
      assert.equal(Buffer.from(bytes).toString(), 'é');
    });

    it('surfaces NoScriptError only when EVALSHA is called directly', async () => {
      const err = await r.call('EVALSHA', sha1Hex('return 5'), 0).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof NoScriptError, String(err));
      assert.equal(err.code, 'NOSCRIPT');
      assert.equal(err.command, 'EVALSHA');
      assert.equal(await evalScript(r, defineScript('return 5')), 5);
    });

    it('rejects with the script error (not NoScriptError) when the script itself fails', async () => {
      const s = new Script(r, "return redis.error_reply('MYCODE something went wrong')");
      const err = await s.run().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ResponseError && !(err instanceof NoScriptError), String(err));
      assert.equal(err.code, 'MYCODE');
    });

    it('keys or args that are not arrays reject DataError, unsent (a string is not split into one-letter keys)', async () => {
      const s = new Script(r, "return redis.call('SET', KEYS[1], ARGV[1] or 'x')");
      const bad = [{ keys: 'user:1' }, { args: 'abc' }, { keys: ['k'], args: 5 }, 'user:1', null] as never[];
      const isData = (command: string) => (e: unknown) =>
        e instanceof DataError && e.command === command && !String(e.message).includes('user:1');
      for (const call of bad) {
        await assert.rejects(s.run(call), isData('EVALSHA'));
        await assert.rejects(s.runRo(call), isData('EVALSHA_RO'));
        await assert.rejects(r.eval(s.lua, call), DataError);
        await assert.rejects(r.evalsha(s.sha, call), DataError);
        await assert.rejects(r.fcall('f', call), DataError);
      }
      const piped = await s.runIn(r.pipeline().set('a', 1), bad[0]).get('a').exec();
      assert.equal(piped[0], 'OK');
      assert.ok(piped[1] instanceof DataError, String(piped[1]));
      assert.equal(piped[2], '1');
      await assert.rejects(s.runIn(r.multi().set('b', 1), bad[0]).exec(), DataError);
      assert.deepEqual(await r.call('KEYS', '*'), ['a']);
      for (const command of ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'multi'])
        assert.equal((await stats(server, command)).calls, 0, command);
    });

    it('runRo uses EVALSHA_RO and refuses writes', async () => {
      await r.set('ro', 'value');
      const read = new Script(r, "return redis.call('GET', KEYS[1])");
      assert.equal(await read.runRo({ keys: ['ro'] }), 'value');
      assert.equal(await read.runRo({ keys: ['ro'] }), 'value');
      assert.deepEqual(await stats(server, 'evalsha_ro'), { calls: 2, failed: 1 });
      assert.equal((await stats(server, 'eval_ro')).calls, 1);
      const write = new Script(r, "return redis.call('SET', KEYS[1], 'x')");
      await assert.rejects(write.runRo({ keys: ['ro'] }), ResponseError);
      assert.equal(await r.get('ro'), 'value');
    });

    it('runs in a pipeline: EVAL until cached, then EVALSHA; a NOSCRIPT slot is loaded and retried', async () => {
      const s = new Script(r, "return redis.call('INCRBY', KEYS[1], ARGV[1])");
      const first = await s
        .runIn(r.pipeline().set('n', 10), { keys: ['n'], args: [1] })
        .get('n')
        .exec();
      assert.deepEqual(first, ['OK', 11, '11']);
      assert.equal((await stats(server, 'eval')).calls, 1);
      assert.equal((await stats(server, 'evalsha')).calls, 0);

      await s.run({ keys: ['n'], args: [1] });
      const p = r.pipeline();
      s.runIn(p, { keys: ['n'], args: [5] });
      p.get('n');
      s.runIn(p, { keys: ['n'], args: [100] });
      assert.deepEqual(await p.exec(), [17, '17', 117]);

      // The server forgets the script: the EVALSHA slots fail NOSCRIPT and are run again by body.
      await server.command('SCRIPT', 'FLUSH');
      const again = await s
        .runIn(s.runIn(r.pipeline(), { keys: ['n'], args: [1] }).call('ECHO', 'middle'), {
          keys: ['n'],
          args: [2],
        })
        .exec();
      assert.deepEqual(again, [118, 'middle', 120]);
      assert.equal(await s.exists(), true);
      // The pipeline object is reusable and counts its slots afresh.
      await server.command('SCRIPT', 'FLUSH');
      const reused = r.pipeline();
      s.runIn(reused, { keys: ['n'], args: [1] });
      assert.deepEqual(await reused.exec(), [121]);
      reused.call('ECHO', 'a');
      s.runIn(reused, { keys: ['n'], args: [1] });
      assert.deepEqual(await reused.exec(), ['a', 122]);
    });

    it("a NOSCRIPT slot retried has its batch's reply form (a withBuffers() pipeline gets bytes either way)", async () => {
      const s = r.script('return ARGV[1]');
      await s.load();
      const b = r.withBuffers();
      const known = await s.runIn(b.pipeline().call('ECHO', 'a'), { args: ['x'] }).exec();
      assert.deepEqual(known, [Buffer.from('a'), Buffer.from('x')]);
      await server.command('SCRIPT', 'FLUSH');
      const retried = await s.runIn(b.pipeline().call('ECHO', 'a'), { args: ['x'] }).exec();
      assert.deepEqual(retried, [Buffer.from('a'), Buffer.from('x')]);
      assert.equal(await s.exists(), true);
    });

    it('a NOSCRIPT slot retried while the caller queues more on that pipeline keeps its reply form (bytes)', async () => {
      const s = r.script('return ARGV[1]');
      await s.load();
      await server.command('SCRIPT', 'FLUSH');
      const p = r.withBuffers().pipeline();
      s.runIn(p, { args: ['x'] });
      const first = p.exec();
      // Queued before the first exec() resolves: the retry must not take this one, nor lose the view.
      p.call('ECHO', 'later');
      assert.deepEqual(await first, [Buffer.from('x')]);
      assert.deepEqual(await p.exec(), [Buffer.from('later')]);
    });

    it('keeps other failures in their pipeline slot', async () => {
      const s = new Script(r, "return redis.call('INCR', KEYS[1])");
      await s.load();
      await r.set('text', 'abc');
      const res = await s.runIn(r.pipeline(), { keys: ['text'] }).exec();
      assert.ok(res[0] instanceof ResponseError && !(res[0] instanceof NoScriptError));
    });

    it('runs in MULTI by body, atomically', async () => {
      const s = new Script(r, "return redis.call('INCR', KEYS[1])");
      await s.load();
      await server.command('SCRIPT', 'FLUSH');
      const res = await s
        .runIn(r.multi().set('m', 1), { keys: ['m'] })
        .get('m')
        .exec();
      assert.deepEqual(res, ['OK', 2, '2']);
      assert.equal((await stats(server, 'evalsha')).calls, 0);
    });

    it("a script's own error reply with a refusal's code (BUSY, LOADING, NOSCRIPT …) is not sent again: it ran", async () => {
      for (const code of ['BUSY', 'LOADING', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'NOSCRIPT']) {
        const lua = `redis.call('INCR', KEYS[1]) return redis.error_reply('${code} made up by the script')`;
        const s = new Script(r, lua);
        await s.load();
        await assert.rejects(s.run({ keys: ['runs'] }), { code });
        await assert.rejects(r.eval(lua, { keys: ['runs'] }), { code });
        const [slot] = await s.runIn(r.pipeline(), { keys: ['runs'] }).exec();
        assert.equal((slot as ResponseError).code, code);
        assert.equal(await r.get('runs'), '3', `${code}: each call ran once`);
        await r.del('runs');
      }
    });

    it('a READONLY raised inside a running script (its write on a replica) is not sent again: it ran', async () => {
      // A script without a shebang starts on a replica and fails at its first write; what it did
      // before (PUBLISH is allowed there) happened, so it must not run again.
      const lua = `redis.call('PUBLISH', 'script-ran', 'x') return redis.call('INCR', KEYS[1])`;
      const s = new Script(r, lua);
      await s.load();
      // A replica of a primary that is never reached: readable, writes refused.
      await server.command('REPLICAOF', '127.0.0.1', '1');
      try {
        await assert.rejects(s.run({ keys: ['runs'] }), { code: 'READONLY' });
        await assert.rejects(r.eval(lua, { keys: ['runs'] }), { code: 'READONLY' });
        const [slot] = await s.runIn(r.pipeline(), { keys: ['runs'] }).exec();
        assert.equal((slot as ResponseError).code, 'READONLY');
        assert.equal((await stats(server, 'publish')).calls, 3, 'each call ran once');
      } finally {
        await server.command('REPLICAOF', 'NO', 'ONE');
      }
    });

    it("the server's own BUSY is still waited out: the script runs once, after the busy one", async () => {
      await server.command('CONFIG', 'SET', 'busy-reply-threshold', '50');
      const busy = new Redis({ host: server.host, port: server.port, protocol });
      const patient = new Redis({
        host: server.host,
        port: server.port,
        protocol,
        retry: new Retry({ retries: 200, backoff: new ConstantBackoff(20) }),
      });
      try {
        const incr = new Script(patient, "return redis.call('INCR', KEYS[1])");
        await incr.load();
        // Read-only, about a second of wall time (TIME-bounded).
        const spin = new Script(
          busy,
          "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] " +
            "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - s > 1000000 return 1",
        ).run();
        let refused = false;
        for (let i = 0; i < 200 && !refused; i++) {
          refused = await server.command('PING').then(
            () => false,
            () => true,
          );
          if (!refused) await delay(5);
        }
        assert.ok(refused, 'the spinning script made the server answer BUSY');
        assert.equal(await incr.run({ keys: ['n'] }), 1);
        assert.equal(await spin, 1);
        assert.equal(await r.get('n'), '1');
        assert.ok((await stats(server, 'evalsha')).calls >= 1);
      } finally {
        await Promise.all([busy.close(), patient.close()]);
        await server.command('CONFIG', 'SET', 'busy-reply-threshold', '5000');
      }
    });

    it('SCRIPT KILL: NotBusyError with nothing running; stops a busy read-only script', async () => {
      const err = await r.scriptKill().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof NotBusyError, String(err));
      assert.equal(err.code, 'NOTBUSY');

      await server.command('CONFIG', 'SET', 'busy-reply-threshold', '50');
      const busy = new Redis({ host: server.host, port: server.port, protocol });
      try {
        // Read-only and long (bounded: ends by itself after some seconds if never killed).
        const running = new Script(busy, 'local n = 0 for i = 1, 3000000000 do n = n + 1 end return n').run();
        running.catch(() => undefined);
        let killed = false;
        for (let attempt = 0; attempt < 100 && !killed; attempt++) {
          await delay(20);
          killed = await r.scriptKill().then(
            () => true,
            (e: unknown) => {
              // BUSY while the threshold is not passed yet, NOTBUSY before the script starts.
              if (e instanceof ResponseError) return false;
              throw e;
            },
          );
        }
        assert.ok(killed, 'SCRIPT KILL succeeded');
        await assert.rejects(running, ResponseError);
      } finally {
        await busy.close();
        await server.command('CONFIG', 'SET', 'busy-reply-threshold', '5000');
      }
    });
  });

  describe(`functions (RESP${protocol})`, () => {
    let server: RedisServerHandle;
    let r: Redis;
    const lib = (name: string, body = ''): string =>
      `#!lua name=${name}\n` +
      "redis.register_function('incr_by', function(keys, args) return redis.call('INCRBY', keys[1], args[1]) end)\n" +
      "redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}\n" +
      "redis.register_function('fail', function() return redis.error_reply('LIBFAIL custom failure') end)\n" +
      body;
    before(async () => {
      server = await startRedis();
      r = new Redis({ host: server.host, port: server.port, protocol });
    });
    after(async () => {
      await r.close();
      await server.stop();
    });
    beforeEach(async () => {
      await r.functionFlush();
      await server.command('FLUSHALL');
    });

    it('loads a library, calls its functions and lists it', async () => {
      assert.equal(await r.functionLoad(lib('mylib')), 'mylib');
      assert.equal(await r.fcall('incr_by', { keys: ['c'], args: [5] }), 5);
      assert.equal(await r.fcall('incr_by', { keys: ['c'], args: [2] }), 7);
      assert.equal(await r.fcallRo('peek', { keys: ['c'] }), '7');
      const list = await r.functionList();
      assert.equal(list.length, 1);
      const [info] = list;
      assert.equal(info?.libraryName, 'mylib');
      assert.equal(info?.engine, 'LUA');
      assert.equal(info?.libraryCode, undefined);
      const peek = info?.functions.find((f) => f.name === 'peek');
      assert.deepEqual(peek, { name: 'peek', description: 'reads', flags: ['no-writes'] });
      assert.deepEqual(
        info?.functions.find((f) => f.name === 'incr_by'),
        { name: 'incr_by', description: null, flags: [] },
      );
      const withCode = await r.functionList({ libraryName: 'my*', withCode: true });
      assert.equal(withCode[0]?.libraryCode, lib('mylib'));
      assert.deepEqual(await r.functionList({ libraryName: 'nothing*' }), []);
    });

    it('FunctionError on failures of FUNCTION / FCALL / FCALL_RO, with command and code', async () => {
      await r.functionLoad(lib('mylib'));
      const dup = await r.functionLoad(lib('mylib')).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(dup instanceof FunctionError, String(dup));
      assert.equal(dup.command, 'FUNCTION');
      assert.equal(await r.functionLoad(lib('mylib', '-- v2\n'), { replace: true }), 'mylib');

      const missing = await r.fcall('no_such_function').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(missing instanceof FunctionError, String(missing));
      assert.equal(missing.command, 'FCALL');
      assert.equal(missing.code, 'ERR');

      const custom = await r.fcall('fail').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(custom instanceof FunctionError, String(custom));
      assert.equal(custom.code, 'LIBFAIL');

      const writeRo = await r.fcallRo('incr_by', { keys: ['c'], args: [1] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(writeRo instanceof FunctionError, String(writeRo));
      assert.equal(writeRo.command, 'FCALL_RO');

      const bad = await r.functionLoad('not a library').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(bad instanceof FunctionError, String(bad));

      await assert.rejects(r.functionDelete('nope'), FunctionError);
      assert.equal(await r.functionDelete('mylib'), 'OK');
      assert.deepEqual(await r.functionList(), []);
    });

    it('FUNCTION KILL with nothing running: NotBusyError (its own class, not FunctionError)', async () => {
      const err = await r.functionKill().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof NotBusyError, String(err));
      assert.ok(!(err instanceof FunctionError));
      assert.equal(err.command, 'FUNCTION');
    });

    it('errors inside a pipeline slot are FunctionErrors too', async () => {
      const res = await r.pipeline().call('FCALL', 'nope', 0).call('FUNCTION', 'KILL').exec();
      assert.ok(res[0] instanceof FunctionError, String(res[0]));
      assert.ok(res[1] instanceof NotBusyError, String(res[1]));
    });
  });
}
