/**
 * The smoke suite every edge runtime runs (workerd, Deno, Bun) against servers the Node test
 * started. Runtime-neutral: no Node API, no runtime global; it gets the wredis module as
 * loaded through that runtime's entry point. Each check is bounded in time and reported by
 * name, so the Node side turns them into one test each.
 */
import type * as Wredis from '../../src/api.js';

/** Every check, in order. The Node tests expect exactly these names back. */
export const CHECKS = [
  'connects and answers PING',
  'SET/GET text and bytes; bytes replies are plain Uint8Array',
  'a 1 MiB value survives partial writes and chunked reads',
  '500 concurrent commands are auto-pipelined in order',
  'pipeline() keeps order and leaves a typed error in its slot',
  'server and argument errors are typed',
  'pub/sub delivers a message to a listener',
  'TLS with certificate verification',
  'TLS verified against a servername other than the host',
  'TLS refuses a certificate for another name',
  'TLS refuses a certificate from an untrusted CA',
  'TLS options the runtime cannot honour are refused, not ignored',
  'unix socket',
  'connectTimeout covers a TLS handshake that never completes',
  'close() or disconnect() during a connect that never completes rejects it at once',
  'cluster routing by key slot',
  "lock: aborting a withOptions({ signal }) view's signal or acquire()'s own ends a wait on a held lock",
  'close() is graceful and final',
] as const;

export type CheckName = (typeof CHECKS)[number];

export interface SmokeConfig {
  /** Label for keys and messages. */
  runtime: string;
  host: string;
  port: number;
  /** A TLS-only server; `ca` is passed as `tls.ca` unless the runtime trusts it by configuration (workerd). */
  tls?: { host: string; port: number; ca?: string; otherCa?: string };
  /** TLS options this runtime must refuse at connect, and a fragment of the expected message. */
  refusedTls?: { options: Record<string, unknown>; message: string };
  /** A TCP server that accepts and never says a word (for connect deadlines). */
  silent?: { host: string; port: number };
  /** A port whose connects get no SYN-ACK (a TCP connect there never completes). */
  unanswered?: { host: string; port: number };
  /** The server's unix socket. */
  unixSocket?: string;
  /** Seed nodes of a running cluster. */
  cluster?: Array<{ host: string; port: number }>;
  /**
   * Checks that do not apply to this runtime, with the reason (each is a documented platform
   * limit in the README, and where wredis refuses the option, another check asserts the refusal).
   */
  notApplicable?: Partial<Record<CheckName, string>>;
  /** Where the runtime has no unix sockets: the message a `path` option is refused with. */
  refusedUnixSocket?: string;
  /**
   * The `code` of a refused connect and of a failed certificate check, where the runtime does not
   * say why a connect failed (workerd: ERR_WREDIS_CONNECTION_FAILED for both, as the README says).
   * Default: ERR_WREDIS_CONNECTION_REFUSED and ERR_WREDIS_TLS, as on Node.
   */
  connectFailureCodes?: { refused: string; tls: string };
}

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  /** Set when the check did not run: why. */
  todo?: string;
  error?: string;
  ms: number;
}

export interface SmokeReport {
  runtime: string;
  results: CheckResult[];
}

type W = typeof Wredis;
type Check = (w: W, c: SmokeConfig) => Promise<void>;

const CHECK_TIMEOUT_MS = 15_000;

class Failure extends Error {
  override name = 'Failure';
}

/** A feature the client does not have yet: reported as todo, not as a pass or a failure. */
class Missing extends Error {}

function need(cond: unknown, feature: string): asserts cond {
  if (!cond) throw new Missing(`not implemented yet: ${feature}`);
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Failure(message);
}

function failureCodes(c: SmokeConfig): { refused: string; tls: string } {
  return c.connectFailureCodes ?? { refused: 'ERR_WREDIS_CONNECTION_REFUSED', tls: 'ERR_WREDIS_TLS' };
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, replacer);
  const e = JSON.stringify(expected, replacer);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

function replacer(_k: string, v: unknown): unknown {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (typeof v === 'bigint') return `${v}n`;
  return v;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Failure('expected a rejection, got a value');
}

