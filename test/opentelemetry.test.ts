/**
 * `wredis/opentelemetry` against a real server, with the SDK's in-memory span exporter and a
 * pull metric reader: a GET is one span with the semantic-convention attributes, WRONGTYPE an
 * error span, a pipeline of 3 a batch span with its commands as children; durations recorded.
 */
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { Redis, ResponseError } from '../src/index.js';
import { instrumentWredis, type WredisInstrumentation } from '../src/opentelemetry.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

/** A reader the test pulls from. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('wredis/opentelemetry', () => {
  let server: RedisServerHandle;
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  let instrumentation: WredisInstrumentation;

  before(async () => {
    server = await startRedis();
    instrumentation = instrumentWredis({ tracerProvider, meterProvider });
  });
  after(async () => {
    instrumentation?.disable();
    await server?.stop();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });

  /** Spans of this test's server only (other files may run clients in parallel processes, not here). */
  const spans = () => exporter.getFinishedSpans().filter((s) => s.attributes['server.port'] === server.port);

  it('a GET produces one CLIENT span named GET with the database attributes', async () => {
    exporter.reset();
    const r = new Redis({ port: server.port, db: 3 });
    try {
      await r.set('otel:k', 'secret-value');
      exporter.reset();
      assert.equal(await r.get('otel:k'), 'secret-value');
    } finally {
      await r.close();
    }
    const list = spans();
    assert.equal(list.length, 1);
    const span = list[0]!;
    assert.equal(span.name, 'GET');
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.deepEqual(span.attributes, {
      'db.system.name': 'redis',
      'db.operation.name': 'GET',
      'db.namespace': '3',
      'server.address': '127.0.0.1',
      'server.port': server.port,
    });
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.ok(!JSON.stringify(span.attributes).includes('secret-value'));
  });

  it('a WRONGTYPE reply produces an error span with error.type = the wredis class name', async () => {
    const r = new Redis({ port: server.port });
    try {
      await r.set('otel:str', 'x');
      exporter.reset();
      await assert.rejects(r.lpush('otel:str', 'y'), ResponseError);
    } finally {
      await r.close();
    }
    const list = spans();
    assert.equal(list.length, 1);
    const span = list[0]!;
    assert.equal(span.name, 'LPUSH');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], 'ResponseError');
    assert.equal(span.attributes['db.response.status_code'], 'WRONGTYPE');
    assert.equal(span.events[0]?.name, 'exception');
  });

  it('a pipeline of 3 produces a PIPELINE span with batch size 3 and the three commands as its children', async () => {
    const r = new Redis({ port: server.port });
    try {
      await r.ping();
      exporter.reset();
      await r.pipeline().set('otel:a', '1').get('otel:a').incr('otel:n').exec();
    } finally {
      await r.close();
    }
    const list = spans();
    const batch = list.find((s) => s.name === 'PIPELINE');
    assert.ok(batch, list.map((s) => s.name).join());
    assert.equal(batch.attributes['db.operation.batch.size'], 3);
    assert.equal(batch.attributes['db.operation.name'], 'PIPELINE');
    const children = list.filter((s) => s.parentSpanContext?.spanId === batch.spanContext().spanId);
    assert.deepEqual(children.map((s) => s.name).sort(), ['GET', 'INCR', 'SET']);
    for (const c of children) assert.equal(c.attributes['db.operation.batch.size'], 3);
  });

  it('records db.client.operation.duration per command, in seconds, with error.type on failures', async () => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'db.client.operation.duration') as HistogramMetricData | undefined;
    assert.ok(metric);
    assert.equal(metric.descriptor.unit, 's');
    const points = metric.dataPoints.filter((p) => p.attributes['server.port'] === server.port);
    const get = points.find(
      (p) => p.attributes['db.operation.name'] === 'GET' && p.attributes['db.namespace'] === '3',
    );
    assert.ok(get);
    assert.equal(get.value.count, 1);
    assert.ok((get.value.sum ?? 0) > 0 && (get.value.sum ?? 0) < 60, String(get.value.sum));
    const failed = points.find((p) => p.attributes['db.operation.name'] === 'LPUSH');
    assert.equal(failed?.attributes['error.type'], 'ResponseError');
  });

  it('disable() with commands in flight: their spans still end (and are exported); later commands get none', async () => {
    const r = new Redis({ port: server.port });
    try {
      await r.ping();
      exporter.reset();
      // Blocking reads on an empty list: in flight until their timeout, well after disable().
      const single = r.blpop('otel:empty', 0.2);
      const batch = r.pipeline().blpop('otel:empty', 0.2).ping().exec();
      instrumentation.disable();
      assert.equal(await single, null);
      await batch;
      assert.deepEqual(
        spans()
          .map((s) => s.name)
          .sort(),
        ['BLPOP', 'BLPOP', 'PING', 'PIPELINE'],
      );
      assert.equal(dc.tracingChannel('wredis:command').hasSubscribers, false, 'released once drained');
      exporter.reset();
      await r.ping();
      assert.equal(spans().length, 0);
    } finally {
      await r.close();
      instrumentation = instrumentWredis({ tracerProvider, meterProvider });
    }
  });

  it('disable() stops producing spans', async () => {
    instrumentation.disable();
    const r = new Redis({ port: server.port });
    try {
      exporter.reset();
      await r.ping();
    } finally {
      await r.close();
    }
    assert.equal(spans().length, 0);
    instrumentation = instrumentWredis({ tracerProvider, meterProvider });
  });
});

describe('packaging of wredis/opentelemetry', () => {
  it('the subpath export resolves to instrumentWredis (built package)', async () => {
    const mod = (await import('wredis/opentelemetry')) as { instrumentWredis?: unknown };
    assert.equal(typeof mod.instrumentWredis, 'function');
  });

  it('the main entry never imports @opentelemetry/api (walks the built import graph)', () => {
    const root = fileURLToPath(new URL('../dist/src/', import.meta.url));
    const seen = new Set<string>();
    const bare = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file) || seen.size > 2000) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1] as string;
        if (spec.startsWith('.')) walk(join(dirname(file), spec));
        else bare.add(spec);
      }
    };
    walk(join(root, 'index.js'));
    assert.ok(seen.size > 20, `walked ${seen.size} modules`);
    assert.ok(!seen.has(join(root, 'opentelemetry.js')));
    assert.deepEqual(
      [...bare].filter((b) => b.includes('opentelemetry')),
      [],
    );
  });
});
