/**
 * What to do when a cluster command fails, decided in one place for single commands, split
 * commands, pipelines, transactions and pub/sub placement:
 *
 * | failure                                   | action                                        |
 * |-------------------------------------------|-----------------------------------------------|
 * | MOVED                                     | follow: update the slot, retry on the owner   |
 * | ASK                                       | ask: ASKING + the command on that node, once  |
 * | MOVED / ASK that the server cannot have   | give up: the caller gets it as is (a script's |
 * |   sent: another slot, the node itself, or |   `redis.error_reply`; the command ran)       |
 * |   any to a keyless script (EVAL … 0)      |                                               |
 * | MOVED naming the node itself, to a        | refresh once and retry; again: give up with   |
 * |   command that runs no user code          |   ClusterRoutingError (a wrong address)       |
 * | script: node B sends it back to node A    | give up: the caller gets A's reply as is      |
 * |   that had just sent it to B              |   (A's script made it up; see PingPong)       |
 * | TRYAGAIN, LOADING                         | wait: back off, retry where the map says      |
 * |   UNBLOCKED of XREADGROUP, stream deleted | (a slot migration's MIGRATE deletes it)       |
 * | CLUSTERDOWN, MASTERDOWN, READONLY, and    | refresh: back off, re-read the map, retry     |
 * |   UNBLOCKED of a primary turned replica   |                                               |
 * | connection lost (read-only command)       | refresh                                       |
 * | connection not set up: refused, unreach-  | refresh (the command was never written, so a  |
 * |   able, DNS, TLS, connect timeout, lost   |   write goes again too)                       |
 * |   during the handshake                    |                                               |
 * | slot not in the map                       | refresh once, then give up                    |
 * | connection lost (any other command)       | give up (it may have run), refresh in passing |
 * | anything else                             | give up                                       |
 *
 * Every retry draws on one budget per command (`maxRedirections`); when it is spent the command
 * rejects with ClusterDownError (the cluster stayed down) or ClusterError, `cause` the last error.
 * Node connections never retry these themselves (the cluster gives them a retry policy of zero
 * retries), so one failure is never retried at two levels.
 */
import { redirectChannel } from '../diagnostics.js';
import { isScriptErrorReply, runsUserCode } from '../errors/server-errors.js';
import { debug, debugging } from '../debug-log.js';
import {
  AskError,
  BusyLoadingError,
  ClusterDownError,
  ClusterError,
  ClusterRoutingError,
  ConnectionError,
  ErrorCodes,
  MovedError,
  ReadOnlyError,
  ResponseError,
  TimeoutError,
  TryAgainError,
  isUnblockedByDeletedStream,
  isUnblockedByFailover,
} from '../errors/index.js';
import type { AddressResolver, NodeAddress } from './slot-map.js';

export type RedirectAction =
  | { readonly kind: 'follow'; readonly slot: number; readonly to: NodeAddress }
  | { readonly kind: 'ask'; readonly to: NodeAddress }
  | { readonly kind: 'wait' }
  | { readonly kind: 'refresh' }
  | { readonly kind: 'fail'; readonly refresh: boolean };

/** Client-side code of the error a command rejects with when its budget is spent. */
export const REDIRECTIONS_SPENT = ErrorCodes.CLUSTER_REDIRECTIONS;

/**
 * Codes of a ConnectionError a command gets when the connection to its node could not be set up
 * (the connection layer's connect failures, and the executor's refusal to send to a node known to
 * be down): the command waited unwritten and never reached a socket, so it may go anywhere, reads
 * and writes alike. This holds because node connections retry nothing (`retries: 0`): a command
 * is never put back in line after a socket it was written to died, so every command still waiting
 * when a connect attempt fails is one that was never written. A command that was written and then
 * lost its socket gets CONNECTION_LOST; one whose reply timed out, COMMAND_TIMEOUT.
 */
const NOT_SENT: ReadonlySet<string> = new Set([
  ErrorCodes.CONNECTION_REFUSED,
  ErrorCodes.CONNECTION_FAILED,
  ErrorCodes.DNS,
  ErrorCodes.TLS,
  ErrorCodes.CONNECT_TIMEOUT,
  ErrorCodes.HANDSHAKE_FAILED,
]);

