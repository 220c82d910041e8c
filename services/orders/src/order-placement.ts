import { OrderPlaced } from '@eventline/events';
import type { EventStore } from '@eventline/eventstore';
import { outgoing, type OutgoingEvent } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import { HIGH_VALUE_TOTAL, type OrderPlacedEvent } from './domain/order';
import { startSaga } from './domain/saga';
import { orderStream, persistDecision } from './saga-store';

/**
 * Starts an order's saga and history in the caller's transaction; returns what to emit: the
 * announcement and the saga's first request. Every way into the order flow (the orders edge, a
 * cart's checkout) places an order through here.
 */
export async function persistPlacedOrder(
  tx: Transaction,
  store: EventStore,
  event: OrderPlacedEvent,
): Promise<OutgoingEvent[]> {
  const { placedAt: _placedAt, ...order } = event.data;
  const requests = await persistDecision(tx, store, order, startSaga(), true);
  await store.appendInTransaction(tx, orderStream(order.orderId), [event], {
    expectedVersion: 'no-stream',
  });
  // Knative filters on attributes, not data: region and value travel as extensions.
  const announcement = outgoing(OrderPlaced, event.data, {
    partitionkey: order.orderId,
    extensions: { region: order.region, highvalue: String(order.total >= HIGH_VALUE_TOTAL) },
  });
  return [announcement, ...requests];
}
