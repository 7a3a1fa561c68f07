/**
 * Plain Redis Functions commands (Redis 7.0+): FCALL, FCALL_RO, FUNCTION *.
 * Their failures reject with FunctionError (mapped by the error table).
 */
import { SCRIPT_CALL_OPTIONS, scriptTail } from './scripting.js';
import { asArray, toObject, toText } from './transforms.js';
import type { ScriptCall } from './types.js';
import { command, idempotentAll, isArg, optionNames, type RuleSet, type Signatures } from '../declare.js';

/** One function of a library, as FUNCTION LIST reports it. */
export interface FunctionInfo {
  /** Function name. */
  name: string;
  /** Its description, null when it has none. */
  description: string | null;
  /** Its flags (`no-writes`, `allow-stale` …). */
  flags: string[];
}

/** One library, as FUNCTION LIST reports it. */
export interface LibraryInfo {
  /** Library name. */
  libraryName: string;
  /** Engine (`LUA`). */
  engine: string;
  /** Its functions. */
  functions: FunctionInfo[];
  /** With `withCode`. */
  libraryCode?: string;
}

/** Options of FUNCTION LOAD. */
export interface FunctionLoadOptions {
  /** Replace a library of the same name instead of failing. */
  replace?: boolean;
}

/** Options of FUNCTION LIST. */
export interface FunctionListOptions {
  /** A glob on library names (LIBRARYNAME). */
  libraryName?: string;
  /** WITHCODE: include each library's source. */
  withCode?: boolean;
}

function toFunction(raw: unknown): FunctionInfo {
  const o = toObject<unknown>(raw);
  return {
    name: toText(o.name),
    description: o.description === null || o.description === undefined ? null : toText(o.description),
    flags: Array.isArray(o.flags) ? o.flags.map(toText) : [],
  };
}

function toLibrary(raw: unknown): LibraryInfo {
  const o = toObject<unknown>(raw);
  const lib: LibraryInfo = {
    libraryName: toText(o.library_name),
    engine: toText(o.engine),
    functions: Array.isArray(o.functions) ? o.functions.map(toFunction) : [],
  };
  if (o.library_code !== undefined) lib.libraryCode = toText(o.library_code);
  return lib;
}

/**
 * The function command declarations; `S` is the string type of replies (string, or bytes under withBuffers()).
 * Each method's signature and TSDoc are written here once; {@link FunctionCommands} maps them.
 */
function declarations<S>() {
  return {
    /** FCALL function numkeys key… arg…: the function's reply. */
    fcall: command<(name: string, call?: ScriptCall) => unknown>({
      command: 'fcall',
      params: ['name', '{call}?'],
      options: SCRIPT_CALL_OPTIONS,
      args: ([name, call]) => scriptTail([name], call, 'FCALL'),
    }),
    /** FCALL_RO: for functions flagged `no-writes`; allowed on replicas. */
    fcallRo: command<(name: string, call?: ScriptCall) => unknown>({
      command: 'fcall_ro',
      params: ['name', '{call}?'],
      options: SCRIPT_CALL_OPTIONS,
      args: ([name, call]) => scriptTail([name], call, 'FCALL_RO'),
    }),
    /** FUNCTION LOAD: the library name. */
    functionLoad: command<(code: string | Uint8Array, options?: FunctionLoadOptions) => string>({
      command: 'function',
      params: ['code', '{options}?'],
      options: optionNames<FunctionLoadOptions>()(['replace']),
      args: ([code, options]) => (options?.replace ? ['LOAD', 'REPLACE', code] : ['LOAD', code]),
      reply: toText,
    }),
    functionDelete: command<(library: string) => 'OK'>({
      command: 'function',
      params: ['library'],
      args: ([library]) => ['DELETE', library],
    }),
    functionFlush: command<(mode?: 'ASYNC' | 'SYNC') => 'OK'>({
      command: 'function',
      params: ['mode?'],
      args: ([mode]) => (mode === undefined ? ['FLUSH'] : ['FLUSH', mode]),
    }),
    /** FUNCTION KILL: rejects NotBusyError when no function runs. */
    functionKill: command<() => 'OK'>({
      command: 'function',
      params: [],
      args: () => ['KILL'],
    }),
    /** FUNCTION LIST, the same shape under RESP2 and RESP3. */
    functionList: command<(options?: FunctionListOptions) => LibraryInfo[]>({
      command: 'function',
      params: ['{options}?'],
      options: optionNames<FunctionListOptions>()(['libraryName', 'withCode']),
      args: ([options]) => {
        const args: unknown[] = ['LIST'];
        if (options?.libraryName !== undefined) args.push('LIBRARYNAME', options.libraryName);
        if (options?.withCode) args.push('WITHCODE');
        return args;
      },
      reply: (v) => asArray(v).map(toLibrary),
    }),
    /** FUNCTION DUMP: a binary payload (use `withBuffers()` to keep it intact). */
    functionDump: command<() => S>({
      command: 'function',
      params: [],
      args: () => ['DUMP'],
    }),
    functionRestore: command<(payload: string | Uint8Array, policy?: 'FLUSH' | 'APPEND' | 'REPLACE') => 'OK'>(
      {
        command: 'function',
        params: ['payload', 'policy?'],
        args: ([payload, policy]) =>
          policy === undefined ? ['RESTORE', payload] : ['RESTORE', payload, policy],
      },
    ),
  };
}

export const functionCommands = declarations();

/** The function command signatures, with plain reply types; clients wrap them in promises. */
export type FunctionCommands<S> = Signatures<ReturnType<typeof declarations<S>>>;

/** FUNCTION LOAD only with REPLACE (else the repeat fails although the load happened); FCALL does not. */
export const functionRules: RuleSet = {
  ...idempotentAll(['function|list', 'function|dump', 'function|stats', 'function|help']),
  'function|load': { idempotent: (a) => isArg(a[1], 'REPLACE') },
};
