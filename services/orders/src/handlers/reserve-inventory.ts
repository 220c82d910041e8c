import { ReserveInventoryRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { reservationShortfall, type StockLevel } from '../domain/inventory';
import { stepOutcome } from './step-outcome';

/**
 * Reserves every item of an order or none. Rows are locked in sku order, so concurrent orders
 * on the same skus queue instead of deadlocking, and stock never goes below zero: no oversell.
 */
export const reserveInventory = defineHandler({
  name: 'reserve-inventory',
  accepts: ReserveInventoryRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId, items }, { tx }) {
    const existing = await tx.query(
      'SELECT 1 FROM orders.reservations WHERE order_id = $1 LIMIT 1',
      [orderId],
    );
    if (existing.rowCount)
      return { reply: stepOutcome(orderId, 'reserve-inventory', 'action', 'succeeded') };

    const skus = items.map((item) => item.sku).sort();
    const { rows } = await tx.query<StockLevel>(
      'SELECT sku, available, reserved, shipped FROM orders.inventory WHERE sku = ANY($1) ORDER BY sku FOR UPDATE',
      [skus],
    );
    const shortfall = reservationShortfall(new Map(rows.map((row) => [row.sku, row])), items);
    if (shortfall)
      return { reply: stepOutcome(orderId, 'reserve-inventory', 'action', 'failed', shortfall) };

    // One statement: the stock rows stay locked until COMMIT, and every round trip before it is
    // waited out by every other order on the same skus.
    await tx.query(
      `WITH held AS (
         UPDATE orders.inventory AS i SET available = i.available - r.quantity, reserved = i.reserved + r.quantity
           FROM unnest($2::text[], $3::int[]) AS r (sku, quantity) WHERE i.sku = r.sku
       )
       INSERT INTO orders.reservations (order_id, sku, quantity, status)
       SELECT $1, sku, quantity, 'held' FROM unnest($2::text[], $3::int[]) AS r (sku, quantity)`,
      [orderId, items.map((item) => item.sku), items.map((item) => item.quantity)],
    );
    return { reply: stepOutcome(orderId, 'reserve-inventory', 'action', 'succeeded') };
  },
});
