import type { Decider } from '@eventline/eventstore';
import type { DataOf, TransactionDecided, TransactionScored } from '@eventline/events';

export interface Thresholds {
  /** scores at or above this go to review */
  reviewAt: number;
  /** scores at or above this are declined */
  declineAt: number;
  reviewTimeoutMs: number;
}

export type DecideTransaction = {
  type: 'DecideTransaction';
  data: { scored: DataOf<typeof TransactionScored>; thresholds: Thresholds; at: string };
};

export type TransactionDecidedEvent = {
  type: 'TransactionDecided';
  data: DataOf<typeof TransactionDecided>;
};

/**
 * Approve, review or decline, once. A rule that declines wins; then the score against the
 * decline threshold; then a rule or a score that asks for review; the rest is approved. A review
 * has a deadline, after which the transaction is declined.
 */
export const decideTransactionDecider = {
  initialState: () => ({ decided: false }),
  evolve: () => ({ decided: true }),
  decide({ data }: DecideTransaction, state: { decided: boolean }): TransactionDecidedEvent[] {
    if (state.decided) return [];
    const { scored, thresholds, at } = data;
    const effects = new Set(scored.rules.map((r) => r.effect));
    const decision =
      effects.has('decline') || scored.score >= thresholds.declineAt
        ? 'decline'
        : effects.has('review') || scored.score >= thresholds.reviewAt
          ? 'review'
          : 'approve';
    return [
      {
        type: 'TransactionDecided',
        data: {
          transactionId: scored.transactionId,
          customerId: scored.customerId,
          decision,
          score: scored.score,
          modelVersion: scored.modelVersion,
          decidedAt: at,
          ...(decision === 'review'
            ? {
                reviewDueAt: new Date(Date.parse(at) + thresholds.reviewTimeoutMs).toISOString(),
              }
            : {}),
        },
      },
    ];
  },
} satisfies Decider<{ decided: boolean }, DecideTransaction, TransactionDecidedEvent>;
