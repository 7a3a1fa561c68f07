/**
 * Deno side of the edge smoke test: `deno run --sloppy-imports --allow-net=127.0.0.1
 * test/edge/deno-main.ts '<SmokeConfig JSON>'`. Prints one `WREDIS_SMOKE <report>` line.
 */
import * as wredis from '../../src/index.deno.js';
import { runSmoke, type SmokeConfig } from './smoke.js';

const Deno = (globalThis as unknown as { Deno: { args: string[]; exit(code: number): never } }).Deno;

const report = await runSmoke(wredis, JSON.parse(Deno.args[0]!) as SmokeConfig);
console.log(`WREDIS_SMOKE ${JSON.stringify(report)}`);
Deno.exit(0);
