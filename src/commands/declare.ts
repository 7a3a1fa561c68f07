/**
 * The shape of a command declaration: one object per typed method, made with
 * {@link command}`<Signature>({ … })`. The signature (with the method's TSDoc
 * on the property) is the only place the method's parameters and reply type
 * are written: the argument builder and reply transform are checked against it
 * (a builder taking other parameters, a transform returning another type, a
 * parameter list of another length do not compile), and the method types of
 * clients, pipelines, transactions, the lent connection and the cluster client
 * are mapped from the declaration objects ({@link Signatures}). At run time the
 * same objects build the methods (see ./methods/index.ts).
 *
 * What the client must know about a command on the wire (idempotent,
 * blocking: predicates over the raw arguments) is kept per command name in
 * {@link CommandRules}, next to the declarations of its data type, so `call()`
 * with raw arguments is classified exactly like the typed method.
 */

/**
 * One typed method.
 * @typeParam A the method's parameter list (a tuple; a union of tuples for overloads)
 * @typeParam R the method's reply type
 */
export interface Declaration<A extends readonly unknown[], R> {
  /** The command as the table names it (`'get'`, `'client'`, `'zrange'`). */
  readonly command: string;
  /**
   * The parameter names, one per declared parameter: `'name?'` optional,
   * `'...name'` variadic, `'{name}'` an options object. Used for the run-time
   * arity and shape checks and their messages; its length is checked against `A`.
   */
  readonly params: ParamNames<A>;
  /** The caller's arguments (as one array: never spread) to the wire arguments after the command name. */
  readonly args: (a: A) => unknown[];
  /** The protocol value to the typed reply, the same under RESP2 and RESP3. Absent: the value as decoded. */
  readonly reply?: (raw: unknown) => R;
  /** Instead of `reply`, for the few whose reply shape depends on the call (GEOSEARCH WITH…). */
  readonly replyFor?: (a: A) => (raw: unknown) => R;
  /**
   * Read-only, deterministic and key-based: a reply a client-side cache may
   * keep for the keys of the call until they are invalidated (per key for MGET).
   */
  readonly cacheable?: boolean;
  /** How a correct call looks, for the misuse message (`set(key, value, { ex: 60 })`). */
  readonly example?: string;
  /**
   * Every key the `'{name}'` parameter's object may have (made with {@link optionNames}): any
   * other own key rejects the call with DataError, unsent. Without it a misspelt or mis-cased
   * option (node-redis' `{ EX: 60, NX: true }`) was ignored, and the command ran without it.
   */
  readonly options?: readonly string[];
}

/** Every key of every member of a union. */
type KeysOf<T> = T extends unknown ? keyof T & string : never;

/**
 * The option names of the options type `T`, for {@link Declaration.options}: the compiler checks
 * the list is exactly `T`'s keys (a name `T` lacks, or a key of `T` left out, does not compile).
 * @example options: optionNames<SetOptions>()(['ex', 'px', 'exat', 'pxat', 'keepttl', 'nx', 'xx', 'get'])
 */
export function optionNames<T>(): <const L extends ReadonlyArray<KeysOf<T>>>(
  names: L &
    ([Exclude<KeysOf<T>, L[number]>] extends [never]
      ? unknown
      : { readonly missing: Exclude<KeysOf<T>, L[number]> }),
) => readonly string[] {
  return (names) => names;
}

/** A parameter name per element of `A` (optional elements included). */
export type ParamNames<A> = A extends readonly unknown[] ? { readonly [I in keyof A]-?: string } : never;

/** The parameter lists of a method's (at most two) signatures. */
export type ParamsOf<F> = F extends { (...a: infer A1): unknown; (...a: infer A2): unknown }
  ? A1 | A2
  : never;

/** The reply types of a method's (at most two) signatures. */
export type ReplyOf<F> = F extends { (...a: infer _A1): infer R1; (...a: infer _A2): infer R2 }
  ? R1 | R2
  : never;

/**
 * Carries a declaration's signature in its type only (the property is never
 * present at run time): the method types are read back from it.
 */
declare const SIGNATURE: unique symbol;

