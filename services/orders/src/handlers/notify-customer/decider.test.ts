import { deciderSpec } from '@eventline/eventstore';
import { notifyCustomerDecider, type NotifyCustomer } from './decider';

const spec = deciderSpec(notifyCustomerDecider);
const placed: NotifyCustomer = {
  type: 'NotifyCustomer',
  data: {
    orderId: 'o-1',
    customerId: 'c-1',
    region: 'eu-west',
    items: [
      { sku: 'a', quantity: 2, unitPrice: 500 },
      { sku: 'b', quantity: 1, unitPrice: 250 },
    ],
    total: 1250,
    placedAt: '2026-01-02T03:04:05.000Z',
  },
};
const notified = {
  type: 'CustomerNotified',
  data: { orderId: 'o-1', customerId: 'c-1', message: 'Order o-1 received: 2 item(s), total 1250' },
} as const;

describe('notifying the customer', () => {
  it('given a placed order, when notified, then the message names the order, its items and total', () => {
    spec.given([]).when(placed).then([notified]);
  });

  it('given the customer was notified, when the order arrives again, then no second message', () => {
    spec.given([notified]).when(placed).then([]);
  });
});
