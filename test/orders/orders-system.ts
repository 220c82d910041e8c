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
  options: { faults?: BrokerFaults; env?: NodeJS.ProcessEnv; routing?: Routing } = {},
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
    faults: options.faults,
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

/** The orders in each status, all of them counted: an order still PENDING is one of them. */
export async function statusCounts(world: OrdersWorld): Promise<Record<string, number>> {
  const { rows } = await world.pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM orders.order_view GROUP BY status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/**
 * Every way the books can disagree with the orders, each a sentence; none when they reconcile.
 * Money is read from the payment provider's ledger, not the merchant's records: a second charge
 * under another key is a row there that the merchant never saw.
 */
export async function bookProblems(world: OrdersWorld): Promise<string[]> {
  const problems: string[] = [];
  const perOrder = await world.pool.query<{
    order_id: string;
    status: string | null;
    total: number | null;
    charges: number;
    charged: number;
    refunds: number;
    refunded: number;
  }>(
    `WITH charged AS (
       SELECT order_id, count(*)::int AS charges, sum(amount)::bigint AS charged
         FROM payment_provider.charges WHERE status = 'charged' GROUP BY order_id
     ), refunded AS (
       SELECT order_id, count(*)::int AS refunds, sum(amount)::bigint AS refunded
         FROM payment_provider.refunds GROUP BY order_id
     )
     SELECT o.order_id, v.status, v.total, COALESCE(c.charges, 0) AS charges,
            COALESCE(c.charged, 0)::float8 AS charged, COALESCE(r.refunds, 0) AS refunds,
            COALESCE(r.refunded, 0)::float8 AS refunded
       FROM (SELECT order_id FROM charged UNION SELECT order_id FROM refunded
             UNION SELECT order_id FROM orders.order_view) AS o
       LEFT JOIN orders.order_view v USING (order_id)
       LEFT JOIN charged c USING (order_id) LEFT JOIN refunded r USING (order_id)`,
  );
  for (const o of perOrder.rows) {
    const net = o.charged - o.refunded;
    if (o.charges > 1) problems.push(`order ${o.order_id} charged ${o.charges} times`);
    if (o.refunds > 1) problems.push(`order ${o.order_id} refunded ${o.refunds} times`);
    if (o.status === null) problems.push(`order ${o.order_id} has money but no order`);
    else if (o.status === 'COMPLETED' && (net !== Number(o.total) || o.refunds > 0))
      problems.push(`COMPLETED order ${o.order_id} of ${o.total} has ${net} net at the provider`);
    else if (o.status !== 'COMPLETED' && o.status !== 'PENDING' && net !== 0)
      problems.push(`${o.status} order ${o.order_id} kept ${net} at the provider`);
  }
  const stock = await world.pool.query<{ sku: string; shipped: number; completed: number }>(
    `WITH completed AS (
       SELECT item->>'sku' AS sku, sum((item->>'quantity')::int)::int AS quantity
         FROM orders.order_view, jsonb_array_elements(items) AS item
        WHERE status = 'COMPLETED' GROUP BY 1
     )
     SELECT i.sku, i.shipped, COALESCE(c.quantity, 0) AS completed
       FROM orders.inventory i LEFT JOIN completed c USING (sku)`,
  );
  for (const s of stock.rows)
    if (s.shipped !== s.completed)
      problems.push(`sku ${s.sku}: shipped ${s.shipped}, COMPLETED orders hold ${s.completed}`);
  const held = await world.pool.query<{ order_id: string; status: string }>(
    `SELECT r.order_id, v.status FROM orders.reservations r JOIN orders.order_view v USING (order_id)
      WHERE r.status = 'held' AND v.status <> 'PENDING'`,
  );
  for (const r of held.rows)
    problems.push(`${r.status} order ${r.order_id} still holds a reservation`);
  return problems;
}
