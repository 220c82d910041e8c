import type { Decider } from '@eventline/eventstore';
import type { DataOf, TransactionSubmitted } from '@eventline/events';
import { unprocessable } from '@eventline/kit';
import { sameTransaction, type Transaction } from '../../domain/transaction';

export type SubmitTransaction = {
  type: 'SubmitTransaction';
  data: { transaction: Transaction; submittedAt: string };
};

export type TransactionSubmittedEvent = {
  type: 'TransactionSubmitted';
  data: DataOf<typeof TransactionSubmitted>;
};

/** What is known of a transaction id before this submission. */
export type SubmissionState = { submitted?: Transaction };

/**
 * A transaction id is submitted once. The same transaction again is accepted and changes
 * nothing (a client retry without an Idempotency-Key); other details under that id are refused.
 */
export const submitTransactionDecider = {
  initialState: (): SubmissionState => ({}),
  evolve: (_state: SubmissionState, { data }: TransactionSubmittedEvent): SubmissionState => {
    const { submittedAt: _submittedAt, ...transaction } = data;
    return { submitted: transaction };
  },
  decide({ data }: SubmitTransaction, state: SubmissionState): TransactionSubmittedEvent[] {
    const { transaction, submittedAt } = data;
    if (state.submitted) {
      if (sameTransaction(state.submitted, transaction)) return [];
      throw unprocessable(
        `transactionId ${transaction.transactionId} was submitted already with other details`,
      );
    }
    return [{ type: 'TransactionSubmitted', data: { ...transaction, submittedAt } }];
  },
} satisfies Decider<SubmissionState, SubmitTransaction, TransactionSubmittedEvent>;
