import { trace } from '@opentelemetry/api';
import {
  contextFromTraceparent,
  currentTraceparent,
  exportRequested,
  inSpan,
  startTelemetry,
  stopTelemetry,
} from './tracing';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('exportRequested', () => {
  it.each([
    [{}, false],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none,otlp' }, true],
  ])('given %j, export is %s', (env, expected) => {
    expect(exportRequested(env)).toBe(expected);
  });
});

describe('export configuration the tracing SDK cannot honour', () => {
  afterEach(() => stopTelemetry());

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /^OTEL_TRACES_EXPORTER: "zipkin" is not supported/],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      /^OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported/,
    ],
    [
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' },
      /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" is not supported/,
    ],
    [
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp' },
      /^OTEL_METRICS_EXPORTER: "otlp" is not supported; use prometheus \(scraped at \/metrics\) or none/,
    ],
    [{ OTEL_LOGS_EXPORTER: 'otlp' }, /^OTEL_LOGS_EXPORTER: Eventline logs to stdout/],
  ])('given %j, start fails naming the variable', (env, reason) => {
    expect(() => startTelemetry('tracing-test', env)).toThrow(reason);
  });
});

describe('trace context without an exporter', () => {
  beforeAll(() => startTelemetry('tracing-test', {}));
  afterAll(() => stopTelemetry());

  it('given a traceparent, the span inside is its child: same trace, a span id of its own', async () => {
    const inside = await inSpan('child', contextFromTraceparent(PARENT), 'server', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentTraceparent();
    });
    expect(inside).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(inside).not.toBe(PARENT);
  });

  it('given no traceparent, the span starts a new sampled trace that logs can name', async () => {
    const { traceparent, traceId } = await inSpan(
      'root',
      contextFromTraceparent(undefined),
      'internal',
      async () => ({
        traceparent: currentTraceparent(),
        traceId: trace.getActiveSpan()?.spanContext().traceId,
      }),
    );
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traceparent?.split('-')[1]).toBe(traceId);
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['version 00 with a fifth field', `${PARENT}-extra`],
  ])('given %s, the span starts a new trace', async (_what, traceparent) => {
    const inside = await inSpan('root', contextFromTraceparent(traceparent), 'server', async () =>
      currentTraceparent(),
    );
    expect(inside).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(inside?.split('-')[1]).not.toBe(traceparent.split('-')[1]);
  });

  it('given an unsampled parent, the child stays unsampled', async () => {
    const unsampled = PARENT.replace(/-01$/, '-00');
    const inside = await inSpan('child', contextFromTraceparent(unsampled), 'server', async () =>
      currentTraceparent(),
    );
    expect(inside).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
  });

  it('outside any span, there is no traceparent to carry', () => {
    expect(currentTraceparent()).toBeUndefined();
  });
});
