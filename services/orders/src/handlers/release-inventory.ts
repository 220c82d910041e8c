import { ReleaseInventoryRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { stepOutcome } from './step-outcome';

/** Compensation: returns an order's held stock. Releasing twice releases once. */
export const releaseInventory = defineHandler({
  name: 'release-inventory',
  accepts: ReleaseInventoryRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId }, { tx }) {
    await tx.query(
      `WITH released AS (
         UPDATE orders.reservations SET status = 'released'
          WHERE order_id = $1 AND status = 'held' RETURNING sku, quantity
       )
       UPDATE orders.inventory AS i SET available = i.available + r.quantity, reserved = i.reserved - r.quantity
         FROM released AS r WHERE i.sku = r.sku`,
      [orderId],
    );
    return { reply: stepOutcome(orderId, 'reserve-inventory', 'compensation', 'succeeded') };
  },
});
