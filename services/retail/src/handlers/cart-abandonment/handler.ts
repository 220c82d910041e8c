import { CartAbandoned } from '@eventline/events';
import { defineJob, outgoing } from '@eventline/kit';
import { CartSessions, sessionsDue } from '../../cart-sessions';
import { retailConfig } from '../../config';

/** At most this many sessions per tick: the next tick takes the rest. */
const BATCH = 500;

/**
 * Finds carts whose Redis session expired and announces them as CartAbandoned. The index's
 * expiry is the session's as of its last change; a read since then renewed the key, so the key
 * itself says whether the cart is gone, and the index learns the renewed expiry.
 */
export const cartAbandonment = defineJob({
  name: 'cart-abandonment',
  emits: [CartAbandoned],
  state: 'redis',
  async run({ pool, cache, transact }) {
    const sessions = new CartSessions(cache, retailConfig().CART_TTL_SECONDS);
    let abandoned = 0;
    let renewed = 0;
    for (const session of await sessionsDue(pool, BATCH)) {
      const remaining = await sessions.remainingMs(session.cartId);
      // Redis away: nothing can be told apart; the next tick looks again.
      if (remaining === undefined) break;
      if (remaining !== -2) {
        await pool.query(
          `UPDATE retail.cart_sessions SET expires_at = now() + make_interval(secs => $3)
            WHERE cart_id = $1 AND version = $2`,
          [session.cartId, session.version, Math.max(remaining, 0) / 1000],
        );
        renewed++;
        continue;
      }
      // The guard leaves a cart alone that a change refilled since it was read.
      abandoned += await transact(async (tx) => {
        const { rowCount } = await tx.query(
          `DELETE FROM retail.cart_sessions
            WHERE cart_id = $1 AND version = $2 AND updated_at = $3::timestamptz`,
          [session.cartId, session.version, session.updatedAt],
        );
        if (!rowCount) return { result: 0 };
        const { cartId, items, total, version, updatedAt } = session;
        const event = outgoing(
          CartAbandoned,
          {
            cartId,
            items,
            total,
            version,
            lastUpdatedAt: updatedAt,
            abandonedAt: new Date().toISOString(),
          },
          { partitionkey: cartId },
        );
        return { result: 1, emit: [event] };
      });
    }
    return { abandoned, renewed };
  },
});
