import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';

let sdk: NodeSDK | undefined;

function exportConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    env.OTEL_TRACES_EXPORTER ??
    env.OTEL_EXPORTER_OTLP_ENDPOINT ??
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  );
}

/**
 * Starts the OpenTelemetry SDK once per process, configured by the standard OTEL_* variables.
 * Without an exporter configured, spans are still created (so logs carry real trace ids and
 * `traceparent` propagates) but nothing is exported: a laptop run needs no collector.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk) return;
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    textMapPropagator: new W3CTraceContextPropagator(),
    ...(exportConfigured(env) ? {} : { spanProcessors: [new NoopSpanProcessor()] }),
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

const tracer = () => trace.getTracer('eventline');

/** The context a `traceparent` (W3C) value describes, or the active one when there is none. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return context.active();
  return propagation.extract(context.active(), { traceparent });
}

/** The `traceparent` of the active span, to carry on an outgoing CloudEvent. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Runs `fn` inside a span that is a child of `parent`, recording failures on the span. */
export async function inSpan<T>(
  name: string,
  parent: Context,
  kind: 'server' | 'client' | 'consumer' | 'producer' | 'internal',
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const spanKind = {
    server: SpanKind.SERVER,
    client: SpanKind.CLIENT,
    consumer: SpanKind.CONSUMER,
    producer: SpanKind.PRODUCER,
    internal: SpanKind.INTERNAL,
  }[kind];
  return tracer().startActiveSpan(name, { kind: spanKind }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
