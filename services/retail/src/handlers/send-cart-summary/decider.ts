import type { Decider } from '@eventline/eventstore';
import type { DataOf, CartUpdated } from '@eventline/events';

export type SendCartSummary = { type: 'SendCartSummary'; data: DataOf<typeof CartUpdated> };
export type CartSummarySent = {
  type: 'CartSummarySent';
  data: { cartId: string; version: number; message: string };
};
/** The newest version of each cart a summary went out for. */
export type SummariesSent = Record<string, number>;

const money = (cents: number) => (cents / 100).toFixed(2);

/**
 * One summary per cart version; a version older than one already summarized (a late, reordered
 * delivery) is not worth telling the shopper about.
 */
export const sendCartSummaryDecider = {
  initialState: (): SummariesSent => ({}),
  evolve: (sent: SummariesSent, { data }: CartSummarySent): SummariesSent => ({
    ...sent,
    [data.cartId]: data.version,
  }),
  decide({ data: cart }: SendCartSummary, sent: SummariesSent): CartSummarySent[] {
    if ((sent[cart.cartId] ?? 0) >= cart.version) return [];
    const count = cart.items.reduce((n, item) => n + item.quantity, 0);
    const message =
      count === 0
        ? `Your cart ${cart.cartId} is empty.`
        : `Your cart ${cart.cartId}: ${count} item${count === 1 ? '' : 's'}, ${money(cart.total)} in total.`;
    return [
      { type: 'CartSummarySent', data: { cartId: cart.cartId, version: cart.version, message } },
    ];
  },
} satisfies Decider<SummariesSent, SendCartSummary, CartSummarySent>;
