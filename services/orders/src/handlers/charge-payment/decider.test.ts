import { deciderSpec } from '@eventline/eventstore';
import type { PaymentEvent } from '../../domain/payment';
import type { ChargeResult } from '../../payments/provider';
import { chargePaymentDecider, type ChargePayment } from './decider';

const spec = deciderSpec(chargePaymentDecider);
const order = { orderId: 'o-1', customerId: 'c-1', amount: 2500 };
const charge = (answer: ChargeResult): ChargePayment => ({
  type: 'ChargePayment',
  data: { ...order, answer },
});
const charged: PaymentEvent = { type: 'PaymentCharged', data: { ...order, reference: 'ref-1' } };
const declined: PaymentEvent = {
  type: 'PaymentDeclined',
  data: { ...order, reason: 'card declined' },
};

describe('charging a payment', () => {
  it('given an unpaid order, when the provider charged it, then the charge is recorded', () => {
    spec
      .given([])
      .when(charge({ status: 'charged', reference: 'ref-1' }))
      .then([charged]);
  });

  it('given an unpaid order, when the provider declined it, then the decline is recorded with its reason', () => {
    spec
      .given([])
      .when(charge({ status: 'declined', reason: 'card declined' }))
      .then([declined]);
  });

  it('given a recorded charge, when charged again, then nothing more is recorded', () => {
    spec
      .given([charged])
      .when(charge({ status: 'charged', reference: 'ref-1' }))
      .then([]);
  });

  it('given a recorded decline, when charged again, then nothing more is recorded', () => {
    spec
      .given([declined])
      .when(charge({ status: 'declined', reason: 'card declined' }))
      .then([]);
  });
});
