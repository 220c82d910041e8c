import { ChargePaymentRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { paymentProvider } from '../payments/configured-provider';
import { stepOutcome } from './step-outcome';

/**
 * Charges an order once. The provider call carries the order id as idempotency key and the
 * result is recorded with the event's idempotency record: a redelivery after a crash finds
 * either the recorded charge or the provider's memory of the same key, never a second charge.
 */
export const chargePayment = defineHandler({
  name: 'charge-payment',
  accepts: ChargePaymentRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId, customerId, amount }, { tx }) {
    const recorded = await tx.query<{ status: string; reason: string | null }>(
      'SELECT status, reason FROM orders.payments WHERE order_id = $1',
      [orderId],
    );
    const earlier = recorded.rows[0];
    if (earlier) {
      const outcome = earlier.status === 'declined' ? 'failed' : 'succeeded';
      return {
        reply: stepOutcome(
          orderId,
          'charge-payment',
          'action',
          outcome,
          earlier.reason ?? undefined,
        ),
      };
    }
    const result = await paymentProvider().charge({
      idempotencyKey: `charge-${orderId}`,
      customerId,
      amount,
    });
    await tx.query(
      `INSERT INTO orders.payments (order_id, customer_id, amount, status, reference, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        orderId,
        customerId,
        amount,
        result.status,
        result.status === 'charged' ? result.reference : null,
        result.status === 'declined' ? result.reason : null,
      ],
    );
    return result.status === 'charged'
      ? { reply: stepOutcome(orderId, 'charge-payment', 'action', 'succeeded') }
      : { reply: stepOutcome(orderId, 'charge-payment', 'action', 'failed', result.reason) };
  },
});
