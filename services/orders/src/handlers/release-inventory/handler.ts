import { ReleaseInventoryRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import type { InventoryEvent, InventoryState, ReservationLine } from '../../domain/inventory';
import { stepOutcome } from '../../step-outcome';
import { releaseInventoryDecider } from './decider';

/** The order's reservation, locked: a concurrent release waits, then sees what this one did. */
async function loadReservation(tx: Transaction, orderId: string): Promise<InventoryState> {
  const { rows } = await tx.query<ReservationLine>(
    'SELECT sku, quantity, status FROM orders.reservations WHERE order_id = $1 FOR UPDATE',
    [orderId],
  );
  return { stock: {}, reservations: { [orderId]: rows } };
}

async function persistRelease(tx: Transaction, events: InventoryEvent[]): Promise<void> {
  for (const event of events) {
    if (event.type !== 'InventoryReleased') continue;
    await tx.query(
      `WITH released AS (
         UPDATE orders.reservations SET status = 'released'
          WHERE order_id = $1 AND sku = ANY($2::text[]) RETURNING sku, quantity
       )
       UPDATE orders.inventory AS i SET available = i.available + r.quantity, reserved = i.reserved - r.quantity
         FROM released AS r WHERE i.sku = r.sku`,
      [event.data.orderId, event.data.items.map((item) => item.sku)],
    );
  }
}

/** Compensation: returns an order's held stock. Releasing twice releases once. */
export const releaseInventory = defineHandler({
  name: 'release-inventory',
  accepts: ReleaseInventoryRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId }, { tx }) {
    const state = await loadReservation(tx, orderId);
    const events = releaseInventoryDecider.decide(
      { type: 'ReleaseInventory', data: { orderId } },
      state,
    );
    await persistRelease(tx, events);
    return { reply: stepOutcome(orderId, 'reserve-inventory', 'compensation', 'succeeded') };
  },
});
