/**
 * Where the compiled WASM core comes from. Entry points register the compiled
 * `WebAssembly.Module` once (Node reads it from the package; edge runtimes import
 * the `.wasm` as a module, because Workers forbid compiling from bytes at run time).
 * Nothing here touches `fs`, so this file is safe on every runtime.
 */

let coreModule: WebAssembly.Module | undefined;
let shared: WebAssembly.Instance | undefined;

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
  return new WebAssembly.Instance(requireModule(), imports);
}

/** One instance shared by stateless helpers (slot hashing). */
export function sharedCoreInstance(): WebAssembly.Instance {
  if (shared === undefined) shared = newCoreInstance();
  return shared;
}
