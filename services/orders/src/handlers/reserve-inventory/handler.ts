import { ReserveInventoryRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import type {
  InventoryEvent,
  InventoryState,
  OrderLine,
  ReservationLine,
  StockLevel,
} from '../../domain/inventory';
import { stepOutcome } from '../../step-outcome';
import { reserveInventoryDecider } from './decider';

/**
 * The order's reservation and, when it has none yet, the stock rows of its skus, locked in sku
 * order. An order that holds a reservation needs no stock rows, and locking them would queue it
 * behind every order on the same skus.
 */
async function loadInventory(
  tx: Transaction,
  orderId: string,
  items: OrderLine[],
): Promise<InventoryState> {
  const reservation = await tx.query<ReservationLine>(
    'SELECT sku, quantity, status FROM orders.reservations WHERE order_id = $1',
    [orderId],
  );
  if (reservation.rowCount) return { stock: {}, reservations: { [orderId]: reservation.rows } };
  const skus = items.map((item) => item.sku).sort();
  const { rows } = await tx.query<StockLevel>(
    'SELECT sku, available, reserved, shipped FROM orders.inventory WHERE sku = ANY($1) ORDER BY sku FOR UPDATE',
    [skus],
  );
  return { stock: Object.fromEntries(rows.map((row) => [row.sku, row])), reservations: {} };
}

async function persistReservation(tx: Transaction, events: InventoryEvent[]): Promise<void> {
  for (const event of events) {
    if (event.type !== 'InventoryReserved') continue;
    const { orderId, items } = event.data;
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
  }
}

/**
 * Reserves every item of an order or none. Rows are locked in sku order, so concurrent orders
 * on the same skus queue instead of deadlocking, and stock never goes below zero: no oversell.
 */
export const reserveInventory = defineHandler({
  name: 'reserve-inventory',
  accepts: ReserveInventoryRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId, items }, { tx }) {
    const state = await loadInventory(tx, orderId, items);
    const events = reserveInventoryDecider.decide(
      { type: 'ReserveInventory', data: { orderId, items } },
      state,
    );
    await persistReservation(tx, events);
    const rejected = events.find((event) => event.type === 'ReservationRejected');
    return {
      reply: rejected
        ? stepOutcome(orderId, 'reserve-inventory', 'action', 'failed', rejected.data.reason)
        : stepOutcome(orderId, 'reserve-inventory', 'action', 'succeeded'),
    };
  },
});
