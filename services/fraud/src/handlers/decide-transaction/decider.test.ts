import { deciderSpec } from '@eventline/eventstore';
import {
  decideTransactionDecider,
  type DecideTransaction,
  type TransactionDecidedEvent,
} from './decider';

const spec = deciderSpec(decideTransactionDecider);
const AT = '2026-01-01T10:00:00.000Z';
const decide = (
  score: number,
  rules: Array<{ rule: string; effect: 'review' | 'decline' }> = [],
): DecideTransaction => ({
  type: 'DecideTransaction',
  data: {
    scored: {
      transactionId: 't-1',
      customerId: 'c-1',
      score,
      modelVersion: 'lr-test',
      reasons: [],
      rules,
    },
    thresholds: { reviewAt: 0.5, declineAt: 0.9, reviewTimeoutMs: 60_000 },
    at: AT,
  },
});
const decided = (
  decision: 'approve' | 'review' | 'decline',
  score: number,
): TransactionDecidedEvent => ({
  type: 'TransactionDecided',
  data: {
    transactionId: 't-1',
    customerId: 'c-1',
    decision,
    score,
    modelVersion: 'lr-test',
    decidedAt: AT,
    ...(decision === 'review' ? { reviewDueAt: '2026-01-01T10:01:00.000Z' } : {}),
  },
});

describe('deciding on a scored transaction', () => {
  it('given a score below the review threshold, when decided, then it is approved', () => {
    spec
      .given([])
      .when(decide(0.49))
      .then([decided('approve', 0.49)]);
  });

  it('given a score at the review threshold, when decided, then it goes to review with a deadline', () => {
    spec
      .given([])
      .when(decide(0.5))
      .then([decided('review', 0.5)]);
  });

  it('given a score at the decline threshold, when decided, then it is declined', () => {
    spec
      .given([])
      .when(decide(0.9))
      .then([decided('decline', 0.9)]);
  });

  it('given a low score and a rule asking for review, when decided, then it goes to review', () => {
    spec
      .given([])
      .when(decide(0.1, [{ rule: 'too-many-per-minute', effect: 'review' }]))
      .then([decided('review', 0.1)]);
  });

  it('given a low score and a rule that declines, when decided, then it is declined', () => {
    spec
      .given([])
      .when(decide(0.1, [{ rule: 'blocked-country', effect: 'decline' }]))
      .then([decided('decline', 0.1)]);
  });

  it('given a transaction decided already, when decided again, then nothing new', () => {
    spec
      .given([decided('approve', 0.1)])
      .when(decide(0.95))
      .then([]);
  });
});
