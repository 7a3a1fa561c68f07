/**
 * Merging the replies of a command fanned out to several nodes, by the server's
 * response_policy tip. A merge that cannot be made is a ClusterResponseError.
 */
import type { ResponsePolicy } from '../commands/types.js';
import { ClusterResponseError, RedisError } from '../errors/index.js';
import { equalBytes } from '../core/bytes.js';

/**
 * How fanned-out replies combine: the server's response_policy tip, or `any_one` for a command
 * without one whose output is nondeterministic (RANDOMKEY): each shard answers its own, all
 * equally right, so they differ by design and any one of them is the answer.
 */
export type FanoutMerge = ResponsePolicy | 'any_one';

export function mergeReplies(
  command: string,
  policy: FanoutMerge | undefined,
  replies: readonly unknown[],
): unknown {
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
      return aggregate(command, replies, (ns) => ns.reduce((a, b) => a + b, 0));
    case 'agg_min':
      return aggregate(command, replies, (ns) => Math.min(...ns));
    case 'agg_max':
      return aggregate(command, replies, (ns) => Math.max(...ns));
    case 'agg_logical_and':
      return aggregate(command, replies, (ns) => (ns.every((n) => n !== 0) ? 1 : 0));
    case 'agg_logical_or':
      return aggregate(command, replies, (ns) => (ns.some((n) => n !== 0) ? 1 : 0));
    case 'special':
      return special(command, replies);
    case 'any_one':
      return anyOne(command, replies);
    default:
      return concat(command, replies);
  }
}

/**
 * Numbers combine as they are; arrays of numbers (SCRIPT EXISTS: one 0/1 per digest) combine
 * element by element, as the response_policy tips describe.
 */
function aggregate(command: string, replies: readonly unknown[], fn: (ns: number[]) => number): unknown {
  if (replies.length > 0 && replies.every(Array.isArray)) {
    const arrays = replies as unknown[][];
    const length = (arrays[0] as unknown[]).length;
    if (arrays.some((a) => a.length !== length))
      throw new ClusterResponseError(`replies of ${command} from different nodes differ in length`, {
        command,
      });
    return Array.from({ length }, (_, i) =>
      fn(
        numbers(
          command,
          arrays.map((a) => a[i]),
        ),
      ),
    );
  }
  return fn(numbers(command, replies));
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
  if (
    replies.every(
      (r) =>
        r !== null &&
        typeof r === 'object' &&
        !Array.isArray(r) &&
        !(r instanceof Uint8Array) &&
        !(r instanceof RedisError),
    )
  ) {
    return Object.assign(Object.create(null) as object, ...(replies as object[]));
  }
  return special(command, replies);
}

/** Arrays (SLOWLOG GET) concatenate; otherwise a non-null reply picked at random (null if none). */
function anyOne(command: string, replies: readonly unknown[]): unknown {
  if (replies.every(Array.isArray)) return concat(command, replies);
  const some = replies.filter((r) => r !== null && r !== undefined);
  return some.length === 0 ? null : some[Math.floor(Math.random() * some.length)];
}

/** Replies the client cannot combine by rule: fine when they agree, an error when they differ. */
function special(command: string, replies: readonly unknown[]): unknown {
  const first = replies[0];
  if (replies.every((r) => equalReplies(r, first))) return first;
  throw new ClusterResponseError(`replies of ${command} from different nodes differ and cannot be merged`, {
    command,
  });
}

/** Equal as replies: by value for bytes and arrays (every node's `[]` agrees), else identical. */
function equalReplies(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return equalBytes(a, b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => equalReplies(x, b[i]));
  return false;
}
