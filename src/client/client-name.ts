/**
 * CLIENT SETNAME on a client's shared connection is allowed (it is how users label a
 * connection in CLIENT LIST) and must survive reconnects: once the server accepted the
 * name, the connection's handshake sets it on every new socket.
 */
import type { Connection } from '../connection/connection.js';

const ascii = new TextDecoder();

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
  if (name.toLowerCase() !== 'client' || args.length !== 2) return sent;
  const sub = args[0];
  const subName = typeof sub === 'string' ? sub : sub instanceof Uint8Array ? ascii.decode(sub) : '';
  if (subName.toLowerCase() !== 'setname') return sent;
  const value = args[1];
  const clientName =
    typeof value === 'string' ? value : value instanceof Uint8Array ? ascii.decode(value) : String(value);
  return sent.then((reply) => {
    conn.state.clientName = clientName === '' ? undefined : clientName;
    return reply;
  });
}
