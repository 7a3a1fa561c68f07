/**
 * `node:diagnostics_channel` events of wredis (undici's `lib/core/diagnostics.js` is the
 * model): tracing tools subscribe by name and need no dependency on wredis.
 *
 * TracingChannels (start / end / asyncStart / asyncEnd / error):
 * - `wredis:command`: one trace per command a caller issues, over all its attempts;
 * - `wredis:batch`: one trace per `pipeline().exec()` / `multi().exec()`;
 * - `wredis:connect`: one trace per connection attempt.
 * Plain channels: `wredis:connection:ready`, `wredis:connection:closed`,
 * `wredis:cluster:redirect`, `wredis:cluster:refresh`.
 *
 * Cost: every publishing site first reads one `hasSubscribers`; with nobody subscribed nothing
 * else runs and no context object is built. Where `node:diagnostics_channel` does not exist
 * (workerd without `nodejs_compat`) every channel is a no-op whose `hasSubscribers` is false.
 *
 * Contexts never hold argument values or keys: command names, server address, counts.
 */
import { builtin } from './util/builtin.js';
import type { Peer } from './transport/types.js';

/** The channel names, for `diagnostics_channel.tracingChannel(name)` / `.channel(name)`. */
export const DIAGNOSTICS_CHANNELS = {
  /** TracingChannel of every caller command (all its attempts). */
  command: 'wredis:command',
  /** TracingChannel of pipelines and transactions. */
  batch: 'wredis:batch',
  /** TracingChannel of connection attempts. */
  connect: 'wredis:connect',
  /** Channel: a connection finished its handshake. */
  connectionReady: 'wredis:connection:ready',
  /** Channel: a connection closed. */
  connectionClosed: 'wredis:connection:closed',
  /** Channel: a MOVED or ASK redirection. */
  clusterRedirect: 'wredis:cluster:redirect',
  /** Channel: the cluster slot map was refreshed. */
  clusterRefresh: 'wredis:cluster:refresh',
} as const;

/** Where a command, batch or connection goes. */
export interface ServerContext {
  /** Host name or IP address, or the unix socket path. */
  serverAddress: string;
  /** TCP port; undefined for a unix socket. */
  serverPort: number | undefined;
}

/**
 * Context of a `wredis:command` trace. Set at start: `command`, `database`, `serverAddress`,
 * `serverPort`, `protocol` (and `batchSize` inside a pipeline or transaction). `attempts`
 * counts the writes of the command (retries, replays and redirections included) and is final
 * at `asyncEnd`, where `result` (the reply, untouched) or `error` (the rejection) is set.
 */
export interface CommandTraceContext extends ServerContext {
  /** Upper-case command name (`'GET'`, `'CLIENT'`); never its arguments. */
  command: string;
  /** Database index. */
  database: number;
  /** RESP version spoken with the server (the configured one before the first handshake). */
  protocol: 2 | 3;
  /** Number of commands of the pipeline or transaction this command belongs to. */
  batchSize?: number;
  /** Attempts made so far (1 for the first send). */
  attempts: number;
  /** The reply, once the command succeeded. */
  result?: unknown;
  /** The error, once the command failed. */
  error?: unknown;
}

/** Context of a `wredis:batch` trace (`result` is the array `exec()` resolves with). */
export interface BatchTraceContext extends ServerContext {
  /** Command names, upper case, in order. */
  commands: string[];
  /** True for `multi()`, false for `pipeline()`. */
  transaction: boolean;
  /** Database index. */
  database: number;
  /** The replies, once the batch settled. */
  result?: unknown;
  /** The error, once the batch failed. */
  error?: unknown;
}

/**
 * Context of a `wredis:connect` trace: one connection attempt. For a client of `Sentinel` the
 * trace starts once the sentinels have named the node (their lookup is not part of it) and names
 * that node from `start` on; should a `+switch-master` during the dial send it to another, the
 * context names that one by `asyncEnd`. An attempt whose lookup failed (no sentinel answered, none
 * knows the service) is traced with an empty `serverAddress` (`serverPort` undefined) and its `error`.
 */
export interface ConnectTraceContext extends ServerContext {
  /** 1 for the first attempt, then counting failed attempts in a row. */
  attempt: number;
  /** Whether the connection uses TLS. */
  tls: boolean;
  /** The error, once the attempt failed. */
  error?: unknown;
}

/** Message of `wredis:connection:ready` (handshake done). */
export interface ConnectionReadyMessage extends ServerContext {
  /** RESP version negotiated. */
  protocol: 2 | 3;
  /** Database index selected. */
  database: number;
}

/** Message of `wredis:connection:closed` (the socket went away; `error` when it failed). */
export interface ConnectionClosedMessage extends ServerContext {
  /** Why it closed, when it was an error. */
  error: Error | undefined;
}

/** Message of `wredis:cluster:redirect`. `from` and `to` are `host:port`. */
export interface ClusterRedirectMessage {
  /** MOVED or ASK. */
  kind: 'MOVED' | 'ASK';
  /** The slot redirected. */
  slot: number;
  /** Node that answered (`host:port`). */
  from: string;
  /** Node it pointed to (`host:port`). */
  to: string;
}

/** Message of `wredis:cluster:refresh`: why the slot map was reloaded and the nodes it lists (`host:port`). */
export interface ClusterRefreshMessage {
  /** What triggered the refresh. */
  reason: string;
  /** Nodes of the new map (`host:port`). */
  nodes: string[];
}

/** The part of a TracingChannel wredis uses. */
export interface TracingChannelLike<C extends object> {
  readonly hasSubscribers: boolean;
  tracePromise<T>(fn: () => Promise<T>, context: C): Promise<T>;
}

