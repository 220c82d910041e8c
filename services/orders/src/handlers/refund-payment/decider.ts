import type { Decider } from '@eventline/eventstore';
import {
  evolvePayment,
  initialPayment,
  type PaymentEvent,
  type PaymentState,
} from '../../domain/payment';

export type RefundPayment = { type: 'RefundPayment'; data: { orderId: string } };

/** Compensation: refunds a charged order once; nothing charged means nothing to refund. */
export const refundPaymentDecider = {
  initialState: initialPayment,
  evolve: evolvePayment,
  decide({ data: { orderId } }: RefundPayment, state: PaymentState): PaymentEvent[] {
    if (state.status !== 'charged') return [];
    const { reference, amount } = state;
    return [{ type: 'PaymentRefunded', data: { orderId, reference, amount } }];
  },
} satisfies Decider<PaymentState, RefundPayment, PaymentEvent>;
