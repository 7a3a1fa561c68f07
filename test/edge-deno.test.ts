/**
 * wredis on Deno (npm package `deno`): the smoke suite through the Deno entry point
 * (Deno.connect / Deno.connectTls, the core by source phase import), run from source with
 * only the permissions a user would grant: loopback network and the server's socket dir.
 */
import { dirname, join } from 'node:path';
import { childRuntimeSuite } from './edge/harness.js';

childRuntimeSuite('deno', 'wredis on Deno', (config, servers) => {
  const socket = servers.plain.socketPath!;
  const socketDir = dirname(socket);
  return {
    args: [
      'run',
      '--sloppy-imports', // the sources import './x.js' for './x.ts' (NodeNext style)
      '--no-prompt',
      '--no-remote',
      // Deno checks a unix socket against net (unix:<path>), read and write permissions.
      `--allow-net=127.0.0.1,localhost,unix:${socket}`,
      `--allow-read=${socketDir}`,
      `--allow-write=${socketDir}`,
      join('test', 'edge', 'deno-main.ts'),
      JSON.stringify(config),
    ],
    env: { DENO_NO_UPDATE_CHECK: '1' },
  };
});
