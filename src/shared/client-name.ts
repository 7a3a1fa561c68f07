/**
 * CLIENT SETNAME on a client's shared connection is allowed (it is how users label a
 * connection in CLIENT LIST) and must survive reconnects: once the server accepted the
 * name, the connection's handshake sets it on every new socket. This holds whichever way
 * it was sent there: a method, `call()`, a `withOptions()` view, a pipeline or a transaction.
 */
import type { BatchCommand, Connection } from '../connection/connection.js';

const ascii = new TextDecoder();

/** The name a `CLIENT SETNAME name` command sets ('' clears it), else undefined. */
export function clientSetName(name: string, args: readonly unknown[]): string | undefined {
  if (name.length !== 6 || args.length !== 2 || name.toLowerCase() !== 'client') return undefined;
  const sub = args[0];
  const subName = typeof sub === 'string' ? sub : sub instanceof Uint8Array ? ascii.decode(sub) : '';
  if (subName.toLowerCase() !== 'setname') return undefined;
  const value = args[1];
  return typeof value === 'string'
    ? value
    : value instanceof Uint8Array
      ? ascii.decode(value)
      : String(value);
}

/** Records an accepted name in the connection's state (re-applied by every handshake). */
export function record(conn: Connection, clientName: string): void {
  conn.state.clientName = clientName === '' ? undefined : clientName;
}

/**
 * Passes `sent` through; when `name args…` is CLIENT SETNAME and the server accepted it,
 * records it in the connection's state, which every handshake re-applies (an empty name
 * clears it, as on the server).
 */
export function rememberClientName(
  conn: Connection,
  name: string,
  args: readonly unknown[],
  sent: Promise<unknown>,
): Promise<unknown> {
  const clientName = clientSetName(name, args);
  if (clientName === undefined) return sent;
  return sent.then((reply) => {
    record(conn, clientName);
    return reply;
  });
}

/**
 * The same for a MULTI … EXEC block (`block[0]` MULTI, the last EXEC): a CLIENT SETNAME in it
 * counts once EXEC's reply holds OK at its position (a discarded or aborted block sets nothing).
 */
export function rememberClientNamesInBlock(
  conn: Connection,
  block: readonly BatchCommand[],
  sent: ReadonlyArray<Promise<unknown>>,
): void {
  const names: Array<[number, string]> = [];
  for (let i = 1; i < block.length - 1; i++) {
    const c = block[i] as BatchCommand;
    const n = clientSetName(c.name, c.args);
    if (n !== undefined) names.push([i - 1, n]);
  }
  const exec = sent[sent.length - 1];
  if (names.length === 0 || exec === undefined) return;
  exec.then(
    (results) => {
      if (!Array.isArray(results)) return;
      for (const [at, n] of names) if (results[at] === 'OK') record(conn, n);
    },
    // The transaction's caller gets EXEC's rejection; nothing was set.
    () => undefined,
  );
}
