import { TransactionDecided, TransactionScored } from '@eventline/events';
import { badInput, defineHandler, outgoing } from '@eventline/kit';
import { fraudConfig } from '../../config';
import { refreshCachedScore } from '../../transaction-store';
import { decideTransactionDecider } from './decider';

/** Approves, declines or sends a scored transaction to review, and replies with the decision. */
export const decideTransaction = defineHandler({
  name: 'decide-transaction',
  accepts: TransactionScored,
  emits: [TransactionDecided],
  async handle(scored, { tx, pool, cache, afterCommit }) {
    const config = fraudConfig();
    const { rows } = await tx.query<{ status: string }>(
      'SELECT status FROM fraud.transactions WHERE transaction_id = $1 FOR UPDATE',
      [scored.transactionId],
    );
    if (!rows[0]) throw badInput(`no transaction ${scored.transactionId} was submitted`);
    const [decided] = decideTransactionDecider.decide(
      {
        type: 'DecideTransaction',
        data: {
          scored,
          thresholds: {
            reviewAt: config.FRAUD_REVIEW_AT,
            declineAt: config.FRAUD_DECLINE_AT,
            reviewTimeoutMs: config.FRAUD_REVIEW_TIMEOUT_MS,
          },
          at: new Date().toISOString(),
        },
      },
      { decided: rows[0].status !== 'scored' },
    );
    if (!decided) return;
    const { decision, decidedAt, reviewDueAt } = decided.data;
    const status = { approve: 'approved', review: 'in-review', decline: 'declined' }[decision];
    await tx.query(
      `UPDATE fraud.transactions SET status = $2, decision = $3, decided_at = $4, review_due_at = $5
        WHERE transaction_id = $1`,
      [scored.transactionId, status, decision, decidedAt, reviewDueAt ?? null],
    );
    afterCommit(() =>
      refreshCachedScore(cache, pool, scored.transactionId, config.FRAUD_SCORE_TTL_SECONDS),
    );
    return {
      reply: outgoing(TransactionDecided, decided.data, { partitionkey: scored.customerId }),
    };
  },
});
