import { deciderSpec } from '@eventline/eventstore';
import { sendCartSummaryDecider, type CartSummarySent, type SendCartSummary } from './decider';

const spec = deciderSpec(sendCartSummaryDecider);
const updated = (version: number, quantity: number): SendCartSummary => ({
  type: 'SendCartSummary',
  data: {
    cartId: 'cart-1',
    items: quantity ? [{ sku: 'widget', quantity, unitPrice: 1500 }] : [],
    total: quantity * 1500,
    version,
    updatedAt: '2026-01-02T03:04:05.000Z',
  },
});
const sent = (version: number, message: string): CartSummarySent => ({
  type: 'CartSummarySent',
  data: { cartId: 'cart-1', version, message },
});

describe('sending a cart summary', () => {
  it('given none sent, when the cart changes, then a summary goes out', () => {
    spec
      .given([])
      .when(updated(1, 2))
      .then([sent(1, 'Your cart cart-1: 2 items, 30.00 in total.')]);
  });

  it('given version 3 summarized, when version 2 arrives late, then nothing goes out', () => {
    spec
      .given([sent(3, 'x')])
      .when(updated(2, 1))
      .then([]);
  });

  it('given version 1 summarized, when version 1 is redelivered, then nothing goes out', () => {
    spec
      .given([sent(1, 'x')])
      .when(updated(1, 1))
      .then([]);
  });
});