/** The part of a Channel wredis uses. */
export interface ChannelLike<M> {
  readonly hasSubscribers: boolean;
  publish(message: M): void;
}

interface DiagnosticsChannelModule {
  channel(name: string): ChannelLike<unknown>;
  tracingChannel(name: string): TracingChannelLike<object> & Record<string, ChannelLike<unknown>>;
}

const dc = builtin<DiagnosticsChannelModule>('node:diagnostics_channel');

const NOOP_TRACING: TracingChannelLike<object> = {
  hasSubscribers: false,
  tracePromise: (fn) => fn(),
};
const NOOP_CHANNEL: ChannelLike<unknown> = { hasSubscribers: false, publish: () => undefined };

const TRACE_EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

function tracing<C extends object>(name: string): TracingChannelLike<C> {
  if (dc === undefined || typeof dc.tracingChannel !== 'function') return NOOP_TRACING;
  const tc = dc.tracingChannel(name);
  // Bun and workerd have tracingChannel without the aggregate getter Node 20.13+ has.
  if (typeof tc.hasSubscribers !== 'boolean') {
    Object.defineProperty(tc, 'hasSubscribers', {
      get: () => TRACE_EVENTS.some((e) => tc[e]?.hasSubscribers === true),
    });
  }
  return tc;
}

function plain<M>(name: string): ChannelLike<M> {
  if (dc === undefined || typeof dc.channel !== 'function') return NOOP_CHANNEL;
  return dc.channel(name);
}

/** `wredis:command` (read `hasSubscribers` before building a context). */
export const commandChannel = tracing<CommandTraceContext>(DIAGNOSTICS_CHANNELS.command);
/** `wredis:batch`. */
export const batchChannel = tracing<BatchTraceContext>(DIAGNOSTICS_CHANNELS.batch);
/** `wredis:connect`. */
export const connectChannel = tracing<ConnectTraceContext>(DIAGNOSTICS_CHANNELS.connect);
/** `wredis:connection:ready`. */
export const readyChannel = plain<ConnectionReadyMessage>(DIAGNOSTICS_CHANNELS.connectionReady);
/** `wredis:connection:closed`. */
export const closedChannel = plain<ConnectionClosedMessage>(DIAGNOSTICS_CHANNELS.connectionClosed);
/** `wredis:cluster:redirect`. */
export const redirectChannel = plain<ClusterRedirectMessage>(DIAGNOSTICS_CHANNELS.clusterRedirect);
/** `wredis:cluster:refresh`. */
export const refreshChannel = plain<ClusterRefreshMessage>(DIAGNOSTICS_CHANNELS.clusterRefresh);

/** What a context needs to know of a connection (a structural view of `Connection`). */
export interface TracedConnection {
  readonly config: {
    readonly host: string;
    readonly port: number;
    readonly path: string | undefined;
    readonly protocol: 2 | 3;
  };
  readonly state: {
    readonly db: number;
    readonly generation: number;
    readonly hello: { readonly protocol: 2 | 3 };
    /** The node the socket reached when it is not `config`'s (Sentinel clients, see `Transport.peer`). */
    readonly peer?: Peer | undefined;
  };
}

/**
 * `serverAddress` / `serverPort` of a connection (the socket path for a unix socket): the node
 * its socket reached (`peer`) when known, else the configured address.
 */
export function serverOf(
  config: TracedConnection['config'] | undefined,
  peer?: Peer | undefined,
): ServerContext {
  if (peer !== undefined) return { serverAddress: peer.host, serverPort: peer.port };
  if (config === undefined) return { serverAddress: '', serverPort: undefined };
  return config.path
    ? { serverAddress: config.path, serverPort: undefined }
    : { serverAddress: config.host, serverPort: config.port };
}

/**
 * A fresh `wredis:command` context for `name` sent over `conn`. Without a connection (a cluster
 * before routing) the address is empty and database 0 until the cluster picks the node.
 */
export function commandContext(
  conn: TracedConnection | undefined,
  name: string,
  batchSize?: number,
): CommandTraceContext {
  const ctx: CommandTraceContext = {
    command: name.toUpperCase(),
    database: conn?.state.db ?? 0,
    ...serverOf(conn?.config, conn?.state.peer),
    protocol: conn === undefined ? 3 : protocolOf(conn),
    attempts: 0,
  };
  if (batchSize !== undefined) ctx.batchSize = batchSize;
  return ctx;
}

/** The RESP version in use: the negotiated one once a handshake happened, else the configured one. */
function protocolOf(conn: TracedConnection): 2 | 3 {
  return conn.state.generation > 0 ? conn.state.hello.protocol : conn.config.protocol;
}

/** A fresh `wredis:batch` context. */
export function batchContext(
  conn: TracedConnection | undefined,
  names: readonly string[],
  transaction: boolean,
): BatchTraceContext {
  return {
    commands: names.map((n) => n.toUpperCase()),
    transaction,
    database: conn?.state.db ?? 0,
    ...serverOf(conn?.config, conn?.state.peer),
  };
}

/** Fills in where a cluster command went, once its node is picked (before the write). */
export function tracedAt(trace: CommandTraceContext | undefined, host: string, port: number): void {
  if (trace === undefined) return;
  trace.serverAddress = host;
  trace.serverPort = port;
}

/**
 * Runs `send` inside a `wredis:command` trace. `send` gets the context to hand to the
 * connection (`SendOptions.trace`), which counts the attempts in it.
 */
export function traceCommand<T>(
  ctx: CommandTraceContext,
  send: (ctx: CommandTraceContext) => Promise<T>,
): Promise<T> {
  return commandChannel.tracePromise(() => send(ctx), ctx);
}
