/**
 * A payment provider. Every call carries an idempotency key, so retrying after a crash charges
 * once: a real provider (Stripe, Adyen) honours the same key semantics.
 */
export type ChargeResult =
  { status: 'charged'; reference: string } | { status: 'declined'; reason: string };

export interface ChargeRequest {
  idempotencyKey: string;
  /** the merchant's reference, kept with the charge as a provider keeps metadata */
  orderId: string;
  customerId: string;
  amount: number;
}

export interface RefundRequest {
  idempotencyKey: string;
  orderId: string;
  /** the charge to refund */
  reference: string;
  amount: number;
}

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<void>;
}

/** The provider refused a call, e.g. a refund of a charge it never made. */
export class PaymentProviderError extends Error {}
