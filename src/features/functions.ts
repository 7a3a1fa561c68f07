/**
 * Redis Functions (Redis 7+): FUNCTION LOAD / DELETE / FLUSH / KILL / LIST, FCALL and FCALL_RO.
 * Failures of these commands reject with FunctionError (the error table decides that from the
 * command name), except replies with a class of their own: NOTBUSY -> NotBusyError, NOPERM …
 */
import { toObject } from '../commands/methods/transforms.js';
import { DataError } from '../errors/index.js';
import { asText, callTail, type CommandRunner, type ScriptCall } from './types.js';

export interface FunctionLoadOptions {
  /** Replace a library of the same name instead of failing with FunctionError. */
  replace?: boolean;
}

/** FUNCTION LOAD: resolves with the library name. */
export async function functionLoad(client: CommandRunner, code: string | Uint8Array, options?: FunctionLoadOptions): Promise<string> {
  const reply = options?.replace === true ? client.call('FUNCTION', 'LOAD', 'REPLACE', code) : client.call('FUNCTION', 'LOAD', code);
  return asText(await reply);
}

/** FCALL name numkeys key… arg…: resolves with the function's reply. */
export function fcall(client: CommandRunner, name: string, call?: ScriptCall): Promise<unknown> {
  return client.call('FCALL', name, ...callTail(call));
}

/** FCALL_RO: for functions flagged `no-writes`; may run on replicas. */
export function fcallRo(client: CommandRunner, name: string, call?: ScriptCall): Promise<unknown> {
  return client.call('FCALL_RO', name, ...callTail(call));
}

/** FUNCTION DELETE library. */
export function functionDelete(client: CommandRunner, library: string): Promise<'OK'> {
  return client.call('FUNCTION', 'DELETE', library) as Promise<'OK'>;
}

/** FUNCTION FLUSH: deletes every library. */
export function functionFlush(client: CommandRunner, mode?: 'ASYNC' | 'SYNC'): Promise<'OK'> {
  return (mode === undefined ? client.call('FUNCTION', 'FLUSH') : client.call('FUNCTION', 'FLUSH', mode)) as Promise<'OK'>;
}

/** FUNCTION KILL: stops the running read-only function. Rejects NotBusyError when none runs. */
export function functionKill(client: CommandRunner): Promise<'OK'> {
  return client.call('FUNCTION', 'KILL') as Promise<'OK'>;
}

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

export interface FunctionListOptions {
  /** A glob on library names (LIBRARYNAME). */
  libraryName?: string;
  withCode?: boolean;
}

/** FUNCTION LIST, the same shape under RESP2 and RESP3. */
export async function functionList(client: CommandRunner, options?: FunctionListOptions): Promise<LibraryInfo[]> {
  const args: unknown[] = ['LIST'];
  if (options?.libraryName !== undefined) args.push('LIBRARYNAME', options.libraryName);
  if (options?.withCode === true) args.push('WITHCODE');
  const reply = await client.call('FUNCTION', ...args);
  if (!Array.isArray(reply)) throw new DataError('expected an array in the FUNCTION LIST reply', { command: 'FUNCTION' });
  return reply.map(toLibrary);
}

function toLibrary(raw: unknown): LibraryInfo {
  const o = toObject<unknown>(raw);
  const functions = Array.isArray(o.functions) ? o.functions.map(toFunction) : [];
  const lib: LibraryInfo = { libraryName: asText(o.library_name), engine: asText(o.engine), functions };
  if (o.library_code !== undefined) lib.libraryCode = asText(o.library_code);
  return lib;
}

function toFunction(raw: unknown): FunctionInfo {
  const o = toObject<unknown>(raw);
  return {
    name: asText(o.name),
    description: o.description === null || o.description === undefined ? null : asText(o.description),
    flags: Array.isArray(o.flags) ? o.flags.map(asText) : [],
  };
}
