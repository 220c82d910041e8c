import { OrderPlaced } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { revenueAnalyticsDecider } from './decider';

/** Per-minute order count and revenue by region. */
export const revenueAnalytics = defineHandler({
  name: 'revenue-analytics',
  accepts: OrderPlaced,
  async handle(order, { tx }) {
    const events = revenueAnalyticsDecider.decide({ type: 'RecordRevenue', data: order });
    for (const { data } of events) {
      await tx.query(
        `INSERT INTO orders.revenue_by_minute (minute, region, orders, revenue) VALUES ($1, $2, 1, $3)
         ON CONFLICT (minute, region) DO UPDATE SET orders = revenue_by_minute.orders + 1, revenue = revenue_by_minute.revenue + $3`,
        [data.minute, data.region, data.revenue],
      );
    }
  },
});
