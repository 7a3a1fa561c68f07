/**
 * The set-up of a fresh socket: HELLO (falling back to RESP2 where the server has no HELLO),
 * AUTH, CLIENT SETNAME, SELECT, READONLY, CLIENT TRACKING, then the subscriptions. Errors a
 * reconnect will not fix (wrong or missing credentials, missing permissions, a db the server
 * does not have, a name it refuses) keep their typed class and are marked permanent, so the
 * connection rejects commands with them instead of a ConnectionError.
 */
import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  InvalidResponse,
  RedisError,
  ResponseError,
} from '../errors/index.js';
import type { ConnectionState, ReplayedCommand, ServerHello } from './state.js';

/** Credentials fetched at every connect (short-lived tokens). */
export interface Credentials {
  /** ACL user; the default user when absent. */
  username?: string;
  /** Password (or token); never logged. */
  password: string;
}

/** The `credentials` option: called at every connect for fresh credentials. */
export type CredentialsProvider = () => Promise<Credentials>;

export interface HandshakeConfig {
  protocol: 2 | 3;
  /** RESP3 was asked for explicitly: NOPERM on HELLO is a set-up error, not a reason to speak RESP2. */
  protocolRequired?: boolean | undefined;
  username: string | undefined;
  password: string | undefined;
  credentials?: CredentialsProvider | undefined;
}

/** How the handshake talks: commands written ahead of everything queued. */
export interface HandshakeIO {
  /** A set-up command; its reply (or error) settles the promise. */
  command(name: string, args: readonly unknown[]): Promise<unknown>;
  /**
   * A resubscription: holds its slot until confirmed; refusals are reported, not thrown. Settles
   * (never rejects) once it is confirmed, refused, or its socket is gone.
   */
  replay(command: ReplayedCommand): Promise<void>;
}

const permanent = new WeakSet<Error>();

/** True for a set-up error a reconnect will not fix (see the module comment). */
export function isPermanentSetupError(error: unknown): error is RedisError {
  return error instanceof Error && permanent.has(error);
}

/** Marks set-up refusals: credentials and permissions always, any error reply of SELECT / SETNAME / TRACKING. */
function classify(error: unknown, step: string): unknown {
  if (error instanceof AuthenticationError || error instanceof AuthorizationError) permanent.add(error);
  else if (error instanceof ResponseError && step !== 'HELLO') permanent.add(error);
  return error;
}

/** The username and password of this connect: the provider's, else the configured ones. */
export async function resolveCredentials(config: HandshakeConfig): Promise<Credentials | undefined> {
  if (config.credentials !== undefined) {
    let c: Credentials;
    try {
      c = await config.credentials();
    } catch (e) {
      throw new ConnectionError('The credentials provider failed', { cause: e });
    }
    // A bad shape is the provider's failure too: without this check it surfaced as a raw
    // TypeError (undefined/null) or as a DataError about AUTH's arguments (no password).
    // The message names no value: the object may hold a secret under another key.
    const got = c as Partial<Credentials> | null | undefined;
    if (typeof got !== 'object' || got === null || got.password === undefined || got.password === null)
      throw new ConnectionError(
        'The credentials provider returned no password (expected { username?, password })',
      );
    return c.username === undefined || (c.username as unknown) === null
      ? { password: c.password }
      : { username: c.username, password: c.password };
  }
  // A user name alone (`redis://app@host`, a `nopass` ACL user) still logs in as that user, with an
  // empty password as node-redis and ioredis send: dropping it ran everything as `default`.
  if (config.username !== undefined) return { username: config.username, password: config.password ?? '' };
  if (config.password === undefined) return undefined;
  return { password: config.password };
}

/** AUTH's arguments for `c`. */
export function authArgs(c: Credentials): unknown[] {
  return c.username !== undefined ? [c.username, c.password] : [c.password];
}

