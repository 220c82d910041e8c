import { randomUUID } from 'node:crypto';
import { PosPurchaseCompleted } from '@eventline/events';
import { badInput, defineEdge, notFound, outgoing } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import { ordersConfig } from '../../config';
import type { InventoryState, StockLevel } from '../../domain/inventory';
import { parsePosPurchase } from '../../domain/pos';
import { posPurchaseDecider, type PurchaseCompleted } from './decider';

/** The stock rows of a basket's skus, locked in sku order, as reserve-inventory locks them. */
async function lockStock(tx: Transaction, skus: string[]): Promise<InventoryState> {
  const { rows } = await tx.query<StockLevel>(
    'SELECT sku, available, reserved, shipped FROM orders.inventory WHERE sku = ANY($1) ORDER BY sku FOR UPDATE',
    [[...skus].sort()],
  );
  return { stock: Object.fromEntries(rows.map((row) => [row.sku, row])), reservations: {} };
}

async function persistPurchase(tx: Transaction, { data }: PurchaseCompleted): Promise<void> {
  // One statement for the stock and the purchase: the rows locked above are let go at COMMIT,
  // right after it, so online orders queued on the same skus wait one round trip less.
  await tx.query(
    `WITH sold AS (
       UPDATE orders.inventory AS i SET available = i.available - r.quantity, shipped = i.shipped + r.quantity
         FROM unnest($2::text[], $3::int[]) AS r (sku, quantity) WHERE i.sku = r.sku
     )
     INSERT INTO orders.pos_purchases (purchase_id, store_id, customer_id, items, subtotal, discount,
       total, promotions, points_earned, payment_method, purchased_at)
     VALUES ($1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      data.purchaseId,
      data.items.map((item) => item.sku),
      data.items.map((item) => item.quantity),
      data.storeId,
      data.customerId ?? null,
      JSON.stringify(data.items),
      data.subtotal,
      data.discount,
      data.total,
      JSON.stringify(data.promotions),
      data.pointsEarned,
      data.payment.method,
      data.purchasedAt,
    ],
  );
}

const PURCHASE_COLUMNS = `purchase_id AS "purchaseId", store_id AS "storeId", customer_id AS "customerId",
  items, subtotal::float8 AS subtotal, discount::float8 AS discount, total::float8 AS total, promotions,
  points_earned::float8 AS "pointsEarned", json_build_object('method', payment_method) AS payment,
  to_char(purchased_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "purchasedAt"`;

/**
 * The point of sale over HTTP: POST /pos/purchases sells a basket from the regional inventory in
 * one transaction, or nothing of it; GET /pos/purchases/:id reads a purchase back.
 */
export const posApi = defineEdge({
  name: 'pos-api',
  emits: [PosPurchaseCompleted],
  routes(router, { transact, pool }) {
    const { POS_PROMOTIONS: promotions } = ordersConfig();

    router.post('/pos/purchases', async (req, res) => {
      const purchase = parsePosPurchase(req.body);
      if ('error' in purchase) throw badInput(purchase.error);
      const completed = await transact(
        async (tx) => {
          const state = await lockStock(
            tx,
            purchase.items.map((item) => item.sku),
          );
          const [event] = posPurchaseDecider.decide(
            {
              type: 'RecordPurchase',
              data: {
                ...purchase,
                purchaseId: randomUUID(),
                purchasedAt: new Date().toISOString(),
                promotions,
              },
            },
            state,
          );
          const sold = event as PurchaseCompleted;
          await persistPurchase(tx, sold);
          // Keyed by customer: their purchases reach the customers' read model in order.
          const partitionkey = sold.data.customerId ?? sold.data.purchaseId;
          return {
            result: sold.data,
            emit: [outgoing(PosPurchaseCompleted, sold.data, { partitionkey })],
          };
        },
        { idempotencyKey: { req } },
      );
      res.status(201).json(completed);
    });

    router.get('/pos/purchases/:purchaseId', async (req, res) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(req.params.purchaseId))
        throw badInput('purchaseId must be 1-64 letters, digits, "_" or "-"');
      const { rows } = await pool.query(
        `SELECT ${PURCHASE_COLUMNS} FROM orders.pos_purchases WHERE purchase_id = $1`,
        [req.params.purchaseId],
      );
      if (!rows[0]) throw notFound(`no purchase ${req.params.purchaseId}`);
      res.json(rows[0]);
    });
  },
});
