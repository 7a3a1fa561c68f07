/**
 * A distributed lock on one key, redis-py's `Lock` semantics in milliseconds:
 * - acquire: `SET name token NX PX timeout`, retried every `sleep` ms; blocking by default,
 *   `blockingTimeout` bounds the wait (0 = one attempt), then LockError. `blocking: false` = one attempt.
 *   The bound holds when the server stops answering: an attempt still unanswered once
 *   `blockingTimeout` plus one `sleep` (at most `blockingTimeout` again) has passed, or when the
 *   signal aborts, is given up on (LockError, its cause a TimeoutError). Its SET, if not yet
 *   written (the client offline), is withdrawn; else its token is released in the background
 *   should the late SET have taken the lock.
 * - release / extend / reacquire: Lua scripts that act only if the key still holds this lock's
 *   token, so a lock that expired and was taken by someone else is never touched (LockError).
 * - token: 16 random bytes as hex (Web Crypto `getRandomValues`, on every runtime), or your own.
 * Not reentrant: acquiring a lock this object already holds waits like any other contender.
 */
import { ConnectionError, DataError, ErrorCodes, LockError, TimeoutError } from '../errors/index.js';
import { defineScript, evalScript } from './script.js';
import { asText, type CommandRunner, type RedisKey } from './types.js';
import { MAX_TIMER_MS } from '../util/timer.js';
import { checkSignal, watchGivenUp, type CallOptions } from '../shared/call-options.js';

/** Options of `r.lock(name, options)`. */
export interface LockOptions {
  /** Time to live of the lock key, ms. Absent: the key never expires (release it!). */
  timeout?: number;
  /** Longest wait in `acquire()`, ms; 0 = one attempt. Absent: wait as long as it takes. */
  blockingTimeout?: number;
  /** `false`: `acquire()` makes one attempt. Default true. */
  blocking?: boolean;
  /** Pause between attempts, ms. Default 100. */
  sleep?: number;
  /** The token to store (default: random). Share one to hand a lock over between processes. */
  token?: string;
}

/** Options of one `acquire()` call; they override the lock's own. */
export interface AcquireOptions {
  /** `false`: one attempt only. */
  blocking?: boolean;
  /** Longest wait in ms. */
  blockingTimeout?: number;
  /** The token to store instead of a random one. */
  token?: string;
  /**
   * Gives up waiting (LockError with the signal's reason as cause). The signal of a `withOptions()`
   * view the lock was made on does the same.
   */
  signal?: AbortSignal;
}

/** Options of `extend()`. */
export interface ExtendOptions {
  /** Set the TTL to `ms` instead of adding `ms` to what is left. */
  replaceTtl?: boolean;
}

const RELEASE = defineScript(`
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`);

// ARGV: token, ms, replace ("1": ms becomes the TTL; "0": ms is added to what is left).
// 0 when not held, -1 when the key has no TTL to extend, else 1.
const EXTEND = defineScript(`
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
local ttl = redis.call('pttl', KEYS[1])
if ttl < 0 then
  return -1
end
local ms = tonumber(ARGV[2])
if ARGV[3] == '0' then
  ms = ms + ttl
end
redis.call('pexpire', KEYS[1], ms)
return 1`);

// ARGV: token, ms. Resets the TTL to the lock's full timeout.
const REACQUIRE = defineScript(`
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1`);

const DEFAULT_SLEEP = 100;

/** A lock; obtained from `r.lock(name, options)`. Nothing is sent until a method is called. */
export class Lock {
  private heldToken: string | undefined;
  /** The token of an acquire attempt whose outcome is unknown: `release()` can still clear it. */
  private unsure: string | undefined;

  constructor(
    private readonly client: CommandRunner,
    /** The lock's key. */
    readonly name: RedisKey,
    private readonly options: LockOptions = {},
  ) {}

  /** The token this object holds the lock with, if it believes it holds it. */
  get token(): string | undefined {
    return this.heldToken;
  }

