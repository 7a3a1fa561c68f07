/**
 * Plain scripting commands: EVAL, EVALSHA and their read-only forms, SCRIPT *.
 * `r.script(lua)` (src/features) builds on these with EVALSHA and the NOSCRIPT fallback.
 * Script replies are protocol values as decoded (see `call()`).
 */
import { toBooleanArray, toText } from './transforms.js';
import type { ScriptCall } from './types.js';
import { idempotentAll, type Declarations, type RuleSet } from '../declare.js';

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

export const scriptingCommands = {
  eval: {
    command: 'eval',
    example: 'eval(script, { keys: [key], args: [arg] })',
    params: ['script', '{call}?'],
    args: ([script, call]: [string | Uint8Array, ScriptCall?]) => scriptTail([script], call),
  },
  evalRo: {
    command: 'eval_ro',
    params: ['script', '{call}?'],
    args: ([script, call]: [string | Uint8Array, ScriptCall?]) => scriptTail([script], call),
  },
  evalsha: {
    command: 'evalsha',
    example: 'evalsha(sha, { keys: [key], args: [arg] })',
    params: ['sha', '{call}?'],
    args: ([sha, call]: [string, ScriptCall?]) => scriptTail([sha], call),
  },
  evalshaRo: {
    command: 'evalsha_ro',
    params: ['sha', '{call}?'],
    args: ([sha, call]: [string, ScriptCall?]) => scriptTail([sha], call),
  },
  scriptLoad: {
    command: 'script',
    params: ['script'],
    args: ([script]: [string | Uint8Array]) => ['LOAD', script],
    reply: toText,
  },
  scriptExists: {
    command: 'script',
    params: ['...shas'],
    args: (shas: string[]) => ['EXISTS', ...shas],
    reply: toBooleanArray,
  },
  scriptFlush: {
    command: 'script',
    params: ['mode?'],
    args: ([mode]: [('ASYNC' | 'SYNC')?]) => (mode === undefined ? ['FLUSH'] : ['FLUSH', mode]),
  },
  scriptKill: {
    command: 'script',
    params: [],
    args: () => ['KILL'],
  },
} satisfies Declarations<ScriptingCommands>;

/** SCRIPT LOAD/FLUSH/EXISTS repeat harmlessly; EVAL and EVALSHA (unknown effect) do not. */
export const scriptingRules: RuleSet = idempotentAll([
  'script|load',
  'script|flush',
  'script|exists',
  'script|help',
]);
