import type { Decider } from '@eventline/eventstore';
import { conflict } from '@eventline/kit';

/** Where a transaction stands, as far as a review is concerned. */
export type ReviewState =
  | { stage: 'undecided' }
  | { stage: 'decided'; decision: 'approve' | 'decline' }
  | { stage: 'in-review'; dueAt: string }
  | { stage: 'reviewed'; decision: 'approve' | 'decline'; by: 'reviewer' | 'timeout'; at: string };

export type ReviewEvent =
  | {
      type: 'TransactionDecided';
      data: { decision: 'approve' | 'review' | 'decline'; reviewDueAt?: string };
    }
  | {
      type: 'TransactionReviewed';
      data: { decision: 'approve' | 'decline'; by: 'reviewer' | 'timeout'; reviewedAt: string };
    };

export type ReviewCommand =
  | { type: 'ReviewTransaction'; data: { transactionId: string; approve: boolean; at: string } }
  | { type: 'TimeOutReview'; data: { transactionId: string; at: string } };

const verb = (decision: 'approve' | 'decline') =>
  decision === 'approve' ? 'approved' : 'declined';

/**
 * A transaction sent to review waits for a reviewer's answer until its deadline; past it, it is
 * declined. Only one of the two ends a review: an answer after the deadline, or a second
 * answer, is refused with what happened instead.
 */
export const reviewDecider = {
  initialState: (): ReviewState => ({ stage: 'undecided' }),
  evolve(state: ReviewState, event: ReviewEvent): ReviewState {
    if (event.type === 'TransactionDecided') {
      const { decision, reviewDueAt } = event.data;
      return decision === 'review'
        ? { stage: 'in-review', dueAt: reviewDueAt as string }
        : { stage: 'decided', decision };
    }
    const { decision, by, reviewedAt } = event.data;
    return state.stage === 'in-review'
      ? { stage: 'reviewed', decision, by, at: reviewedAt }
      : state;
  },
  decide(command: ReviewCommand, state: ReviewState): ReviewEvent[] {
    const { transactionId, at } = command.data;
    if (command.type === 'TimeOutReview') {
      if (state.stage !== 'in-review' || Date.parse(at) < Date.parse(state.dueAt)) return [];
      return [
        {
          type: 'TransactionReviewed',
          data: { decision: 'decline', by: 'timeout', reviewedAt: at },
        },
      ];
    }
    switch (state.stage) {
      case 'undecided':
        throw conflict(`transaction ${transactionId} is not decided yet`);
      case 'decided':
        throw conflict(
          `transaction ${transactionId} was not sent to review: it was ${verb(state.decision)}`,
        );
      case 'reviewed':
        throw conflict(
          state.by === 'timeout'
            ? `transaction ${transactionId}'s review timed out at ${state.at}: it was declined`
            : `transaction ${transactionId} was reviewed already: ${verb(state.decision)} at ${state.at}`,
        );
      case 'in-review':
        if (Date.parse(at) >= Date.parse(state.dueAt))
          throw conflict(
            `transaction ${transactionId}'s review timed out at ${state.dueAt}: it is declined`,
          );
        return [
          {
            type: 'TransactionReviewed',
            data: {
              decision: command.data.approve ? 'approve' : 'decline',
              by: 'reviewer',
              reviewedAt: at,
            },
          },
        ];
    }
  },
} satisfies Decider<ReviewState, ReviewCommand, ReviewEvent>;
