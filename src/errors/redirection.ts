/**
 * Parsing of `MOVED` / `ASK` redirection targets, shared by the reply mapping table and the
 * MovedError / AskError constructors (which parse their message when built from it alone).
 */

/** Where a MOVED or ASK redirection points. */
export interface RedirectionTarget {
  /** Hash slot, 0..16383. */
  slot: number;
  /**
   * Host to go to. `''` means "the host that sent the redirection" (the server replied
   * `MOVED 3999 :6380` because its endpoint type is `unknown-endpoint`); the cluster layer
   * substitutes the node it asked. `'?'` means the node's hostname is unknown
   * (`cluster-preferred-endpoint-type hostname` without one): refresh the slot map.
   */
  host: string;
  /** Port, 1..65535. */
  port: number;
}

/**
 * Parses the target of `MOVED slot endpoint:port` / `ASK slot endpoint:port`. The endpoint may
 * be an IPv4 address, a bare IPv6 address (split on the last colon), a hostname, `''` (same host
 * as the node that replied: `currentHost` is used when given, else `''` stays) or `'?'`
 * (unknown hostname). Returns undefined when malformed or out of range (slot 0..16383,
 * port 1..65535).
 */
export function parseRedirection(message: string, currentHost?: string): RedirectionTarget | undefined {
  const first = message.indexOf(' ');
  const second = first < 0 ? -1 : message.indexOf(' ', first + 1);
  if (second < 0) return undefined;
  const slot = parseDecimal(message, first + 1, second, 16383);
  const end = trimmedEnd(message);
  const colon = message.lastIndexOf(':', end - 1);
  if (slot < 0 || colon <= second) return undefined;
  const port = parseDecimal(message, colon + 1, end, 65535);
  if (port < 1) return undefined;
  let host = message.slice(second + 1, colon);
  if (host.includes(' ')) return undefined;
  if (host === '' && currentHost !== undefined) host = currentHost;
  return { slot, host, port };
}

/** Decimal digits in [start, end) as a number <= max, or -1. */
function parseDecimal(s: string, start: number, end: number, max: number): number {
  if (end <= start || end - start > 5) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n > max ? -1 : n;
}

/** Length of the message without trailing whitespace (a CRLF left by a careless caller). */
function trimmedEnd(s: string): number {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) <= 32) end--;
  return end;
}