function isPlainUint8Array(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && Object.getPrototypeOf(v) === Uint8Array.prototype;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A client that is always closed, whatever the check does. */
async function withClient<T>(
  w: W,
  options: ConstructorParameters<W['Redis']>[0],
  fn: (r: InstanceType<W['Redis']>) => Promise<T>,
): Promise<T> {
  const r = new w.Redis(options);
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

const opts = (c: SmokeConfig) => ({ host: c.host, port: c.port, connectTimeout: 5000 });

const checks: Record<CheckName, Check> = {
  async 'connects and answers PING'(w, c) {
    await withClient(w, opts(c), async (r) => {
      await r.connect();
      same(r.status, 'ready', 'status');
      same(await r.ping(), 'PONG', 'PING');
    });
  },

  async 'SET/GET text and bytes; bytes replies are plain Uint8Array'(w, c) {
    await withClient(w, opts(c), async (r) => {
      const k = `${c.runtime}:text`;
      same(await r.set(k, 'héllo wörld ✓'), 'OK', 'SET');
      same(await r.get(k), 'héllo wörld ✓', 'GET');
      same(await r.get(`${c.runtime}:missing`), null, 'GET missing');
      const bytes = new Uint8Array([0, 13, 10, 255, 1, 128]);
      await r.set(`${c.runtime}:bin`, bytes);
      const back = await r.withBuffers().get(`${c.runtime}:bin`);
      assert(
        isPlainUint8Array(back),
        `bytes reply is ${Object.prototype.toString.call(back)} (${(back as object | null)?.constructor?.name}), not a plain Uint8Array`,
      );
      assert(equalBytes(back, bytes), 'bytes differ');
      const raw = await r.withBuffers().call('GET', `${c.runtime}:text`);
      assert(isPlainUint8Array(raw), 'call() under withBuffers() is not a plain Uint8Array');
    });
  },

  async 'a 1 MiB value survives partial writes and chunked reads'(w, c) {
    await withClient(w, opts(c), async (r) => {
      const big = new Uint8Array(1024 * 1024 + 3);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
      const k = `${c.runtime}:big`;
      same(await r.set(k, big), 'OK', 'SET 1 MiB');
      const back = await r.withBuffers().get(k);
      assert(back instanceof Uint8Array && equalBytes(back, big), 'the 1 MiB value came back different');
      const text = 'é'.repeat(300_000);
      await r.set(`${k}:text`, text);
      assert((await r.get(`${k}:text`)) === text, 'a 600 KB UTF-8 value came back different');
      // U+FEFF is text: a default TextDecoder drops it at the start of what it decodes (a value,
      // or the 64 KiB piece of a large one decoded from a piece boundary).
      await r.set(`${k}:bom`, '\uFEFFx');
      same(await r.get(`${k}:bom`), '\uFEFFx', 'GET of a value opening with U+FEFF');
      const bomPiece = 'a'.repeat(65_536) + '\uFEFF' + 'é'.repeat(40_000);
      await r.set(`${k}:bom-piece`, bomPiece);
      assert((await r.get(`${k}:bom-piece`)) === bomPiece, 'U+FEFF at a 64 KiB piece boundary was lost');
    });
  },

  async '500 concurrent commands are auto-pipelined in order'(w, c) {
    await withClient(w, opts(c), async (r) => {
      const k = `${c.runtime}:counter`;
      await r.del(k);
      const replies = await Promise.all(Array.from({ length: 500 }, () => r.incr(k)));
      same(replies.slice(0, 3), [1, 2, 3], 'first replies');
      assert(
        replies.every((v, i) => v === i + 1),
        'replies out of order',
      );
    });
  },

  async 'pipeline() keeps order and leaves a typed error in its slot'(w, c) {
    await withClient(w, opts(c), async (r) => {
      const k = `${c.runtime}:pipe`;
      const out = await r.pipeline().set(k, 'v').incr(k).get(k).exec();
      same(out.length, 3, 'reply count');
      same(out[0], 'OK', 'slot 0');
      assert(out[1] instanceof w.ResponseError, `slot 1 is ${String(out[1])}, not a ResponseError`);
      same(out[2], 'v', 'slot 2');
    });
  },

  async 'server and argument errors are typed'(w, c) {
    await withClient(w, opts(c), async (r) => {
      const k = `${c.runtime}:str`;
      await r.set(k, 'x');
      const e = await rejection(r.call('LPUSH', k, 'y'));
      assert(
        e instanceof w.ResponseError && e instanceof w.RedisError,
        `LPUSH on a string rejected with ${String(e)}`,
      );
      same(
        [e.name, (e as { code?: string }).code, (e as { command?: string }).command],
        ['ResponseError', 'WRONGTYPE', 'LPUSH'],
        'error fields',
      );
      const bad = await rejection(r.set(k, { not: 'a value' } as unknown as string));
      assert(bad instanceof w.DataError, `an object argument rejected with ${String(bad)}`);
      const refused = await rejection(
        new w.Redis({ host: c.host, port: 1, connectTimeout: 2000, lazyConnect: true }).connect(),
      );
      assert(refused instanceof w.ConnectionError, `a refused connection rejected with ${String(refused)}`);
      same(refused.code, failureCodes(c).refused, 'the code of a refused connection');
    });
  },

  async 'pub/sub delivers a message to a listener'(w, c) {
    await withClient(w, opts(c), async (pub) => {
      await withClient(w, opts(c), async (sub) => {
        const channel = `${c.runtime}:news`;
        let deliver: (v: [string, string]) => void = () => undefined;
        const got = new Promise<[string, string]>((resolve) => (deliver = resolve));
        const subscriber = sub as unknown as {
          subscribe?(ch: string, l: (m: string, ch: string) => void): Promise<unknown>;
        };
        need(typeof subscriber.subscribe === 'function', 'Redis#subscribe()');
        await subscriber.subscribe(channel, (message, ch) => deliver([message, ch]));
        same(await pub.publish(channel, 'hello from the edge'), 1, 'receivers');
        same(await got, ['hello from the edge', channel], 'message');
      });
    });
  },

  async 'TLS with certificate verification'(w, c) {
    assert(c.tls !== undefined, 'no TLS server configured');
    const t = c.tls;
    await withClient(
      w,
      { host: t.host, port: t.port, connectTimeout: 5000, tls: t.ca !== undefined ? { ca: t.ca } : true },
      async (r) => {
        same(await r.ping(), 'PONG', 'PING over TLS');
        same(await r.set(`${c.runtime}:tls`, 'secret'), 'OK', 'SET over TLS');
      },
    );
  },

  async 'TLS verified against a servername other than the host'(w, c) {
    assert(c.tls !== undefined, 'no TLS server configured');
    const t = c.tls;
    // The certificate names 127.0.0.1 and localhost: dial the IP, verify the name.
    const tls = { servername: 'localhost', ...(t.ca !== undefined && { ca: t.ca }) };
    await withClient(w, { host: '127.0.0.1', port: t.port, connectTimeout: 5000, tls }, async (r) => {
      same(await r.ping(), 'PONG', 'PING over TLS');
    });
  },

  async 'TLS refuses a certificate for another name'(w, c) {
    assert(c.tls !== undefined, 'no TLS server configured');
    const t = c.tls;
    const tls = { servername: 'not-this-server.example', ...(t.ca !== undefined && { ca: t.ca }) };
    const r = new w.Redis({ host: t.host, port: t.port, connectTimeout: 5000, tls, lazyConnect: true });
    try {
      const e = await rejection(r.connect());
      assert(e instanceof w.ConnectionError, `a name mismatch rejected with ${String(e)}`);
      same(e.code, failureCodes(c).tls, 'the code of a name mismatch');
    } finally {
      r.disconnect();
    }
  },

  async 'TLS refuses a certificate from an untrusted CA'(w, c) {
    assert(c.tls?.otherCa !== undefined, 'no untrusted CA configured');
    const t = c.tls;
    const r = new w.Redis({
      host: t.host,
      port: t.port,
      connectTimeout: 5000,
      tls: { ca: t.otherCa },
      lazyConnect: true,
    });
    try {
      const e = await rejection(r.connect());
      assert(e instanceof w.ConnectionError, `an untrusted certificate rejected with ${String(e)}`);
      same(e.code, failureCodes(c).tls, 'the code of an untrusted certificate');
    } finally {
      r.disconnect();
    }
  },

  async 'TLS options the runtime cannot honour are refused, not ignored'(w, c) {
    assert(c.tls !== undefined && c.refusedTls !== undefined, 'no refused TLS options configured');
    const r = new w.Redis({
      host: c.tls.host,
      port: c.tls.port,
      connectTimeout: 5000,
      tls: c.refusedTls.options,
      lazyConnect: true,
    });
    try {
      const e = await rejection(r.connect());
      assert(e instanceof w.ConnectionError, `refused options rejected with ${String(e)}`);
      assert(
        e.message.includes(c.refusedTls.message),
        `message "${e.message}" lacks "${c.refusedTls.message}"`,
      );
    } finally {
      r.disconnect();
    }
  },

  async 'unix socket'(w, c) {
    if (c.refusedUnixSocket !== undefined) {
      const r = new w.Redis({ path: '/nonexistent/redis.sock', lazyConnect: true, connectTimeout: 5000 });
      try {
        const e = await rejection(r.connect());
        assert(e instanceof w.ConnectionError, `a unix socket path rejected with ${String(e)}`);
        assert(
          e.message.includes(c.refusedUnixSocket),
          `message "${e.message}" lacks "${c.refusedUnixSocket}"`,
        );
      } finally {
        r.disconnect();
      }
      return;
    }
    assert(c.unixSocket !== undefined, 'no unix socket configured');
    await withClient(w, { path: c.unixSocket, connectTimeout: 5000 }, async (r) => {
      same(await r.ping(), 'PONG', 'PING over a unix socket');
      same(await r.get(`${c.runtime}:text`), 'héllo wörld ✓', 'GET over a unix socket');
    });
  },

  async 'connectTimeout covers a TLS handshake that never completes'(w, c) {
    assert(c.silent !== undefined && c.tls !== undefined, 'no silent server configured');
    const tls = c.tls.ca !== undefined ? { ca: c.tls.ca } : true;
    const r = new w.Redis({ ...c.silent, tls, connectTimeout: 300, lazyConnect: true });
    try {
      const e = await rejection(r.connect());
      assert(e instanceof w.TimeoutError, `a silent TLS server rejected with ${String(e)}`);
    } finally {
      r.disconnect();
    }
  },

  async 'close() or disconnect() during a connect that never completes rejects it at once'(w, c) {
    assert(c.silent !== undefined && c.unanswered !== undefined && c.tls !== undefined, 'no silent servers');
    const tls = c.tls.ca !== undefined ? { ca: c.tls.ca } : true;
    // No deadline (connectTimeout 0): only the close can end these dials. The transport ignored
    // it on the edge runtimes, so connect() stayed pending (for good on a TLS hello never answered).
    const dials = [
      ['a TCP connect the server never answers', { ...c.unanswered }],
      ['a TLS handshake the server never answers', { ...c.silent, tls }],
    ] as const;
    for (const [what, where] of dials) {
      for (const end of ['disconnect', 'close'] as const) {
        const r = new w.Redis({ ...where, connectTimeout: 0, lazyConnect: true, maxReconnectAttempts: 0 });
        const connecting = r.connect().then(
          () => 'connected',
          (e: unknown) => e,
        );
        await pauseFor(200); // the dial is under way (a pause only: the outcome cannot depend on it)
        const closing = end === 'disconnect' ? (r.disconnect(), Promise.resolve()) : r.close();
        const e = await withTimeout(connecting, 5000).catch((t: unknown) => {
          r.disconnect();
          throw new Failure(`${what}: connect() still pending after ${end}(): ${String(t)}`);
        });
        assert(
          e instanceof w.ConnectionError && !(e instanceof w.TimeoutError),
          `${what}: after ${end}() connect() settled with ${String(e)}`,
        );
        await withTimeout(closing, 5000);
        same(r.status, 'closed', `${what}: status after ${end}()`);
      }
    }
  },

  async 'cluster routing by key slot'(w, c) {
    assert(c.cluster !== undefined, 'no cluster configured');
    need(typeof w.RedisCluster === 'function', 'RedisCluster');
    const cluster = new w.RedisCluster({ nodes: c.cluster, connectTimeout: 5000 });
    try {
      const keys = Array.from({ length: 12 }, (_, i) => `${c.runtime}:ck:${i}`);
      const slots = new Set(keys.map((k) => w.keySlot(k)));
      assert(slots.size > 3, 'keys do not spread over slots');
      for (const k of keys) same(await cluster.set(k, k.toUpperCase()), 'OK', `SET ${k}`);
      same(
        await cluster.mget(...keys),
        keys.map((k) => k.toUpperCase()),
        'MGET across slots',
      );
      for (const k of keys.slice(0, 3))
        same(await cluster.call('CLUSTER', 'KEYSLOT', k), w.keySlot(k), `slot of ${k}`);
    } finally {
      cluster.disconnect();
    }
  },

  async "lock: aborting a withOptions({ signal }) view's signal or acquire()'s own ends a wait on a held lock"(
    w,
    c,
  ) {
    // acquire() combines the two signals (AbortSignal.any); no other path of the edge entry points
    // uses that, so each runtime's own implementation of it is what is checked here.
    await withClient(w, opts(c), async (holder) => {
      await withClient(w, opts(c), async (r) => {
        const key = `${c.runtime}:lock`;
        await holder.del(key);
        const held = holder.lock(key, { timeout: 60_000 });
        await held.acquire();
        const id = await r.call('CLIENT', 'ID');
        for (const which of ['view', 'acquire'] as const) {
          const view = new AbortController();
          const own = new AbortController();
          await r.ping(); // the connection's last command, until the lock's first SET NX replaces it
          // A sleep far beyond the check's time: the wait ends by an abort or not at all.
          const lock = r.withOptions({ signal: view.signal }).lock(key, { sleep: 60_000 });
          let early: string | undefined;
          const waiting = lock.acquire({ signal: own.signal }).then(
            () => 'acquired',
            (e: unknown) => e,
          );
          void waiting.then((v) => (early = `acquire() settled before any abort with ${String(v)}`));
          await untilLastCommand(holder, id, 'set', () => early);
          const reason = new Error(`${which} aborted`);
          (which === 'view' ? view : own).abort(reason);
          const e = await withTimeout(waiting, 5000).catch((t: unknown) => {
            throw new Failure(`acquire() still waited after the ${which}'s signal aborted: ${String(t)}`);
          });
          assert(
            e instanceof w.LockError,
            `aborting the ${which}'s signal: acquire() settled with ${String(e)}`,
          );
          same(e.code, 'ERR_WREDIS_ABORTED', `code after aborting the ${which}'s signal`);
          assert(e.cause === reason, `the cause is not the ${which}'s abort reason: ${String(e.cause)}`);
        }
        // Untouched by the aborted waits: the holder's token, its TTL, and it still releases.
        same(await holder.get(key), held.token, 'the held lock key');
        const ttl = await holder.pttl(key);
        assert(ttl > 0 && ttl <= 60_000, `the held lock's TTL is ${ttl}`);
        await held.release();
      });
    });
  },

  async 'close() is graceful and final'(w, c) {
    const r = new w.Redis(opts(c));
    const k = `${c.runtime}:last`;
    await r.connect();
    const pending = r.set(k, 'written before close');
    await r.close();
    same(await pending, 'OK', 'command issued before close()');
    same(r.status, 'closed', 'status');
    const after = await rejection(r.get(k));
    assert(after instanceof w.ConnectionError, `a command after close() rejected with ${String(after)}`);
  },
};

function pauseFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits (bounded) until the server's last command from client `id` is `command` (CLIENT LIST's
 * `cmd=`), unless `failed()` says why it will not come.
 */
async function untilLastCommand(
  r: InstanceType<W['Redis']>,
  id: unknown,
  command: string,
  failed: () => string | undefined,
): Promise<void> {
  let last = '';
  for (let i = 0; i < 500; i++) {
    const why = failed();
    if (why !== undefined) throw new Failure(why);
    const line = String(await r.call('CLIENT', 'LIST', 'ID', String(id)));
    last = / cmd=(\S+)/.exec(line)?.[1] ?? '';
    if (last === command) return;
    await pauseFor(10);
  }
  throw new Failure(`client ${String(id)} never sent ${command} (its last command: ${last})`);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Runs every check in order (one at a time) and reports each. Never throws. */
export async function runSmoke(w: W, config: SmokeConfig): Promise<SmokeReport> {
  const results: CheckResult[] = [];
  for (const name of CHECKS) {
    const started = Date.now();
    if (config.notApplicable?.[name] !== undefined) continue;
    try {
      await withTimeout(checks[name](w, config), CHECK_TIMEOUT_MS);
      results.push({ name, ok: true, ms: Date.now() - started });
    } catch (e) {
      if (e instanceof Missing) {
        results.push({ name, ok: false, todo: e.message, ms: Date.now() - started });
        continue;
      }
      const error =
        e instanceof Error
          ? `${e.name}: ${e.message}${e.cause instanceof Error ? ` (cause: ${e.cause.message})` : ''}`
          : String(e);
      results.push({ name, ok: false, error, ms: Date.now() - started });
    }
  }
  return { runtime: config.runtime, results };
}
