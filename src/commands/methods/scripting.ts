/**
 * Plain scripting commands: EVAL, EVALSHA and their read-only forms, SCRIPT *.
 * `r.script(lua)` (src/features) builds on these with EVALSHA and the NOSCRIPT fallback.
 * Script replies are protocol values as decoded (see `call()`).
 */
import { toBooleanArray, toText } from './transforms.js';
import type { Implementation, ScriptCall } from './types.js';

/** `numkeys key… arg…`. */
export function scriptTail(head: unknown[], call: ScriptCall | undefined): unknown[] {
  const keys = call?.keys ?? [];
  head.push(keys.length);
  for (const k of keys) head.push(k);
  for (const a of call?.args ?? []) head.push(a);
  return head;
}

export interface ScriptingCommands {
  /** EVAL script numkeys key… arg…: the script's reply. */
  eval(script: string | Uint8Array, call?: ScriptCall): unknown;
  /** EVAL_RO (Redis 7.0+): a read-only script, allowed on replicas. */
  evalRo(script: string | Uint8Array, call?: ScriptCall): unknown;
  /** EVALSHA: rejects NoScriptError when the server does not know the digest. */
  evalsha(sha: string, call?: ScriptCall): unknown;
  evalshaRo(sha: string, call?: ScriptCall): unknown;
  /** SCRIPT LOAD: the digest. */
  scriptLoad(script: string | Uint8Array): string;
  /** SCRIPT EXISTS: one boolean per digest. */
  scriptExists(...shas: string[]): boolean[];
  scriptFlush(mode?: 'ASYNC' | 'SYNC'): 'OK';
  /** SCRIPT KILL: rejects NotBusyError when no script runs. */
  scriptKill(): 'OK';
}

export const scriptingCommands: Implementation<ScriptingCommands> = {
  eval(script: string | Uint8Array, call?: ScriptCall) {
    return this.dispatch('eval', scriptTail([script], call));
  },
  evalRo(script: string | Uint8Array, call?: ScriptCall) {
    return this.dispatch('eval_ro', scriptTail([script], call));
  },
  evalsha(sha: string, call?: ScriptCall) {
    return this.dispatch('evalsha', scriptTail([sha], call));
  },
  evalshaRo(sha: string, call?: ScriptCall) {
    return this.dispatch('evalsha_ro', scriptTail([sha], call));
  },
  scriptLoad(script: string | Uint8Array) {
    return this.dispatch('script', ['LOAD', script], toText);
  },
  scriptExists(...shas: string[]) {
    return this.dispatch('script', ['EXISTS', ...shas], toBooleanArray);
  },
  scriptFlush(mode?: 'ASYNC' | 'SYNC') {
    return this.dispatch('script', mode === undefined ? ['FLUSH'] : ['FLUSH', mode]);
  },
  scriptKill() {
    return this.dispatch('script', ['KILL']);
  },
};
