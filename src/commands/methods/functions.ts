/**
 * Plain Redis Functions commands (Redis 7.0+): FCALL, FCALL_RO, FUNCTION *.
 * Their failures reject with FunctionError (mapped by the error table).
 */
import { scriptTail } from './scripting.js';
import { asArray, toObject, toText } from './transforms.js';
import type { Implementation, ScriptCall } from './types.js';

export interface FunctionInfo {
  name: string;
  description: string | null;
  flags: string[];
}

export interface LibraryInfo {
  libraryName: string;
  engine: string;
  functions: FunctionInfo[];
  /** With `withCode`. */
  libraryCode?: string;
}

export interface FunctionLoadOptions {
  /** Replace a library of the same name instead of failing. */
  replace?: boolean;
}

export interface FunctionListOptions {
  /** A glob on library names (LIBRARYNAME). */
  libraryName?: string;
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

export const functionCommands: Implementation<FunctionCommands<unknown>> = {
  fcall(name: string, call?: ScriptCall) {
    return this.dispatch('fcall', scriptTail([name], call));
  },
  fcallRo(name: string, call?: ScriptCall) {
    return this.dispatch('fcall_ro', scriptTail([name], call));
  },
  functionLoad(code: string | Uint8Array, options?: FunctionLoadOptions) {
    return this.dispatch('function', options?.replace ? ['LOAD', 'REPLACE', code] : ['LOAD', code], toText);
  },
  functionDelete(library: string) {
    return this.dispatch('function', ['DELETE', library]);
  },
  functionFlush(mode?: 'ASYNC' | 'SYNC') {
    return this.dispatch('function', mode === undefined ? ['FLUSH'] : ['FLUSH', mode]);
  },
  functionKill() {
    return this.dispatch('function', ['KILL']);
  },
  functionList(options?: FunctionListOptions) {
    const args: unknown[] = ['LIST'];
    if (options?.libraryName !== undefined) args.push('LIBRARYNAME', options.libraryName);
    if (options?.withCode) args.push('WITHCODE');
    return this.dispatch('function', args, (v) => asArray(v).map(toLibrary));
  },
  functionDump() {
    return this.dispatch('function', ['DUMP']);
  },
  functionRestore(payload: string | Uint8Array, policy?: 'FLUSH' | 'APPEND' | 'REPLACE') {
    return this.dispatch(
      'function',
      policy === undefined ? ['RESTORE', payload] : ['RESTORE', payload, policy],
    );
  },
};
