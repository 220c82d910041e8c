import { deciderSpec } from '@eventline/eventstore';
import { revenueAnalyticsDecider, type RecordRevenue } from './decider';

const spec = deciderSpec(revenueAnalyticsDecider);
const placed = (placedAt: string, total: number): RecordRevenue => ({
  type: 'RecordRevenue',
  data: {
    orderId: 'o-1',
    customerId: 'c-1',
    region: 'eu-west',
    items: [{ sku: 'a', quantity: 1, unitPrice: total }],
    total,
    placedAt,
  },
});

describe('revenue analytics', () => {
  it('given no revenue yet, when an order arrives, then its total counts in the minute it was placed', () => {
    spec
      .given([])
      .when(placed('2026-01-02T03:04:59.999Z', 1500))
      .then([
        {
          type: 'RevenueRecorded',
          data: { minute: '2026-01-02T03:04:00.000Z', region: 'eu-west', revenue: 1500 },
        },
      ]);
  });

  it('given revenue in that minute, when another order arrives, then it counts as well', () => {
    const earlier = {
      type: 'RevenueRecorded',
      data: { minute: '2026-01-02T03:04:00.000Z', region: 'eu-west', revenue: 900 },
    } as const;
    spec
      .given([earlier])
      .when(placed('2026-01-02T03:04:00.000Z', 100))
      .then([{ ...earlier, data: { ...earlier.data, revenue: 100 } }]);
  });
});
