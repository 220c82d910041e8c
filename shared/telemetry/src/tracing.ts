import { randomBytes } from 'node:crypto';
import {
  context,
  trace,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { NodeSDK } from '@opentelemetry/sdk-node';

interface Telemetry {
  /** spans come from the SDK's tracer, which records and exports them */
  exporting: boolean;
  stop(): Promise<void>;
}

let running: Telemetry | undefined;

const exporterNamed = (value: string | undefined) =>
  (value ?? '').split(',').some((name) => name.trim() !== '' && name.trim() !== 'none');

/**
 * Whether the standard variables ask for export: a traces, metrics or logs exporter other than
 * `none`, or, with no traces exporter named, an OTLP endpoint (the SDK's default exporter is OTLP).
 */
export function exportRequested(env: NodeJS.ProcessEnv): boolean {
  if (exporterNamed(env.OTEL_METRICS_EXPORTER) || exporterNamed(env.OTEL_LOGS_EXPORTER))
    return true;
  if (env.OTEL_TRACES_EXPORTER) return exporterNamed(env.OTEL_TRACES_EXPORTER);
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

function startSdk(serviceName: string, env: NodeJS.ProcessEnv): Telemetry {
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  // Required here, not imported: the SDK and its exporters take longer to load than the rest of a
  // handler, and a process that exports nothing never needs them.
  const sdk: NodeSDK = new (
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node')
  ).NodeSDK({ serviceName: env.OTEL_SERVICE_NAME ?? serviceName });
  sdk.start();
  return { exporting: true, stop: () => sdk.shutdown() };
}

function startTraceContext(): Telemetry {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  return {
    exporting: false,
    stop: async () => {
      context.disable();
    },
  };
}

/**
 * Starts telemetry once per process, configured by the standard OTEL_* variables. When they ask
 * for export, the OpenTelemetry SDK runs and exports. Otherwise spans record nothing, but each
 * still gets ids of its own in the active context, so logs carry trace ids and `traceparent`
 * propagates hop by hop: a laptop run needs no collector.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  running ??= exportRequested(env) ? startSdk(serviceName, env) : startTraceContext();
}

export async function stopTelemetry(): Promise<void> {
  await running?.stop();
  running = undefined;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/**
 * The span context a W3C `traceparent` names, if it is valid: version ff and all-zero ids are
 * not, and version 00 has exactly four fields (later versions may add more).
 */
function parseTraceparent(traceparent: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as string[];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return {
    traceId: traceId as string,
    spanId: spanId as string,
    traceFlags: parseInt(flags as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
}

/** The context a `traceparent` (W3C) value describes, or the active one when there is none. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const remote = traceparent ? parseTraceparent(traceparent) : undefined;
  return remote ? trace.setSpanContext(context.active(), remote) : context.active();
}

/** The `traceparent` of the active span, to carry on an outgoing CloudEvent. */
export function currentTraceparent(): string | undefined {
  const active = trace.getSpanContext(context.active());
  if (!active || !trace.isSpanContextValid(active)) return undefined;
  const flags = (active.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${active.traceId}-${active.spanId}-${flags}`;
}

const SPAN_KINDS = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  consumer: SpanKind.CONSUMER,
  producer: SpanKind.PRODUCER,
  internal: SpanKind.INTERNAL,
};

/** A child of `parent`'s span (or a new trace's root) that records nothing: new ids, no SDK. */
function traceContextSpan(parent: Context): Span {
  const parentSpan = trace.getSpanContext(parent);
  const inTrace = parentSpan && trace.isSpanContextValid(parentSpan);
  return trace.wrapSpanContext({
    traceId: inTrace ? parentSpan.traceId : randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: inTrace ? parentSpan.traceFlags : TraceFlags.SAMPLED,
  });
}

/** Runs `fn` inside a span that is a child of `parent`, recording failures on the span. */
export async function inSpan<T>(
  name: string,
  parent: Context,
  kind: keyof typeof SPAN_KINDS,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = running?.exporting
    ? trace.getTracer('eventline').startSpan(name, { kind: SPAN_KINDS[kind] }, parent)
    : traceContextSpan(parent);
  return context.with(trace.setSpan(parent, span), async () => {
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
