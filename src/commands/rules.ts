/**
 * The per-call facts the client acts on, from the command rules kept next to
 * the declarations (./methods/*.ts `…Rules`) and the table's flags: may this
 * call be sent again (read-only or idempotent), does it block? The same
 * answers for a typed method and for `call()` with the same raw arguments,
 * since both are judged on the wire arguments after the command name.
 */
import type { CommandRules } from './declare.js';
import { bitmapRules } from './methods/bitmap.js';
import { clusterRules } from './methods/cluster.js';
import { connectionRules } from './methods/connection.js';
import { functionRules } from './methods/functions.js';
import { genericRules } from './methods/generic.js';
import { geoRules } from './methods/geo.js';
import { hashRules } from './methods/hash.js';
import { hyperLogLogRules } from './methods/hyperloglog.js';
import { listRules } from './methods/list.js';
import { moduleRules } from './methods/module-rules.js';
import { pubsubRules } from './methods/pubsub.js';
import { scriptingRules } from './methods/scripting.js';
import { serverRules } from './methods/server.js';
import { setRules } from './methods/set.js';
import { sortedSetRules } from './methods/sorted-set.js';
import { streamRules } from './methods/stream.js';
import { stringRules } from './methods/string.js';
import { isReadOnly, tableBlocking } from './table.js';
import type { CommandSpec } from './types.js';

const RULES: ReadonlyMap<string, CommandRules> = new Map(
  [
    stringRules,
    bitmapRules,
    hashRules,
    setRules,
    sortedSetRules,
    listRules,
    hyperLogLogRules,
    geoRules,
    genericRules,
    streamRules,
    serverRules,
    connectionRules,
    clusterRules,
    scriptingRules,
    functionRules,
    pubsubRules,
    moduleRules,
  ].flatMap((set) => Object.entries(set)),
);

/** Table names of the untyped commands whose rules say `cacheable`. */
export function cacheableRules(): string[] {
  return [...RULES].filter(([, r]) => r.cacheable === true).map(([name]) => name);
}

/** The rules of a table name (`'set'`, `'xgroup|destroy'`), if any. */
export function rulesOf(name: string): CommandRules | undefined {
  return RULES.get(name);
}

/**
 * Whether this call can hold its connection waiting on the server, so it
 * needs a dedicated connection: BLPOP, BRPOP, BLMOVE, BZPOPMIN, BLMPOP … always;
 * XREAD / XREADGROUP only with BLOCK; WAIT and WAITAOF.
 */
export function isBlocking(spec: CommandSpec, args: readonly unknown[] = []): boolean {
  const rule = RULES.get(spec.name)?.blocking;
  if (rule === undefined) return tableBlocking(spec);
  return rule === true || rule(args);
}

/**
 * Whether sending this call twice is as good as once: read-only commands,
 * plus the writes whose rules say so (SET without NX/XX/GET, DEL, HSET, SADD,
 * ZADD without INCR, EXPIRE …). INCR, LPUSH, RPUSH, XADD with `*`, EVAL … are
 * not. Pass the call's `args` (after the command name) for the
 * option-dependent ones; without them those count as not idempotent.
 */
export function isIdempotent(spec: CommandSpec, args?: readonly unknown[]): boolean {
  if (isReadOnly(spec)) return true;
  const rule = RULES.get(spec.name)?.idempotent;
  if (rule === undefined) return false;
  if (rule === true) return true;
  return args !== undefined && rule(args);
}
