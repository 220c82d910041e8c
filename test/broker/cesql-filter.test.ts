import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KafkaEventLog, LocalBroker, kafkaNames } from '@eventline/broker';
import { createLogger } from '@eventline/telemetry';
import { eventually, testServerEnv, uniqueName } from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';
import { postBinary } from '../support/cloudevents';

const logger = createLogger('cesql-filter', 'silent');
const servers = testServerEnv();

describe('a Trigger with a cesql filter, over a Kafka log', () => {
  const namespace = uniqueName('cesql');
  const type = 'dev.eventline.cesql.order';
  let broker: LocalBroker;
  let server: http.Server;
  let ingress: string;
  const subscriber = new RecordingSubscriber();

  beforeAll(async () => {
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
    server = http.createServer(broker.ingress());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ingress = `http://127.0.0.1:${(server.address() as AddressInfo).port}${broker.path}`;
    await subscriber.start();
  });

  afterAll(async () => {
    await broker?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await subscriber.stop();
  });

  it('given a cesql expression, when events are posted, then the subscriber receives exactly those it evaluates to true for', async () => {
    await broker.addTrigger({
      name: 'selected',
      subscriber: subscriber.url,
      filter: {
        filters: [
          { exact: { type } },
          {
            cesql:
              "(tier IN ('gold', 'silver') AND LOWER(region) LIKE 'eu%') OR INT(amount) >= 1000",
          },
        ],
      },
      ordered: false,
      delivery: { retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT0.01S' },
    });
    const sent: Array<[string, string, Record<string, string>]> = [
      ['gold-eu', type, { 'ce-tier': 'gold', 'ce-region': 'eu-west' }],
      ['silver-upper-eu', type, { 'ce-tier': 'silver', 'ce-region': 'EU-NORTH' }],
      ['bronze-eu-small', type, { 'ce-tier': 'bronze', 'ce-region': 'eu', 'ce-amount': '5' }],
      // an extension's string casts to Integer for >=
      ['bronze-us-large', type, { 'ce-tier': 'bronze', 'ce-region': 'us', 'ce-amount': '1500' }],
      // the OR's right side reads a missing attribute: an error, so the event does not pass
      ['gold-us-no-amount', type, { 'ce-tier': 'gold', 'ce-region': 'us' }],
      // a cast error likewise
      ['bronze-amount-text', type, { 'ce-tier': 'bronze', 'ce-region': 'us', 'ce-amount': 'lots' }],
      // evaluation is fail fast: the missing region ends it before the OR's true right side
      ['gold-no-region-large', type, { 'ce-tier': 'gold', 'ce-amount': '2000' }],
      ['other-type', `${type}.other`, { 'ce-tier': 'gold', 'ce-region': 'eu' }],
    ];
    for (const [id, eventType, extensions] of sent) {
      expect(
        (await postBinary(ingress, eventType, {}, { 'ce-id': id, ...extensions })).status,
      ).toBe(202);
    }

    // every event of the log has been filtered or delivered by this trigger
    await eventually(async () => {
      const stats = broker.triggerStats('selected');
      return stats && stats.delivered + stats.filtered === sent.length ? stats : undefined;
    });
    expect(subscriber.received.map((r) => String(r.headers['ce-id'])).sort()).toEqual([
      'bronze-us-large',
      'gold-eu',
      'silver-upper-eu',
    ]);
  });
});
