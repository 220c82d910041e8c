import type { Cache } from '@eventline/cache';
import type { Pool, Transaction as Tx } from '@eventline/store';
import type { Transaction } from './domain/transaction';

export type TransactionStatus =
  'submitted' | 'enriched' | 'scored' | 'in-review' | 'approved' | 'declined';

/** What GET /transactions/:id answers. */
export interface TransactionView extends Transaction {
  status: TransactionStatus;
  decision: 'approve' | 'review' | 'decline' | null;
  score: number | null;
  reasons: Array<{ feature: string; contribution: number }> | null;
  rules: Array<{ rule: string; effect: string }> | null;
  modelVersion: string | null;
  decidedAt: string | null;
  review: { dueAt: string; by: 'reviewer' | 'timeout' | null; at: string | null } | null;
}

/** A timestamptz column as ISO 8601 in UTC with milliseconds, as the events carry instants. */
export const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const VIEW = `SELECT transaction_id AS "transactionId", customer_id AS "customerId", amount::float8 AS amount,
  currency, merchant, country, ${iso('at')} AS at, status, decision, score, reasons, rules,
  model_version AS "modelVersion", ${iso('decided_at')} AS "decidedAt",
  ${iso('review_due_at')} AS "reviewDueAt", reviewed_by AS "reviewedBy", ${iso('reviewed_at')} AS "reviewedAt"
  FROM fraud.transactions WHERE transaction_id = $1`;

type ViewRow = Omit<TransactionView, 'review'> & {
  reviewDueAt: string | null;
  reviewedBy: 'reviewer' | 'timeout' | null;
  reviewedAt: string | null;
};

export async function loadTransactionView(
  db: Pool | Tx,
  transactionId: string,
): Promise<TransactionView | undefined> {
  const { rows } = await db.query<ViewRow>(VIEW, [transactionId]);
  const row = rows[0];
  if (!row) return undefined;
  const { reviewDueAt, reviewedBy, reviewedAt, ...view } = row;
  return {
    ...view,
    review: reviewDueAt ? { dueAt: reviewDueAt, by: reviewedBy, at: reviewedAt } : null,
  };
}

export const scoreCacheKey = (transactionId: string) => `fraud:score:${transactionId}`;

/**
 * Once a transaction has its FraudScore it is cached with the configured TTL; each later change
 * (the decision, a review) refreshes the entry after its commit. Before the score, reads go to
 * Postgres, which is the truth.
 */
export async function refreshCachedScore(
  cache: Cache,
  pool: Pool,
  transactionId: string,
  ttlSeconds: number,
): Promise<void> {
  await cache.refresh(scoreCacheKey(transactionId), ttlSeconds, () =>
    loadTransactionView(pool, transactionId),
  );
}

export async function readTransactionView(
  cache: Cache,
  pool: Pool,
  transactionId: string,
  ttlSeconds: number,
): Promise<TransactionView | undefined> {
  const cached = await cache.getOrLoad(scoreCacheKey(transactionId), ttlSeconds, async () => {
    const view = await loadTransactionView(pool, transactionId);
    return view?.score != null ? view : undefined;
  });
  return cached ?? (await loadTransactionView(pool, transactionId));
}
