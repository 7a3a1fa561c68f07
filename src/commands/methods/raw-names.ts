/**
 * How command-table entries become method names, shared by the generator
 * (scripts/gen-methods.ts) and the drift test:
 *
 * - a command is its lower-case name, camelCased at `_` `.` `-`
 *   (`bitfield_ro` -> `bitfieldRo`, `json.get` -> `jsonGet`);
 * - a subcommand is its container's name followed by the subcommand
 *   (`config|get` -> `configGet`, `client|no-evict` -> `clientNoEvict`,
 *   `xinfo|stream` -> `xinfoStream`), and sends `CONTAINER SUB args…`;
 * - a container is a method too, taking the subcommand as its first argument
 *   (`r.config('GET', 'maxmemory')`), which reaches subcommands newer than the table.
 *
 * Not methods (still reachable through `call()`): commands that change what a
 * connection is or would desynchronise the client's view of it.
 */

/** Table names that get no method, with the reason. */
export const NOT_METHODS: ReadonlyMap<string, string> = new Map([
  ['multi', 'use multi() (or withConnection for WATCH)'],
  ['exec', 'use multi().exec()'],
  ['discard', 'use multi().discard()'],
  ['watch', 'use withConnection(c => c.watch(…))'],
  ['unwatch', 'use withConnection(c => c.unwatch())'],
  ['subscribe', 'the Pub/Sub API owns subscriptions'],
  ['psubscribe', 'the Pub/Sub API owns subscriptions'],
  ['ssubscribe', 'the Pub/Sub API owns subscriptions'],
  ['unsubscribe', 'the Pub/Sub API owns subscriptions'],
  ['punsubscribe', 'the Pub/Sub API owns subscriptions'],
  ['sunsubscribe', 'the Pub/Sub API owns subscriptions'],
  ['monitor', 'turns the connection into a feed'],
  ['auth', 'the client authenticates (options username/password) and again after reconnecting'],
  ['hello', 'the client negotiates the protocol (option protocol)'],
  ['select', 'the client selects the database (option db) and again after reconnecting'],
  ['quit', 'use close()'],
  ['reset', 'would drop state the client keeps (database, name, protocol)'],
  ['client|reply', 'CLIENT REPLY OFF/SKIP would misalign replies'],
  ['sync', 'replication protocol'],
  ['psync', 'replication protocol'],
  ['replconf', 'replication protocol'],
  ['script', 'r.script(lua) is the script helper; SCRIPT subcommands are methods (scriptLoad, …)'],
]);

function camelPart(s: string, first: boolean): string {
  const parts = s.split(/[._-]+/).filter((p) => p.length > 0);
  return parts.map((p, i) => (first && i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('');
}

/** The method name of a table entry (`config|get` -> `configGet`). */
export function methodName(specName: string): string {
  const bar = specName.indexOf('|');
  if (bar < 0) return camelPart(specName.toLowerCase(), true);
  return (
    camelPart(specName.slice(0, bar).toLowerCase(), true) +
    camelPart(specName.slice(bar + 1).toLowerCase(), false)
  );
}

/** What a method sends: the command, and for subcommands the subcommand token. */
export type RawTarget = readonly [command: string] | readonly [command: string, subcommand: string];

/** Method name -> target for every table entry that gets a method, sorted by method name. */
export function rawMethods(specNames: Iterable<string>): Array<[string, RawTarget]> {
  const out: Array<[string, RawTarget]> = [];
  for (const name of specNames) {
    if (NOT_METHODS.has(name)) continue;
    const bar = name.indexOf('|');
    const target: RawTarget = bar < 0 ? [name] : [name.slice(0, bar), name.slice(bar + 1).toUpperCase()];
    out.push([methodName(name), target]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
