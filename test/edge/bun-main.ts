/**
 * Bun side of the edge smoke test: `bun test/edge/bun-main.ts '<SmokeConfig JSON>'`.
 * Prints one `WREDIS_SMOKE <report>` line.
 */
import * as wredis from '../../src/index.bun.js';
import { runSmoke, type SmokeConfig } from './smoke.js';

const Bun = (globalThis as unknown as { Bun: { argv: string[] } }).Bun;

const report = await runSmoke(wredis, JSON.parse(Bun.argv[2]!) as SmokeConfig);
console.log(`WREDIS_SMOKE ${JSON.stringify(report)}`);
// Exit even if a socket of a failed check is still open.
(globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
