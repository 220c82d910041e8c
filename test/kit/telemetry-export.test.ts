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
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const SPAN_NAME = 'flags-projection dev.eventline.flags.changed';

/** An OTLP/HTTP collector that keeps the bodies posted to /v1/traces. */
async function startCollector(): Promise<{ url: string; bodies: Buffer[]; close(): void }> {
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' });
      res.end(req.headers['content-type'] === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => server.close() };
}

interface JsonSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

const jsonSpans = (body: Buffer): JsonSpan[] =>
  (
    JSON.parse(body.toString('utf8')) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }>;
    }
  ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

/** Protobuf carries strings as UTF-8 and ids as raw bytes: the span's fields are in the body. */
const protobufHasSpan = (body: Buffer) =>
  body.includes(SPAN_NAME) &&
  body.includes(Buffer.from(TRACE_ID, 'hex')) &&
  body.includes(Buffer.from(PARENT_SPAN_ID, 'hex'));

describe.each(['http/protobuf', 'http/json'])(
  'a handler process exporting traces over OTLP %s',
  (protocol) => {
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
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
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

    it('given an event with a traceparent, when handled, then its span reaches the collector in that trace, under the HTTP server span the traceparent parents', async () => {
      const response = await postBinary(
        `${handler.url}/`,
        'dev.eventline.flags.changed',
        { key: 'traced', enabled: true, version: 1, changedAt: new Date().toISOString() },
        { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` },
      );
      expect(response.status).toBe(202);
      if (protocol === 'http/json') {
        // The http instrumentation's span is the request's; the handler's span is inside it.
        const chain = await eventually(async () => {
          const spans = collector.bodies.flatMap(jsonSpans);
          const byId = new Map(spans.map((s) => [s.spanId, s]));
          const found: JsonSpan[] = [];
          for (
            let at = spans.find((s) => s.name === SPAN_NAME);
            at;
            at = byId.get(at.parentSpanId ?? '')
          )
            found.push(at);
          return found.at(-1)?.parentSpanId === PARENT_SPAN_ID ? found : undefined;
        });
        expect(chain.every((s) => s.traceId === TRACE_ID)).toBe(true);
        expect(chain.at(-1)?.name).toBe('POST /');
      } else {
        expect(
          await eventually(async () => collector.bodies.some(protobufHasSpan) || undefined),
        ).toBe(true);
      }
    });
  },
);
