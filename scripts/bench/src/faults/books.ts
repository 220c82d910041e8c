import type { Pool } from '@eventline/store';
import type { StockedSku } from './steady-orders';

/** Effects that happened more often than the orders allow; every count must be 0. */
export interface DoubleEffects {
  /** orders with more than one 'charged' row in the payment provider's ledger */
  doubleCharges: number;
  /** orders with more than one refund in the provider's ledger */
  doubleRefunds: number;
  /** skus with a negative level or more shipped than they were stocked with */
  oversold: number;
  /** skus whose shipped count is not the quantities of their COMPLETED orders */
  shippedMismatch: number;
  /** reservations still held for an order that reached a terminal status */
  leakedReservations: number;
}

/** Whether stock and money add up; `ok` when every part does. */
export interface Reconciliation {
  ok: boolean;
  /** skus whose available + reserved + shipped is not what they were stocked with */
  stockNotConserved: string[];
  /** the provider's ledger: charged − refunded, against the revenue of COMPLETED orders */
  charged: number;
  refunded: number;
  revenue: number;
  /** orders.payments agrees: its rows still 'charged' add up to the same revenue */
  paymentsAgree: boolean;
}

export const totalDoubleEffects = (effects: DoubleEffects): number =>
  Object.values(effects).reduce((sum, n) => sum + n, 0);

const count = async (pool: Pool, sql: string, values: unknown[] = []): Promise<number> =>
  Number((await pool.query<{ n: number }>(sql, values)).rows[0]?.n ?? 0);

/**
 * Counts the double effects of `orderIds` (a scenario's orders), from the provider's ledger and
 * the orders service's tables, and on the skus of `catalogue`.
 */
export async function doubleEffects(
  pool: Pool,
  orderIds: string[],
  catalogue: StockedSku[],
): Promise<DoubleEffects> {
  const skus = catalogue.map((entry) => entry.sku);
  const stocks = catalogue.map((entry) => entry.stock);
  return {
    doubleCharges: await count(
      pool,
      `SELECT count(*) AS n FROM (SELECT order_id FROM payment_provider.charges
         WHERE status = 'charged' AND order_id = ANY($1) GROUP BY order_id HAVING count(*) > 1) doubled`,
      [orderIds],
    ),
    doubleRefunds: await count(
      pool,
      `SELECT count(*) AS n FROM (SELECT order_id FROM payment_provider.refunds
         WHERE order_id = ANY($1) GROUP BY order_id HAVING count(*) > 1) doubled`,
      [orderIds],
    ),
    oversold: await count(
      pool,
      `SELECT count(*) AS n FROM orders.inventory i
         JOIN unnest($1::text[], $2::int[]) AS stocked(sku, stock) USING (sku)
        WHERE i.available < 0 OR i.reserved < 0 OR i.shipped < 0 OR i.shipped > stocked.stock`,
      [skus, stocks],
    ),
    shippedMismatch: await count(
      pool,
      `SELECT count(*) AS n FROM orders.inventory i
         LEFT JOIN (SELECT item->>'sku' AS sku, sum((item->>'quantity')::int) AS quantity
                      FROM orders.order_view, jsonb_array_elements(items) AS item
                     WHERE status = 'COMPLETED' GROUP BY 1) completed USING (sku)
        WHERE i.sku = ANY($1) AND i.shipped <> COALESCE(completed.quantity, 0)`,
      [skus],
    ),
    leakedReservations: await count(
      pool,
      `SELECT count(*) AS n FROM orders.reservations r JOIN orders.order_view v USING (order_id)
        WHERE r.order_id = ANY($1) AND r.status = 'held' AND v.status <> 'PENDING'`,
      [orderIds],
    ),
  };
}

/**
 * Stock conserved per sku of `catalogue`, and the money of `orderIds`: charged − refunded at
 * the provider = revenue of those of them that COMPLETED.
 */
export async function reconcile(
  pool: Pool,
  orderIds: string[],
  catalogue: StockedSku[],
): Promise<Reconciliation> {
  const { rows: stock } = await pool.query<{ sku: string; total: number }>(
    'SELECT sku, available + reserved + shipped AS total FROM orders.inventory WHERE sku = ANY($1)',
    [catalogue.map((entry) => entry.sku)],
  );
  const totals = new Map(stock.map((row) => [row.sku, Number(row.total)]));
  const stockNotConserved = catalogue
    .filter((entry) => totals.get(entry.sku) !== entry.stock)
    .map((entry) => entry.sku);
  const charged = await count(
    pool,
    `SELECT COALESCE(sum(amount), 0) AS n FROM payment_provider.charges
      WHERE status = 'charged' AND order_id = ANY($1)`,
    [orderIds],
  );
  const refunded = await count(
    pool,
    'SELECT COALESCE(sum(amount), 0) AS n FROM payment_provider.refunds WHERE order_id = ANY($1)',
    [orderIds],
  );
  const revenue = await count(
    pool,
    `SELECT COALESCE(sum(total), 0) AS n FROM orders.order_view
      WHERE status = 'COMPLETED' AND order_id = ANY($1)`,
    [orderIds],
  );
  const recorded = await count(
    pool,
    `SELECT COALESCE(sum(amount), 0) AS n FROM orders.payments
      WHERE status = 'charged' AND order_id = ANY($1)`,
    [orderIds],
  );
  const paymentsAgree = recorded === revenue;
  return {
    ok: stockNotConserved.length === 0 && charged - refunded === revenue && paymentsAgree,
    stockNotConserved,
    charged,
    refunded,
    revenue,
    paymentsAgree,
  };
}
