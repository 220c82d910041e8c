import { CartCheckedOut, OrderPlaced } from '@eventline/events';
import { EventStore } from '@eventline/eventstore';
import { defineHandler } from '@eventline/kit';
import { persistPlacedOrder } from '../../order-placement';
import { catchUpOrderView } from '../../order-view';
import { sagaStartRequests } from '../../saga-store';
import { placeCartOrderDecider } from './decider';

/**
 * Places the order of a checked-out cart through the same flow as POST /orders. Admission
 * control is the orders edge's: a checkout already answered its shopper, so it is not refused.
 */
export const placeCartOrder = defineHandler({
  name: 'place-cart-order',
  accepts: CartCheckedOut,
  emits: [OrderPlaced, ...sagaStartRequests],
  async handle(checkout, { tx, pool, log, afterCommit }) {
    const { rowCount } = await tx.query('SELECT 1 FROM orders.sagas WHERE order_id = $1', [
      checkout.orderId,
    ]);
    const events = placeCartOrderDecider.decide(
      { type: 'PlaceCartOrder', data: checkout },
      { placed: Boolean(rowCount) },
    );
    const store = new EventStore(pool);
    const emit = [];
    for (const event of events) emit.push(...(await persistPlacedOrder(tx, store, event)));
    afterCommit(async () => catchUpOrderView(pool, log));
    return { emit };
  },
});
