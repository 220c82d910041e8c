import { TransactionEnriched, TransactionSubmitted } from '@eventline/events';
import { badInput, defineHandler, outgoing } from '@eventline/kit';
import type { Transaction as Tx } from '@eventline/store';
import type { Enrichment } from '../../domain/features';
import type { Transaction } from '../../domain/transaction';
import { iso } from '../../transaction-store';
import { recordVelocity, velocityFromDatabase } from '../../velocity';
import { enrichTransactionDecider, type CustomerProfile } from './decider';

/** The customer's earlier transactions of the last 90 days, as the model reads them. */
async function loadHistory(tx: Tx, t: Transaction): Promise<Enrichment['history']> {
  const { rows } = await tx.query<Enrichment['history']>(
    `SELECT count(*)::int AS transactions,
            COALESCE(round(avg(amount) FILTER (WHERE currency = $4)), 0)::float8 AS "meanAmount",
            COALESCE(bool_or(merchant = $5), false) AS "merchantSeen",
            COALESCE(bool_or(country = $6), false) AS "countrySeen"
       FROM fraud.transactions
      WHERE customer_id = $1 AND at < $2 AND at >= $2::timestamptz - interval '90 days'
        AND transaction_id <> $3`,
    [t.customerId, t.at, t.transactionId, t.currency, t.merchant, t.country],
  );
  return rows[0] as Enrichment['history'];
}

/**
 * Enriches a submitted transaction with its customer's profile and history (Postgres) and
 * velocity (Redis, or Postgres when Redis cannot answer), and replies with TransactionEnriched.
 */
export const enrichTransaction = defineHandler({
  name: 'enrich-transaction',
  accepts: TransactionSubmitted,
  emits: [TransactionEnriched],
  async handle({ submittedAt: _submittedAt, ...transaction }, { tx, cache }) {
    const { rows } = await tx.query<{ status: string } & CustomerProfile>(
      `SELECT t.status, c.home_country AS "homeCountry", ${iso('c.first_seen_at')} AS "firstSeenAt"
         FROM fraud.transactions AS t JOIN fraud.customers AS c USING (customer_id)
        WHERE t.transaction_id = $1 FOR UPDATE OF t`,
      [transaction.transactionId],
    );
    const row = rows[0];
    if (!row) throw badInput(`no transaction ${transaction.transactionId} was submitted`);
    const { status, ...profile } = row;
    if (status !== 'submitted') return;
    const history = await loadHistory(tx, transaction);
    const velocity =
      (await recordVelocity(cache, transaction)) ?? (await velocityFromDatabase(tx, transaction));
    const [enriched] = enrichTransactionDecider.decide(
      { type: 'EnrichTransaction', data: { transaction, profile, history, velocity } },
      { enriched: false },
    );
    if (!enriched) return;
    await tx.query(
      `UPDATE fraud.transactions SET status = 'enriched', enrichment = $2 WHERE transaction_id = $1`,
      [transaction.transactionId, enriched.data.enrichment],
    );
    return {
      reply: outgoing(TransactionEnriched, enriched.data, { partitionkey: transaction.customerId }),
    };
  },
});
