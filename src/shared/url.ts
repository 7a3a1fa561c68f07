/**
 * Connection URLs: `redis://[user[:password]@]host[:port][/db]`, `rediss://` for
 * TLS, `unix:///path/to.sock?db=1&password=…`, and `redis+unix://` alike.
 * Percent-escapes in the user and password are decoded.
 */
import { DataError } from '../errors/index.js';

export interface UrlOptions {
  host?: string;
  port?: number;
  path?: string;
  username?: string;
  password?: string;
  db?: number;
  tls?: boolean;
  protocol?: 2 | 3;
  clientName?: string;
}

export function parseRedisUrl(input: string): UrlOptions {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new DataError('invalid connection URL');
  }
  const out: UrlOptions = {};
  const scheme = url.protocol;
  if (scheme === 'unix:' || scheme === 'redis+unix:' || scheme === 'redis-socket:') {
    out.path = decodeURIComponent(url.pathname);
  } else if (scheme === 'redis:' || scheme === 'rediss:' || scheme === 'valkey:' || scheme === 'valkeys:') {
    if (url.hostname) out.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (url.port) out.port = parsePort(url.port);
    if (scheme === 'rediss:' || scheme === 'valkeys:') out.tls = true;
    const dbPath = url.pathname.replace(/^\//, '');
    if (dbPath) out.db = parseDb(dbPath);
  } else {
    throw new DataError(`unsupported URL scheme ${JSON.stringify(scheme)}`);
  }
  if (url.username) out.username = unescaped(url.username, 'user name');
  if (url.password) out.password = unescaped(url.password, 'password');
  const q = url.searchParams;
  const db = q.get('db');
  if (db !== null) out.db = parseDb(db);
  const password = q.get('password');
  if (password !== null) out.password = password;
  const username = q.get('username') ?? q.get('user');
  if (username !== null) out.username = username;
  const protocol = q.get('protocol');
  if (protocol === '2' || protocol === '3') out.protocol = Number(protocol) as 2 | 3;
  // Refused like `protocol: 4` in the options: ignored, a typo (`?protocol=resp2`) silently meant RESP3.
  else if (protocol !== null) throw new DataError('the protocol in the URL must be 2 or 3');
  const name = q.get('clientName') ?? q.get('name');
  if (name !== null) out.clientName = name;
  // Other parameters are not read. TLS asked for this way (as some clients take it) would
  // silently stay plaintext, password included: refused, pointing to the scheme that does it.
  if (out.tls !== true && (q.has('tls') || q.has('ssl')))
    throw new DataError(
      'TLS is turned on by the rediss:// scheme (or the tls option); ?tls and ?ssl are not read',
    );
  return out;
}

/** A percent-decoded user name or password; a bad escape (`%zz`) is a DataError that does not show it. */
function unescaped(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new DataError(`the ${what} in the URL has a malformed percent-escape`);
  }
}

/**
 * A TCP port a client can dial. 0 is none (given to a dial it fails only at the first connect,
 * with a socket error); options, URLs, cluster seeds and sentinel entries all check with this.
 */
export function isPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** WHATWG URL already refuses a port that is not digits or is above 65535; it keeps `:0`. */
function parsePort(s: string): number {
  const n = Number(s);
  if (!isPort(n)) throw new DataError('the port in the URL must be an integer from 1 to 65535');
  return n;
}

/** Plain digits only: Number() also read '0x2' (db 2), '1e1' (db 10) and an empty `?db=` (db 0). */
function parseDb(s: string): number {
  const n = /^\d{1,9}$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n)) throw new DataError('the database in the URL must be a non-negative integer');
  return n;
}
