/**
 * Run-time checks of a typed method's call shape, for callers TypeScript does
 * not see (plain JavaScript, `any`): more positional arguments than declared
 * (`get('k', 'extra')`), or something other than an object where an options
 * object belongs (`set(k, v, 'EX', 60)`, ioredis' spelling) reject with a
 * DataError naming the method and the expected call, before anything is sent.
 */
import { DataError, RedisError } from '../../errors/index.js';
import type { AnyDeclaration } from '../declare.js';

/** A declaration's parameter list, compiled once per method. */
export interface Shape {
  readonly method: string;
  /** The command name, upper-case (the error's `command`). */
  readonly command: string;
  /** Most positional arguments (Infinity with a variadic parameter). */
  readonly max: number;
  /** Index of the options-object parameter, or -1. */
  readonly options: number;
  /** `set(key, value, options?)`. */
  readonly signature: string;
  /** `set(key, value, { ex: 60 })`, when the declaration gives one. */
  readonly example: string | undefined;
  /** The keys the options object may have (see `Declaration.options`); undefined: not checked. */
  readonly optionNames: ReadonlySet<string> | undefined;
}

/** A declaration's parameter list, as a Shape: from the declaration, or a form it hides (zadd's `{ score, member }` one). */
export function compileShape(
  method: string,
  d: Pick<AnyDeclaration, 'command' | 'params' | 'example' | 'options'>,
): Shape {
  let max = 0;
  let options = -1;
  const names: string[] = [];
  for (const p of d.params) {
    if (p.startsWith('...')) max = Infinity;
    else max += 1;
    if (p.startsWith('{') && options < 0) options = max - 1;
    names.push(p.replace(/[{}]/g, ''));
  }
  return {
    method,
    command: d.command.toUpperCase(),
    max,
    options,
    signature: `${method}(${names.join(', ')})`,
    example: d.example,
    optionNames: d.options === undefined ? undefined : new Set(d.options),
  };
}

/**
 * An own key of the options object `o` that is not an option of the method, or undefined. A
 * key inherited from a prototype is not the caller's (a library may add enumerable ones).
 */
export function unknownOption(o: unknown, names: ReadonlySet<string>): string | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  // for-in: no array per call (this runs on every call with options, SET … EX included).
  for (const k in o) if (!names.has(k) && Object.hasOwn(o, k)) return k;
  return undefined;
}

/**
 * The DataError for an options object with a key the method does not know. The key is named
 * only when it is an option name in another case (`EX` for `ex`): any other key might be the
 * caller's data (a record passed in the wrong place), which never goes into a message.
 */
export function unknownOptionError(
  shape: Pick<Shape, 'method' | 'command' | 'options' | 'example' | 'signature'>,
  names: ReadonlySet<string>,
  key: string,
): DataError {
  const list = [...names];
  const lower = key.toLowerCase();
  const known = list.find((n) => n.toLowerCase() === lower);
  const what =
    known === undefined
      ? `argument ${shape.options + 1} has an option it does not take (options: ${list.join(', ')})`
      : `unknown option '${key}' (options are spelt as declared: '${known}')`;
  const expected = shape.example ?? shape.signature;
  return new DataError(`${shape.method}(): ${what}; expected ${expected}`, { command: shape.command });
}

/** Absent, or a plain object (not bytes, not an array, not a string or number). */
export function isOptionsArg(v: unknown): boolean {
  return (
    v === undefined ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array))
  );
}

/** The DataError for a call of the wrong shape: what was wrong (counts and types only, never values). */
export function misuse(shape: Shape, a: readonly unknown[]): DataError {
  const what =
    a.length > shape.max
      ? `${a.length} arguments given, at most ${shape.max} expected`
      : `argument ${shape.options + 1} must be an options object, got ${describe(a[shape.options])}`;
  const expected = shape.example ?? shape.signature;
  return new DataError(`${shape.method}(): ${what}; expected ${expected}`, { command: shape.command });
}

/** How a misused argument is named in a DataError: its kind, never its value. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  return `a ${typeof v}`;
}

/**
 * What a declaration's argument builder threw: its own errors (CommandSyntaxError, DataError) as
 * they are; anything else (a TypeError from a value of the wrong shape, `geosearch(k, 5, …)`) is
 * the call's misuse, a DataError that names the expected call and not the engine's text (which
 * may quote the caller's values).
 */
export function malformed(shape: Shape, error: unknown): unknown {
  if (error instanceof RedisError) return error;
  const expected = shape.example ?? shape.signature;
  return new DataError(
    `${shape.method}(): the arguments are not of the expected shape; expected ${expected}`,
    {
      command: shape.command,
    },
  );
}

/** `withConnection(5)` and the like: the callback a method runs is not a function. */
export function notAFunction(call: string): DataError {
  return new DataError(`${call}: fn must be a function (an async function given the connection)`);
}
