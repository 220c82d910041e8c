import { TransactionReviewed } from '@eventline/events';
import { outgoing, type OutgoingEvent } from '@eventline/kit';
import type { Transaction as Tx } from '@eventline/store';
import type { ReviewEvent, ReviewState } from './domain/review';
import { iso, type TransactionStatus } from './transaction-store';

export interface LockedReview {
  transactionId: string;
  customerId: string;
  review: ReviewState;
}

/** A transaction's review state, its row locked until the transaction ends. */
export async function lockReviewState(
  tx: Tx,
  transactionId: string,
): Promise<LockedReview | undefined> {
  const { rows } = await tx.query<{
    customerId: string;
    status: TransactionStatus;
    decision: 'approve' | 'review' | 'decline' | null;
    reviewDueAt: string | null;
    reviewedBy: 'reviewer' | 'timeout' | null;
    reviewedAt: string | null;
  }>(
    `SELECT customer_id AS "customerId", status, decision, ${iso('review_due_at')} AS "reviewDueAt",
            reviewed_by AS "reviewedBy", ${iso('reviewed_at')} AS "reviewedAt"
       FROM fraud.transactions WHERE transaction_id = $1 FOR UPDATE`,
    [transactionId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const review: ReviewState =
    row.decision === null
      ? { stage: 'undecided' }
      : row.status === 'in-review'
        ? { stage: 'in-review', dueAt: row.reviewDueAt as string }
        : row.reviewedBy
          ? {
              stage: 'reviewed',
              decision: row.status === 'approved' ? 'approve' : 'decline',
              by: row.reviewedBy,
              at: row.reviewedAt as string,
            }
          : { stage: 'decided', decision: row.decision === 'approve' ? 'approve' : 'decline' };
  return { transactionId, customerId: row.customerId, review };
}

/** Writes a review's end to the transaction's row; returns the events announcing it. */
export async function persistReview(
  tx: Tx,
  locked: LockedReview,
  events: ReviewEvent[],
): Promise<OutgoingEvent[]> {
  const emit: OutgoingEvent[] = [];
  for (const event of events) {
    if (event.type !== 'TransactionReviewed') continue;
    const { decision, by, reviewedAt } = event.data;
    await tx.query(
      `UPDATE fraud.transactions SET status = $2, reviewed_by = $3, reviewed_at = $4
        WHERE transaction_id = $1 AND status = 'in-review'`,
      [locked.transactionId, decision === 'approve' ? 'approved' : 'declined', by, reviewedAt],
    );
    emit.push(
      outgoing(
        TransactionReviewed,
        {
          transactionId: locked.transactionId,
          customerId: locked.customerId,
          decision,
          by,
          reviewedAt,
        },
        { partitionkey: locked.customerId },
      ),
    );
  }
  return emit;
}
