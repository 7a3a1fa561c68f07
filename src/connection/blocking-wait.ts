/**
 * How long a blocking command waits on the server by its own arguments (BLPOP's last argument in
 * seconds, XREAD's BLOCK in ms, WAIT's last in ms …). The queue gives such a command that long plus
 * commandTimeout for its reply: past that, the server has not kept its own deadline (it is frozen,
 * or the socket is half-open), which commandTimeout is there to detect. Undefined when the command
 * waits for ever (a timeout of 0) or is not one of these (a module's blocking command): no limit.
 */

const utf8 = new TextDecoder();

/** Where a command's timeout argument sits, and its unit. */
interface Rule {
  /** Index from the end (negative) or the start of the arguments; -1 = last. */
  readonly at: number;
  readonly ms: number;
}

const LAST_SECONDS: Rule = { at: -1, ms: 1000 };
const FIRST_SECONDS: Rule = { at: 0, ms: 1000 };
const LAST_MS: Rule = { at: -1, ms: 1 };

const RULES: ReadonlyMap<string, Rule> = new Map([
  ['BLPOP', LAST_SECONDS],
  ['BRPOP', LAST_SECONDS],
  ['BRPOPLPUSH', LAST_SECONDS],
  ['BLMOVE', LAST_SECONDS],
  ['BZPOPMIN', LAST_SECONDS],
  ['BZPOPMAX', LAST_SECONDS],
  ['BLMPOP', FIRST_SECONDS],
  ['BZMPOP', FIRST_SECONDS],
  ['WAIT', LAST_MS],
  ['WAITAOF', LAST_MS],
]);

/** The argument as text (numbers, strings and bytes; anything else is no timeout). */
function text(a: unknown): string | undefined {
  if (typeof a === 'string') return a;
  if (typeof a === 'number' || typeof a === 'bigint') return String(a);
  if (a instanceof Uint8Array) return utf8.decode(a);
  return undefined;
}

/** Milliseconds from a timeout argument in `unit` ms; undefined for 0 (for ever) or what the server refuses. */
function toMs(a: unknown, unit: number): number | undefined {
  const t = text(a);
  if (t === undefined || t.trim() === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return Math.ceil(n * unit);
}

/** XREAD [COUNT n] [BLOCK ms] STREAMS …, XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS …. */
function blockOption(args: readonly unknown[], from: number): number | undefined {
  for (let i = from; i < args.length - 1; i++) {
    const t = text(args[i])?.toUpperCase();
    if (t === 'STREAMS') return undefined;
    if (t === 'BLOCK') return toMs(args[i + 1], 1);
  }
  return undefined;
}

/** The ms `name` with `args` may wait on the server by its own timeout; undefined: for ever, or unknown. */
export function blockingWait(name: string, args: readonly unknown[]): number | undefined {
  const upper = name.toUpperCase();
  if (upper === 'XREAD') return blockOption(args, 0);
  if (upper === 'XREADGROUP') return blockOption(args, 3);
  const rule = RULES.get(upper);
  if (rule === undefined || args.length === 0) return undefined;
  return toMs(args[rule.at < 0 ? args.length + rule.at : rule.at], rule.ms);
}