const FAIL: RedirectAction = { kind: 'fail', refresh: false };
const FAIL_REFRESH: RedirectAction = { kind: 'fail', refresh: true };
const WAIT: RedirectAction = { kind: 'wait' };
const REFRESH: RedirectAction = { kind: 'refresh' };

/**
 * Classifies one failure. `safe`: the command may run twice (read-only, or nothing of it can have
 * run). `resolve` turns the address in a MOVED/ASK into the one to connect to ('' = the host of
 * the node that replied; natMap applied).
 */
export function classify(error: unknown, safe: boolean, resolve: AddressResolver): RedirectAction {
  if (error instanceof MovedError)
    return { kind: 'follow', slot: error.slot, to: resolve(error.host, error.port) };
  if (error instanceof AskError) return { kind: 'ask', to: resolve(error.host, error.port) };
  // Replies that prove the command did not run.
  if (error instanceof TryAgainError || error instanceof BusyLoadingError) return WAIT;
  if (error instanceof ClusterDownError || error instanceof ReadOnlyError) return REFRESH;
  // A blocking command whose primary turned replica (a failover) is ended unrun with this reply,
  // the blocking command's READONLY. UNBLOCKED from CLIENT UNBLOCK … ERROR is someone's wish to end it.
  if (isUnblockedByFailover(error)) return REFRESH;
  // XREADGROUP ended because its stream was deleted: MIGRATE deletes it from the source of a slot
  // migration (the stream and its groups live on at the importing node), so it goes again where the
  // map says: the source answers ASK. A stream really deleted then gets NOGROUP, which fails.
  if (isUnblockedByDeletedStream(error)) return WAIT;
  if (error instanceof ResponseError && error.code === 'MASTERDOWN') return REFRESH;
  if (error instanceof ClusterRoutingError) return REFRESH;
  if (error instanceof ConnectionError) {
    // Never written (the node could not be reached): the map may name another owner by now.
    if (NOT_SENT.has(error.code)) return REFRESH;
    // The reply timed out: the command may have run, and the node may be merely slow.
    if (error instanceof TimeoutError) return FAIL;
    // Lost before the reply: only a command that may run twice goes again (its outcome is unknown).
    return safe ? REFRESH : FAIL_REFRESH;
  }
  return FAIL;
}

/** What the redirection loop needs from the cluster. */
export interface RedirectHost {
  readonly maxRedirections: number;
  /** Backoff in ms before the retry after `failures` failures. */
  delay(failures: number): number;
  /** A resolver for addresses named by `from`'s replies. */
  resolver(from: NodeAddress): AddressResolver;
  /** MOVED: points the slot at `to` now and refreshes the whole map in the background. */
  moved(slot: number, to: NodeAddress): void;
  /** Re-reads the slot map (single-flight); `reason` is what the refresh event reports. */
  refresh(reason?: string): Promise<void>;
  /** Pauses `ms`; cut short when the client closes. */
  sleep(ms: number): Promise<void>;
}

/** One attempt: where it is asked to go after ASK, and where it went (set by the attempt). */
export interface Attempt {
  /** 0 for the first. */
  readonly number: number;
  /** Set after ASK: send ASKING and the command to this node. */
  readonly asking: NodeAddress | undefined;
  /** The failure of the previous attempt. */
  readonly previous: unknown;
  /** The node this attempt was sent to; set by the attempt before it sends. */
  node: NodeAddress | undefined;
  /**
   * Set with `node` when `node` is a replica (a read under `readFrom`): the primary of its shard.
   * A replica serves its primary's slots, so where it sends the command is where that primary
   * sent it (see PingPong).
   */
  primary: NodeAddress | undefined;
}

/**
 * True when a MOVED or ASK reply cannot be a redirection by the server, so it must not be followed:
 * it names a slot other than `slot`, the one the command's keys hash to (-1: the client knows no
 * slot for it, and this test is skipped), or it points at `from`, the node that answered, itself
 * (`resolve` maps its address as for following it: natMap, no host = `from`'s host), or the
 * command is a keyless script (`script`, slot -1: EVAL … 0 runs on whichever node gets it, so no
 * server redirects it; followed, it named another real node, which ran the script again).
 *
 * A server sends MOVED / ASK before running a command, and only for the slot of the command's
 * keys when that slot is served elsewhere. Any other MOVED / ASK is a reply the command made
 * itself (`return redis.error_reply('MOVED 1234 127.0.0.1:7001')` in EVAL or FCALL): the command
 * ran, side effects and all, and following it would run it again, once per redirection allowed.
 * A made-up reply naming the command's own slot and another node cannot be told from a real one.
 */
