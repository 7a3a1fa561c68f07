/**
 * Plain scripting commands: EVAL, EVALSHA and their read-only forms, SCRIPT *.
 * `r.script(lua)` (src/features) builds on these with EVALSHA and the NOSCRIPT fallback.
 * Script replies are protocol values as decoded (see `call()`).
 */
import { DataError, ErrorCodes } from '../../errors/index.js';
import { toBooleanArray, toText } from './transforms.js';
import type { ScriptCall } from './types.js';
import { command, idempotentAll, optionNames, type RuleSet, type Signatures } from '../declare.js';
import { describe } from './shape.js';

/**
 * `numkeys key… arg…`. `keys` and `args` must be arrays: a string would be iterated per
 * character (`keys: 'user:1'` = six one-letter keys), so the script would run on the wrong keys.
 */
export function scriptTail(head: unknown[], call: ScriptCall | undefined, command: string): unknown[] {
  if (call !== undefined && (typeof call !== 'object' || call === null || Array.isArray(call)))
    throw new DataError(`${command}: expected { keys, args }, got ${describe(call)}`, {
      command,
      code: ErrorCodes.INVALID_ARGUMENT,
    });
  const keys = listOf(call?.keys, 'keys', command);
  const args = listOf(call?.args, 'args', command);
  head.push(keys.length);
  for (const k of keys) head.push(k);
  for (const a of args) head.push(a);
  return head;
}

function listOf(v: unknown, name: string, command: string): readonly unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  throw new DataError(`${command}: '${name}' must be an array, got ${describe(v)}`, {
    command,
    code: ErrorCodes.INVALID_ARGUMENT,
  });
}

/** One list for EVAL*, EVALSHA* and FCALL* (see Declaration.options). */
export const SCRIPT_CALL_OPTIONS = optionNames<ScriptCall>()(['keys', 'args']);

/**
 * The scripting command declarations.
 * Each method's signature and TSDoc are written here once; {@link ScriptingCommands} maps them.
 */
function declarations() {
  return {
    /** EVAL script numkeys key… arg…: the script's reply. */
    eval: command<(script: string | Uint8Array, call?: ScriptCall) => unknown>({
      command: 'eval',
      example: 'eval(script, { keys: [key], args: [arg] })',
      params: ['script', '{call}?'],
      options: SCRIPT_CALL_OPTIONS,
      args: ([script, call]) => scriptTail([script], call, 'EVAL'),
    }),
    /** EVAL_RO (Redis 7.0+): a read-only script, allowed on replicas. */
    evalRo: command<(script: string | Uint8Array, call?: ScriptCall) => unknown>({
      command: 'eval_ro',
      params: ['script', '{call}?'],
      options: SCRIPT_CALL_OPTIONS,
      args: ([script, call]) => scriptTail([script], call, 'EVAL_RO'),
    }),
    /** EVALSHA: rejects NoScriptError when the server does not know the digest. */
    evalsha: command<(sha: string, call?: ScriptCall) => unknown>({
      command: 'evalsha',
      example: 'evalsha(sha, { keys: [key], args: [arg] })',
      params: ['sha', '{call}?'],
      options: SCRIPT_CALL_OPTIONS,
      args: ([sha, call]) => scriptTail([sha], call, 'EVALSHA'),
    }),
    evalshaRo: command<(sha: string, call?: ScriptCall) => unknown>({
      command: 'evalsha_ro',
      params: ['sha', '{call}?'],
      options: SCRIPT_CALL_OPTIONS,
      args: ([sha, call]) => scriptTail([sha], call, 'EVALSHA_RO'),
    }),
    /** SCRIPT LOAD: the digest. */
    scriptLoad: command<(script: string | Uint8Array) => string>({
      command: 'script',
      params: ['script'],
      args: ([script]) => ['LOAD', script],
      reply: toText,
    }),
    /** SCRIPT EXISTS: one boolean per digest. */
    scriptExists: command<(...shas: string[]) => boolean[]>({
      command: 'script',
      params: ['...shas'],
      args: (shas) => ['EXISTS', ...shas],
      reply: toBooleanArray,
    }),
    scriptFlush: command<(mode?: 'ASYNC' | 'SYNC') => 'OK'>({
      command: 'script',
      params: ['mode?'],
      args: ([mode]) => (mode === undefined ? ['FLUSH'] : ['FLUSH', mode]),
    }),
    /** SCRIPT KILL: rejects NotBusyError when no script runs. */
    scriptKill: command<() => 'OK'>({
      command: 'script',
      params: [],
      args: () => ['KILL'],
    }),
  };
}

export const scriptingCommands = declarations();

/** The scripting command signatures, with plain reply types; clients wrap them in promises. */
export type ScriptingCommands = Signatures<ReturnType<typeof declarations>>;

/** SCRIPT LOAD/FLUSH/EXISTS repeat harmlessly; EVAL and EVALSHA (unknown effect) do not. */
export const scriptingRules: RuleSet = idempotentAll([
  'script|load',
  'script|flush',
  'script|exists',
  'script|help',
]);
