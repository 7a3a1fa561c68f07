/**
 * `NODE_DEBUG=wredis`: a child process talks to a real password-protected server, loses its
 * connection once, and its stderr is checked for the connect, handshake, close and reconnect
 * lines, and for the absence of the password, keys and values.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

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