  /**
   * Takes the lock. Resolves `true` once held; rejects LockError when it could not be had in
   * time (`blockingTimeout`, or at once with `blocking: false`) or the wait was aborted.
   */
  async acquire(options?: AcquireOptions): Promise<true> {
    const timeout = this.options.timeout;
    const sleep = this.options.sleep ?? DEFAULT_SLEEP;
    const blocking = options?.blocking ?? this.options.blocking ?? true;
    const blockingTimeout = options?.blockingTimeout ?? this.options.blockingTimeout;
    checkMs('timeout', timeout, 1);
    checkMs('sleep', sleep, 0);
    checkMs('blockingTimeout', blockingTimeout, 0);
    checkSignal(options?.signal, 'acquire({ signal })');
    const token = options?.token ?? this.options.token ?? randomToken();
    // The view's signal too: the SET goes under the lock's own signal (attemptWithin), which would
    // otherwise replace it, and the wait then ignored the view's abort until blockingTimeout.
    const signal = eitherSignal(options?.signal, viewSignal(this.client));
    const args: unknown[] = timeout === undefined ? ['NX'] : ['NX', 'PX', timeout];
    const deadline = blockingTimeout === undefined ? Infinity : performance.now() + blockingTimeout;
    // When an attempt still unanswered is given up on. The last attempt is made at the deadline:
    // it gets one sleep (no more than blockingTimeout) to answer. 0 = one attempt, waited for as
    // any command is (the client's commandTimeout).
    const giveUpAt =
      blockingTimeout === undefined || blockingTimeout === 0
        ? Infinity
        : deadline + Math.min(sleep, blockingTimeout);
    for (;;) {
      if (signal?.aborted === true) throw abortedWait(signal);
      if (await this.attemptWithin(token, args, giveUpAt, signal)) {
        this.heldToken = token;
        this.unsure = undefined;
        return true;
      }
      const left = deadline - performance.now();
      if (!blocking || left <= 0)
        throw new LockError('Could not acquire the lock in time', { code: ErrorCodes.LOCK_TIMEOUT });
      // Never above the timer maximum: setTimeout would make 1 ms of it (a SET NX storm).
      await pause(Math.min(sleep, left, MAX_TIMER_MS), signal);
    }
  }

  /**
   * One attempt, given up on at `giveUpAt` or when `signal` aborts (a frozen server, the client
   * offline, or an answer lost and the reconnect that would let the key be read back not coming):
   * LockError. On a client with `withOptions()` the SET goes under a signal of its own, aborted on
   * giving up, so a SET not yet written (the client connecting or reconnecting, or the SET still in
   * this tick's write) is withdrawn and never runs. One already written goes on unseen; should it
   * turn out to have taken the lock (or its outcome stay unknown), its token is released then, so a
   * caller told "not acquired" is not left holding the lock. Until that release is answered,
   * `release()` can clear it too (as after an unknown outcome).
   */
  private attemptWithin(
    token: string,
    args: unknown[],
    giveUpAt: number,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const ms = giveUpAt - performance.now();
    const timed = ms <= MAX_TIMER_MS; // beyond what a timer holds: no limit (Infinity included)
    if (!timed && signal === undefined) return this.attempt(token, args, this.client);
    const stop = new AbortController();
    let givingUp = false;
    // Set when the SET itself was given up on: undefined = never handed to a connection.
    let fate: { late: Promise<unknown> | undefined } | undefined;
    watchGivenUp(stop.signal, (late) => {
      // Only our own giving up: a view's `timeout` on the SET is an answer the attempt handles.
      if (givingUp) fate = { late };
    });
    const attempt = this.attempt(token, args, underSignal(this.client, stop.signal));
    return new Promise<boolean>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const giveUp = (error: LockError): void => {
        if (!finish()) return;
        this.unsure = token;
        reject(error);
        givingUp = true;
        stop.abort(error); // withdraws the SET if still unsent; reports its fate (synchronously)
        if (fate !== undefined) {
          // The attempt now rejects with `error`, the caller's already; what the SET does (or did) is in `fate`.
          attempt.catch(() => undefined);
          this.afterGivenUp(token, fate.late);
          return;
        }
        // No fate: the client has no withOptions(), or the SET had its answer already (a lost one:
        // the attempt is reading the key back). The attempt's outcome decides.
        attempt.then(
          (took) => {
            if (took) this.releaseLate(token);
            else this.forgetUnsure(token);
          },
          (e: unknown) => {
            // Anything but a lost answer proves the SET did not run.
            if (e instanceof ConnectionError) this.releaseLate(token);
            else this.forgetUnsure(token);
          },
        );
      };
      const onAbort = (): void => giveUp(abortedWait(signal));
      if (timed) {
        timer = setTimeout(
          () =>
            giveUp(
              new LockError('Could not acquire the lock in time', {
                code: ErrorCodes.LOCK_TIMEOUT,
                cause: new TimeoutError(
                  'The lock attempt was not answered in time: its outcome is unknown (released if it took the lock)',
                  { code: ErrorCodes.COMMAND_TIMEOUT },
                ),
              }),
            ),
          Math.max(0, ms),
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      attempt.then(
        (took) => {
          if (finish()) resolve(took);
        },
        (e: unknown) => {
          if (finish()) reject(e);
        },
      );
    });
  }

