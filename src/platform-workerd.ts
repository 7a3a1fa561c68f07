/**
 * Registers the Cloudflare Workers pieces: the core imported as a compiled module (Workers
 * forbid compiling WASM from bytes at run time), `cloudflare:sockets`, Uint8Array replies.
 */
import core from '#core.wasm';
import { setPlatform } from './shared/options.js';
import { setCoreModule } from './core/wasm.js';
import { cloudflareTransport } from './transport/cloudflare.js';

setCoreModule(core);
setPlatform({ transport: cloudflareTransport, binary: 'uint8array' });
