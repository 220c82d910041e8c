import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@eventline/runtime';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'shared/runtime/dist/cli.js');

/** A span as the collector's file exporter writes it (OTLP JSON), with its service. */
interface Span {
  service: string;
  scope: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

interface OtlpLine {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ scope: { name: string }; spans: Array<Omit<Span, 'service' | 'scope'>> }>;
  }>;
}

function spansIn(file: string): Span[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) =>
      (JSON.parse(line) as OtlpLine).resourceSpans.flatMap((resource) => {
        const service =
          resource.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ??
          '';
        return resource.scopeSpans.flatMap(({ scope, spans }) =>
          spans.map((span) => ({
            ...span,
            parentSpanId: span.parentSpanId ?? '',
            service,
            scope: scope.name,
          })),
        );
      }),
    );
}

/** Starts `command`, resolving once `ready` appears in what it prints. */
async function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: string,
): Promise<{ child: ChildProcess; output: () => string }> {
  let output = '';
  const child = spawn(command, args, { env });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`${command} exited: ${output}`);
      return output.includes(ready) ? true : undefined;
    },
    120_000,
    100,
  );
  return { child, output: () => output };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The ORDER's path through the handlers: each is delivered by its trigger and writes Postgres. */
const ORDER_PATH = [
  ['reserve-inventory', 'dev.eventline.inventory.reserve-requested'],
  ['charge-payment', 'dev.eventline.payments.charge-requested'],
  ['create-shipment', 'dev.eventline.shipping.create-requested'],
  ['order-saga', 'dev.eventline.orders.step-outcome'],
  ['notify-customer', 'dev.eventline.orders.placed'],
];

