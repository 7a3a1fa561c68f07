/**
 * The untyped layer: one method per command of the table (camelCased,
 * subcommands as `containerSub`, containers taking the subcommand first),
 * generated into raw.generated.ts and checked against the table here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DedicatedConnection } from '../src/shared/dedicated.js';
import { DECLARATIONS, methodName, NOT_METHODS, RAW_COMMANDS } from '../src/commands/methods/index.js';
import { COMMANDS } from '../src/commands/table.js';
import { Pipeline, Redis, Transaction } from '../src/index.js';
import { OUTPUT_PATH, render } from '../scripts/gen-methods.js';
import { perProtocol } from './commands-setup.js';

describe('untyped command methods (no server)', () => {
  it('raw.generated.ts is what scripts/gen-methods.ts makes of the current table', () => {
    assert.equal(readFileSync(OUTPUT_PATH, 'utf8'), render());
  });

  it('names: camelCased commands, containerSub for subcommands, unique', () => {
    assert.equal(methodName('get'), 'get');
    assert.equal(methodName('bitfield_ro'), 'bitfieldRo');
    assert.equal(methodName('config|get'), 'configGet');
    assert.equal(methodName('client|no-evict'), 'clientNoEvict');
    assert.equal(methodName('cluster|count-failure-reports'), 'clusterCountFailureReports');
    assert.equal(methodName('json.get'), 'jsonGet');
    assert.equal(methodName('ft._list'), 'ftList');
    assert.equal(methodName('tdigest.trimmed_mean'), 'tdigestTrimmedMean');
    const names = Object.keys(RAW_COMMANDS);
    assert.equal(new Set(names).size, names.length);
  });

  it('every command of the table except the listed exclusions is a method of every client kind', () => {
    const protos: Array<[string, object]> = [
      ['Redis', Redis.prototype],
      ['Pipeline', Pipeline.prototype],
      ['Transaction', Transaction.prototype],
      ['DedicatedConnection', DedicatedConnection.prototype],
    ];
    let checked = 0;
    for (const spec of COMMANDS) {
      if (NOT_METHODS.has(spec.name)) continue;
      const name = methodName(spec.name);
      for (const [kind, proto] of protos) {
        assert.equal(
          typeof (proto as Record<string, unknown>)[name],
          'function',
          `${kind}.${name} for ${spec.name}`,
        );
      }
      checked++;
    }
    assert.ok(checked > 400, `only ${checked} commands`);
    // Typed declarations take precedence over the untyped method of the same name.
    assert.ok('objectEncoding' in DECLARATIONS && 'objectEncoding' in RAW_COMMANDS);
  });

  it('commands that change what the connection is are not methods', () => {
    const proto = Redis.prototype as unknown as Record<string, unknown>;
    for (const name of [
      'select',
      'quit',
      'reset',
      'hello',
      'auth',
      // 'monitor' is a method, but not MONITOR on the shared connection: monitor(listener) opens a
      // dedicated connection (CONTRACT.md, second round); call('MONITOR') stays refused.
      'exec',
      'discard',
      'watch',
      'clientReply',
      'sync',
      'psync',
      'replconf',
    ]) {
      assert.equal(proto[name], undefined, name);
    }
    assert.equal(proto['monitor'], Redis.prototype.monitor);
    assert.equal(Redis.prototype.monitor.length, 1, 'monitor(listener), not the raw MONITOR command');
    assert.equal(
      typeof (DedicatedConnection.prototype as unknown as Record<string, unknown>).watch,
      'function',
    );
    assert.equal(typeof proto.multi, 'function');
  });
});

perProtocol('untyped command methods', (ctx) => {
  it('send the command (and subcommand) with the arguments as written; replies as call() gives them', async () => {
    const r = ctx.r;
    await r.set('k', 'hello');
    assert.equal(await r.substr('k', 0, 1), 'he');
    assert.equal(await r.object('ENCODING', 'k'), 'embstr');
    assert.match((await r.lolwut()) as string, /Redis ver/);
    assert.ok(Array.isArray(await r.xinfo('HELP')));
    assert.ok(Array.isArray(await r.xinfoHelp()));
    assert.equal(await r.memoryUsage('k'), await r.memory('USAGE', 'k'));
    const cfg = await r.config('GET', 'maxmemory-samples');
    // Protocol values: a RESP3 map is an object, a RESP2 reply a flat array.
    assert.deepEqual(cfg, ctx.protocol === 3 ? { 'maxmemory-samples': '5' } : ['maxmemory-samples', '5']);
    assert.ok((await r.commandInfo('get')) !== null);
    assert.equal(typeof (await r.latencyLatest()), 'object');
    assert.deepEqual(await r.georadiusRo('none', 0, 0, 1, 'km'), []);
    assert.equal(await r.clientGetredir(), -1);
    // Untyped methods take bigint arguments too.
    assert.equal(await r.substr('k', 1n, 2n), 'el');
  });

  it('work in pipelines and transactions', async () => {
    const p = await ctx.r.pipeline().set('a', '1').substr('a', 0, 0).configResetstat().exec();
    assert.deepEqual(p, ['OK', '1', 'OK']);
    const t = await ctx.r.multi().append('a', '2').getrange('a', 0, -1).objectEncoding('a').exec();
    assert.deepEqual(t, [2, '12', 'raw']);
  });
});
