/**
 * `wredis/opentelemetry`: spans and metrics from wredis' diagnostics channels, following
 * OpenTelemetry's database semantic conventions. Only this entry imports `@opentelemetry/api`
 * (an optional peer dependency); the main entry never does.
 *
 * ```ts
 * import { instrumentWredis } from 'wredis/opentelemetry';
 * const instrumentation = instrumentWredis(); // global providers, or { tracerProvider, meterProvider }
 * // … later: instrumentation.disable();
 * ```
 */
import {
  SpanKind,
  SpanStatusCode,
  context,
  metrics,
  trace,
  type Attributes,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import {
  DIAGNOSTICS_CHANNELS,
  type BatchTraceContext,
  type CommandTraceContext,
  type ServerContext,
} from './diagnostics.js';
import { builtin } from './util/builtin.js';

/** Options of {@link instrumentWredis}. */
export interface WredisInstrumentationOptions {
  /** Where spans go; default: the global tracer provider. */
  tracerProvider?: TracerProvider;
  /** Where the `db.client.operation.duration` histogram goes; default: the global meter provider. */
  meterProvider?: MeterProvider;
}

/** What {@link instrumentWredis} returns. */
export interface WredisInstrumentation {
  /** Starts no more spans; spans under way are still ended (when their commands settle), then it unsubscribes. */
  disable(): void;
}

const SCOPE = 'wredis';
const VERSION = '0.1.0';

interface TraceHandlers {
  start?: (message: unknown) => void;
  end?: (message: unknown) => void;
  asyncStart?: (message: unknown) => void;
  asyncEnd?: (message: unknown) => void;
  error?: (message: unknown) => void;
}

interface DiagnosticsChannel {
  tracingChannel(name: string): {
    subscribe(handlers: TraceHandlers): void;
    unsubscribe(handlers: TraceHandlers): void;
  };
}

interface Started {
  span: Span;
  /** `performance.now()` at start (ms). */
  at: number;
  /** Metric attributes known at start. */
  attributes: Attributes;
}

/**
 * Subscribes to `wredis:command` and `wredis:batch` and turns each trace into a CLIENT span
 * named after the command (`GET`) or the batch (`PIPELINE` / `MULTI`), with `db.system.name`,
 * `db.operation.name`, `db.namespace` (the database index), `server.address`, `server.port`,
 * `db.operation.batch.size`; a failed command gets an ERROR status and `error.type` (the wredis
 * class name, e.g. `ResponseError`) plus `db.response.status_code` (the error's code). Every
 * command also records `db.client.operation.duration` (seconds). Commands of a batch are children
 * of the batch span when they start in its synchronous part (always for `multi()`, and for
 * `pipeline()` unless a server-support check defers the sends).
 */
export function instrumentWredis(options: WredisInstrumentationOptions = {}): WredisInstrumentation {
  const dc = builtin<DiagnosticsChannel>('node:diagnostics_channel');
  if (dc === undefined) return { disable: () => undefined };
  const tracer: Tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, VERSION);
  const duration: Histogram = (options.meterProvider ?? metrics.getMeterProvider())
    .getMeter(SCOPE, VERSION)
    .createHistogram('db.client.operation.duration', {
      description: 'Duration of database client operations.',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] },
    });
  const started = new WeakMap<object, Started>();
  /** The batch span whose synchronous start is under way (parent of the commands it starts). */
  let openBatch: Span | undefined;
  let enabled = true;
  /** Spans started and not yet ended: after disable() the handlers stay until they are. */
  let open = 0;

  const begin = (ctx: object, name: string, attributes: Attributes, parent: Span | undefined): Span => {
    const parentContext = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parentContext);
    started.set(ctx, { span, at: performance.now(), attributes });
    open++;
    return span;
  };

  const finish = (ctx: object, error: unknown, record: boolean): void => {
    const s = started.get(ctx);
    if (s === undefined) return;
    started.delete(ctx);
    const metricAttributes: Attributes = { ...s.attributes };
    if (error !== undefined) {
      const type = errorType(error);
      s.span.setAttribute('error.type', type);
      metricAttributes['error.type'] = type;
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string') s.span.setAttribute('db.response.status_code', code);
      if (error instanceof Error) s.span.recordException(error);
      s.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : undefined,
      });
    }
    if (record) duration.record((performance.now() - s.at) / 1000, metricAttributes);
    s.span.end();
    if (--open === 0 && !enabled) release();
  };

  const command: TraceHandlers = {
    start: (m) => {
      if (!enabled) return;
      const ctx = m as CommandTraceContext;
      const attributes = baseAttributes(ctx.command, ctx.database, ctx);
      if (ctx.batchSize !== undefined && ctx.batchSize > 1)
        attributes['db.operation.batch.size'] = ctx.batchSize;
      begin(ctx, ctx.command, attributes, ctx.batchSize !== undefined ? openBatch : undefined);
    },
    asyncEnd: (m) => {
      const ctx = m as CommandTraceContext;
      // A cluster command learns its node after start: the span says where it went.
      const s = started.get(ctx);
      if (s !== undefined && ctx.serverAddress !== '' && s.attributes['server.address'] === undefined) {
        s.span.setAttributes(serverAttributes(ctx));
        Object.assign(s.attributes, serverAttributes(ctx));
      }
      finish(ctx, ctx.error, true);
    },
  };
  const batch: TraceHandlers = {
    start: (m) => {
      if (!enabled) return;
      const ctx = m as BatchTraceContext;
      const name = ctx.transaction ? 'MULTI' : 'PIPELINE';
      const attributes = baseAttributes(name, ctx.database, ctx);
      attributes['db.operation.batch.size'] = ctx.commands.length;
      openBatch = begin(ctx, name, attributes, undefined);
    },
    end: () => {
      openBatch = undefined;
    },
    asyncEnd: (m) => finish(m as object, (m as BatchTraceContext).error, false),
  };
  const commands = dc.tracingChannel(DIAGNOSTICS_CHANNELS.command);
  const batches = dc.tracingChannel(DIAGNOSTICS_CHANNELS.batch);
  commands.subscribe(command);
  batches.subscribe(batch);
  let subscribed = true;
  const release = (): void => {
    if (!subscribed) return;
    subscribed = false;
    commands.unsubscribe(command);
    batches.unsubscribe(batch);
  };
  return {
    // Unsubscribing at once would drop the asyncEnd of commands in flight: their spans would
    // never end, so never be exported.
    disable: () => {
      enabled = false;
      if (open === 0) release();
    },
  };
}

function baseAttributes(operation: string, database: number, server: ServerContext): Attributes {
  return {
    'db.system.name': 'redis',
    'db.operation.name': operation,
    'db.namespace': String(database),
    ...serverAttributes(server),
  };
}

function serverAttributes(server: ServerContext): Attributes {
  if (server.serverAddress === '') return {};
  const a: Attributes = { 'server.address': server.serverAddress };
  if (server.serverPort !== undefined) a['server.port'] = server.serverPort;
  return a;
}

/** The wredis class name of an error (`ResponseError`, `TimeoutError` …), else `_OTHER`. */
function errorType(error: unknown): string {
  return error instanceof Error && error.name !== '' ? error.name : '_OTHER';
}
