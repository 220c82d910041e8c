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
  propagation,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanExporter, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { metricsRequested, startMetrics, stopMetrics } from './metrics';

interface Telemetry {
  /** spans come from the SDK's tracer, which records and exports them */
  exporting: boolean;
  stop(): Promise<void>;
}

let running: Telemetry | undefined;

const exportersIn = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== 'none');

/**
 * Whether the standard variables ask for trace export: an exporter other than `none` named in
 * OTEL_TRACES_EXPORTER, or, with none named, an OTLP endpoint (OTLP is the default exporter).
 */
export function exportRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_TRACES_EXPORTER) return exportersIn(env.OTEL_TRACES_EXPORTER).length > 0;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Eventline writes logs to stdout; an OpenTelemetry logs exporter would be given nothing. */
function refuseLogExport(env: NodeJS.ProcessEnv): void {
  if (exportersIn(env.OTEL_LOGS_EXPORTER).length > 0) {
    throw new Error(
      'OTEL_LOGS_EXPORTER: Eventline logs to stdout as JSON; set it to none or leave it unset',
    );
  }
}

/** Requests whose spans would be noise: probes, scrapes. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const untraced = (path: string | null | undefined) =>
  UNTRACED_PATHS.has((path ?? '').split('?')[0] ?? '');

/**
 * The OpenTelemetry instrumentations of the clients and servers a process uses: node:http and
 * express (the edge request's span, named by its route), undici (the kit's and the broker's
 * sends), pg and ioredis. Client spans are made only inside a trace, so a pool's idle checks or a
 * readiness poll start none. They patch modules as they load: see ./instrument.
 */
function startInstrumentations(provider: BasicTracerProvider): () => void {
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation, ExpressLayerType } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  return registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => untraced(req.url),
        ignoreOutgoingRequestHook: (req) => untraced(req.path),
        requireParentforOutgoingSpans: true,
      }),
      // Middleware layers (body parsers, the drain check) would be a span each on every request.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new UndiciInstrumentation({
        ignoreRequestHook: (req) => untraced(req.path),
        requireParentforSpans: true,
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
}

/** The OTLP exporter for the protocol the variables name (http/protobuf by default). */
function otlpExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const variable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = env[variable] || 'http/protobuf';
  if (protocol === 'http/protobuf') {
    return new (
      require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')
    ).OTLPTraceExporter();
  }
  if (protocol === 'http/json') {
    return new (
      require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')
    ).OTLPTraceExporter();
  }
  throw new Error(`${variable}: "${protocol}" is not supported; use http/protobuf or http/json`);
}

/**
 * The tracing SDK with the exporters OTEL_TRACES_EXPORTER names (otlp by default, console). The
 * SDK reads the rest of the standard variables itself: the OTLP endpoint, headers and timeout,
 * OTEL_TRACES_SAMPLER, OTEL_BSP_*, and OTEL_SERVICE_NAME with OTEL_RESOURCE_ATTRIBUTES.
 *
 * Its modules are required here, not imported: they are among the slowest a handler could load
 * at start, and a process that exports nothing never needs them.
 */
function startSdk(serviceName: string, env: NodeJS.ProcessEnv): Telemetry {
  const { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const {
    detectResources,
    envDetector,
    hostDetector,
    osDetector,
    processDetector,
    resourceFromAttributes,
  } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const exporters = exportersIn(env.OTEL_TRACES_EXPORTER || 'otlp').map((name) => {
    if (name === 'otlp') return otlpExporter(env);
    if (name === 'console') return new ConsoleSpanExporter();
    throw new Error(`OTEL_TRACES_EXPORTER: "${name}" is not supported; use otlp, console or none`);
  });
  const resource = resourceFromAttributes({ 'service.name': serviceName }).merge(
    detectResources({ detectors: [envDetector, processDetector, hostDetector, osDetector] }),
  );
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: exporters.map((exporter) => new BatchSpanProcessor(exporter)),
  });
  const traceContext = startTraceContext();
  trace.setGlobalTracerProvider(provider);
  const { W3CTraceContextPropagator } =
    require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const stopInstrumentations = startInstrumentations(provider);
  return {
    exporting: true,
    stop: async () => {
      try {
        stopInstrumentations();
        await provider.shutdown();
      } finally {
        propagation.disable();
        trace.disable();
        await traceContext.stop();
      }
    },
  };
}

function startTraceContext(): Telemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return {
    exporting: false,
    stop: async () => {
      context.disable();
    },
  };
}

/**
 * Starts telemetry once per process, configured by the standard OTEL_* variables. When they ask
 * for trace export, the OpenTelemetry tracing SDK and its instrumentations record and export
 * spans. Otherwise spans record nothing, but each still gets ids of its own in the active context,
 * so logs carry trace ids and `traceparent` propagates hop by hop: a laptop run needs no
 * collector. Metrics are recorded for /metrics unless OTEL_METRICS_EXPORTER is none.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (running) return;
  refuseLogExport(env);
  const withMetrics = metricsRequested(env);
  running = exportRequested(env) ? startSdk(serviceName, env) : startTraceContext();
  if (withMetrics) startMetrics(serviceName);
}

export async function stopTelemetry(): Promise<void> {
  const stopping = running;
  running = undefined;
  try {
    await stopping?.stop();
  } finally {
    await stopMetrics();
  }
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

/**
 * Runs `fn` in a span only when spans are recorded: for hops (the broker's) whose span ids
 * nothing would read otherwise, so the path costs nothing without an exporter, not even reading
 * the parent (`parent` is called only then).
 */
export async function inRecordedSpan<T>(
  name: string,
  parent: () => Context,
  kind: keyof typeof SPAN_KINDS,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  return running?.exporting ? inSpan(name, parent(), kind, fn) : fn(undefined);
}

/**
 * The parent of a request's own span. The HTTP `traceparent` header is the hop's (a broker's
 * dispatch span), the CloudEvent's extension the context the event was made in: when the http
 * instrumentation already started a span from the header, the request's span is its child;
 * otherwise the header, then the extension, names the parent.
 */
export function requestParent(header: unknown, extension: unknown): Context {
  const active = trace.getSpanContext(context.active());
  if (typeof header === 'string' && active && trace.isSpanContextValid(active))
    return context.active();
  const traceparent =
    typeof header === 'string' ? header : typeof extension === 'string' ? extension : undefined;
  return contextFromTraceparent(traceparent);
}

/**
 * Runs `next` in the trace of an incoming edge request: the http instrumentation's span when it
 * made one, else a span that records nothing, child of the request's `traceparent` or a new
 * trace's root, so the events the request emits carry a `traceparent` either way.
 */
export function inRequestTrace(traceparent: unknown, next: () => void): void {
  const active = trace.getSpanContext(context.active());
  if (active && trace.isSpanContextValid(active)) {
    next();
    return;
  }
  const parent = contextFromTraceparent(typeof traceparent === 'string' ? traceparent : undefined);
  context.with(trace.setSpan(parent, traceContextSpan(parent)), next);
}
