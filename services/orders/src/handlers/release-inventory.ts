import { ReleaseInventoryRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { stepOutcome } from './step-outcome';

/** Compensation: returns an order's held stock. Releasing twice releases once. */
export const releaseInventory = defineHandler({
  name: 'release-inventory',
  accepts: ReleaseInventoryRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId }, { tx }) {
    const { rows } = await tx.query<{ sku: string; quantity: number }>(
      `UPDATE orders.reservations SET status = 'released'
       WHERE order_id = $1 AND status = 'held' RETURNING sku, quantity`,
      [orderId],
    );
    if (rows.length > 0) {
      await tx.query(
        `UPDATE orders.inventory AS i SET available = i.available + r.quantity, reserved = i.reserved - r.quantity
         FROM unnest($1::text[], $2::int[]) AS r (sku, quantity) WHERE i.sku = r.sku`,
        [rows.map((r) => r.sku), rows.map((r) => r.quantity)],
      );
    }
    return { reply: stepOutcome(orderId, 'reserve-inventory', 'compensation', 'succeeded') };
  },
});
