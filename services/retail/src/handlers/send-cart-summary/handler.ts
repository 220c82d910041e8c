import { CartUpdated } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { sendCartSummaryDecider } from './decider';

/**
 * Sends the shopper a summary of the cart after each change, through the notification adapter:
 * simulated, as payments are, by recording what would be sent in retail.cart_summaries.
 */
export const sendCartSummary = defineHandler({
  name: 'send-cart-summary',
  accepts: CartUpdated,
  async handle(cart, { tx }) {
    const { rows } = await tx.query<{ version: number }>(
      'SELECT max(version)::int AS version FROM retail.cart_summaries WHERE cart_id = $1',
      [cart.cartId],
    );
    const newest = rows[0]?.version;
    const sent = newest ? { [cart.cartId]: newest } : {};
    const events = sendCartSummaryDecider.decide({ type: 'SendCartSummary', data: cart }, sent);
    for (const { data } of events)
      await tx.query(
        `INSERT INTO retail.cart_summaries (cart_id, version, message) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [data.cartId, data.version, data.message],
      );
  },
});
