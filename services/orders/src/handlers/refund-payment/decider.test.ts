import { deciderSpec } from '@eventline/eventstore';
import type { PaymentEvent } from '../../domain/payment';
import { refundPaymentDecider, type RefundPayment } from './decider';

const spec = deciderSpec(refundPaymentDecider);
const refund: RefundPayment = { type: 'RefundPayment', data: { orderId: 'o-1' } };
const order = { orderId: 'o-1', customerId: 'c-1', amount: 700 };
const charged: PaymentEvent = { type: 'PaymentCharged', data: { ...order, reference: 'ref-1' } };
const refunded: PaymentEvent = {
  type: 'PaymentRefunded',
  data: { orderId: 'o-1', reference: 'ref-1', amount: 700 },
};

describe('refunding a payment', () => {
  it('given a charged order, when refunded, then its charge is refunded in full', () => {
    spec.given([charged]).when(refund).then([refunded]);
  });

  it('given a refunded order, when refunded again, then nothing is refunded twice', () => {
    spec.given([charged, refunded]).when(refund).then([]);
  });

  it('given a declined order, when refunded, then there is nothing to refund', () => {
    spec
      .given([{ type: 'PaymentDeclined', data: { ...order, reason: 'card declined' } }])
      .when(refund)
      .then([]);
  });

  it('given an order never charged, when refunded, then there is nothing to refund', () => {
    spec.given([]).when(refund).then([]);
  });
});
