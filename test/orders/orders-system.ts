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

export interface OrdersWorld {
  system: LocalSystem;
  pool: Pool;
  database: TestDatabase;
  stop(): Promise<void>;
}

/** The routing file with every job ticking once a year: a test fires the ticks it needs. */
export function routingWithHandFiredJobs(): Routing {
  const routing = loadRouting();
  return {
    ...routing,
    handlers: routing.handlers.map((h) =>
      h.ping ? { ...h, ping: { ...h.ping, schedule: '0 0 1 1 *' } } : h,
    ),
  };
}

/**
 * The whole system on real servers, every handler its own OS process, started by the activator
 * on its first request.
 */
export async function startOrdersWorld(
  options: { duplicateDeliveries?: number; env?: NodeJS.ProcessEnv; routing?: Routing } = {},
): Promise<OrdersWorld> {
  const servers = testServerEnv();
  const database = await createTestDatabase(servers.databaseUrl, 'orders');
  const system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName('orders')}:`,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'error',
      PAYMENT_LATENCY_MS: '2',
      SHIPMENT_FAILURE_REGIONS: 'atlantis',
      // Suites share two cores with other suites: a step is slow here long before it is lost.
      ORDERS_STEP_TIMEOUT_MS: '120000',
      // For the same reason steps wait long without any backlog: the edge admits every order
      // (admission.test.ts turns admission control on).
      ORDERS_ADMISSION_MAX_STEP_WAIT_MS: '0',
      ...options.env,
    },
    topology: 'processes',
    routing: options.routing,
    namespace: uniqueName('orders'),
    edgePort: 0,
    duplicateDeliveries: options.duplicateDeliveries,
  });
  const pool = createPool(database.url, { max: 4 });
  return {
    system,
    pool,
    database,
    stop: async () => {
      await system.stop();
      await pool.end();
      await database.drop();
    },
  };
}

export interface OrderView {
  orderId: string;
  status: string;
  reason: string | null;
  total: number;
  history: Array<{ event: string }>;
}

export async function setStock(world: OrdersWorld, sku: string, available: number): Promise<void> {
  const response = await fetch(`${world.system.edgeUrl}/inventory/${sku}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ available }),
  });
  if (response.status !== 200) throw new Error(`set stock: ${response.status}`);
}

export async function placeOrder(
  world: OrdersWorld,
  order: {
    customerId?: string;
    region?: string;
    items: Array<{ sku: string; quantity: number; unitPrice: number }>;
  },
  idempotencyKey?: string,
): Promise<string> {
  const response = await fetch(`${world.system.edgeUrl}/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify({ customerId: 'c-1', region: 'eu-west', ...order }),
  });
  if (response.status !== 202)
    throw new Error(`place order: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { orderId: string }).orderId;
}

export async function orderView(
  world: OrdersWorld,
  orderId: string,
): Promise<OrderView | undefined> {
  const response = await fetch(`${world.system.edgeUrl}/orders/${orderId}`);
  return response.status === 200 ? ((await response.json()) as OrderView) : undefined;
}

export async function terminal(
  world: OrdersWorld,
  orderId: string,
  timeoutMs = 30_000,
): Promise<OrderView> {
  return eventually(
    async () => {
      const view = await orderView(world, orderId);
      return view && view.status !== 'PENDING' ? view : undefined;
    },
    timeoutMs,
    50,
  );
}

/** The books: stock conserved per sku, and money: charges − refunds = revenue of completed orders. */
export async function books(world: OrdersWorld) {
  const stock = await world.pool.query<{
    sku: string;
    total: number;
    reserved: number;
    shipped: number;
    available: number;
  }>(
    'SELECT sku, available + reserved + shipped AS total, reserved, shipped, available FROM orders.inventory ORDER BY sku',
  );
  const money = await world.pool.query<{ charged: number; refunded: number }>(
    `SELECT COALESCE(SUM(amount) FILTER (WHERE status IN ('charged', 'refunded')), 0)::bigint AS charged,
            COALESCE(SUM(amount) FILTER (WHERE status = 'refunded'), 0)::bigint AS refunded FROM orders.payments`,
  );
  const completed = await world.pool.query<{ revenue: number; orders: number }>(
    `SELECT COALESCE(SUM(total), 0)::bigint AS revenue, COUNT(*)::int AS orders FROM orders.order_view WHERE status = 'COMPLETED'`,
  );
  return {
    stock: stock.rows,
    money: money.rows[0] as { charged: number; refunded: number },
    completed: completed.rows[0] as { revenue: number; orders: number },
  };
}
