/**
 * What the feature modules (scripts, functions, locks, stream consumers, WAIT/WAITAOF) need
 * from a client. Structural, so the same code serves `Redis`, its `withBuffers()` view, the
 * connection `withConnection` lends and, later, `RedisCluster`.
 */

import type { RedisKey, RedisValue } from '../commands/methods/types.js';

export type { RedisKey, RedisValue };

/** Sends any command; the reply is the protocol value as decoded (see `Redis.call`). */
export interface CommandRunner {
  call(name: string, ...args: unknown[]): Promise<unknown>;
}

/** A client whose state can be read: lets long-running features notice `close()`. */
export interface ClientLike extends CommandRunner {
  /** `'closing'` / `'closed'` end stream consumers quietly. Absent: never treated as closed. */
  readonly status?: string;
}

/** A client that lends a dedicated connection (WAIT and WAITAOF belong to one connection). */
export interface ConnectionLender<C extends CommandRunner = CommandRunner> {
  withConnection<T>(fn: (conn: C) => Promise<T>): Promise<T>;
}

// One definition for scripts, locks and the typed FCALL / EVAL methods.
import type { ScriptCall } from '../commands/methods/types.js';
import { scriptTail } from '../commands/methods/scripting.js';
export type { ScriptCall };

/** `numkeys key… arg…`, the tail shared by EVAL, EVALSHA and FCALL; DataError when `call` is malformed. */
export function callTail(call: ScriptCall | undefined, command: string): unknown[] {
  return scriptTail([], call, command);
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A reply string as text: bulk strings are bytes under `withBuffers()`. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return decoder.decode(v);
  return String(v);
}

/** True when the client says it is shutting down or shut. */
export function isClosed(client: ClientLike): boolean {
  const s = client.status;
  return s === 'closing' || s === 'closed';
}
