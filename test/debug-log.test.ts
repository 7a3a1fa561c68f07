/**
 * `NODE_DEBUG=wredis`: a child process talks to a real password-protected server, loses its
 * connection once, and its stderr is checked for the connect, handshake, close and reconnect
 * lines, and for the absence of the password, keys and values.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { refusedPort, sleep, startRedis, type RedisServerHandle } from './support/redis-server.js';
import { bulk, startScriptedSentinel, switchMasterPush } from './support/scripted-server.js';

const PASSWORD = 'hunter2-debug-pass';
const KEY = 'dbg:key-7f3a';
const VALUE = 'value-9c1e';

/** Runs `code` (ESM) in a child with the given env; resolves its exit code and stderr. */
function runChild(code: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, stderr });
    });
  });
}

describe('debug output (NODE_DEBUG=wredis)', () => {
  let server: RedisServerHandle;
  before(async () => {
    server = await startRedis({ requirepass: PASSWORD });
  });
  after(async () => {
    await server?.stop();
  });

  const script = (): string => {
    const entry = pathToFileURL(new URL('../src/index.ts', import.meta.url).pathname).href;
    return `
      import { Redis } from ${JSON.stringify(entry)};
      const options = { port: ${server.port}, password: ${JSON.stringify(PASSWORD)} };
      const r = new Redis(options);
      await r.set(${JSON.stringify(KEY)}, ${JSON.stringify(VALUE)});
      const id = await r.call('CLIENT', 'ID');
      const admin = new Redis(options);
      await admin.call('CLIENT', 'KILL', 'ID', String(id));
      await admin.close();
      if ((await r.get(${JSON.stringify(KEY)})) !== ${JSON.stringify(VALUE)}) process.exit(3);
      await r.close();
    `;
  };

  it('logs connects, handshakes, closes and reconnects; never the password, keys or values', async () => {
    const { code, stderr } = await runChild(script(), { ...process.env, NODE_DEBUG: 'wredis' });
    assert.equal(code, 0, stderr);
    const where = `127.0.0.1:${server.port}`;
    assert.match(stderr, new RegExp(`WREDIS \\d+: connecting to ${where} \\(attempt 1\\)`));
    assert.match(
      stderr,
      new RegExp(`connected to ${where}: handshake done \\(RESP3, server 7\\.[\\d.]+, db 0\\)`),
    );
    assert.match(stderr, new RegExp(`connection to ${where} closed`));
    assert.match(
      stderr,
      new RegExp(`reconnecting to ${where} in \\d+ ms \\(failures in a row: 0\\) after: `),
    );
    assert.ok((stderr.match(/handshake done/g) ?? []).length >= 2, 'a second handshake after the reconnect');
    for (const secret of [PASSWORD, KEY, VALUE])
      assert.ok(!stderr.includes(secret), `stderr shows ${secret}`);
  });

  it('prints nothing without NODE_DEBUG', async () => {
    const env = { ...process.env };
    delete env['NODE_DEBUG'];
    const { code, stderr } = await runChild(script(), env);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /WREDIS/);
  });
});

