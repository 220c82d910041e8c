import { deciderSpec } from '@eventline/eventstore';
import type { OrderPlacedEvent } from '../../domain/order';
import { placeCartOrderDecider, type PlaceCartOrder } from './decider';

const spec = deciderSpec(placeCartOrderDecider);
const items = [{ sku: 'widget', quantity: 2, unitPrice: 1500 }];
const checkedOut: PlaceCartOrder = {
  type: 'PlaceCartOrder',
  data: {
    cartId: 'cart-1',
    orderId: 'o-1',
    customerId: 'c-1',
    region: 'eu-west',
    items,
    total: 3000,
    checkedOutAt: '2026-01-02T03:04:05.000Z',
  },
};
const placed: OrderPlacedEvent = {
  type: 'OrderPlaced',
  data: {
    orderId: 'o-1',
    customerId: 'c-1',
    region: 'eu-west',
    items,
    total: 3000,
    placedAt: '2026-01-02T03:04:05.000Z',
  },
};

describe('placing the order of a checked-out cart', () => {
  it('given no order, when the cart is checked out, then its order is placed', () => {
    spec.given([]).when(checkedOut).then([placed]);
  });

  it('given the order placed, when the checkout arrives again, then nothing is placed', () => {
    spec.given([placed]).when(checkedOut).then([]);
  });
});