describe('one trace from the edge request to every handler and its Postgres calls, in a real OpenTelemetry Collector', () => {
  const servers = testServerEnv();
  const dir = mkdtempSync(path.join(tmpdir(), 'eventline-trace-'));
  const traces = path.join(dir, 'traces.jsonl');
  let collector: ChildProcess | undefined;
  let system: ChildProcess | undefined;
  let database: TestDatabase;
  let edge: string;

  beforeAll(async () => {
    const bin = execFileSync('bash', [path.join(ROOT, 'scripts/otel-collector/install.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .at(-1) as string;
    const otlpPort = await freePort();
    const config = path.join(dir, 'collector.yaml');
    writeFileSync(
      config,
      [
        'receivers:',
        '  otlp:',
        '    protocols:',
        '      http:',
        `        endpoint: 127.0.0.1:${otlpPort}`,
        'exporters:',
        '  file:',
        `    path: ${traces}`,
        '    flush_interval: 100ms',
        'service:',
        '  telemetry:',
        '    metrics:',
        '      level: none',
        '  pipelines:',
        '    traces:',
        '      receivers: [otlp]',
        '      exporters: [file]',
        '',
      ].join('\n'),
    );
    collector = (await startProcess(bin, [`--config=${config}`], {}, 'Everything is ready')).child;

    database = await createTestDatabase(servers.databaseUrl, 'trace');
    const [edgePort, brokerPort] = [await freePort(), await freePort()];
    edge = `http://127.0.0.1:${edgePort}`;
    system = (
      await startProcess(
        process.execPath,
        [CLI, '--edge-port', String(edgePort), '--broker-port', String(brokerPort)],
        {
          ...process.env,
          DATABASE_URL: database.url,
          REDIS_URL: servers.redisUrl,
          REDIS_KEY_PREFIX: `${uniqueName('trace')}:`,
          KAFKA_BROKERS: servers.kafkaBrokers,
          EVENTLINE_NAMESPACE: uniqueName('trace'),
          LOG_LEVEL: 'warn',
          PAYMENT_LATENCY_MS: '2',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
          OTEL_BSP_SCHEDULE_DELAY: '100',
        },
        'Eventline is running',
      )
    ).child;
  }, 600_000);

  afterAll(async () => {
    await stop(system);
    await stop(collector);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given one order posted, then its trace holds the edge span, the broker ingress and dispatch of each event, and each handler with its Postgres spans under its delivery', async () => {
    const stock = await fetch(`${edge}/inventory/widget`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ available: 5 }),
    });
    expect(stock.status).toBe(200);
    const placed = await fetch(`${edge}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'c-trace',
        region: 'eu-west',
        items: [{ sku: 'widget', quantity: 1, unitPrice: 700 }],
      }),
    });
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };
    await eventually(
      async () => {
        const view = (await (await fetch(`${edge}/orders/${orderId}`)).json()) as {
          status: string;
        };
        return view.status === 'COMPLETED' ? true : undefined;
      },
      60_000,
      100,
    );

    const trace = await eventually(
      async () => {
        const spans = spansIn(traces);
        const api = spans.find((s) => s.service === 'orders-api' && s.name === 'POST /orders');
        if (!api) throw new Error('no orders-api span for POST /orders yet');
        const inTrace = spans.filter((s) => s.traceId === api.traceId);
        const handled = ORDER_PATH.every(([handler, type]) =>
          inTrace.some((s) => s.service === handler && s.name === `${handler} ${type}`),
        );
        if (!handled) throw new Error('not every handler span has reached the collector yet');
        return { api, spans: inTrace };
      },
      60_000,
      250,
    );

    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const ancestors = (span: Span): Span[] => {
      const chain: Span[] = [];
      for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) chain.push(at);
      return chain;
    };
    const children = (span: Span) => trace.spans.filter((s) => s.parentSpanId === span.spanId);
    const descendants = (span: Span): Span[] =>
      children(span).flatMap((child) => [child, ...descendants(child)]);
    const isPostgres = (s: Span) =>
      s.scope === '@opentelemetry/instrumentation-pg' && s.name.startsWith('pg.query');

    // Every span's parent is in the trace: one tree, rooted at the gateway's edge request.
    const roots = trace.spans.filter((s) => !byId.has(s.parentSpanId));
    expect(roots.map((s) => [s.service, s.kind, s.parentSpanId])).toEqual([
      ['eventline-local', SERVER, ''],
    ]);
    const [edgeSpan] = roots as [Span];
    expect(ancestors(trace.api).at(-1)).toBe(edgeSpan);
    expect(descendants(trace.api).filter(isPostgres).length).toBeGreaterThan(0);

    const ingress = trace.spans.filter((s) => s.name.endsWith(' ingress'));
    expect(ingress.every((s) => s.service === 'eventline-local' && s.kind === PRODUCER)).toBe(true);
    // orders-api's events (OrderPlaced, the first step's request) go through the ingress under it.
    expect(ingress.filter((s) => ancestors(s).includes(trace.api)).length).toBeGreaterThanOrEqual(
      2,
    );

    for (const [handler, type] of ORDER_PATH) {
      const spans = trace.spans.filter((s) => s.name === `${handler} ${type}`);
      expect(spans.length).toBeGreaterThan(0);
      for (const span of spans) {
        expect(span).toMatchObject({ service: handler, kind: SERVER });
        // The handler's span hangs under its trigger's dispatch span in the broker.
        const dispatch = ancestors(span).find((s) => s.name === `${handler} deliver`);
        expect(dispatch).toMatchObject({ service: 'eventline-local', kind: CONSUMER });
        expect(descendants(span).filter(isPostgres).length).toBeGreaterThan(0);
        // The dispatch span is a child of the context the event was made in: an emitting handler.
        expect(ancestors(dispatch as Span).some((s) => s.service !== 'eventline-local')).toBe(true);
      }
    }
    // The saga's next step request is the reply to its delivery: the next step's dispatch hangs
    // under the saga's own span, not under the ingress.
    const saga = trace.spans.filter(
      (s) => s.name === 'order-saga dev.eventline.orders.step-outcome',
    );
    const afterSaga = trace.spans.filter(
      (s) => s.name.endsWith(' deliver') && ancestors(s).some((a) => saga.includes(a)),
    );
    expect(afterSaga.map((s) => s.name)).toEqual(
      expect.arrayContaining(['charge-payment deliver', 'create-shipment deliver']),
    );
  });

  it('given an order read, then its trace holds the edge request and the Redis call of the cache read', async () => {
    const spans = await eventually(
      async () => {
        const all = spansIn(traces);
        const reads = all.filter(
          (s) => s.service === 'orders-api' && s.name === 'GET /orders/:orderId',
        );
        const read = reads.find((r) =>
          all.some(
            (s) => s.traceId === r.traceId && s.scope === '@opentelemetry/instrumentation-ioredis',
          ),
        );
        return read ? all.filter((s) => s.traceId === read.traceId) : undefined;
      },
      30_000,
      250,
    );
    const redis = spans.filter((s) => s.scope === '@opentelemetry/instrumentation-ioredis');
    expect(redis.length).toBeGreaterThan(0);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const call of redis) {
      let at = byId.get(call.parentSpanId);
      while (at && at.name !== 'GET /orders/:orderId') at = byId.get(at.parentSpanId);
      expect(at?.service).toBe('orders-api');
    }
  });
});
