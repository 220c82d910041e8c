import { TransactionReviewed, TransactionSubmitted } from '@eventline/events';
import { badInput, defineEdge, notFound, outgoing } from '@eventline/kit';
import { fraudConfig } from '../../config';
import { reviewDecider } from '../../domain/review';
import { parseTransaction, type Transaction } from '../../domain/transaction';
import { persistReview, lockReviewState } from '../../review-store';
import { iso, readTransactionView, refreshCachedScore } from '../../transaction-store';
import { submitTransactionDecider } from './decider';

const TRANSACTION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The row a submission inserted, or the one an earlier submission of its id left. */
type StoredRow = Omit<Transaction, 'transactionId'> & { existed: boolean; submittedAt: string };

function transactionIdOf(value: string): string {
  if (!TRANSACTION_ID.test(value))
    throw badInput('transaction id must be 1-64 letters, digits, "_" or "-"');
  return value;
}

/**
 * The fraud HTTP edge: transactions in (each is enriched, scored and decided downstream), their
 * decision out, and a reviewer's answer for those sent to review.
 */
export const transactionsApi = defineEdge({
  name: 'transactions-api',
  emits: [TransactionSubmitted, TransactionReviewed],
  routes(router, { transact, pool, cache }) {
    const config = fraudConfig();

    router.post('/transactions', async (req, res) => {
      const transaction = parseTransaction(req.body, new Date());
      if ('error' in transaction) throw badInput(transaction.error);
      const accepted = await transact(
        async (tx) => {
          // The id is the client's: a transaction submitted before is the state to decide on.
          const { rows } = await tx.query<StoredRow>(
            `INSERT INTO fraud.transactions
               (transaction_id, customer_id, amount, currency, merchant, country, at, submitted_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, now(), 'submitted')
             ON CONFLICT (transaction_id) DO UPDATE SET transaction_id = EXCLUDED.transaction_id
             RETURNING (xmax <> 0) AS existed, customer_id AS "customerId", amount::float8 AS amount,
               currency, merchant, country, ${iso('at')} AS at, ${iso('submitted_at')} AS "submittedAt"`,
            [
              transaction.transactionId,
              transaction.customerId,
              transaction.amount,
              transaction.currency,
              transaction.merchant,
              transaction.country,
              transaction.at,
            ],
          );
          const { existed, submittedAt, ...stored } = rows[0] as StoredRow;
          const events = submitTransactionDecider.decide(
            { type: 'SubmitTransaction', data: { transaction, submittedAt } },
            existed ? { submitted: { ...stored, transactionId: transaction.transactionId } } : {},
          );
          for (const { data } of events)
            await tx.query(
              `INSERT INTO fraud.customers (customer_id, home_country, first_seen_at)
               VALUES ($1, $2, $3) ON CONFLICT (customer_id) DO NOTHING`,
              [data.customerId, data.country, data.at],
            );
          return {
            result: { transactionId: transaction.transactionId },
            emit: events.map((e) =>
              outgoing(TransactionSubmitted, e.data, { partitionkey: e.data.customerId }),
            ),
          };
        },
        { idempotencyKey: { req } },
      );
      res.status(202).json(accepted);
    });

    router.get('/transactions/:transactionId', async (req, res) => {
      const transactionId = transactionIdOf(req.params.transactionId);
      const view = await readTransactionView(
        cache,
        pool,
        transactionId,
        config.FRAUD_SCORE_TTL_SECONDS,
      );
      if (!view) throw notFound(`no transaction ${transactionId}`);
      res.json(view);
    });

    router.post('/transactions/:transactionId/review', async (req, res) => {
      const transactionId = transactionIdOf(req.params.transactionId);
      const approve = (req.body as { approve?: unknown } | undefined)?.approve;
      if (typeof approve !== 'boolean') throw badInput('approve must be a boolean');
      await transact(async (tx) => {
        const state = await lockReviewState(tx, transactionId);
        if (!state) throw notFound(`no transaction ${transactionId}`);
        const events = reviewDecider.decide(
          {
            type: 'ReviewTransaction',
            data: { transactionId, approve, at: new Date().toISOString() },
          },
          state.review,
        );
        return { result: null, emit: await persistReview(tx, state, events) };
      });
      await refreshCachedScore(cache, pool, transactionId, config.FRAUD_SCORE_TTL_SECONDS);
      res.json(
        await readTransactionView(cache, pool, transactionId, config.FRAUD_SCORE_TTL_SECONDS),
      );
    });
  },
});
