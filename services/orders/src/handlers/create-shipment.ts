import { CreateShipmentRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { ordersConfig } from '../config';
import { stepOutcome } from './step-outcome';

/** Ships an order: its held stock leaves the warehouse. Regions without a carrier fail the step. */
export const createShipment = defineHandler({
  name: 'create-shipment',
  accepts: CreateShipmentRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId, region }, { tx }) {
    const unserved = ordersConfig().SHIPMENT_FAILURE_REGIONS.split(',');
    if (unserved.includes(region)) {
      return {
        reply: stepOutcome(
          orderId,
          'create-shipment',
          'action',
          'failed',
          `no carrier serves region ${region}`,
        ),
      };
    }
    const created = await tx.query(
      'INSERT INTO orders.shipments (order_id, region) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [orderId, region],
    );
    if (created.rowCount) {
      await tx.query(
        `WITH shipped AS (
           UPDATE orders.reservations SET status = 'shipped'
            WHERE order_id = $1 AND status = 'held' RETURNING sku, quantity
         )
         UPDATE orders.inventory AS i SET reserved = i.reserved - s.quantity, shipped = i.shipped + s.quantity
           FROM shipped AS s WHERE i.sku = s.sku`,
        [orderId],
      );
    }
    return { reply: stepOutcome(orderId, 'create-shipment', 'action', 'succeeded') };
  },
});
