import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics, type Meter } from '@opentelemetry/api';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * Histogram bounds for durations in seconds, from 1 ms to 30 s: the OpenTelemetry HTTP semantic
 * conventions' buckets, with the short end a handler answers in and the long end a retried
 * delivery or a saga reaches.
 */
export const SECONDS_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30,
];

interface RunningMetrics {
  provider: MeterProvider;
  exporter: PrometheusExporter;
}

let running: RunningMetrics | undefined;

/**
 * Whether the process records metrics: OTEL_METRICS_EXPORTER `prometheus` (the default, served
 * at /metrics for a scraper) or `none`. Any other exporter is refused naming the variable.
 */
export function metricsRequested(env: NodeJS.ProcessEnv): boolean {
  const names = (env.OTEL_METRICS_EXPORTER || 'prometheus')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (name !== 'prometheus' && name !== 'none')
      throw new Error(
        `OTEL_METRICS_EXPORTER: "${name}" is not supported; use prometheus (scraped at /metrics) or none`,
      );
  }
  return names.includes('prometheus');
}

/**
 * The metrics SDK with a Prometheus reader that is read only when /metrics is scraped: nothing
 * is exported, and no timer runs, between scrapes. Instruments made before this are the API's
 * no-ops, so every component makes its instruments when it starts, after telemetry did.
 */
export function startMetrics(serviceName: string): void {
  if (running) return;
  const { PrometheusExporter } =
    require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
  const { MeterProvider } =
    require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers: [exporter],
  });
  // One provider per process; a provider left by an earlier module instance (a test runner's
  // registry) gives way, or its instruments would record into a reader nobody scrapes.
  metrics.disable();
  metrics.setGlobalMeterProvider(provider);
  running = { provider, exporter };
}

export async function stopMetrics(): Promise<void> {
  const stopping = running;
  running = undefined;
  metrics.disable();
  await stopping?.provider.shutdown();
}

/** The meter Eventline's instruments come from (no-op ones while metrics are off). */
export function eventlineMeter(): Meter {
  return metrics.getMeter('eventline');
}

/**
 * Answers a scrape of /metrics in the Prometheus text format; 404 naming the variable when the
 * process records no metrics.
 */
export function serveMetrics(req: IncomingMessage, res: ServerResponse): void {
  if (!running) {
    const body = JSON.stringify({ error: 'metrics are off (OTEL_METRICS_EXPORTER=none)' });
    res.writeHead(404, { 'content-type': 'application/json' }).end(body);
    return;
  }
  running.exporter.getMetricsRequestHandler(req, res);
}

/**
 * A component's instruments, made from the meter in force when first asked for and made again if
 * telemetry restarted since (tests do): a component asks once when it starts, not per record.
 */
export function instruments<T>(make: (meter: Meter) => T): () => T {
  let made: { meter: Meter; value: T } | undefined;
  return () => {
    const meter = eventlineMeter();
    if (made?.meter !== meter) made = { meter, value: make(meter) };
    return made.value;
  };
}
