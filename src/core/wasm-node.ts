/**
 * Node's way to the core: read `build/core.wasm` from the package and compile it
 * synchronously (it is small), so `keySlot()` and `new Parser()` stay synchronous.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setCoreModule } from './wasm.js';

// src/core (run from source) and dist/src/core (published) sit at different depths.
const candidates = ['../../build/core.wasm', '../../../build/core.wasm'].map((rel) =>
  fileURLToPath(new URL(rel, import.meta.url)),
);

export function loadNodeCore(): void {
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    throw new Error('wredis: build/core.wasm is missing; run `npm run build:wasm`');
  }
  setCoreModule(new WebAssembly.Module(readFileSync(path)));
}
