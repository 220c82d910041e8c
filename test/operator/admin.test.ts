import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  KafkaEventLog,
  LocalBroker,
  MemoryEventLog,
  kafkaNames,
  type EventLog,
} from '@eventline/broker';
import { AdminEndpoints, PerSecond } from '@eventline/runtime';
import { createLogger } from '@eventline/telemetry';
import { eventually, testServerEnv, uniqueName } from '@eventline/testing';

const logger = createLogger('operator-admin', 'silent');
const servers = testServerEnv();

const backends: Array<{ kind: string; eventLog: (namespace: string) => EventLog }> = [
  { kind: 'memory', eventLog: () => new MemoryEventLog(logger, 2) },
  {
    kind: 'kafka',
    eventLog: (namespace) =>
      new KafkaEventLog({
        brokers: servers.kafkaBrokers.split(','),
        topic: kafkaNames.topic(namespace, 'default'),
        partitions: 2,
        log: logger,
      }),
  },
];

/** A subscriber that holds every delivery until released, then answers each with `status`. */
async function heldSubscriber() {
  const held: Array<() => void> = [];
  let status = 200;
  let holding = true;
  const server = http.createServer((req, res) => {
    req.resume();
    const answer = () => res.writeHead(status).end();
    if (holding) held.push(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    held: () => held.length,
    release(answerWith = 200) {
      status = answerWith;
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const event = (type: string, i: number) => ({
  specversion: '1.0' as const,
  id: `${type}-${i}`,
  source: '/tests/admin',
  type,
  datacontenttype: 'application/json',
  data: { i },
});

describe.each(backends)('the overview on the $kind broker', ({ eventLog }) => {
  it("given deliveries held by a subscriber, then its trigger's lag counts them until they are answered, and a trigger filtering them out has none", async () => {
    const namespace = uniqueName('admin');
    const broker = new LocalBroker({
      namespace,
      name: 'default',
      eventLog: eventLog(namespace),
      logger,
    });
    const subscriber = await heldSubscriber();
    const sink = await heldSubscriber();
    sink.release();
    const admin = new AdminEndpoints({ broker, topology: 'in-process', processes: new Map() });
    const type = uniqueName('admin.held');
    const delivery = {
      retry: 0,
      backoffPolicy: 'linear' as const,
      backoffDelay: 'PT0.1S',
      deadLetterSink: sink.url,
    };
    try {
      await broker.addTrigger({
        name: 'held',
        subscriber: subscriber.url,
        filter: { attributes: { type } },
        delivery,
        ordered: false,
      });
      await broker.addTrigger({
        name: 'elsewhere',
        subscriber: sink.url,
        filter: { attributes: { type: 'other' } },
        delivery,
        ordered: false,
      });
      for (let i = 0; i < 3; i += 1) await broker.publish(event(type, i));

      await eventually(async () => (subscriber.held() === 3 ? true : undefined), 30_000);
      const behind = admin.overview();
      expect(behind.events.appended).toBe(3);
      const trigger = (name: string) => admin.overview().triggers.find((t) => t.name === name)!;
      expect(behind.triggers.find((t) => t.name === 'held')).toMatchObject({
        lag: 3,
        delivered: 0,
      });
      await eventually(
        async () => (trigger('elsewhere').filtered === 3 ? true : undefined),
        30_000,
      );
      expect(trigger('elsewhere').lag).toBe(0);

      // Refused for good: dead-lettered, each one an error in the delivery error rate.
      subscriber.release(400);
      await eventually(async () => (trigger('held').deadLettered === 3 ? true : undefined), 30_000);
      expect(trigger('held').lag).toBe(0);
      // Rates count complete seconds: the failures show once their second is over.
      const rate = await eventually(async () => {
        const { deliveries } = admin.overview();
        return deliveries.errorRate > 0 ? deliveries.errorRate : undefined;
      }, 10_000);
      expect(rate).toBe(1);
    } finally {
      admin.close();
      await broker.close();
      await subscriber.close();
      await sink.close();
    }
  }, 60_000);
});

describe('counts per second', () => {
  it('given events over the last seconds, then the rate averages the complete seconds and the series has one point per second', () => {
    let now = 1_000_000;
    const counts = new PerSecond(() => now);
    counts.add(5);
    now += 1000;
    counts.add(3);
    now += 1000;
    counts.add(100); // the current second: not over, not counted yet
    expect(counts.series(3)).toEqual([0, 5, 3]);
    expect(counts.rate(2)).toBe(4);
    now += 120_000;
    expect(counts.rate(10)).toBe(0);
    expect(counts.series()).toHaveLength(60);
  });
});