export function isForgedRedirect(
  error: unknown,
  slot: number,
  from: NodeAddress | undefined,
  resolve: AddressResolver,
  script: boolean,
): boolean {
  if (!isRedirect(error)) return false;
  if (slot < 0 && script) return true;
  if (from === undefined) return false;
  if (slot >= 0 && error.slot !== slot) return true;
  return resolve(error.host, error.port).key === from.key;
}

/**
 * Where each node sent one script command (EVAL, FCALL …) within its redirection loop, to catch a
 * script's made-up MOVED / ASK that names the command's own slot and another real node (which
 * isForgedRedirect cannot tell from a real one): that node, not owning the slot, sends the
 * command back with a real MOVED, and following that would run the script again, once per two
 * redirections (about 9 times in a budget of 16). Two nodes each sending the command to the
 * other is what a made-up reply gives, so the first one's reply is taken for the script's: the
 * caller gets it as is, and the script has run once. A real pair of such replies (two nodes that
 * disagree for a moment during a failover) also ends the command then, with the MOVED; the
 * script did not run, as with any MOVED.
 *
 * A replica that ran the script (EVAL_RO, FCALL_RO under `readFrom`) counts as its primary: the
 * node named sends the command back to that primary, not to the replica, so keyed by the
 * replica the bounce went unseen, the primary ran the script a second time, and the caller got
 * the other node's real MOVED. A replica's own MOVED names its primary (a read it will not
 * serve: FCALL_RO of a function without `no-writes`) and is followed as before.
 */
class PingPong {
  /** Per node's key: where it sent the command, and the reply that sent it. */
  private readonly sent = new Map<string, { to: string; reply: unknown }>();

  /**
   * Notes that `from` sent the command to `to` with `reply`; returns the earlier reply of `to`
   * when `to` had sent it to `from` (the reply to give the caller), else undefined.
   */
  bounce(from: NodeAddress, to: NodeAddress, reply: unknown): unknown {
    const back = this.sent.get(to.key);
    if (back !== undefined && back.to === from.key) return back.reply;
    this.sent.set(from.key, { to: to.key, reply });
    return undefined;
  }
}

/** Errors an attempt decided to end with, before sending: the caller gets them as they are. */
export const keepAsIs = new WeakSet<object>();

/**
 * Runs `attempt` until it succeeds, a failure is not worth another attempt (rethrown as is), or
 * the budget is spent (ClusterError / ClusterDownError with the last failure as `cause`).
 * `command` is the name as the caller spelt it: upper-cased only where it is reported (the debug
 * line, the budget error), so a command that succeeds at once never pays for that. `slot` is the
 * slot the command's keys hash to, -1 when it has none (see isForgedRedirect).
 */
