import { deciderSpec } from '@eventline/eventstore';
import { reviewHighValueDecider, type ReviewOrder } from './decider';

const spec = deciderSpec(reviewHighValueDecider);
const placed: ReviewOrder = {
  type: 'ReviewOrder',
  data: {
    orderId: 'o-1',
    customerId: 'c-1',
    region: 'eu-west',
    items: [{ sku: 'a', quantity: 1, unitPrice: 25_000 }],
    total: 25_000,
    placedAt: '2026-01-02T03:04:05.000Z',
  },
};
const requested = {
  type: 'ReviewRequested',
  data: { orderId: 'o-1', customerId: 'c-1', total: 25_000 },
} as const;

describe('reviewing a high-value order', () => {
  it('given a high-value order, when it arrives, then a review is requested with its total', () => {
    spec.given([]).when(placed).then([requested]);
  });

  it('given the order is under review, when it arrives again, then no second review', () => {
    spec.given([requested]).when(placed).then([]);
  });
});
