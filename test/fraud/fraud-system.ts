import type { BrokerFaults } from '@eventline/broker';
import { loadRouting, type Routing } from '@eventline/routing';
import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';

export interface FraudWorld {
  system: LocalSystem;
  pool: Pool;
  database: TestDatabase;
  redisPrefix: string;
  /** every TransactionDecided the broker carried, as a downstream service would see them */
  decisions: RecordingSubscriber;
  stop(): Promise<void>;
}

/**
 * The fraud handlers and the dead-letter sink, nothing else, with every job ticking once a
 * year: a test fires the ticks it needs.
 */
function fraudRouting(): Routing {
  const routing = loadRouting();
  return {
    ...routing,
    handlers: routing.handlers
      .filter((h) => h.package === 'fraud' || h.package === 'dead-letters')
      .map((h) => (h.ping ? { ...h, ping: { ...h.ping, schedule: '0 0 1 1 *' } } : h)),
  };
}

/** The fraud system on real Kafka, Postgres and Redis, each handler its own OS process. */
export async function startFraudWorld(
  options: { env?: NodeJS.ProcessEnv; faults?: BrokerFaults } = {},
): Promise<FraudWorld> {
  const servers = testServerEnv();
  const database = await createTestDatabase(servers.databaseUrl, 'fraud');
  const redisPrefix = `${uniqueName('fraud')}:`;
  const system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: redisPrefix,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'error',
      FRAUD_BLOCKED_COUNTRIES: 'KP',
      ...options.env,
    },
    topology: 'processes',
    routing: fraudRouting(),
    namespace: uniqueName('fraud'),
    edgePort: 0,
    faults: options.faults,
  });
  const decisions = await new RecordingSubscriber().start();
  await system.broker.addTrigger({
    name: 'test-decisions',
    subscriber: decisions.url,
    filter: { attributes: { type: 'dev.eventline.fraud.transaction-decided' } },
    delivery: { retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT0.1S' },
    ordered: false,
  });
  const pool = createPool(database.url, { max: 4 });
  return {
    system,
    pool,
    database,
    redisPrefix,
    decisions,
    stop: async () => {
      await system.stop();
      await decisions.stop();
      await pool.end();
      await database.drop();
    },
  };
}

export interface TransactionBody {
  transactionId: string;
  customerId: string;
  amount: number;
  currency: string;
  merchant: string;
  country: string;
  at: string;
}

export interface TransactionView extends TransactionBody {
  status: string;
  decision: string | null;
  score: number | null;
  reasons: Array<{ feature: string; contribution: number }> | null;
  rules: Array<{ rule: string; effect: string }> | null;
  modelVersion: string | null;
  review: { dueAt: string; by: string | null; at: string | null } | null;
}

export async function submit(
  world: FraudWorld,
  body: unknown,
  idempotencyKey?: string,
): Promise<Response> {
  return fetch(`${world.system.edgeUrl}/transactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
}

export async function view(
  world: FraudWorld,
  transactionId: string,
): Promise<TransactionView | undefined> {
  const response = await fetch(`${world.system.edgeUrl}/transactions/${transactionId}`);
  return response.status === 200 ? ((await response.json()) as TransactionView) : undefined;
}

/** Waits for the transaction to reach one of `statuses`. */
export async function reaches(
  world: FraudWorld,
  transactionId: string,
  statuses: string[],
  timeoutMs = 30_000,
): Promise<TransactionView> {
  return eventually(
    async () => {
      const current = await view(world, transactionId);
      return current && statuses.includes(current.status) ? current : undefined;
    },
    timeoutMs,
    50,
  );
}

export const DECIDED = ['approved', 'declined', 'in-review'];

export async function review(
  world: FraudWorld,
  transactionId: string,
  body: unknown,
): Promise<Response> {
  return fetch(`${world.system.edgeUrl}/transactions/${transactionId}/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/**
 * A customer's transactions at fixed daytime instants (the model reads the hour), each one a
 * minute after the last: the first at 12:00 UTC on a day in the past.
 */
export function customerTransactions(customerId: string) {
  let n = 0;
  return (fields: Partial<TransactionBody> = {}): TransactionBody => {
    n += 1;
    return {
      transactionId: `${customerId}-${n}`,
      customerId,
      amount: 3_000,
      currency: 'EUR',
      merchant: 'bakery',
      country: 'FR',
      at: new Date(Date.UTC(2026, 0, 5, 12, n)).toISOString(),
      ...fields,
    };
  };
}
