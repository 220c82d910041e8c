import type { Migration, Pool } from '@eventline/store';
import {
  PaymentProviderError,
  type ChargeRequest,
  type ChargeResult,
  type RefundRequest,
} from './provider';

/**
 * What the simulated provider remembers: every charge and refund under its idempotency key. A
 * call repeated with a key already seen answers what the first call did and records nothing.
 */
export interface PaymentLedger {
  /** records `result` for the request's key unless the key has an answer; returns the answer */
  charge(request: ChargeRequest, result: ChargeResult): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<void>;
}

/**
 * The simulated provider's own schema, migrated with the service's (as a library's is): a
 * provider's books are not the merchant's, and a handler never writes them in its transaction.
 */
export const PAYMENT_PROVIDER_SCHEMA = 'payment_provider';

export const paymentProviderMigrations: Migration[] = [
  {
    id: '001_ledger',
    sql: `
      CREATE TABLE charges (
        idempotency_key text PRIMARY KEY,
        order_id text NOT NULL,
        customer_id text NOT NULL,
        amount bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('charged', 'declined')),
        reference text UNIQUE,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX charges_order ON charges (order_id);
      CREATE TABLE refunds (
        idempotency_key text PRIMARY KEY,
        order_id text NOT NULL,
        charge_reference text NOT NULL REFERENCES charges (reference),
        amount bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX refunds_order ON refunds (order_id);
    `,
  },
];

/**
 * The ledger in Postgres, on a pool of its own: it commits on its own, as a provider's system
 * does, whatever becomes of the merchant's transaction around the call, and a SIGKILL of the
 * merchant's process loses none of it. Its own pool also keeps a handler that waits for the
 * provider from waiting for a connection its own pool holds.
 */
export class PostgresPaymentLedger implements PaymentLedger {
  constructor(private readonly pool: Pool) {}

  async charge(request: ChargeRequest, result: ChargeResult): Promise<ChargeResult> {
    // Two calls with one key at the same time: the insert of one wins, the other reads it.
    const { rows } = await this.pool.query<{
      status: 'charged' | 'declined';
      reference: string | null;
      reason: string | null;
    }>(
      `WITH inserted AS (
         INSERT INTO payment_provider.charges
           (idempotency_key, order_id, customer_id, amount, status, reference, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING status, reference, reason
       )
       SELECT status, reference, reason FROM inserted
       UNION ALL
       SELECT status, reference, reason FROM payment_provider.charges
        WHERE idempotency_key = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [
        request.idempotencyKey,
        request.orderId,
        request.customerId,
        request.amount,
        result.status,
        result.status === 'charged' ? result.reference : null,
        result.status === 'declined' ? result.reason : null,
      ],
    );
    const row = rows[0];
    if (!row) return this.charge(request, result);
    return row.status === 'charged'
      ? { status: 'charged', reference: row.reference ?? '' }
      : { status: 'declined', reason: row.reason ?? '' };
  }

  async refund(request: RefundRequest): Promise<void> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO payment_provider.refunds (idempotency_key, order_id, charge_reference, amount)
       SELECT $1, $2, reference, $4 FROM payment_provider.charges
        WHERE reference = $3 AND status = 'charged' AND amount >= $4
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [request.idempotencyKey, request.orderId, request.reference, request.amount],
    );
    if (rowCount === 1) return;
    const known = await this.pool.query(
      'SELECT 1 FROM payment_provider.refunds WHERE idempotency_key = $1',
      [request.idempotencyKey],
    );
    if (known.rowCount !== 1)
      throw new PaymentProviderError(
        `no charge ${request.reference} of at least ${request.amount} to refund`,
      );
  }
}

/**
 * The ledger in this process's memory, for the embedded Postgres of `npm start` (PGlite), whose
 * single session would make the provider's own transaction wait for the handler's: gone with
 * the process, so only the merchant's records survive a crash there.
 */
export class MemoryPaymentLedger implements PaymentLedger {
  private readonly charges = new Map<string, ChargeResult>();

  async charge(request: ChargeRequest, result: ChargeResult): Promise<ChargeResult> {
    const earlier = this.charges.get(request.idempotencyKey);
    if (earlier) return earlier;
    this.charges.set(request.idempotencyKey, result);
    return result;
  }

  async refund(): Promise<void> {}
}
