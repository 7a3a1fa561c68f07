// The WASM core's exports: the RESP parser and the cluster-slot hasher.
// Each lives in its own module; this file only gathers them.
export * from "./parser";
export * from "./slots";
