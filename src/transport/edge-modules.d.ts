// Modules that exist only on edge runtimes or through the package's `imports` map.

/** Cloudflare Workers' TCP sockets (the slice wredis uses). */
declare module 'cloudflare:sockets' {
  export interface SocketAddress {
    hostname: string;
    port: number;
  }
  export interface SocketOptions {
    /** 'on' = TLS from the start; 'starttls' = plain until `startTls()`. */
    secureTransport?: 'off' | 'on' | 'starttls';
    allowHalfOpen?: boolean;
  }
  export interface SocketInfo {
    remoteAddress?: string;
    localAddress?: string;
  }
  export type ReadResult = { done: false; value: Uint8Array } | { done: true; value?: undefined };
  export interface SocketReader {
    read(): Promise<ReadResult>;
    cancel(reason?: unknown): Promise<void>;
    releaseLock(): void;
  }
  export interface SocketWriter {
    write(chunk: Uint8Array): Promise<void>;
    close(): Promise<void>;
    abort(reason?: unknown): Promise<void>;
    releaseLock(): void;
  }
  export interface Socket {
    readonly readable: { getReader(): SocketReader };
    readonly writable: { getWriter(): SocketWriter };
    readonly opened: Promise<SocketInfo>;
    readonly closed: Promise<void>;
    close(): Promise<void>;
    startTls(options?: { expectedServerHostname?: string }): Socket;
  }
  export function connect(address: SocketAddress | string, options?: SocketOptions): Socket;
}

/**
 * The compiled core, `build/core.wasm`, through the package's `imports` map. Imported as a
 * module on Workers (which forbid compiling WASM from bytes) and by source phase on Deno.
 */
declare module '#core.wasm' {
  const core: WebAssembly.Module;
  export default core;
}
