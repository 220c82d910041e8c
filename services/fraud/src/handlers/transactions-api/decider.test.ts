import { deciderSpec } from '@eventline/eventstore';
import { HandlerError } from '@eventline/kit';
import type { Transaction } from '../../domain/transaction';
import {
  submitTransactionDecider,
  type SubmitTransaction,
  type TransactionSubmittedEvent,
} from './decider';

const spec = deciderSpec(submitTransactionDecider);
const transaction: Transaction = {
  transactionId: 't-1',
  customerId: 'c-1',
  amount: 4_200,
  currency: 'EUR',
  merchant: 'bakery',
  country: 'FR',
  at: '2026-01-01T10:00:00.000Z',
};
const submit = (changes: Partial<Transaction> = {}): SubmitTransaction => ({
  type: 'SubmitTransaction',
  data: { transaction: { ...transaction, ...changes }, submittedAt: '2026-01-01T10:00:01.000Z' },
});
const submitted: TransactionSubmittedEvent = {
  type: 'TransactionSubmitted',
  data: { ...transaction, submittedAt: '2026-01-01T10:00:01.000Z' },
};

describe('submitting a transaction', () => {
  it('given a new transaction id, when submitted, then the transaction is announced', () => {
    spec.given([]).when(submit()).then([submitted]);
  });

  it('given the transaction was submitted, when the same comes again, then nothing new', () => {
    spec.given([submitted]).when(submit()).then([]);
  });

  it('given the transaction was submitted, when its id comes with another amount, then it is refused naming the id', () => {
    spec
      .given([submitted])
      .when(submit({ amount: 9_999 }))
      .thenThrows(
        (err) =>
          err instanceof HandlerError &&
          err.kind === 'unprocessable' &&
          err.message === 'transactionId t-1 was submitted already with other details',
      );
  });
});
