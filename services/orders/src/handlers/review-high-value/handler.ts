import { OrderPlaced } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { reviewHighValueDecider } from './decider';

/** High-value orders wait for a human look; its trigger filters on the `highvalue` extension. */
export const reviewHighValue = defineHandler({
  name: 'review-high-value',
  accepts: OrderPlaced,
  async handle(order, { tx }) {
    const review = await tx.query('SELECT 1 FROM orders.reviews WHERE order_id = $1', [
      order.orderId,
    ]);
    const events = reviewHighValueDecider.decide(
      { type: 'ReviewOrder', data: order },
      { underReview: review.rowCount === 1 },
    );
    for (const { data } of events) {
      // Two deliveries of one order under different ids may both find it unreviewed.
      await tx.query(
        `INSERT INTO orders.reviews (order_id, customer_id, total) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [data.orderId, data.customerId, data.total],
      );
    }
  },
});
