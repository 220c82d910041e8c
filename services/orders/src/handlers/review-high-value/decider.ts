import type { Decider } from '@eventline/eventstore';
import type { DataOf, OrderPlaced } from '@eventline/events';

export interface ReviewState {
  underReview: boolean;
}

export type ReviewOrder = { type: 'ReviewOrder'; data: DataOf<typeof OrderPlaced> };

export type ReviewEvent = {
  type: 'ReviewRequested';
  data: { orderId: string; customerId: string; total: number };
};

/** Puts an order in front of a human once. Which orders come here is the trigger's filter. */
export const reviewHighValueDecider = {
  initialState: (): ReviewState => ({ underReview: false }),
  evolve: (): ReviewState => ({ underReview: true }),
  decide({ data: order }: ReviewOrder, state: ReviewState): ReviewEvent[] {
    if (state.underReview) return [];
    const { orderId, customerId, total } = order;
    return [{ type: 'ReviewRequested', data: { orderId, customerId, total } }];
  },
} satisfies Decider<ReviewState, ReviewOrder, ReviewEvent>;
