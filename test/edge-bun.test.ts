/**
 * wredis on Bun (npm package `bun`): the smoke suite through the Bun entry point
 * (Bun.connect, the core read with Bun.file), run from source.
 */
import { join } from 'node:path';
import { childRuntimeSuite } from './edge/harness.js';

childRuntimeSuite('bun', 'wredis on Bun', (config) => ({
  args: [join('test', 'edge', 'bun-main.ts'), JSON.stringify(config)],
}));
