/**
 * Plain Redis Functions commands (Redis 7.0+): FCALL, FCALL_RO, FUNCTION *.
 * Their failures reject with FunctionError (mapped by the error table).
 */
import { scriptTail } from './scripting.js';
import { asArray, toObject, toText } from './transforms.js';
import type { ScriptCall } from './types.js';
import { idempotentAll, isArg, type Declarations, type RuleSet } from '../declare.js';

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

export interface FunctionCommands<S> {
  /** FCALL function numkeys key… arg…: the function's reply. */
  fcall(name: string, call?: ScriptCall): unknown;
  /** FCALL_RO: for functions flagged `no-writes`; allowed on replicas. */
  fcallRo(name: string, call?: ScriptCall): unknown;
  /** FUNCTION LOAD: the library name. */
  functionLoad(code: string | Uint8Array, options?: FunctionLoadOptions): string;
  functionDelete(library: string): 'OK';
  functionFlush(mode?: 'ASYNC' | 'SYNC'): 'OK';
  /** FUNCTION KILL: rejects NotBusyError when no function runs. */
  functionKill(): 'OK';
  /** FUNCTION LIST, the same shape under RESP2 and RESP3. */
  functionList(options?: FunctionListOptions): LibraryInfo[];
  /** FUNCTION DUMP: a binary payload (use `withBuffers()` to keep it intact). */
  functionDump(): S;
  functionRestore(payload: string | Uint8Array, policy?: 'FLUSH' | 'APPEND' | 'REPLACE'): 'OK';
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

export const functionCommands = {
  fcall: {
    command: 'fcall',
    params: ['name', '{call}?'],
    args: ([name, call]: [string, ScriptCall?]) => scriptTail([name], call),
  },
  fcallRo: {
    command: 'fcall_ro',
    params: ['name', '{call}?'],
    args: ([name, call]: [string, ScriptCall?]) => scriptTail([name], call),
  },
  functionLoad: {
    command: 'function',
    params: ['code', '{options}?'],
    args: ([code, options]: [string | Uint8Array, FunctionLoadOptions?]) =>
      options?.replace ? ['LOAD', 'REPLACE', code] : ['LOAD', code],
    reply: toText,
  },
  functionDelete: {
    command: 'function',
    params: ['library'],
    args: ([library]: [string]) => ['DELETE', library],
  },
  functionFlush: {
    command: 'function',
    params: ['mode?'],
    args: ([mode]: [('ASYNC' | 'SYNC')?]) => (mode === undefined ? ['FLUSH'] : ['FLUSH', mode]),
  },
  functionKill: {
    command: 'function',
    params: [],
    args: () => ['KILL'],
  },
  functionList: {
    command: 'function',
    params: ['{options}?'],
    args: ([options]: [FunctionListOptions?]) => {
      const args: unknown[] = ['LIST'];
      if (options?.libraryName !== undefined) args.push('LIBRARYNAME', options.libraryName);
      if (options?.withCode) args.push('WITHCODE');
      return args;
    },
    reply: (v) => asArray(v).map(toLibrary),
  },
  functionDump: {
    command: 'function',
    params: [],
    args: () => ['DUMP'],
  },
  functionRestore: {
    command: 'function',
    params: ['payload', 'policy?'],
    args: ([payload, policy]: [string | Uint8Array, ('FLUSH' | 'APPEND' | 'REPLACE')?]) =>
      policy === undefined ? ['RESTORE', payload] : ['RESTORE', payload, policy],
  },
} satisfies Declarations<FunctionCommands<unknown>>;

/** FUNCTION LOAD only with REPLACE (else the repeat fails although the load happened); FCALL does not. */
export const functionRules: RuleSet = {
  ...idempotentAll(['function|list', 'function|dump', 'function|stats', 'function|help']),
  'function|load': { idempotent: (a) => isArg(a[1], 'REPLACE') },
};
