import type { Decider } from '@eventline/eventstore';
import {
  evolvePayment,
  initialPayment,
  type PaymentEvent,
  type PaymentState,
} from '../../domain/payment';
import type { ChargeResult } from '../../payments/provider';

export type ChargePayment = {
  type: 'ChargePayment';
  data: { orderId: string; customerId: string; amount: number; answer: ChargeResult };
};

/** Records the provider's answer to an order's charge, once. */
export const chargePaymentDecider = {
  initialState: initialPayment,
  evolve: evolvePayment,
  decide({ data }: ChargePayment, state: PaymentState): PaymentEvent[] {
    // A recorded answer is final: a request under another id is answered from it.
    if (state.status !== 'unpaid') return [];
    const { answer, ...charge } = data;
    return answer.status === 'charged'
      ? [{ type: 'PaymentCharged', data: { ...charge, reference: answer.reference } }]
      : [{ type: 'PaymentDeclined', data: { ...charge, reason: answer.reason } }];
  },
} satisfies Decider<PaymentState, ChargePayment, PaymentEvent>;
