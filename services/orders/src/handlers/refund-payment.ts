import { RefundPaymentRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { paymentProvider } from '../payments/configured-provider';
import { stepOutcome } from './step-outcome';

/** Compensation: refunds a charged order once; nothing charged means nothing to refund. */
export const refundPayment = defineHandler({
  name: 'refund-payment',
  accepts: RefundPaymentRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId }, { tx }) {
    const { rows } = await tx.query<{ reference: string; amount: number }>(
      `SELECT reference, amount FROM orders.payments WHERE order_id = $1 AND status = 'charged' FOR UPDATE`,
      [orderId],
    );
    const charge = rows[0];
    if (charge) {
      await paymentProvider().refund({
        idempotencyKey: `refund-${orderId}`,
        reference: charge.reference,
        amount: charge.amount,
      });
      await tx.query(
        `UPDATE orders.payments SET status = 'refunded', refunded_at = now() WHERE order_id = $1`,
        [orderId],
      );
    }
    return { reply: stepOutcome(orderId, 'charge-payment', 'compensation', 'succeeded') };
  },
});
