/**
 * Which commands the client-side cache may answer: read-only, deterministic
 * commands whose reply depends only on the keys they name, so an invalidation
 * of those keys is all it takes to keep an entry right. Writes, transactions,
 * scripts, blocking and random commands (SRANDMEMBER, ZRANDMEMBER …) are absent.
 *
 * This list stands in until the command declarations carry a `cacheable` flag;
 * then it is read from them instead.
 */

/** Where the keys of a cacheable call sit: its first argument, or every argument. */
export type KeyLayout = 'first' | 'all';

const FIRST: readonly string[] = [
  'get',
  'strlen',
  'getrange',
  'hget',
  'hmget',
  'hgetall',
  'hlen',
  'hexists',
  'hstrlen',
  'hkeys',
  'hvals',
  'smembers',
  'sismember',
  'smismember',
  'scard',
  'lrange',
  'llen',
  'lindex',
  'zrange',
  'zrangebyscore',
  'zrangebylex',
  'zrevrange',
  'zrevrangebyscore',
  'zrevrangebylex',
  'zscore',
  'zmscore',
  'zcard',
  'zcount',
  'zlexcount',
  'zrank',
  'zrevrank',
  'type',
  'json.get',
];

/** A cacheable command: its canonical (lower-case) name and where its keys are. */
export interface Cacheable {
  readonly name: string;
  readonly layout: KeyLayout;
}

const table = new Map<string, Cacheable>(
  [
    ...FIRST.map((n): [string, KeyLayout] => [n, 'first']),
    ['exists', 'all'] as const,
    ['mget', 'all'] as const,
  ].map(([name, layout]) => [name, { name, layout }]),
);

/** The declaration of a cacheable command, or undefined. Typed methods pass lower-case names: one lookup. */
export function cacheable(name: string): Cacheable | undefined {
  const found = table.get(name);
  if (found !== undefined) return found;
  const lower = name.toLowerCase();
  return lower === name ? undefined : table.get(lower);
}
