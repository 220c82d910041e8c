import type { Pool, Transaction } from '@eventline/store';
import type { CustomerPurchase, CustomerPurchaseRecorded, CustomerState } from './domain/customer';

/** How many purchases GET /customers/:id lists, newest first. */
export const LAST_PURCHASES = 10;

const AT = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The customer's counts and whether the read model counted this purchase already. */
export async function loadCustomer(
  tx: Transaction,
  purchase: Pick<CustomerPurchase, 'customerId' | 'channel' | 'reference'>,
): Promise<CustomerState> {
  const { rows } = await tx.query<Omit<CustomerState, 'counted'> & { counted: boolean }>(
    `SELECT COALESCE(c.points, 0)::float8 AS points, COALESCE(c.purchases, 0) AS purchases,
            COALESCE(c.spent, 0)::float8 AS spent,
            EXISTS (SELECT 1 FROM retail.customer_purchases WHERE channel = $2 AND reference = $3) AS counted
       FROM (SELECT 1) AS one LEFT JOIN retail.customers c ON c.customer_id = $1`,
    [purchase.customerId, purchase.channel, purchase.reference],
  );
  const row = rows[0] as Omit<CustomerState, 'counted'> & { counted: boolean };
  return { ...row, counted: row.counted ? [`${purchase.channel}:${purchase.reference}`] : [] };
}

/**
 * Applies recorded purchases. The purchase row's key guards the counts too: two deliveries of
 * one purchase racing each other count it once.
 */
export async function applyCustomerPurchases(
  tx: Transaction,
  events: CustomerPurchaseRecorded[],
): Promise<void> {
  for (const { data: p } of events)
    await tx.query(
      `WITH counted AS (
         INSERT INTO retail.customer_purchases (channel, reference, customer_id, place, items, total, points, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING customer_id, total, points, at
       )
       INSERT INTO retail.customers AS c (customer_id, points, purchases, spent, first_purchase_at, last_purchase_at)
       SELECT customer_id, points, 1, total, at, at FROM counted
       ON CONFLICT (customer_id) DO UPDATE SET points = c.points + EXCLUDED.points,
         purchases = c.purchases + 1, spent = c.spent + EXCLUDED.spent,
         first_purchase_at = least(c.first_purchase_at, EXCLUDED.first_purchase_at),
         last_purchase_at = greatest(c.last_purchase_at, EXCLUDED.last_purchase_at)`,
      [
        p.channel,
        p.reference,
        p.customerId,
        p.place,
        JSON.stringify(p.items),
        p.total,
        p.points,
        p.at,
      ],
    );
}

export async function customerView(pool: Pool, customerId: string) {
  const profile = await pool.query(
    `SELECT customer_id AS "customerId", points::float8 AS points, purchases, spent::float8 AS spent,
            ${AT('first_purchase_at')} AS "firstPurchaseAt", ${AT('last_purchase_at')} AS "lastPurchaseAt"
       FROM retail.customers WHERE customer_id = $1`,
    [customerId],
  );
  if (!profile.rows[0]) return undefined;
  const last = await pool.query(
    `SELECT channel, reference, place, items, total::float8 AS total, points::float8 AS points, ${AT('at')} AS at
       FROM retail.customer_purchases WHERE customer_id = $1 ORDER BY at DESC, reference LIMIT $2`,
    [customerId, LAST_PURCHASES],
  );
  return { ...profile.rows[0], lastPurchases: last.rows };
}
