/**
 * What `util.inspect` / `console.log` (and `JSON.stringify`) show of wredis objects: never a password, a credentials
 * provider, TLS key material, or command arguments (values may be secrets too). Clients,
 * views, pipelines, transactions and lent connections print a short summary; option objects
 * print with their secrets replaced. The hook is Node's registered symbol, so nothing here
 * imports `node:util` and edge runtimes load it unchanged.
 */

/** Node's `util.inspect.custom`. */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** What a secret prints as. */
export const REDACTED = '[redacted]';

/** Option names whose values are secrets, at any depth of an options object (`tls.key` too). */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'sentinelPassword',
  'credentials',
  'passphrase',
  'key',
  'pfx',
  'url',
]);

/** Node's inspect function as passed to a custom inspector. */
type Inspect = (value: unknown, options?: object) => string;

/** A copy of plain objects and arrays with every secret replaced (class instances are kept as they are). */
export function redacted(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redacted(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEYS.has(k) && v !== undefined ? REDACTED : redacted(v, depth + 1);
  return out;
}

/**
 * Gives an options object an inspector that prints it redacted. The property is enumerable on
 * purpose: copies made with spread (`{ ...config, host }`, as per-node configs are) keep it.
 */
export function withRedactedInspect<T extends object>(options: T): T {
  define(
    options,
    INSPECT,
    true,
    function (this: object, _depth: number, opts: object, inspect: Inspect): string {
      return inspect(redacted(this), opts);
    },
  );
  // JSON.stringify (structured loggers: pino, winston) does not call inspectors: without this an
  // options object logged as JSON showed the password. Not enumerable, so no key listing sees it.
  define(options, 'toJSON', false, function (this: object): unknown {
    return redacted(this);
  });
  return options;
}

/** A writable, configurable property `key` of `target` holding `value`. */
function define(target: object, key: PropertyKey, enumerable: boolean, value: unknown): void {
  Object.defineProperty(target, key, { enumerable, configurable: true, writable: true, value });
}

const named = new Map<string, new () => object>();

/** An empty object whose class name prints as `name` (so summaries read `Redis { … }`). */
function instanceNamed(name: string): object {
  let cls = named.get(name);
  if (cls === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the index is possibly undefined without it
    cls = { [name]: class {} }[name] as new () => object;
    named.set(name, cls);
  }
  return new cls();
}

/**
 * Makes instances of `proto`'s classes print as `ClassName { …summary(this) }`, with the
 * summary redacted: nothing else of the object (connections, queues, options) is shown.
 */
export function inspectAs(proto: object, summary: (self: never) => Record<string, unknown>): void {
  define(
    proto,
    INSPECT,
    false,
    function (this: object, _depth: number, opts: object, inspect: Inspect): string {
      const shown = Object.assign(
        instanceNamed(this.constructor.name),
        redacted(summary(this as never)) as object,
      );
      return inspect(shown, opts);
    },
  );
  // The same summary for JSON.stringify, which otherwise walks every field (options, password,
  // connections, queues) of a client logged as JSON.
  define(proto, 'toJSON', false, function (this: object): unknown {
    return redacted(summary(this as never));
  });
}
