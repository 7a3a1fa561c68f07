/**
 * What the client needs to know about a command before sending it: may it be
 * sent again after a dropped connection (read-only or idempotent), and does it
 * block (so it needs a dedicated connection)? Answers come from the command table.
 */
export interface CommandFlags {
  readonly safe: boolean;
  readonly blocking: boolean;
}

const ALWAYS_BLOCKING = new Set(['blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop', 'wait', 'waitaof']);
const SAFE = new Set(['get', 'mget', 'exists', 'ttl', 'pttl', 'hget', 'hgetall', 'hmget', 'lrange', 'zscore', 'zrange', 'ping', 'echo', 'strlen', 'type', 'dbsize', 'info', 'time', 'del', 'unlink', 'hset', 'sadd', 'srem', 'zadd', 'zrem', 'expire', 'pexpire', 'persist', 'mset']);

const NONE: CommandFlags = { safe: false, blocking: false };
const SAFE_ONLY: CommandFlags = { safe: true, blocking: false };
const BLOCKING: CommandFlags = { safe: false, blocking: true };

export function commandFlags(name: string, args: readonly unknown[]): CommandFlags {
  const n = name.toLowerCase();
  if (ALWAYS_BLOCKING.has(n)) return BLOCKING;
  if ((n === 'xread' || n === 'xreadgroup') && args.some((a) => typeof a === 'string' && a.toUpperCase() === 'BLOCK')) return BLOCKING;
  return SAFE.has(n) ? SAFE_ONLY : NONE;
}