/** A declaration with its method signature `F` (plain reply type; clients wrap it in a promise). */
export type Typed<F> = Declaration<ParamsOf<F>, ReplyOf<F>> & { readonly [SIGNATURE]: F };

/**
 * Declares one typed method: `F` is its signature (one, or two overloads as a
 * type literal), the object says how its arguments become wire arguments and
 * its reply the typed value. The builder's parameter is typed from `F`, so it
 * needs no annotation; the transform must return `F`'s reply type.
 */
export function command<F>(d: Declaration<ParamsOf<F>, ReplyOf<F>>): Typed<F> {
  // The signature exists only in the type (see SIGNATURE).
  return d as Typed<F>;
}

/**
 * The method signatures of an object of declarations, by method name: what
 * the client, pipeline and transaction types are mapped from. Homomorphic, so
 * each method keeps the TSDoc written on its declaration.
 */
export type Signatures<D> = { [K in keyof D]: D[K] extends { readonly [SIGNATURE]: infer F } ? F : never };

/** Any declaration, as the installer handles them. */
export interface AnyDeclaration {
  readonly command: string;
  readonly params: readonly string[];
  readonly args: (a: never) => unknown[];
  readonly reply?: (raw: unknown) => unknown;
  readonly replyFor?: (a: never) => (raw: unknown) => unknown;
  readonly cacheable?: boolean;
  readonly example?: string;
  readonly options?: readonly string[];
}

/**
 * What a command's raw arguments tell the client. `idempotent`: sending the
 * call a second time right after the first leaves the data as one run did, so
 * a call that may have reached the server before the connection dropped can
 * be replayed (`replay: 'idempotent'`). `blocking`: the call can hold its
 * connection waiting on the server, so it needs a dedicated one (absent: the
 * table's `blocking` flag). Read-only commands are always idempotent.
 */
export interface CommandRules {
  readonly idempotent?: true | ((args: readonly unknown[]) => boolean);
  readonly blocking?: true | ((args: readonly unknown[]) => boolean);
  /**
   * A command without a typed declaration whose replies a client-side cache may keep
   * (read-only, deterministic, key-based), as `Declaration.cacheable` says for typed ones.
   */
  readonly cacheable?: true;
}

/** Rules per table name (`'set'`, `'xgroup|destroy'`). */
export type RuleSet = Readonly<Record<string, CommandRules>>;

/** The most common rule: repeating the call is harmless. */
export const IDEMPOTENT: CommandRules = { idempotent: true };

/** The rule of an untyped cacheable command (see `CommandRules.cacheable`). */
export const CACHEABLE: CommandRules = { cacheable: true };

/** An idempotent rule for each name. */
export function idempotentAll(names: readonly string[]): RuleSet {
  const out: Record<string, CommandRules> = {};
  for (const n of names) out[n] = IDEMPOTENT;
  return out;
}

// --- reading raw arguments (the predicates run on what call() was given too) ---

const latin1 = new TextDecoder('latin1');

/** A string or short byte argument as text; undefined for anything else. */
export function argName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return v.length <= 64 ? latin1.decode(v) : undefined;
  return undefined;
}

/** Is `v` the token `upper`, in any case? */
export function isArg(v: unknown, upper: string): boolean {
  const s = argName(v);
  return s !== undefined && s.length === upper.length && s.toUpperCase() === upper;
}

/**
 * None of `tokens` (upper case) among args[from..], in any case. Runs on every
 * call of its command (SET's rule), so each argument is read and upper-cased at
 * most once, and only when a token has its length.
 */
export function noneOf(args: readonly unknown[], from: number, tokens: readonly string[]): boolean {
  for (let i = from; i < args.length; i++) {
    const v = args[i];
    if (typeof v === 'number') continue;
    const s = argName(v);
    if (s === undefined) continue;
    let upper: string | undefined;
    for (const t of tokens) {
      if (t.length !== s.length) continue;
      if (s === t || (upper ??= s.toUpperCase()) === t) return false;
    }
  }
  return true;
}

/** An integer argument (number or decimal text), else undefined. */
export function intArg(v: unknown): number | undefined {
  const s = typeof v === 'number' ? String(v) : argName(v);
  if (s === undefined || !/^-?[0-9]+$/.test(s)) return undefined;
  return Number(s);
}
