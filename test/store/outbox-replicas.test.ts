import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { KafkaEventLog, LocalBroker, kafkaNames } from '@eventline/broker';
import { migrateService, startHandler, type RunningHandler } from '@eventline/kit';
import { service as housekeepingService } from '@eventline/service-housekeeping';
import { createPool, type Pool } from '@eventline/store';
import { createLogger } from '@eventline/telemetry';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';
import { binaryHeaders } from '../support/cloudevents';
import { counterService } from '../kit/counter-service';

const servers = testServerEnv();
const logger = createLogger('outbox-replicas', 'silent');

/**
 * K_SINK for the replicas: refuses one send in `failEvery` with a 503 before it reaches the
 * broker (a clean refusal, so the row was not delivered), forwards the others to the ingress and
 * counts, per event id, the sends the ingress accepted: what the outbox delivered to the broker.
 */
async function startFlakySink(ingress: string, failEvery: number) {
  const accepted = new Map<string, number>();
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      requests += 1;
      if (requests % failEvery === 0) {
        res.writeHead(503).end('injected failure');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === 'string' && name !== 'host' && name !== 'connection')
          headers[name] = value;
      try {
        const forwarded = await fetch(ingress, {
          method: 'POST',
          headers,
          body: Buffer.concat(chunks),
        });
        if (forwarded.ok) {
          const id = String(req.headers['ce-id']);
          accepted.set(id, (accepted.get(id) ?? 0) + 1);
        }
        res.writeHead(forwarded.status).end(await forwarded.text());
      } catch {
        res.writeHead(502).end('ingress unreachable');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the outbox across two replicas of one handler, on real Postgres and the broker on Kafka', () => {
  const namespace = uniqueName('replicas');
  let database: TestDatabase;
  let pool: Pool;
  let broker: LocalBroker;
  let ingressServer: http.Server;
  let sink: Awaited<ReturnType<typeof startFlakySink>>;
  let subscriber: RecordingSubscriber;
  const running: RunningHandler[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'replicas');
    pool = createPool(database.url, { max: 4 });
    await migrateService(counterService, pool);
    broker = new LocalBroker({
      namespace,
      name: 'default',
      eventLog: new KafkaEventLog({
        brokers: servers.kafkaBrokers.split(','),
        topic: kafkaNames.topic(namespace, 'default'),
        partitions: 4,
        log: logger,
      }),
      logger,
    });
    ingressServer = http.createServer(broker.ingress());
    await new Promise<void>((resolve) => ingressServer.listen(0, '127.0.0.1', resolve));
    const ingress = `http://127.0.0.1:${(ingressServer.address() as AddressInfo).port}${broker.path}`;
    subscriber = await new RecordingSubscriber(() => ({ status: 202 })).start();
    await broker.addTrigger({
      name: 'recorder',
      subscriber: subscriber.url,
      filter: { attributes: { type: 'test.counter.incremented' } },
      ordered: true,
      delivery: { retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT0.05S' },
    });
    sink = await startFlakySink(ingress, 9);
    const env = {
      DATABASE_URL: database.url,
      K_SINK: sink.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      EVENTLINE_DB_POOL_MAX: '6',
    };
    // the job's own settings are read from the process environment
    process.env.EVENTLINE_OUTBOX_SWEEP_AFTER_MS = '0';
    for (let replica = 0; replica < 2; replica += 1)
      running.push(await startHandler(counterService, 'counter', { env }));
    running.push(await startHandler(housekeepingService, 'outbox-sweep', { env }));
  }, 60_000);

  afterAll(async () => {
    for (const handler of running) await handler.close();
    await broker?.close();
    await new Promise<void>((resolve) =>
      ingressServer ? ingressServer.close(() => resolve()) : resolve(),
    );
    await sink?.close();
    await subscriber?.stop();
    await pool?.end();
    await database?.drop();
  });

  it('given two replicas committing events of the same keys under load, with sends refused now and then and the sweep job running throughout, when all is sent, then the broker got each outbox row exactly once and each key in commit order', async () => {
    const [first, second, sweepJob] = running as [RunningHandler, RunningHandler, RunningHandler];
    const counters = Array.from({ length: 6 }, (_, i) => `${namespace}-k${i}`);
    const total = 360;
    let sweeping = true;
    const sweeps = (async () => {
      while (sweeping) {
        await fetch(`${sweepJob.url}/`, {
          method: 'POST',
          headers: binaryHeaders('dev.knative.sources.ping', { 'ce-source': '/tests/ping' }),
          body: '{}',
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    let next = 0;
    const worker = async () => {
      while (next < total) {
        const n = next++;
        const replica = n % 2 === 0 ? first : second;
        for (;;) {
          const response = await fetch(`${replica.url}/`, {
            method: 'POST',
            headers: binaryHeaders('test.counter.increment', { 'ce-id': randomUUID() }),
            body: JSON.stringify({ counter: counters[n % counters.length], by: 1 }),
          });
          if (response.status === 200) break;
          expect([409, 503]).toContain(response.status);
        }
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    // the rows every commit wrote: their events' ids are what must reach the broker
    const seen = () => new Set(subscriber.ids()).size;
    try {
      await eventually(async () => (seen() >= total ? true : undefined), 90_000);
    } finally {
      sweeping = false;
      await sweeps;
    }

    const duplicates = [...sink.accepted].filter(([, times]) => times > 1);
    expect(duplicates).toEqual([]);
    expect(sink.accepted.size).toBe(total);

    // first arrival of each id at the subscriber; the broker's own redeliveries are counted apart
    const arrivals = new Map<string, { counter: string; total: number }>();
    for (const request of subscriber.received) {
      const id = String(request.headers['ce-id']);
      if (!arrivals.has(id)) arrivals.set(id, JSON.parse(request.body));
    }
    // commits of one counter are serialised on its row: its totals count up in commit order
    for (const counter of counters) {
      const totals = [...arrivals.values()]
        .filter((e) => e.counter === counter)
        .map((e) => e.total);
      expect(totals).toEqual(Array.from({ length: totals.length }, (_, i) => i + 1));
    }
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM eventline.outbox',
    );
    expect(rows[0]!.n).toBe(0);
  }, 150_000);
});
