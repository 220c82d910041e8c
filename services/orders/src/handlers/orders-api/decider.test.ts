import { deciderSpec } from '@eventline/eventstore';
import { HandlerError } from '@eventline/kit';
import { placeOrderDecider, type PlaceOrderCommand } from './decider';

const spec = deciderSpec(placeOrderDecider);
const place: PlaceOrderCommand = {
  type: 'PlaceOrder',
  data: {
    orderId: 'o-1',
    customerId: 'c-1',
    region: 'eu-west',
    items: [
      { sku: 'a', quantity: 2, unitPrice: 1250 },
      { sku: 'b', quantity: 1, unitPrice: 99 },
    ],
    placedAt: '2026-01-02T03:04:05.000Z',
  },
};
const { orderId, customerId, region, items, placedAt } = place.data;
const placed = {
  type: 'OrderPlaced',
  data: { orderId, customerId, region, items, total: 2599, placedAt },
} as const;

describe('placing an order', () => {
  it('given a new order id, when placed, then the order is placed with its total', () => {
    spec.given([]).when(place).then([placed]);
  });

  it('given an order placed already, when placed again, then it is refused as a conflict', () => {
    spec
      .given([placed])
      .when(place)
      .thenThrows((err) => err instanceof HandlerError && err.kind === 'conflict');
  });
});
