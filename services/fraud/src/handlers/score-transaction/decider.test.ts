import { deciderSpec } from '@eventline/eventstore';
import { FEATURES, type Enrichment } from '../../domain/features';
import type { Transaction } from '../../domain/transaction';
import type { LogisticModel } from '../../model/logistic';
import { scoreTransactionDecider, type ScoreTransaction } from './decider';

const spec = deciderSpec(scoreTransactionDecider);

/** A model reading only three features, unscaled, so its scores can be worked out by hand. */
const model: LogisticModel = {
  version: 'lr-test',
  features: [...FEATURES],
  means: FEATURES.map(() => 0),
  scales: FEATURES.map(() => 1),
  weights: FEATURES.map((f) =>
    f === 'foreignCountry' ? 2 : f === 'newMerchant' ? 1 : f === 'night' ? 0.5 : 0,
  ),
  bias: -2,
};
const transaction: Transaction = {
  transactionId: 't-1',
  customerId: 'c-1',
  amount: 2_500,
  currency: 'EUR',
  merchant: 'm-new',
  country: 'US',
  at: '2026-01-01T02:00:00.000Z',
};
const enrichment = (count1m = 1): Enrichment => ({
  accountAgeDays: 100,
  homeCountry: 'FR',
  history: { transactions: 20, meanAmount: 2_000, merchantSeen: false, countrySeen: false },
  velocity: { count1m, sum1m: 2_500 * count1m, count1h: count1m, sum1h: 2_500, source: 'redis' },
});
const score = (
  overrides: Partial<ScoreTransaction['data']> = {},
  blocked: string[] = [],
): ScoreTransaction => ({
  type: 'ScoreTransaction',
  data: {
    transaction,
    enrichment: enrichment(),
    model,
    rules: { blockedCountries: new Set(blocked), maxPerMinute: 5 },
    ...overrides,
  },
});
const scored = (rules: Array<{ rule: string; effect: 'review' | 'decline' }> = []) => ({
  type: 'TransactionScored' as const,
  data: {
    transactionId: 't-1',
    customerId: 'c-1',
    // sigmoid(-2 + 2 + 1 + 0.5)
    score: 0.8176,
    modelVersion: 'lr-test',
    reasons: [
      { feature: 'foreignCountry', contribution: 2 },
      { feature: 'newMerchant', contribution: 1 },
      { feature: 'night', contribution: 0.5 },
    ],
    rules,
  },
});

describe('scoring a transaction', () => {
  it('given an enriched transaction, when scored, then the model gives its probability, the features that raised it most and its version', () => {
    spec.given([]).when(score()).then([scored()]);
  });

  it('given a country on the block list, when scored, then the blocked-country rule declines', () => {
    spec
      .given([])
      .when(score({}, ['US']))
      .then([scored([{ rule: 'blocked-country', effect: 'decline' }])]);
  });

  it('given more transactions in a minute than allowed, when scored, then the velocity rule asks for review', () => {
    spec
      .given([])
      .when(score({ enrichment: enrichment(6) }))
      .then([scored([{ rule: 'too-many-per-minute', effect: 'review' }])]);
  });

  it('given a transaction scored already, when scored again, then nothing new', () => {
    spec.given([scored()]).when(score()).then([]);
  });
});
