import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrateService } from '@eventline/kit';
import { HandlerProcess, serviceEntryPoint } from '@eventline/runtime';
import { service as flagsService } from '@eventline/service-flags';
import { createPool } from '@eventline/store';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  type TestDatabase,
} from '@eventline/testing';
import { postBinary } from '../support/cloudevents';

const servers = testServerEnv();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

interface ExportedSpan {
  name: string;
  traceId: string;
  parentSpanId?: string;
}

/** An OTLP/HTTP collector that keeps the spans posted to /v1/traces as JSON. */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; close(): void }> {
  const spans: ExportedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const request = JSON.parse(body) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }>;
        };
        for (const resource of request.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, close: () => server.close() };
}

describe('a handler process with an OTLP endpoint configured', () => {
  let database: TestDatabase;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let handler: HandlerProcess;

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'otel');
    const pool = createPool(database.url, { max: 1, name: 'otel-migrate' });
    await migrateService(flagsService, pool).finally(() => pool.end());
    collector = await startCollector();
    handler = new HandlerProcess(
      'flags-projection',
      serviceEntryPoint('flags'),
      {
        ...process.env,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
      (line) => process.stderr.write(`[flags-projection] ${line}\n`),
    );
    await handler.start();
  }, 60_000);

  afterAll(async () => {
    await handler?.kill('SIGTERM');
    collector?.close();
    await database?.drop();
  });

  it('given an event with a traceparent, when handled, then its span reaches the collector in that trace', async () => {
    const response = await postBinary(
      `${handler.url}/`,
      'dev.eventline.flags.changed',
      { key: 'traced', enabled: true, version: 1, changedAt: new Date().toISOString() },
      { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    );
    expect(response.status).toBe(202);
    const span = await eventually(async () =>
      collector.spans.find((s) => s.name === 'flags-projection dev.eventline.flags.changed'),
    );
    expect(span).toMatchObject({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' });
  });
});