export async function withRedirections<T>(
  host: RedirectHost,
  command: string,
  safe: boolean,
  slot: number,
  attempt: (a: Attempt) => Promise<T>,
): Promise<T> {
  const max = host.maxRedirections;
  let asking: NodeAddress | undefined;
  let last: unknown;
  let routingRefreshed = false;
  let selfMoved = false;
  // Only for scripts: any other command's MOVED / ASK is the server's (see PingPong).
  let pingPong: PingPong | undefined;
  for (let n = 0; n <= max; n++) {
    const a: Attempt = { number: n, asking, previous: last, node: undefined, primary: undefined };
    asking = undefined;
    try {
      return await attempt(a);
    } catch (e) {
      // Decided before the attempt was sent (a pipeline's command overtaken: see executor.ts).
      if (typeof e === 'object' && e !== null && keepAsIs.has(e)) throw e;
      last = e;
      // A script's own error reply with a refusal's code: it ran, so it is the caller's answer.
      if (isScriptErrorReply(e, command)) throw e;
      const resolve = a.node === undefined ? sameHost('') : host.resolver(a.node);
      // Asked only of a MOVED / ASK: upper-casing the name is no cost of other failures.
      const script = isRedirect(e) && runsUserCode(command);
      if (!script && e instanceof MovedError && isSelfRedirect(e, slot, a.node, resolve)) {
        // A MOVED naming the node that answered, to a command that runs no user code (so no script
        // made it up; the command did not run): the map or the node's address is wrong (a node
        // announcing another's address, natMap sending two nodes' addresses to one). Returned as
        // is, the map was never read again and every command of the slot got the same reply.
        if (selfMoved) throw selfRedirected(command, e, a.node as NodeAddress);
        selfMoved = true;
        await host.refresh('MOVED').catch(noop);
        continue;
      }
      // A MOVED / ASK no server would send: the command's own reply, so it ran (and is not resent).
      if (isForgedRedirect(e, slot, a.node, resolve, script)) throw e;
      const action = classify(e, safe, resolve);
      if ((action.kind === 'follow' || action.kind === 'ask') && a.node !== undefined && script) {
        const first = (pingPong ??= new PingPong()).bounce(a.primary ?? a.node, action.to, e);
        if (first !== undefined) throw first;
      }
      switch (action.kind) {
        case 'follow':
          if (redirectChannel.hasSubscribers || debugging) announce('MOVED', e, a.node, action.to, command);
          if (action.slot >= 0) host.moved(action.slot, action.to);
          else host.refresh('MOVED').catch(noop);
          break;
        case 'ask':
          if (redirectChannel.hasSubscribers || debugging) announce('ASK', e, a.node, action.to, command);
          asking = action.to;
          break;
        case 'wait':
          await host.sleep(host.delay(n + 1));
          break;
        case 'refresh':
          if (e instanceof ClusterRoutingError) {
            // The map has no owner for the slot: read it again once, then believe it.
            if (routingRefreshed) throw e;
            routingRefreshed = true;
            await host.refresh(e.name).catch(noop);
            break;
          }
          await host.sleep(host.delay(n + 1));
          await host.refresh((e as Error).name).catch(noop);
          break;
        case 'fail':
          if (action.refresh) host.refresh((e as Error).name).catch(noop);
          throw e;
      }
    }
  }
  throw budgetSpent(command.toUpperCase(), max, last);
}

/** A MOVED for the command's slot (-1: any) naming `from`, the node that answered, itself. */
function isSelfRedirect(
  error: MovedError,
  slot: number,
  from: NodeAddress | undefined,
  resolve: AddressResolver,
): boolean {
  if (from === undefined || (slot >= 0 && error.slot !== slot)) return false;
  return resolve(error.host, error.port).key === from.key;
}

/** The error of a command whose node kept redirecting it to itself after the map was read again. */
function selfRedirected(command: string, last: MovedError, node: NodeAddress): ClusterRoutingError {
  const name = command.toUpperCase();
  return new ClusterRoutingError(
    `${name}: ${node.key} redirects slot ${last.slot} to itself, also after the slot map was read again`,
    { cause: last, command: name },
  );
}

/** The error of a command whose redirections and retries are spent. */
export function budgetSpent(command: string, max: number, last: unknown): Error {
  if (last instanceof ClusterRoutingError) return last;
  if (last instanceof ClusterDownError)
    return new ClusterDownError(`${command}: the cluster stayed down through ${max} retries`, {
      cause: last,
      command,
      code: REDIRECTIONS_SPENT,
    });
  return new ClusterError(`${command}: redirection budget (${max}) spent`, {
    cause: last,
    command,
    code: REDIRECTIONS_SPENT,
  });
}

/** A redirect the lent connection (`withConnection`) or a transaction may not follow. */
export function isRedirect(error: unknown): error is MovedError | AskError {
  return error instanceof MovedError || error instanceof AskError;
}

function sameHost(host: string): AddressResolver {
  return (h, port) => ({ host: h === '' ? host : h, port, key: `${h === '' ? host : h}:${port}` });
}

const noop = (): void => undefined;

/** `wredis:cluster:redirect` and its debug line (only on the redirection path). */
function announce(
  kind: 'MOVED' | 'ASK',
  error: unknown,
  from: NodeAddress | undefined,
  to: NodeAddress,
  command: string,
): void {
  const slot = (error as { slot?: number }).slot ?? -1;
  const message = { kind, slot, from: from?.key ?? '', to: to.key };
  if (redirectChannel.hasSubscribers) redirectChannel.publish(message);
  if (debugging)
    debug('%s %s: slot %d %s -> %s', command.toUpperCase(), kind, slot, message.from, message.to);
}
