import type { Decider } from '@eventline/eventstore';
import type { DataOf, OrderPlaced } from '@eventline/events';

/** Orders and revenue per minute and region, keyed `<minute> <region>`. */
export type RevenueByMinute = Record<string, { orders: number; revenue: number }>;

export type RecordRevenue = { type: 'RecordRevenue'; data: DataOf<typeof OrderPlaced> };

export type RevenueEvent = {
  type: 'RevenueRecorded';
  data: { minute: string; region: string; revenue: number };
};

const MINUTE_MS = 60_000;

/** Counts each order once, in the minute (UTC) and region it was placed in. */
export const revenueAnalyticsDecider = {
  initialState: (): RevenueByMinute => ({}),
  evolve(totals: RevenueByMinute, { data }: RevenueEvent): RevenueByMinute {
    const bucket = `${data.minute} ${data.region}`;
    const { orders, revenue } = totals[bucket] ?? { orders: 0, revenue: 0 };
    return { ...totals, [bucket]: { orders: orders + 1, revenue: revenue + data.revenue } };
  },
  // Every order counts: the kit's idempotency records keep a redelivery from counting twice.
  decide({ data: order }: RecordRevenue): RevenueEvent[] {
    const placed = Date.parse(order.placedAt);
    const minute = new Date(placed - (placed % MINUTE_MS)).toISOString();
    return [
      { type: 'RevenueRecorded', data: { minute, region: order.region, revenue: order.total } },
    ];
  },
} satisfies Decider<RevenueByMinute, RecordRevenue, RevenueEvent>;
