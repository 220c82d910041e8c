import { TransactionReviewed } from '@eventline/events';
import { defineJob } from '@eventline/kit';
import { fraudConfig } from '../../config';
import { reviewDecider } from '../../domain/review';
import { lockReviewState, persistReview } from '../../review-store';
import { refreshCachedScore } from '../../transaction-store';

/** Reviews taken per transaction: each is a row lock held until the commit. */
const REVIEWS_PER_TRANSACTION = 50;

/**
 * Declines, on the PingSource's ticks, every transaction whose review went unanswered past its
 * deadline. The deadline is a column, so a restart or a scale to zero loses none; rows are taken
 * with SKIP LOCKED, so an overlapping tick or a reviewer answering at the same moment is decided
 * once. A timeout fires up to a tick late (a PingSource ticks at most once a minute).
 */
export const reviewTimeouts = defineJob({
  name: 'review-timeouts',
  emits: [TransactionReviewed],
  async run({ pool, transact, cache }) {
    const config = fraudConfig();
    let declined = 0;
    for (;;) {
      const now = new Date().toISOString();
      const ids = await transact(async (tx) => {
        const { rows } = await tx.query<{ transaction_id: string }>(
          `SELECT transaction_id FROM fraud.transactions
            WHERE status = 'in-review' AND review_due_at <= $1
            ORDER BY review_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [now, REVIEWS_PER_TRANSACTION],
        );
        const emit = [];
        for (const { transaction_id: transactionId } of rows) {
          const locked = await lockReviewState(tx, transactionId);
          if (!locked) continue;
          const events = reviewDecider.decide(
            { type: 'TimeOutReview', data: { transactionId, at: now } },
            locked.review,
          );
          emit.push(...(await persistReview(tx, locked, events)));
        }
        return { result: rows.map((r) => r.transaction_id), emit };
      });
      for (const id of ids)
        await refreshCachedScore(cache, pool, id, config.FRAUD_SCORE_TTL_SECONDS);
      declined += ids.length;
      if (ids.length < REVIEWS_PER_TRANSACTION) break;
    }
    return { declined };
  },
});
