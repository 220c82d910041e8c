import type { Routing } from '@eventline/routing';
import { startHybridSystem, type HybridSystem } from '@eventline/runtime';
import { createTestDatabase, dropDatabase, testServerEnv, uniqueName } from '@eventline/testing';
import { routingWithHandFiredJobs } from '../orders/orders-system';
import { RecordingSubscriber } from '../support/recording-subscriber';

export interface HybridWorld {
  hybrid: HybridSystem;
  /** the reports each region sent toward central, as its broker delivered them */
  reports: Map<string, RecordingSubscriber>;
  /** each region's till purchases as its broker delivered them (the raw events) */
  purchases: Map<string, RecordingSubscriber>;
  stop(): Promise<void>;
}

/** The routing file with jobs fired by hand and the feed on a topic of this run's own. */
function testRouting(): Routing {
  const routing = routingWithHandFiredJobs();
  const topic = uniqueName('central_feed');
  return {
    ...routing,
    kafkaSinks: routing.kafkaSinks.map((s) => ({ ...s, topic })),
    kafkaSources: routing.kafkaSources.map((s) =>
      s.name === 'central-feed' ? { ...s, topics: [topic] } : s,
    ),
  };
}

const record = async (system: HybridSystem['central'], name: string, type: string) => {
  const subscriber = await new RecordingSubscriber().start();
  await system.broker.addTrigger({
    name,
    subscriber: subscriber.url,
    filter: { attributes: { type } },
    delivery: { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
    ordered: false,
  });
  return subscriber;
};

/**
 * `npm start -- --regions` on the test servers: the central store and each region a system of
 * its own (each handler its own process), each with its database beside this run's.
 */
export async function startHybridWorld(regions: string[]): Promise<HybridWorld> {
  const servers = testServerEnv();
  const base = await createTestDatabase(servers.databaseUrl, 'regions');
  const hybrid = await startHybridSystem({
    regions,
    edgePort: 0,
    routing: testRouting(),
    env: {
      DATABASE_URL: base.url,
      REDIS_URL: servers.redisUrl,
      KAFKA_BROKERS: servers.kafkaBrokers,
      EVENTLINE_NAMESPACE: uniqueName('regions'),
      LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'error',
    },
  });
  const reports = new Map<string, RecordingSubscriber>();
  const purchases = new Map<string, RecordingSubscriber>();
  for (const [region, system] of hybrid.regions) {
    reports.set(
      region,
      await record(system, 'test-reports', 'dev.eventline.regions.inventory-reported'),
    );
    purchases.set(
      region,
      await record(system, 'test-purchases', 'dev.eventline.pos.purchase-completed'),
    );
  }
  const databaseName = new URL(base.url).pathname.slice(1);
  return {
    hybrid,
    reports,
    purchases,
    stop: async () => {
      await hybrid.stop();
      for (const subscriber of [...reports.values(), ...purchases.values()])
        await subscriber.stop();
      for (const install of ['central', ...regions])
        await dropDatabase(servers.databaseUrl, `${databaseName}_${install.replaceAll('-', '_')}`);
      await base.drop();
    },
  };
}
