/**
 * `monitor()`: a dedicated connection in MONITOR mode. The server streams one line per command
 * it runs (`1339518083.107412 [0 127.0.0.1:60866] "SET" "k" "v"`); each is parsed into
 * `{ time, db, source, args }` for the listener. The shared connection never enters MONITOR
 * (`call('MONITOR')` is refused there).
 */
import { Connection, type ConnectionConfig } from '../connection/connection.js';
import { ConnectionError, DataError, ErrorCodes } from '../errors/index.js';

/** One command the server ran, as MONITOR reports it. */
export interface MonitorEvent {
  /** Unix time in seconds, with microseconds as the fraction. */
  time: number;
  /** Database the command ran in. */
  db: number;
  /** Who sent it: `127.0.0.1:60866`, `unix:/path`, `lua`, … */
  source: string;
  /**
   * The command and its arguments, the server's escapes decoded: text (valid UTF-8) as the text
   * that was sent, anything else one char per byte (`\xff` -> `'\u00ff'`, recoverable with
   * `Buffer.from(arg, 'latin1')`).
   */
  args: string[];
}

/** What `monitor()` resolves with. */
export interface Monitor {
  /** Ends MONITOR mode: closes the dedicated connection. */
  stop(): Promise<void>;
}

/**
 * Opens a connection with `config`, sends MONITOR, and calls `listener` for every line until
 * `stop()`. The connection does not reconnect: MONITOR mode is not restored on a new socket, so
 * after a connection loss no more events arrive; the loss goes to `lost` (the returned object's
 * `stop()` still resolves).
 */
export async function startMonitor(
  config: ConnectionConfig,
  listener: (event: MonitorEvent) => void,
  /** The owning client's monitor connections, dropped by its `close()` / `disconnect()`. */
  owned?: Set<{ disconnect(): void }>,
  /** Told once when the connection is lost after MONITOR was on (not after `stop()` or the client's end). */
  lost?: (error: ConnectionError) => void,
): Promise<Monitor> {
  if (typeof listener !== 'function') throw new DataError('monitor(listener): listener must be a function');
  const conn = new Connection({ ...config, maxReconnectAttempts: 0, pingInterval: 0 });
  conn.on('error', () => undefined);
  let stopped = false;
  const handle = {
    disconnect: () => {
      stopped = true;
      conn.disconnect();
    },
  };
  owned?.add(handle);
  conn.on('end', () => owned?.delete(handle));
  conn.routePubSub({
    monitor: (line) => {
      // Lines already read when stop() was called are dropped: nothing reaches the listener after it.
      if (stopped) return;
      const event = parseMonitorLine(line);
      if (event !== undefined) listener(event);
    },
  });
  let on = false;
  conn.on('close', (cause) => {
    // Events stop for good here; silent, the caller could not tell it from a server with nothing
    // to run. A loss before MONITOR was on rejects monitor() instead.
    if (!on || stopped) return;
    stopped = true;
    lost?.(
      new ConnectionError('The MONITOR connection was lost: no more events arrive', {
        cause,
        code: ErrorCodes.CONNECTION_LOST,
      }),
    );
  });
  try {
    await conn.connect();
    await conn.send('MONITOR', [], { blocking: true });
    on = true;
  } catch (e) {
    conn.disconnect();
    throw e;
  }
  return {
    stop: () => {
      handle.disconnect();
      return Promise.resolve();
    },
  };
}

/** Parses one MONITOR line; undefined when it is not one. */
export function parseMonitorLine(line: string): MonitorEvent | undefined {
  const space = line.indexOf(' ');
  const close = line.indexOf('] ', space);
  if (space < 0 || line.charCodeAt(space + 1) !== 91 /* [ */) return undefined;
  const time = Number(line.slice(0, space));
  const inner = close < 0 ? line.slice(space + 2, line.length - 1) : line.slice(space + 2, close);
  const dbEnd = inner.indexOf(' ');
  const db = Number(dbEnd < 0 ? inner : inner.slice(0, dbEnd));
  if (!Number.isFinite(time) || !Number.isInteger(db)) return undefined;
  const source = dbEnd < 0 ? '' : inner.slice(dbEnd + 1);
  return { time, db, source, args: close < 0 ? [] : quotedArgs(line, close + 2) };
}

/** The `"…"` arguments from `at` on, with the escapes of the server's `sdscatrepr`. */
function quotedArgs(line: string, at: number): string[] {
  const args: string[] = [];
  let i = at;
  while (i < line.length) {
    if (line[i] !== '"') {
      i++;
      continue;
    }
    let out = '';
    i++;
    while (i < line.length && line[i] !== '"') {
      const c = line[i] as string;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const n = line[i + 1];
      if (n === 'x') {
        out += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      out += ESCAPES[n as string] ?? n ?? '';
      i += 2;
    }
    args.push(utf8Text(out));
    i++;
  }
  return args;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The server escapes every byte above 0x7f (`"h\xc3\xa9"`), so text other than ASCII arrives as
 * one char per byte: read back as UTF-8 it is what the sender wrote (what `get` of the same value
 * gives). Bytes that are no UTF-8 (binary values) stay one char per byte, so nothing is lost.
 */
function utf8Text(bytes: string): string {
  let high = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c > 0xff) return bytes;
    if (c > 0x7f) high = true;
  }
  if (!high) return bytes;
  const raw = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) raw[i] = bytes.charCodeAt(i);
  try {
    return strictUtf8.decode(raw);
  } catch {
    return bytes;
  }
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  a: '\x07',
  b: '\b',
  '\\': '\\',
  '"': '"',
};
