import { deciderSpec } from '@eventline/eventstore';
import { HandlerError } from '@eventline/kit';
import { reviewDecider, type ReviewCommand, type ReviewEvent } from './review';

const spec = deciderSpec(reviewDecider);
const DUE = '2026-01-01T10:15:00.000Z';
const sentToReview: ReviewEvent = {
  type: 'TransactionDecided',
  data: { decision: 'review', reviewDueAt: DUE },
};
const review = (approve: boolean, at: string): ReviewCommand => ({
  type: 'ReviewTransaction',
  data: { transactionId: 't-1', approve, at },
});
const timeOut = (at: string): ReviewCommand => ({
  type: 'TimeOutReview',
  data: { transactionId: 't-1', at },
});
const reviewed = (
  decision: 'approve' | 'decline',
  by: 'reviewer' | 'timeout',
  reviewedAt: string,
): ReviewEvent => ({ type: 'TransactionReviewed', data: { decision, by, reviewedAt } });
const conflictSaying = (text: string) => (err: unknown) =>
  err instanceof HandlerError && err.kind === 'conflict' && err.message.includes(text);

describe('reviewing a transaction', () => {
  it('given a transaction in review, when a reviewer approves before the deadline, then it is approved by the reviewer', () => {
    spec
      .given([sentToReview])
      .when(review(true, '2026-01-01T10:00:00.000Z'))
      .then([reviewed('approve', 'reviewer', '2026-01-01T10:00:00.000Z')]);
  });

  it('given a transaction in review, when a reviewer declines, then it is declined by the reviewer', () => {
    spec
      .given([sentToReview])
      .when(review(false, '2026-01-01T10:00:00.000Z'))
      .then([reviewed('decline', 'reviewer', '2026-01-01T10:00:00.000Z')]);
  });

  it('given a review past its deadline, when the timer fires, then it is declined by timeout', () => {
    spec
      .given([sentToReview])
      .when(timeOut('2026-01-01T10:15:30.000Z'))
      .then([reviewed('decline', 'timeout', '2026-01-01T10:15:30.000Z')]);
  });

  it('given a review not yet due, when the timer fires, then nothing happens', () => {
    spec.given([sentToReview]).when(timeOut('2026-01-01T10:14:59.999Z')).then([]);
  });

  it('given a review answered already, when the timer fires, then nothing happens', () => {
    spec
      .given([sentToReview, reviewed('approve', 'reviewer', '2026-01-01T10:01:00.000Z')])
      .when(timeOut('2026-01-01T10:16:00.000Z'))
      .then([]);
  });

  it('given a review that timed out, when a reviewer answers, then 409 saying it timed out and was declined', () => {
    spec
      .given([sentToReview, reviewed('decline', 'timeout', '2026-01-01T10:15:30.000Z')])
      .when(review(true, '2026-01-01T10:20:00.000Z'))
      .thenThrows(conflictSaying('review timed out at 2026-01-01T10:15:30.000Z: it was declined'));
  });

  it('given a review past its deadline the timer has not reached, when a reviewer answers, then 409 saying it timed out', () => {
    spec
      .given([sentToReview])
      .when(review(true, '2026-01-01T10:15:00.000Z'))
      .thenThrows(conflictSaying(`review timed out at ${DUE}`));
  });

  it('given a review answered already, when answered again, then 409 with the first answer', () => {
    spec
      .given([sentToReview, reviewed('approve', 'reviewer', '2026-01-01T10:01:00.000Z')])
      .when(review(false, '2026-01-01T10:02:00.000Z'))
      .thenThrows(conflictSaying('was reviewed already: approved at 2026-01-01T10:01:00.000Z'));
  });

  it('given an approved transaction, when a reviewer answers, then 409: it was not sent to review', () => {
    spec
      .given([{ type: 'TransactionDecided', data: { decision: 'approve' } }])
      .when(review(false, '2026-01-01T10:00:00.000Z'))
      .thenThrows(conflictSaying('was not sent to review: it was approved'));
  });

  it('given a transaction not decided yet, when a reviewer answers, then 409: not decided yet', () => {
    spec
      .given([])
      .when(review(true, '2026-01-01T10:00:00.000Z'))
      .thenThrows(conflictSaying('is not decided yet'));
  });
});
