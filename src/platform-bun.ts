/**
 * Registers Bun's pieces: the core read with `Bun.file` (no node:fs), `Bun.connect`
 * sockets, and Uint8Array replies — Bun has a global Buffer, but bytes replies on edge
 * entry points are plain Uint8Arrays, the same on every runtime but Node.
 */
import { setPlatform } from './shared/options.js';
import { setCoreModule } from './core/wasm.js';
import { bunTransport } from './transport/bun.js';

interface BunFiles {
  file(url: URL): { arrayBuffer(): Promise<ArrayBuffer> };
}

const Bun = (globalThis as unknown as { Bun: BunFiles }).Bun;
const bytes = await Bun.file(new URL(import.meta.resolve('#core.wasm'))).arrayBuffer();

setCoreModule(new WebAssembly.Module(bytes));
setPlatform({ transport: bunTransport, binary: 'uint8array' });
