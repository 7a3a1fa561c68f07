/**
 * Registers Deno's pieces: the core by a source phase import (a compiled
 * `WebAssembly.Module`; a literal specifier, so loading it needs no --allow-read),
 * `Deno.connect`/`connectTls`, Uint8Array replies.
 */
import { setPlatform } from './shared/options.js';
import { setCoreModule } from './core/wasm.js';
import { denoTransport } from './transport/deno.js';

// @ts-expect-error -- source phase imports (TC39 stage 3) have no TypeScript syntax yet
const core = (await import.source('#core.wasm')) as WebAssembly.Module;

setCoreModule(core);
setPlatform({ transport: denoTransport, binary: 'uint8array' });
