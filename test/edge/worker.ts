/**
 * The Worker served by workerd in the edge smoke test. Bundled by esbuild with the
 * `workerd` entry of wredis; `core.wasm` stays a separate module (Workers forbid compiling
 * WASM from bytes). Clients live inside the request: Workers tie sockets to the request
 * that opened them.
 */
import * as wredis from '../../src/index.workerd.js';
import { runSmoke, type SmokeConfig } from './smoke.js';

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const config = url.searchParams.get('config');
    if (config === null) return new Response('missing ?config=', { status: 400 });
    const report = await runSmoke(wredis, JSON.parse(config) as SmokeConfig);
    return new Response(JSON.stringify(report), { headers: { 'content-type': 'application/json' } });
  },
};
