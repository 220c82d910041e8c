import { CreateShipmentRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import { ordersConfig } from '../../config';
import type { ReservationLine } from '../../domain/inventory';
import { stepOutcome } from '../../step-outcome';
import { createShipmentDecider, type ShipmentEvent, type ShipmentState } from './decider';

/**
 * The order's reservation, locked first so that a concurrent shipment of the order waits and
 * then sees this one's shipment, and whether it has shipped.
 */
async function loadShipment(tx: Transaction, orderId: string): Promise<ShipmentState> {
  const reservation = await tx.query<ReservationLine>(
    'SELECT sku, quantity, status FROM orders.reservations WHERE order_id = $1 FOR UPDATE',
    [orderId],
  );
  const shipment = await tx.query('SELECT 1 FROM orders.shipments WHERE order_id = $1', [orderId]);
  return { reservation: reservation.rows, shipped: shipment.rowCount === 1 };
}

async function persistShipment(tx: Transaction, events: ShipmentEvent[]): Promise<void> {
  for (const event of events) {
    if (event.type !== 'OrderShipped') continue;
    const { orderId, region, items } = event.data;
    // An order without a reservation has no row to lock, so two of its shipments can race to
    // the insert: the later one adds nothing.
    await tx.query(
      `WITH shipment AS (
         INSERT INTO orders.shipments (order_id, region) VALUES ($1, $2) ON CONFLICT DO NOTHING
       ), shipped AS (
         UPDATE orders.reservations SET status = 'shipped'
          WHERE order_id = $1 AND sku = ANY($3::text[]) RETURNING sku, quantity
       )
       UPDATE orders.inventory AS i SET reserved = i.reserved - s.quantity, shipped = i.shipped + s.quantity
         FROM shipped AS s WHERE i.sku = s.sku`,
      [orderId, region, items.map((item) => item.sku)],
    );
  }
}

/** Ships an order: its held stock leaves the warehouse. Regions without a carrier fail the step. */
export const createShipment = defineHandler({
  name: 'create-shipment',
  accepts: CreateShipmentRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId, region }, { tx }) {
    const decider = createShipmentDecider(ordersConfig().SHIPMENT_FAILURE_REGIONS.split(','));
    const state = await loadShipment(tx, orderId);
    const events = decider.decide({ type: 'CreateShipment', data: { orderId, region } }, state);
    await persistShipment(tx, events);
    const refused = events.find((event) => event.type === 'ShipmentRefused');
    return {
      reply: refused
        ? stepOutcome(orderId, 'create-shipment', 'action', 'failed', refused.data.reason)
        : stepOutcome(orderId, 'create-shipment', 'action', 'succeeded'),
    };
  },
});