describe('debug output of Sentinel (NODE_DEBUG=wredis)', () => {
  let a: RedisServerHandle;
  let b: RedisServerHandle;
  before(async () => {
    [a, b] = await Promise.all([startRedis(), startRedis()]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('a +switch-master for another service or a malformed one is logged as not followed; the next good one is followed', async () => {
    // A scripted sentinel: a real one only publishes well-formed messages, when a failover happens.
    const messages = [
      `other 127.0.0.1 ${a.port} 127.0.0.1 ${b.port}`,
      `svc 127.0.0.1 ${a.port} 127.0.0.1`,
      // Taken as port 0 before: every primary socket was dropped for a switch to nowhere.
      `svc 127.0.0.1 ${a.port} 127.0.0.1 `,
      `svc 127.0.0.1 ${a.port} 127.0.0.1 ${b.port}`,
    ];
    const sentinel = await startScriptedSentinel(
      () => a.port,
      async (cmd) => {
        if (cmd[0] !== 'ping' || cmd[1] !== 'go') return '+OK\r\n';
        // The client subscribes once its sentinel connection is up; bounded wait for it.
        const subscribed = sentinel.subscribed;
        for (let i = 0; i < 200 && subscribed.size === 0; i++) await sleep(25);
        for (const s of subscribed) s.write(messages.map(switchMasterPush).join(''));
        return bulk('go');
      },
    );
    const entry = pathToFileURL(new URL('../src/index.ts', import.meta.url).pathname).href;
    const code = `
      import { Redis, Sentinel } from ${JSON.stringify(entry)};
      const s = new Sentinel({ sentinels: [{ host: '127.0.0.1', port: ${sentinel.port} }], name: 'svc' });
      const p = s.primary();
      await p.set('dbg:sentinel', 'v');
      const moved = new Promise((resolve) => p.once('ready', resolve));
      const ctl = new Redis({ port: ${sentinel.port} });
      await ctl.call('PING', 'go');
      await ctl.close();
      await moved;
      const port = await p.call('CONFIG', 'GET', 'port');
      if (port.port !== '${b.port}') process.exit(3);
      await s.close();
    `;
    try {
      const { code: exit, stderr } = await runChild(code, { ...process.env, NODE_DEBUG: 'wredis' });
      assert.equal(exit, 0, stderr);
      assert.match(stderr, /sentinel: \+switch-master of "other" ignored: this client follows "svc"/);
      assert.match(stderr, /sentinel: \+switch-master of "svc" refused: not "<name> .*" \(4 fields\)/);
      assert.match(stderr, /sentinel: \+switch-master of "svc" refused: not "<name> .*" \(5 fields\)/);
      assert.deepEqual(stderr.match(/switched to \S+/g), [`switched to 127.0.0.1:${b.port}`]);
      // Every line names the node reached, not the client's unused default address; the client's
      // "connecting to" line waits for the node the sentinels name (its transport picks it).
      assert.doesNotMatch(
        stderr,
        /(connecting to|connected to|connection to|reconnecting to) 127\.0\.0\.1:6379\b/,
      );
      // (ROLE probes dial before the lookup's answer is logged: this line after it is the client's.)
      assert.match(
        stderr,
        new RegExp(
          `primary of "svc" is 127\\.0\\.0\\.1:${a.port}\\n(?:.*\\n)*?.*connecting to 127\\.0\\.0\\.1:${a.port} \\(attempt 1\\)`,
        ),
      );
      assert.match(
        stderr,
        new RegExp(`connection to 127\\.0\\.0\\.1:${a.port} closed: Primary of "svc" moved`),
      );
    } finally {
      await sentinel.close();
    }
  });

  it('the client\'s "connecting to" line names the node the sentinels named before it dials, also when that node refuses', async () => {
    const dead = await refusedPort();
    const sentinel = await startScriptedSentinel(() => dead);
    const entry = pathToFileURL(new URL('../src/index.ts', import.meta.url).pathname).href;
    // No ROLE probe (roleCheck: false): only the client itself dials the dead node.
    const code = `
      import { Retry, Sentinel } from ${JSON.stringify(entry)};
      const s = new Sentinel({ sentinels: [{ host: '127.0.0.1', port: ${sentinel.port} }], name: 'svc', roleCheck: false });
      const failed = await s.primary({ lazyConnect: true, retry: new Retry({ retries: 0 }) }).connect().then(() => false, () => true);
      await s.close();
      if (!failed) process.exit(3);
    `;
    try {
      const { code: exit, stderr } = await runChild(code, { ...process.env, NODE_DEBUG: 'wredis' });
      assert.equal(exit, 0, stderr);
      assert.match(
        stderr,
        new RegExp(
          `primary of "svc" is 127\\.0\\.0\\.1:${dead}\\n(?:.*\\n)*?.*connecting to 127\\.0\\.0\\.1:${dead} \\(attempt 1\\)`,
        ),
      );
    } finally {
      await sentinel.close();
    }
  });
});