/** Runs the set-up; resolves with what the server said about itself. */
export async function handshake(
  io: HandshakeIO,
  config: HandshakeConfig,
  state: ConnectionState,
): Promise<ServerHello> {
  const creds = await resolveCredentials(config);
  let hello: ServerHello | undefined;
  if (config.protocol === 3) {
    const args: unknown[] = [3];
    if (creds !== undefined) args.push('AUTH', creds.username ?? 'default', creds.password);
    if (state.clientName !== undefined) args.push('SETNAME', state.clientName);
    try {
      // readHello's InvalidResponse (not a ResponseError) goes through the catch below unchanged.
      hello = readHello(await io.command('HELLO', args), 3);
    } catch (e) {
      // A credentials problem is real; any other refusal of HELLO (unknown command, NOPROTO,
      // an ACL without +hello) means "speak RESP2", unless the caller asked for RESP3 itself:
      // then an ACL refusal is a set-up error (RESP2 would silently change reply shapes and
      // push delivery they chose). A ConnectionError (lost socket, "max number of clients
      // reached") fails this attempt.
      if (e instanceof AuthenticationError) throw classify(e, 'HELLO');
      if (e instanceof AuthorizationError && config.protocolRequired === true) throw classify(e, 'HELLO');
      if (!(e instanceof ResponseError)) throw e;
      // Subscriptions live on this connection because it spoke RESP3, where their messages come
      // as pushes. Replayed over RESP2 (the server or its ACL no longer takes HELLO 3), messages
      // would be arrays taken for command replies: each reply handed to the next caller in line.
      if ((state.subscriptions?.().length ?? 0) > 0 && state.pushesOnly) {
        permanent.add(e);
        throw e;
      }
    }
  }
  const steps: Array<Promise<unknown>> = [];
  const step = (name: string, args: readonly unknown[], label = name): void => {
    steps.push(io.command(name, args).catch((e: unknown) => Promise.reject(classify(e, label))));
  };
  if (hello === undefined) {
    if (creds !== undefined) step('AUTH', authArgs(creds));
    if (state.clientName !== undefined) step('CLIENT', ['SETNAME', state.clientName], 'SETNAME');
  }
  if (state.db !== 0) step('SELECT', [state.db]);
  if (state.readOnly) step('READONLY', []);
  if (state.tracking !== undefined) step('CLIENT', ['TRACKING', ...state.tracking], 'TRACKING');
  if (steps.length > 0) {
    // Every step settles before the first failure is thrown, so none lingers on the socket.
    const results = await Promise.allSettled(steps);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
  // Awaited, within connectTimeout like the steps above: the connection is not ready until the
  // server answered them. A RESP2 set-up without AUTH, SELECT or a name has no other round trip,
  // so a frozen server (SIGSTOP, a paused VM: the kernel still accepts) passed for ready at once,
  // and the replayed SUBSCRIBE it never answered kept the idle PING (pingInterval) from ever
  // going out: the subscriber sat on the dead node, and a cluster never moved its shard channels.
  const replays = (state.subscriptions?.() ?? []).map((cmd) => io.replay(cmd));
  if (replays.length > 0) await Promise.all(replays);
  return hello ?? { protocol: 2, version: undefined, id: undefined };
}

/**
 * What the server said about itself. A reply that is not a map, or names another protocol, comes
 * from a server (or proxy) that does not speak what was asked: read as RESP3 its Pub/Sub messages
 * would be taken for command replies, so the set-up fails. Permanent: the same server answers a
 * reconnect the same way, and commands should not wait for it in the offline queue.
 */
function readHello(reply: unknown, protocol: 2 | 3): ServerHello {
  const isMap = typeof reply === 'object' && reply !== null && !Array.isArray(reply);
  const r = (isMap ? reply : {}) as Record<string, unknown>;
  const proto = isMap ? r.proto : helloField(reply, 'proto');
  if (!isMap || (proto !== undefined && proto !== protocol)) {
    const said = typeof proto === 'number' ? `protocol ${proto}` : 'a reply that is not a map';
    const error = new InvalidResponse(`The server answered HELLO ${protocol} with ${said}`);
    permanent.add(error);
    throw error;
  }
  return {
    protocol,
    version: typeof r.version === 'string' ? r.version : undefined,
    id: typeof r.id === 'number' ? r.id : undefined,
  };
}

/** A field of a HELLO reply sent as a RESP2 array (name, value, name, value, …). */
function helloField(reply: unknown, name: string): unknown {
  if (!Array.isArray(reply)) return undefined;
  for (let i = 0; i + 1 < reply.length; i += 2) if (reply[i] === name) return reply[i + 1];
  return undefined;
}
