import type { ChargeResult } from '../payments/provider';

/** An order's payment as charge and refund decisions see it. */
export type PaymentState =
  | { status: 'unpaid' }
  | { status: 'charged' | 'refunded'; reference: string; amount: number }
  | { status: 'declined'; reason: string };

export type PaymentEvent =
  | {
      type: 'PaymentCharged';
      data: { orderId: string; customerId: string; amount: number; reference: string };
    }
  | {
      type: 'PaymentDeclined';
      data: { orderId: string; customerId: string; amount: number; reason: string };
    }
  | { type: 'PaymentRefunded'; data: { orderId: string; reference: string; amount: number } };

export const initialPayment = (): PaymentState => ({ status: 'unpaid' });

export function evolvePayment(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case 'PaymentCharged':
      return { status: 'charged', reference: event.data.reference, amount: event.data.amount };
    case 'PaymentDeclined':
      return { status: 'declined', reason: event.data.reason };
    case 'PaymentRefunded':
      return { status: 'refunded', reference: event.data.reference, amount: event.data.amount };
  }
}

/** The provider's answer a recorded payment holds; none while the order is unpaid. */
export function recordedAnswer(payment: PaymentState): ChargeResult | undefined {
  if (payment.status === 'unpaid') return undefined;
  return payment.status === 'declined'
    ? { status: 'declined', reason: payment.reason }
    : { status: 'charged', reference: payment.reference };
}
