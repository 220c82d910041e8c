import { deciderSpec } from '@eventline/eventstore';
import {
  enrichTransactionDecider,
  type EnrichTransaction,
  type TransactionEnrichedEvent,
} from './decider';

const spec = deciderSpec(enrichTransactionDecider);
const transaction = {
  transactionId: 't-1',
  customerId: 'c-1',
  amount: 12_000,
  currency: 'EUR',
  merchant: 'm-1',
  country: 'DE',
  at: '2026-01-11T12:00:00.000Z',
};
const history = { transactions: 4, meanAmount: 3_000, merchantSeen: true, countrySeen: false };
const velocity = { count1m: 1, sum1m: 12_000, count1h: 2, sum1h: 15_000, source: 'redis' as const };
const enrich = (firstSeenAt: string): EnrichTransaction => ({
  type: 'EnrichTransaction',
  data: { transaction, profile: { homeCountry: 'FR', firstSeenAt }, history, velocity },
});
const enriched = (accountAgeDays: number): TransactionEnrichedEvent => ({
  type: 'TransactionEnriched',
  data: {
    transaction,
    enrichment: { accountAgeDays, homeCountry: 'FR', history, velocity },
  },
});

describe('enriching a transaction', () => {
  it('given a customer first seen ten and a half days before, when enriched, then the transaction carries profile, history and velocity', () => {
    spec
      .given([])
      .when(enrich('2026-01-01T00:00:00.000Z'))
      .then([enriched(10.5)]);
  });

  it('given a transaction stamped before the one that opened the profile, when enriched, then its account age is zero', () => {
    spec
      .given([])
      .when(enrich('2026-01-12T00:00:00.000Z'))
      .then([enriched(0)]);
  });

  it('given a transaction enriched already, when enriched again, then nothing new', () => {
    spec
      .given([enriched(10.5)])
      .when(enrich('2026-01-01T00:00:00.000Z'))
      .then([]);
  });
});
