/**
 * Shapes of the command table. The data mirrors what the server reports in
 * COMMAND INFO / COMMAND DOCS (names and values kept as the server spells
 * them), so a generated row can be checked against a live server by eye.
 */

/** Command flags as COMMAND INFO reports them (the generator rejects any other). */
export const COMMAND_FLAGS = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'may_replicate',
  'sentinel',
  'only_sentinel',
  'no_mandatory_keys',
  'protected',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
  'module_no_cluster',
] as const;
export type CommandFlag = (typeof COMMAND_FLAGS)[number];

/** Key-spec flags: access mode (RO/RW/OW/RM) and the logical operation on the key. */
export const KEY_SPEC_FLAGS = [
  'RO',
  'RW',
  'OW',
  'RM',
  'access',
  'update',
  'insert',
  'delete',
  'not_key',
  'incomplete',
  'variable_flags',
] as const;
export type KeySpecFlag = (typeof KEY_SPEC_FLAGS)[number];

/** Where a command is sent in a cluster when it has no key (or spans slots). */
export const REQUEST_POLICIES = ['all_nodes', 'all_shards', 'multi_shard', 'special'] as const;
export type RequestPolicy = (typeof REQUEST_POLICIES)[number];

/** How the replies of a fanned-out command are combined into one. */
export const RESPONSE_POLICIES = [
  'one_succeeded',
  'all_succeeded',
  'agg_logical_and',
  'agg_logical_or',
  'agg_min',
  'agg_max',
  'agg_sum',
  'special',
] as const;
export type ResponsePolicy = (typeof RESPONSE_POLICIES)[number];

export type CommandTip =
  | `request_policy:${RequestPolicy}`
  | `response_policy:${ResponsePolicy}`
  | 'nondeterministic_output'
  | 'nondeterministic_output_order';

/** Where the search for a spec's first key starts. */
export type BeginSearch =
  /** The first key is at a fixed argv position (argv[0] is the command name). */
  | { readonly type: 'index'; readonly index: number }
  /**
   * The first key follows `keyword`; the search starts at argv[`startfrom`]
   * and goes forward, or backward from argv[argc + startfrom] when negative.
   */
  | { readonly type: 'keyword'; readonly keyword: string; readonly startfrom: number }
  /** The server cannot describe it (SORT's BY/GET/STORE); see keys.ts. */
  | { readonly type: 'unknown' };

/** How many keys follow the first one. */
export type FindKeys =
  /**
   * Keys up to `lastkey` (relative to the first key when >= 0, to the end of
   * argv when negative), every `keystep` arguments. `limit` > 1 with
   * lastkey -1 means "the first 1/limit of the remaining arguments"
   * (XREAD STREAMS k1 k2 id1 id2).
   */
  | { readonly type: 'range'; readonly lastkey: number; readonly keystep: number; readonly limit: number }
  /**
   * The key count is at first + `keynumidx`, the keys start at first +
   * `firstkey`, every `keystep` arguments (EVAL, ZUNIONSTORE, LMPOP …).
   */
  | {
      readonly type: 'keynum';
      readonly keynumidx: number;
      readonly firstkey: number;
      readonly keystep: number;
    }
  | { readonly type: 'unknown' };

export interface KeySpec {
  readonly flags: readonly KeySpecFlag[];
  readonly beginSearch: BeginSearch;
  readonly findKeys: FindKeys;
  /** The server's own remark on the spec, when it gives one. */
  readonly notes?: string;
}

/** One command or subcommand (`config|get`). */
export interface CommandSpec {
  /** Lower case; subcommands as `container|sub`. */
  readonly name: string;
  /** Argument count including the name; negative means "at least -arity". */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** ACL categories as the server lists them, e.g. `'@read'`. */
  readonly acl: readonly string[];
  /** Legacy key range (argv positions); 0/0/0 when keyless or movable. */
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  readonly keySpecs: readonly KeySpec[];
  readonly tips: readonly CommandTip[];
  /** First version with the command: the server's for core commands, the module's for module commands. */
  readonly since: string;
  /** COMMAND DOCS group (`string`, `server`, … or `module`). */
  readonly group: string;
  readonly deprecatedSince?: string;
  /** Set for module commands: the name MODULE LIST reports (`ReJSON`, `search`, `timeseries`, `bf`, `vectorset`). */
  readonly module?: string;
}
