/**
 * Issue #11 item 11: no password, credentials or TLS key material in what `util.inspect` /
 * `console.log` print of any client object, and no secret echoed by the server in an error
 * message (ACL SETUSER modifiers, user names, unknown subcommands).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Redis, RedisCluster, ResponseError, Sentinel } from '../src/index.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

const PASSWORD = 'pw-Zq81-never-printed';
const SECRET = 'Zq81secretArgument';

/** Everything util.inspect can reach: hidden properties, any depth, getters evaluated. */
const everything = (v: unknown): string => inspect(v, { depth: Infinity, showHidden: true, getters: true });

describe('secrets stay out of inspect output and error messages', { timeout: 60_000 }, () => {
  let server: RedisServerHandle;
  let r: Redis;
  before(async () => {
    server = await startRedis({ requirepass: PASSWORD });
    r = new Redis({
      host: server.host,
      port: server.port,
      password: PASSWORD,
      tls: undefined,
    });
    await r.ping();
  });
  after(async () => {
    await r.close();
    await server.stop();
  });

  it('clients, views, batches, lent connections and options print no password', async () => {
    const printed: string[] = [];
    printed.push(everything(r), everything(r.withBuffers()), everything(r.connection));
    printed.push(everything(r.resolvedOptions), everything({ nested: { client: r } }));
    printed.push(everything(r.pipeline().set('k', PASSWORD).call('AUTH', PASSWORD)));
    printed.push(everything(r.multi().set('k', PASSWORD)));
    await r.withConnection(async (c) => {
      await c.watch('k');
      printed.push(everything(c));
    });
    const lazy = new Redis(`redis://user:${PASSWORD}@127.0.0.1:1/0`, {
      lazyConnect: true,
      tls: { key: `KEY-${PASSWORD}`, passphrase: PASSWORD },
    });
    const cluster = new RedisCluster({
      nodes: [{ host: '127.0.0.1', port: 1 }],
      password: PASSWORD,
      lazyConnect: true,
    });
    const sentinel = new Sentinel({
      sentinels: [{ host: '127.0.0.1', port: 1 }],
      name: 'mymaster',
      password: PASSWORD,
      sentinelPassword: PASSWORD,
    });
    try {
      printed.push(everything(lazy), everything(lazy.resolvedOptions), everything(cluster));
      printed.push(everything(sentinel), everything(sentinel.primary()));
    } finally {
      cluster.disconnect();
      await sentinel.close();
      lazy.disconnect();
    }
    // Structured loggers serialize with JSON.stringify, which calls no inspector.
    const lent = await r.withConnection(async (c) => JSON.stringify(c));
    for (const v of [r, r.withBuffers(), r.connection, r.resolvedOptions, r.pipeline().set('k', PASSWORD)])
      printed.push(JSON.stringify(v));
    printed.push(
      lent,
      JSON.stringify(r.multi().set('k', PASSWORD)),
      JSON.stringify({ nested: { client: r } }),
    );
    printed.push(JSON.stringify(lazy.resolvedOptions), JSON.stringify(lazy), JSON.stringify(cluster));
    printed.push(JSON.stringify(sentinel));
    for (const text of printed) {
      assert.ok(!text.includes(PASSWORD), text.slice(0, 2000));
      assert.ok(!text.includes('pw-Zq81'), text);
    }
    // What is printed is still useful: status and address are there, secrets are marked.
    assert.match(printed[0] as string, /^Redis \{[\s\S]*status: 'ready'[\s\S]*password: '\[redacted\]'/);
    assert.match(printed[5] as string, /^Pipeline \{ commands: \[ 'SET', 'DataError'/);
  });

  it('server errors that quote an argument are redacted in error.message', async () => {
    const cases: Array<[unknown[], RegExp]> = [
      [
        ['ACL', 'SETUSER', 'someone', SECRET],
        /^ERR Error in ACL SETUSER modifier '\(not shown\)': Syntax error$/,
      ],
      [
        ['ACL', 'SETUSER', 'someone', `>${SECRET}`, `<${SECRET}x`],
        /^ERR Error in ACL SETUSER modifier '\(not shown\)': /,
      ],
      // A selector left open: the server quotes the argument that opened it, password and all.
      [
        ['ACL', 'SETUSER', 'someone', 'on', `(>${SECRET}`, '~*'],
        /^ERR Unmatched parenthesis in acl selector starting at '\(not shown\)'\.$/,
      ],
      [['CLIENT', 'KILL', 'USER', SECRET], /^ERR No such user '\(not shown\)'$/],
      [['ACL', 'DRYRUN', SECRET, 'get', 'k'], /^ERR User '\(not shown\)' not found$/],
      [['CLIENT', SECRET], /^ERR unknown subcommand '\(not shown\)'\. Try CLIENT HELP\.$/],
      [['OBJECT', `${SECRET}'. Try `], /^ERR unknown subcommand '\(not shown\)'\. Try OBJECT HELP\.$/],
      [[`NOSUCH${SECRET}`, SECRET], /^ERR unknown command .*\(arguments not shown\)$/],
      // A tired user's CONFIG SET with value and name swapped: the server quotes the "name".
      [
        ['CONFIG', 'SET', SECRET, 'requirepass'],
        /^ERR Unknown option or number of arguments for CONFIG SET - '\(not shown\)'$/,
      ],
    ];
    for (const [[name, ...args], expected] of cases) {
      const e: unknown = await r.call(name as string, ...args).then(
        () => assert.fail(`${String(name)} should fail`),
        (err: unknown) => err,
      );
      assert.ok(e instanceof ResponseError, String(e));
      assert.equal(e.code, 'ERR');
      assert.match(e.message, expected);
      if (!String(name).startsWith('NOSUCH')) assert.ok(!everything(e).includes(SECRET), everything(e));
    }
  });
});
