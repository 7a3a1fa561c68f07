/**
 * Merging the replies of a command fanned out to several nodes, by the server's
 * response_policy tip. A merge that cannot be made is a ClusterResponseError.
 */
import type { ResponsePolicy } from '../commands/types.js';
import { ClusterResponseError, RedisError } from '../errors/index.js';

export function mergeReplies(command: string, policy: ResponsePolicy | undefined, replies: readonly unknown[]): unknown {
  const errors = replies.filter((r): r is Error => r instanceof Error);
  switch (policy) {
    case 'one_succeeded': {
      const ok = replies.find((r) => !(r instanceof Error));
      if (ok !== undefined) return ok;
      throw errors[0] as Error;
    }
    case 'all_succeeded':
      if (errors.length > 0) throw errors[0] as Error;
      return replies[0];
    default:
      if (errors.length > 0) throw errors[0] as Error;
  }
  switch (policy) {
    case 'agg_sum':
      return numbers(command, replies).reduce((a, b) => a + b, 0);
    case 'agg_min':
      return Math.min(...numbers(command, replies));
    case 'agg_max':
      return Math.max(...numbers(command, replies));
    case 'agg_logical_and':
      return numbers(command, replies).every((n) => n !== 0) ? 1 : 0;
    case 'agg_logical_or':
      return numbers(command, replies).some((n) => n !== 0) ? 1 : 0;
    case 'special':
      return special(command, replies);
    default:
      return concat(command, replies);
  }
}

function numbers(command: string, replies: readonly unknown[]): number[] {
  return replies.map((r) => {
    if (typeof r === 'number') return r;
    if (typeof r === 'boolean') return r ? 1 : 0;
    throw new ClusterResponseError(`cannot aggregate non-numeric replies of ${command}`, { command });
  });
}

/** No policy: arrays are concatenated, maps merged, equal scalars collapse to one. */
function concat(command: string, replies: readonly unknown[]): unknown {
  if (replies.every(Array.isArray)) return (replies as unknown[][]).flat(1);
  if (replies.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r) && !(r instanceof Uint8Array) && !(r instanceof RedisError))) {
    return Object.assign(Object.create(null) as object, ...(replies as object[]));
  }
  return special(command, replies);
}

/** Replies the client cannot combine by rule: fine when they agree, an error when they differ. */
function special(command: string, replies: readonly unknown[]): unknown {
  const first = replies[0];
  const same = replies.every((r) => r === first || (r instanceof Uint8Array && first instanceof Uint8Array && equalBytes(r, first)));
  if (same) return first;
  throw new ClusterResponseError(`replies of ${command} from different nodes differ and cannot be merged`, { command });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
