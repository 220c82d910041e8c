import { OrderPlaced } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { notifyCustomerDecider } from './decider';

/** Tells the customer their order was received (the notification record is the side effect). */
export const notifyCustomer = defineHandler({
  name: 'notify-customer',
  accepts: OrderPlaced,
  async handle(order, { tx }) {
    const sent = await tx.query('SELECT 1 FROM orders.notifications WHERE order_id = $1', [
      order.orderId,
    ]);
    const events = notifyCustomerDecider.decide(
      { type: 'NotifyCustomer', data: order },
      { notified: sent.rowCount === 1 },
    );
    for (const { data } of events) {
      // Two deliveries of one order under different ids may both find it unnotified.
      await tx.query(
        `INSERT INTO orders.notifications (order_id, customer_id, message) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [data.orderId, data.customerId, data.message],
      );
    }
  },
});
