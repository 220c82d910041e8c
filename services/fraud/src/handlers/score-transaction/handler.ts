import { TransactionEnriched, TransactionScored } from '@eventline/events';
import { badInput, defineHandler, outgoing } from '@eventline/kit';
import { fraudConfig } from '../../config';
import { shippedModel } from '../../model/fraud-model';
import { refreshCachedScore } from '../../transaction-store';
import { scoreTransactionDecider } from './decider';

/**
 * Scores an enriched transaction with the rules and the shipped model, stores the FraudScore,
 * caches it, and replies with TransactionScored.
 */
export const scoreTransaction = defineHandler({
  name: 'score-transaction',
  accepts: TransactionEnriched,
  emits: [TransactionScored],
  async handle({ transaction, enrichment }, { tx, pool, cache, afterCommit }) {
    const config = fraudConfig();
    const { rows } = await tx.query<{ status: string }>(
      'SELECT status FROM fraud.transactions WHERE transaction_id = $1 FOR UPDATE',
      [transaction.transactionId],
    );
    if (!rows[0]) throw badInput(`no transaction ${transaction.transactionId} was submitted`);
    const [scored] = scoreTransactionDecider.decide(
      {
        type: 'ScoreTransaction',
        data: {
          transaction,
          enrichment,
          model: shippedModel(),
          rules: {
            blockedCountries: new Set(config.FRAUD_BLOCKED_COUNTRIES.split(',').filter(Boolean)),
            maxPerMinute: config.FRAUD_MAX_PER_MINUTE,
          },
        },
      },
      { scored: rows[0].status !== 'enriched' },
    );
    if (!scored) return;
    const { score, modelVersion, reasons, rules } = scored.data;
    await tx.query(
      `UPDATE fraud.transactions SET status = 'scored', score = $2, model_version = $3, reasons = $4,
              rules = $5 WHERE transaction_id = $1`,
      [
        transaction.transactionId,
        score,
        modelVersion,
        JSON.stringify(reasons),
        JSON.stringify(rules),
      ],
    );
    afterCommit(() =>
      refreshCachedScore(cache, pool, transaction.transactionId, config.FRAUD_SCORE_TTL_SECONDS),
    );
    return {
      reply: outgoing(TransactionScored, scored.data, { partitionkey: transaction.customerId }),
    };
  },
});
