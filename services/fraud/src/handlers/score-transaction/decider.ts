import type { Decider } from '@eventline/eventstore';
import type { DataOf, TransactionScored } from '@eventline/events';
import { featureVector, type Enrichment } from '../../domain/features';
import { firedRules, type RuleSettings } from '../../domain/rules';
import type { Transaction } from '../../domain/transaction';
import { predict, type LogisticModel } from '../../model/logistic';

/** How many features explain a score. */
const REASONS = 3;

export type ScoreTransaction = {
  type: 'ScoreTransaction';
  data: {
    transaction: Transaction;
    enrichment: Enrichment;
    model: LogisticModel;
    rules: RuleSettings;
  };
};

export type TransactionScoredEvent = {
  type: 'TransactionScored';
  data: DataOf<typeof TransactionScored>;
};

const rounded = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Scores a transaction once: the model's probability of fraud, the features that pushed it up
 * most (its reasons), and the rules that fired, with the model's version.
 */
export const scoreTransactionDecider = {
  initialState: () => ({ scored: false }),
  evolve: () => ({ scored: true }),
  decide({ data }: ScoreTransaction, state: { scored: boolean }): TransactionScoredEvent[] {
    if (state.scored) return [];
    const { transaction, enrichment, model } = data;
    const { probability, contributions } = predict(model, featureVector(transaction, enrichment));
    const reasons = contributions
      .filter((c) => c.contribution > 0)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, REASONS)
      .map((c) => ({ feature: c.feature, contribution: rounded(c.contribution) }));
    return [
      {
        type: 'TransactionScored',
        data: {
          transactionId: transaction.transactionId,
          customerId: transaction.customerId,
          score: rounded(probability),
          modelVersion: model.version,
          reasons,
          rules: firedRules(transaction, enrichment, data.rules),
        },
      },
    ];
  },
} satisfies Decider<{ scored: boolean }, ScoreTransaction, TransactionScoredEvent>;
