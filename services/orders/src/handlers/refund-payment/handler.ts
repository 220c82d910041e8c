import { RefundPaymentRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import type { PaymentEvent } from '../../domain/payment';
import { paymentProvider } from '../../payments/configured-provider';
import type { PaymentProvider } from '../../payments/provider';
import { loadPayment } from '../../payments/payment-records';
import { stepOutcome } from '../../step-outcome';
import { refundPaymentDecider } from './decider';

/** Refunds through the provider (keyed by order, so a retry refunds once), then records it. */
async function persistRefund(
  tx: Transaction,
  provider: PaymentProvider,
  events: PaymentEvent[],
): Promise<void> {
  for (const event of events) {
    if (event.type !== 'PaymentRefunded') continue;
    const { orderId, reference, amount } = event.data;
    await provider.refund({
      idempotencyKey: `refund-${orderId}`,
      orderId,
      reference,
      amount,
    });
    await tx.query(
      `UPDATE orders.payments SET status = 'refunded', refunded_at = now() WHERE order_id = $1`,
      [orderId],
    );
  }
}

/** Compensation: refunds a charged order once; nothing charged means nothing to refund. */
export const refundPayment = defineHandler({
  name: 'refund-payment',
  accepts: RefundPaymentRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId }, { tx, pool, cache }) {
    const payment = await loadPayment(tx, orderId, true);
    const events = refundPaymentDecider.decide(
      { type: 'RefundPayment', data: { orderId } },
      payment,
    );
    await persistRefund(tx, paymentProvider(pool, cache), events);
    return { reply: stepOutcome(orderId, 'charge-payment', 'compensation', 'succeeded') };
  },
});
