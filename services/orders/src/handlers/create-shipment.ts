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
      const { rows } = await tx.query<{ sku: string; quantity: number }>(
        `UPDATE orders.reservations SET status = 'shipped' WHERE order_id = $1 AND status = 'held' RETURNING sku, quantity`,
        [orderId],
      );
      await tx.query(
        `UPDATE orders.inventory AS i SET reserved = i.reserved - r.quantity, shipped = i.shipped + r.quantity
         FROM unnest($1::text[], $2::int[]) AS r (sku, quantity) WHERE i.sku = r.sku`,
        [rows.map((r) => r.sku), rows.map((r) => r.quantity)],
      );
    }
    return { reply: stepOutcome(orderId, 'create-shipment', 'action', 'succeeded') };
  },
});
