/**
 * A payment provider. Every call carries an idempotency key, so retrying after a crash charges
 * once: a real provider (Stripe, Adyen) honours the same key semantics.
 */
export type ChargeResult =
  { status: 'charged'; reference: string } | { status: 'declined'; reason: string };

export interface PaymentProvider {
  charge(request: {
    idempotencyKey: string;
    customerId: string;
    amount: number;
  }): Promise<ChargeResult>;
  refund(request: { idempotencyKey: string; reference: string; amount: number }): Promise<void>;
}
