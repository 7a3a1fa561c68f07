// The slice of the WebAssembly JS API that wredis uses. TypeScript ships it only in
// lib.dom, which would also admit browser globals the edge runtimes do not have.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource | ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  type ImportValue = ((...args: never[]) => unknown) | Memory | number;
  type Imports = Record<string, Record<string, ImportValue>>;
  type Exports = Record<string, ((...args: never[]) => unknown) | Memory | { value: number }>;
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
}
type BufferSource = ArrayBufferView | ArrayBuffer;
