import { ChargePaymentRequested, SagaStepOutcome } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import { recordedAnswer, type PaymentEvent } from '../../domain/payment';
import { paymentProvider } from '../../payments/configured-provider';
import { loadPayment } from '../../payments/payment-records';
import { stepOutcome } from '../../step-outcome';
import { chargePaymentDecider } from './decider';

async function persistCharge(tx: Transaction, events: PaymentEvent[]): Promise<void> {
  for (const event of events) {
    if (event.type === 'PaymentRefunded') continue;
    const { orderId, customerId, amount } = event.data;
    const charged = event.type === 'PaymentCharged';
    await tx.query(
      `INSERT INTO orders.payments (order_id, customer_id, amount, status, reference, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        orderId,
        customerId,
        amount,
        charged ? 'charged' : 'declined',
        charged ? event.data.reference : null,
        charged ? null : event.data.reason,
      ],
    );
  }
}

/**
 * Charges an order once. The provider call carries a key made of the order id and the result
 * is recorded with the event's idempotency record: a redelivery after a crash finds either the
 * recorded charge or the provider's ledger entry for the same key, never a second charge.
 */
export const chargePayment = defineHandler({
  name: 'charge-payment',
  accepts: ChargePaymentRequested,
  emits: [SagaStepOutcome],
  async handle({ orderId, customerId, amount }, { tx, pool, cache }) {
    const payment = await loadPayment(tx, orderId);
    const answer =
      recordedAnswer(payment) ??
      (await paymentProvider(pool, cache).charge({
        idempotencyKey: `charge-${orderId}`,
        orderId,
        customerId,
        amount,
      }));
    const events = chargePaymentDecider.decide(
      { type: 'ChargePayment', data: { orderId, customerId, amount, answer } },
      payment,
    );
    await persistCharge(tx, events);
    return {
      reply:
        answer.status === 'charged'
          ? stepOutcome(orderId, 'charge-payment', 'action', 'succeeded')
          : stepOutcome(orderId, 'charge-payment', 'action', 'failed', answer.reason),
    };
  },
});
