import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import {
  createTestDatabase,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { routingWithHandFiredJobs } from '../orders/orders-system';
import { RecordingSubscriber } from '../support/recording-subscriber';

export interface RetailWorld {
  system: LocalSystem;
  pool: Pool;
  database: TestDatabase;
  /** what reached a trigger on each type this world was asked to record */
  recorded: RecordingSubscriber;
  url(path: string): string;
  stop(): Promise<void>;
}

/**
 * The whole system on real servers, every handler its own OS process, jobs fired by hand; a
 * recording trigger receives the types named in `record`.
 */
export async function startRetailWorld(
  options: { env?: NodeJS.ProcessEnv; record?: string[] } = {},
): Promise<RetailWorld> {
  const servers = testServerEnv();
  const database = await createTestDatabase(servers.databaseUrl, 'retail');
  const system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName('retail')}:`,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'error',
      PAYMENT_LATENCY_MS: '2',
      ORDERS_STEP_TIMEOUT_MS: '120000',
      ORDERS_ADMISSION_MAX_STEP_WAIT_MS: '0',
      ...options.env,
    },
    topology: 'processes',
    routing: routingWithHandFiredJobs(),
    namespace: uniqueName('retail'),
    edgePort: 0,
  });
  const recorded = await new RecordingSubscriber().start();
  for (const [i, type] of (options.record ?? []).entries())
    await system.broker.addTrigger({
      name: `test-record-${i}`,
      subscriber: recorded.url,
      filter: { attributes: { type } },
      delivery: { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
      ordered: false,
    });
  const pool = createPool(database.url, { max: 4 });
  return {
    system,
    pool,
    database,
    recorded,
    url: (path) => `${system.edgeUrl}${path}`,
    stop: async () => {
      await system.stop();
      await recorded.stop();
      await pool.end();
      await database.drop();
    },
  };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export async function request(
  world: RetailWorld,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(world.url(path), {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export async function setStock(world: RetailWorld, sku: string, available: number): Promise<void> {
  const answer = await request(world, 'PUT', `/inventory/${sku}`, { available });
  if (answer.status !== 200) throw new Error(`set stock: ${answer.status}`);
}
