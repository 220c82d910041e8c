import { EVENTSTORE_SCHEMA, eventStoreMigrations } from '@eventline/eventstore';
import { migrateService, requestDigest, startHandler, type RunningHandler } from '@eventline/kit';
import { service as ordersService } from '@eventline/service-orders';
import {
  createPool,
  migrate,
  PLATFORM_SCHEMA,
  platformMigrations,
  type Pool,
} from '@eventline/store';
import { createTestDatabase, testServerEnv, type TestDatabase } from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';

const servers = testServerEnv();

const recorded = {
  key: 'recorded-request',
  orderId: 'o-recorded',
  order: {
    customerId: 'c-1',
    region: 'eu-west',
    items: [{ sku: 'widget', quantity: 1, unitPrice: 10 }],
  },
};
const unrecorded = {
  key: 'unrecorded-request',
  orderId: 'o-unrecorded',
  order: {
    customerId: 'c "quoted" \\ é',
    region: 'eu-west',
    items: [
      { sku: 'widget', quantity: 2, unitPrice: 1500 },
      { sku: 'gadget', quantity: 1, unitPrice: 5 },
    ],
  },
};
const fingerprint = (order: typeof recorded.order) => [
  order.customerId,
  order.region,
  order.items.map(({ sku, quantity, unitPrice }) => [sku, quantity, unitPrice]),
];

describe('orders Idempotency-Keys stored before the kit kept them', () => {
  let database: TestDatabase;
  let pool: Pool;
  let sink: RecordingSubscriber;
  let api: RunningHandler;

  const post = (key: string, order: unknown) =>
    fetch(`${api.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(order),
    });

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'orders_keys');
    pool = createPool(database.url, { max: 2 });
    // The schema as the orders service had it: its own key table, with and without requests.
    await migrate(pool, PLATFORM_SCHEMA, platformMigrations);
    await migrate(pool, EVENTSTORE_SCHEMA, eventStoreMigrations);
    await migrate(
      pool,
      'orders',
      ordersService.migrations.filter((m) => m.id < '003'),
    );
    await pool.query(
      `INSERT INTO orders.idempotency_keys (key, order_id, request) VALUES ($1, $2, $3), ($4, $5, NULL)`,
      [
        recorded.key,
        recorded.orderId,
        JSON.stringify(fingerprint(recorded.order)),
        unrecorded.key,
        unrecorded.orderId,
      ],
    );
    await pool.query(`INSERT INTO orders.sagas (order_id, state, orders) VALUES ($1, '{}', $2)`, [
      unrecorded.orderId,
      JSON.stringify({ orderId: unrecorded.orderId, ...unrecorded.order, total: 3005 }),
    ]);
    await migrateService(ordersService, pool);

    sink = await new RecordingSubscriber(() => ({ status: 202 })).start();
    api = await startHandler(ordersService, 'orders-api', {
      env: {
        DATABASE_URL: database.url,
        K_SINK: sink.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
    });
  });

  afterAll(async () => {
    await api?.close();
    await sink?.stop();
    await pool?.end();
    await database?.drop();
  });

  it('given the migration, then every key is a kit claim with the digest the kit computes, and the old table is gone', async () => {
    const { rows } = await pool.query(
      `SELECT key, request, answer FROM eventline.idempotency_keys WHERE consumer = 'orders-api' ORDER BY key`,
    );
    expect(rows).toEqual([
      {
        key: recorded.key,
        request: requestDigest('POST', '/orders', fingerprint(recorded.order)),
        answer: { orderId: recorded.orderId },
      },
      {
        key: unrecorded.key,
        request: requestDigest('POST', '/orders', fingerprint(unrecorded.order)),
        answer: { orderId: unrecorded.orderId },
      },
    ]);
    const old = await pool.query(`SELECT to_regclass('orders.idempotency_keys') AS name`);
    expect(old.rows).toEqual([{ name: null }]);
  });

  it.each([
    ['with its request recorded', recorded],
    ['recorded before requests were', unrecorded],
  ])(
    'given a key %s, when its order is placed again, then it answers with the first order',
    async (_case, old) => {
      const response = await post(old.key, old.order);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ orderId: old.orderId });
    },
  );

  it('given a migrated key, when sent with another order, then 422 naming the key', async () => {
    const response = await post(recorded.key, { ...recorded.order, region: 'us-east' });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: string }).error).toContain(recorded.key);
  });
});
