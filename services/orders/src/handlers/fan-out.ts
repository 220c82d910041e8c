import { OrderPlaced } from '@eventline/events';
import { defineHandler } from '@eventline/kit';

/** Tells the customer their order was received (the notification record is the side effect). */
export const notifyCustomer = defineHandler({
  name: 'notify-customer',
  accepts: OrderPlaced,
  async handle(order, { tx }) {
    await tx.query(
      `INSERT INTO orders.notifications (order_id, customer_id, message) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [
        order.orderId,
        order.customerId,
        `Order ${order.orderId} received: ${order.items.length} item(s), total ${order.total}`,
      ],
    );
  },
});

/** Per-minute order count and revenue by region. */
export const revenueAnalytics = defineHandler({
  name: 'revenue-analytics',
  accepts: OrderPlaced,
  async handle(order, { tx }) {
    await tx.query(
      `INSERT INTO orders.revenue_by_minute (minute, region, orders, revenue) VALUES (date_trunc('minute', $1::timestamptz), $2, 1, $3)
       ON CONFLICT (minute, region) DO UPDATE SET orders = revenue_by_minute.orders + 1, revenue = revenue_by_minute.revenue + $3`,
      [order.placedAt, order.region, order.total],
    );
  },
});

/** High-value orders wait for a human look; its trigger filters on the `highvalue` extension. */
export const reviewHighValue = defineHandler({
  name: 'review-high-value',
  accepts: OrderPlaced,
  async handle(order, { tx }) {
    await tx.query(
      `INSERT INTO orders.reviews (order_id, customer_id, total) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [order.orderId, order.customerId, order.total],
    );
  },
});
