import type { Decider } from '@eventline/eventstore';
import type { DataOf, TransactionEnriched } from '@eventline/events';
import type { Enrichment } from '../../domain/features';
import type { Transaction } from '../../domain/transaction';

const DAY_MS = 86_400_000;

export interface CustomerProfile {
  homeCountry: string;
  firstSeenAt: string;
}

export type EnrichTransaction = {
  type: 'EnrichTransaction';
  data: {
    transaction: Transaction;
    profile: CustomerProfile;
    history: Enrichment['history'];
    velocity: Enrichment['velocity'];
  };
};

export type TransactionEnrichedEvent = {
  type: 'TransactionEnriched';
  data: DataOf<typeof TransactionEnriched>;
};

/** Joins a transaction with its customer's profile, history and velocity, once. */
export const enrichTransactionDecider = {
  initialState: () => ({ enriched: false }),
  evolve: () => ({ enriched: true }),
  decide({ data }: EnrichTransaction, state: { enriched: boolean }): TransactionEnrichedEvent[] {
    if (state.enriched) return [];
    const { transaction, profile, history, velocity } = data;
    // A transaction stamped before the one that opened the profile has an account age of zero.
    const age = Math.max(0, Date.parse(transaction.at) - Date.parse(profile.firstSeenAt)) / DAY_MS;
    return [
      {
        type: 'TransactionEnriched',
        data: {
          transaction,
          enrichment: {
            accountAgeDays: Math.round(age * 1e4) / 1e4,
            homeCountry: profile.homeCountry,
            history,
            velocity,
          },
        },
      },
    ];
  },
} satisfies Decider<{ enriched: boolean }, EnrichTransaction, TransactionEnrichedEvent>;