  /**
   * A SET given up on: `late` undefined (never handed to a connection) or rejected with the
   * LockError it was given up with (withdrawn unsent) means it never ran; a lost answer leaves its
   * outcome unknown (released, token-checked); otherwise its answer says whether it took the lock.
   */
  private afterGivenUp(token: string, late: Promise<unknown> | undefined): void {
    if (late === undefined) {
      this.forgetUnsure(token);
      return;
    }
    late.then(
      (reply) => {
        if (reply !== null) this.releaseLate(token);
        else this.forgetUnsure(token);
      },
      (e: unknown) => {
        // Anything but a lost answer (the withdrawal's LockError included) proves the SET did not run.
        if (e instanceof ConnectionError) this.releaseLate(token);
        else this.forgetUnsure(token);
      },
    );
  }

  /** The attempt with `token` is known not to have taken the lock. */
  private forgetUnsure(token: string): void {
    if (this.unsure === token) this.unsure = undefined;
  }

  /** Best effort: deletes the lock if it holds `token` (an attempt given up on took it). */
  private releaseLate(token: string): void {
    // A later acquire() holds the lock with this very token (a given one): it is not stale.
    if (this.heldToken === token) return;
    evalScript(this.client, RELEASE, { keys: [this.name], args: [token] }).then(
      () => this.forgetUnsure(token),
      () => undefined, // release() can still clear it; with a timeout it expires anyway
    );
  }

  /**
   * One SET NX. A lost connection or a command timeout leaves its outcome unknown, and a lock
   * taken by it would be held by no one until it expires (never, without `timeout`): the key is
   * read back, and holding this attempt's random token means the SET ran. When even that cannot
   * be read, the error is the caller's, and `release()` may still clear what the attempt took.
   */
  private async attempt(token: string, args: unknown[], runner: CommandRunner): Promise<boolean> {
    try {
      return (await runner.call('SET', this.name, token, ...args)) !== null;
    } catch (e) {
      if (!(e instanceof ConnectionError)) throw e;
      this.unsure = token;
      const stored = await this.client.call('GET', this.name).catch(() => {
        throw e;
      });
      if (stored !== null && asText(stored) === token) return true;
      this.forgetUnsure(token);
      throw e;
    }
  }

