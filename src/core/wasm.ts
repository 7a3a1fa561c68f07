/**
 * Where the compiled WASM core comes from. Entry points register the compiled
 * `WebAssembly.Module` once (Node reads it from the package; edge runtimes import
 * the `.wasm` as a module, because Workers forbid compiling from bytes at run time).
 * Nothing here touches `fs`, so this file is safe on every runtime.
 */

import type { CoreExports } from './core-exports.generated.js';
import { ABI_VERSION } from './parser-codes.js';

let coreModule: WebAssembly.Module | undefined;
let shared: WebAssembly.Instance | undefined;
/** The module whose interface version was checked (once per registered module). */
let checked: WebAssembly.Module | undefined;

const imports: WebAssembly.Imports = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new Error(`wredis core aborted at ${line}:${col}`);
    },
  },
};

/** Registers the compiled core. Called by the entry point before any client is built. */
export function setCoreModule(mod: WebAssembly.Module): void {
  coreModule = mod;
  shared = undefined;
  checked = undefined;
}

/**
 * Refuses a core built from another interface than this host (a stale build/core.wasm next to new
 * host code, or the reverse): constants would silently disagree otherwise.
 */
function checkAbi(inst: WebAssembly.Instance): void {
  const version = (inst.exports as Partial<CoreExports>).abiVersion;
  const got = typeof version === 'function' ? version() >>> 0 : undefined;
  if (got !== ABI_VERSION) {
    throw new Error(
      `wredis: the WASM core's interface version is ${got === undefined ? 'missing' : `0x${got.toString(16)}`}, this host needs 0x${ABI_VERSION.toString(16)}: rebuild (npm run build)`,
    );
  }
}

function requireModule(): WebAssembly.Module {
  if (coreModule === undefined) {
    throw new Error(
      'wredis: the WASM core was not registered; import wredis through its package entry point',
    );
  }
  return coreModule;
}

/**
 * A fresh instance with its own linear memory and globals. Each parser owns one,
 * so parser state never crosses connections.
 */
export function newCoreInstance(): WebAssembly.Instance {
  const mod = requireModule();
  const inst = new WebAssembly.Instance(mod, imports);
  if (checked !== mod) {
    checkAbi(inst);
    checked = mod;
  }
  return inst;
}

/** One instance shared by stateless helpers (slot hashing). */
export function sharedCoreInstance(): WebAssembly.Instance {
  if (shared === undefined) shared = newCoreInstance();
  return shared;
}
