/**
 * Durability checks after writes: WAIT (replication) and WAITAOF (AOF fsync, Redis 7.2+).
 * Both only count the writes made on the connection they are sent on, so `fn` gets a dedicated
 * connection (`withConnection`) and the WAIT / WAITAOF follows on that same connection.
 *
 * WAITAOF on a server without it: before `fn` runs, the first call on a client probes with
 * `WAITAOF 0 0 0` (returns at once where it exists; remembered per client once it worked). An
 * unknown-command reply becomes CommandNotSupportedError, with the server's version from INFO,
 * and `fn` is not run: nothing is written that could not be made durable.
 */
import {
  CommandNotSupportedError,
  DataError,
  ErrorCodes,
  isUnknownCommand,
  PersistenceError,
  ReplicationError,
} from '../errors/index.js';
import { asText, type CommandRunner, type ConnectionLender } from './types.js';

/**
 * Runs `fn` on a dedicated connection, then `WAIT replicas timeout` on it. Resolves with what
 * `fn` resolved; rejects ReplicationError (`replicas`, `timeout`, `acknowledged`) when fewer
 * replicas acknowledged in `timeout` ms (0 = wait without limit). The writes are not undone.
 */
export function ensureReplication<C extends CommandRunner, T>(
  client: ConnectionLender<C>,
  replicas: number,
  timeout: number,
  fn: (conn: C) => Promise<T>,
): Promise<T> {
  try {
    checkCount('replicas', replicas, 'WAIT');
    checkCount('timeout', timeout, 'WAIT');
  } catch (e) {
    return Promise.reject(e);
  }
  return client.withConnection(async (conn) => {
    pinSocket(conn);
    const result = await fn(conn);
    const acknowledged = Number(await conn.call('WAIT', replicas, timeout));
    if (acknowledged < replicas) {
      throw new ReplicationError(
        `WAIT: ${acknowledged} of ${replicas} replicas acknowledged within ${timeout} ms`,
        {
          command: 'WAIT',
          replicas,
          timeout,
          acknowledged,
        },
      );
    }
    return result;
  });
}

/** Clients whose server answered WAITAOF before (no probe needed). */
const waitaofKnown = new WeakSet<object>();

/**
 * Runs `fn` on a dedicated connection, then `WAITAOF local replicas timeout` on it. Resolves
 * with what `fn` resolved; rejects PersistenceError (`local`, `replicas`, `timeout`,
 * `acknowledged`) when fewer fsyncs were confirmed, CommandNotSupportedError on servers
 * before 7.2 (without running `fn`).
 */
export function ensurePersistence<C extends CommandRunner, T>(
  client: ConnectionLender<C>,
  local: number,
  replicas: number,
  timeout: number,
  fn: (conn: C) => Promise<T>,
): Promise<T> {
  try {
    if (local !== 0 && local !== 1)
      throw new DataError('WAITAOF: local must be 0 or 1', { command: 'WAITAOF' });
    checkCount('replicas', replicas, 'WAITAOF');
    checkCount('timeout', timeout, 'WAITAOF');
  } catch (e) {
    return Promise.reject(e);
  }
  return client.withConnection(async (conn) => {
    if (!waitaofKnown.has(client)) {
      await waitaof(conn, 0, 0, 0);
      waitaofKnown.add(client);
    }
    pinSocket(conn);
    const result = await fn(conn);
    const [gotLocal, gotReplicas] = await waitaof(conn, local, replicas, timeout);
    if (gotLocal < local || gotReplicas < replicas) {
      throw new PersistenceError(
        `WAITAOF: ${gotLocal} of ${local} local and ${gotReplicas} of ${replicas} replica fsyncs acknowledged within ${timeout} ms`,
        { command: 'WAITAOF', local, replicas, timeout, acknowledged: [gotLocal, gotReplicas] },
      );
    }
    return result;
  });
}

/**
 * WAIT/WAITAOF count the writes of the socket they run on: one that replaced a lost socket has
 * none, and answers at once as if every replica had them. The lent connection then rejects instead.
 */
function pinSocket(conn: CommandRunner): void {
  (conn as { pinSocket?: () => void }).pinSocket?.();
}

async function waitaof(
  conn: CommandRunner,
  local: number,
  replicas: number,
  timeout: number,
): Promise<[number, number]> {
  let reply: unknown;
  try {
    reply = await conn.call('WAITAOF', local, replicas, timeout);
  } catch (e) {
    if (!isUnknownCommand(e)) throw e;
    const version = await serverVersion(conn);
    throw new CommandNotSupportedError(`WAITAOF needs Redis 7.2 or later; the server is ${version}`, {
      command: 'WAITAOF',
      currentVersion: version,
      cause: e,
    });
  }
  if (!Array.isArray(reply) || reply.length !== 2)
    throw new DataError('expected two numbers in the WAITAOF reply', {
      command: 'WAITAOF',
      code: ErrorCodes.UNEXPECTED_REPLY,
    });
  return [Number(reply[0]), Number(reply[1])];
}

/** `redis_version` from INFO server, or 'unknown' (INFO may be refused by ACLs). */
async function serverVersion(conn: CommandRunner): Promise<string> {
  try {
    const info = asText(await conn.call('INFO', 'server'));
    const match = /^redis_version:(\S+)/m.exec(info);
    return match?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function checkCount(option: string, value: number, command: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new DataError(`${command}: ${option} must be an integer >= 0`, { command });
  }
}