  /**
   * Lets go of the lock (or of what an acquire attempt of unknown outcome may have taken).
   * Rejects LockError when this object does not hold it (any more). When the delete fails (its
   * answer lost: ConnectionError) the lock counts as held still, so release() can be called
   * again: the delete checks the token, so it never removes another's lock.
   */
  async release(): Promise<void> {
    const held = this.heldToken !== undefined;
    const token = this.heldToken ?? this.unsure;
    if (token === undefined) throw new LockError('Cannot release a lock that is not held');
    this.heldToken = undefined;
    this.unsure = undefined;
    let deleted: unknown;
    try {
      deleted = await evalScript(this.client, RELEASE, { keys: [this.name], args: [token] });
    } catch (e) {
      // Unless an acquire() meanwhile settled it either way.
      if (this.heldToken === undefined && this.unsure === undefined) {
        if (held) this.heldToken = token;
        else this.unsure = token;
      }
      throw e;
    }
    if (deleted !== 1) throw new LockError('Cannot release a lock that is no longer owned');
  }

  /**
   * Adds `ms` to the lock's remaining time (or sets it to `ms` with `replaceTtl`). Rejects
   * LockError when not held, or when the lock has no timeout to extend.
   */
  async extend(ms: number, options?: ExtendOptions): Promise<true> {
    checkMs('ms', ms, 1);
    const token = this.heldToken;
    if (token === undefined) throw new LockError('Cannot extend a lock that is not held');
    if (this.options.timeout === undefined)
      throw new LockError('Cannot extend a lock with no timeout', { code: ErrorCodes.INVALID_ARGUMENT });
    const done = await evalScript(this.client, EXTEND, {
      keys: [this.name],
      args: [token, ms, options?.replaceTtl === true ? 1 : 0],
    });
    if (done === 1) return true;
    if (done === -1)
      throw new LockError('Cannot extend a lock with no timeout', { code: ErrorCodes.INVALID_ARGUMENT });
    throw new LockError('Cannot extend a lock that is no longer owned');
  }

  /** Resets the TTL to the full `timeout`. Rejects LockError when not held or without a timeout. */
  async reacquire(): Promise<true> {
    const token = this.heldToken;
    const timeout = this.options.timeout;
    if (token === undefined) throw new LockError('Cannot reacquire a lock that is not held');
    if (timeout === undefined)
      throw new LockError('Cannot reacquire a lock with no timeout', { code: ErrorCodes.INVALID_ARGUMENT });
    const done = await evalScript(this.client, REACQUIRE, { keys: [this.name], args: [token, timeout] });
    if (done !== 1) throw new LockError('Cannot reacquire a lock that is no longer owned');
    return true;
  }

  /** Whether anyone holds the lock. */
  async locked(): Promise<boolean> {
    return (await this.client.call('EXISTS', this.name)) === 1;
  }

  /** Whether the key holds this object's token. */
  async owned(): Promise<boolean> {
    const token = this.heldToken;
    if (token === undefined) return false;
    const stored = await this.client.call('GET', this.name);
    return stored !== null && asText(stored) === token;
  }
}

/** The signal of the `withOptions()` view `client` is, if any. */
function viewSignal(client: CommandRunner): AbortSignal | undefined {
  return (client as { callOptions?: CallOptions }).callOptions?.signal;
}

/** A signal that aborts when `a` or `b` does (either may be absent). */
function eitherSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a === undefined || a === b) return b;
  if (b === undefined) return a;
  return AbortSignal.any([a, b]);
}

/** A client whose commands an abort of `signal` withdraws while unsent (a `withOptions()` view); else `client`. */
function underSignal(client: CommandRunner, signal: AbortSignal): CommandRunner {
  const withOptions = (client as { withOptions?: unknown }).withOptions;
  if (typeof withOptions !== 'function') return client;
  return (withOptions as (options: CallOptions) => CommandRunner).call(client, { signal });
}

/** 16 random bytes as hex. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function checkMs(option: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < min) {
    throw new DataError(`lock option '${option}' must be an integer number of ms >= ${min}`);
  }
}

/** The LockError of a wait ended by the caller's signal (its reason as the cause). */
function abortedWait(signal: AbortSignal | undefined): LockError {
  return new LockError('Waiting for the lock was aborted', {
    cause: signal?.reason,
    code: ErrorCodes.ABORTED,
  });
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedWait(signal));
    };
    // Aborted while the attempt was in flight: 'abort' has fired already and will not again.
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
