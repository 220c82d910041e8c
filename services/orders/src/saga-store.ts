import {
  ChargePaymentRequested,
  CreateShipmentRequested,
  RefundPaymentRequested,
  ReleaseInventoryRequested,
  ReserveInventoryRequested,
} from '@eventline/events';
import { EventStore } from '@eventline/eventstore';
import { outgoing, type OutgoingEvent } from '@eventline/kit';
import type { Transaction } from '@eventline/store';
import { ordersConfig } from './config';
import type { OrderFacts } from './domain/order';
import {
  isTerminal,
  timeoutOf,
  type Phase,
  type SagaDecision,
  type SagaState,
  type StepName,
} from './domain/saga';

export const orderStream = (orderId: string) => `order-${orderId}`;

/** Every request the saga may send: its steps' actions and compensations. */
export const sagaRequests = [
  ReserveInventoryRequested,
  ReleaseInventoryRequested,
  ChargePaymentRequested,
  RefundPaymentRequested,
  CreateShipmentRequested,
];

export async function lockSaga(
  tx: Transaction,
  orderId: string,
): Promise<{ state: SagaState; order: OrderFacts } | undefined> {
  const { rows } = await tx.query<{ state: SagaState; orders: OrderFacts }>(
    'SELECT state, orders FROM orders.sagas WHERE order_id = $1 FOR UPDATE',
    [orderId],
  );
  const row = rows[0];
  return row ? { state: row.state, order: row.orders } : undefined;
}

function request(order: OrderFacts, step: StepName, phase: Phase): OutgoingEvent {
  const options = { partitionkey: order.orderId };
  if (step === 'reserve-inventory') {
    return phase === 'action'
      ? outgoing(ReserveInventoryRequested, { orderId: order.orderId, items: order.items }, options)
      : outgoing(ReleaseInventoryRequested, { orderId: order.orderId }, options);
  }
  if (step === 'charge-payment') {
    return phase === 'action'
      ? outgoing(
          ChargePaymentRequested,
          { orderId: order.orderId, customerId: order.customerId, amount: order.total },
          options,
        )
      : outgoing(RefundPaymentRequested, { orderId: order.orderId }, options);
  }
  return outgoing(
    CreateShipmentRequested,
    { orderId: order.orderId, region: order.region },
    options,
  );
}

/**
 * Persists a saga decision in the caller's transaction: the saga's state, the timer of the step
 * it now waits for, the order's history events; returns the requests to emit through the outbox.
 * The saga row lock held by the caller orders all of this per order.
 */
export async function persistDecision(
  tx: Transaction,
  store: EventStore,
  order: OrderFacts,
  decision: SagaDecision,
  isNew = false,
): Promise<OutgoingEvent[]> {
  const { state } = decision;
  if (isNew) {
    await tx.query('INSERT INTO orders.sagas (order_id, state, orders) VALUES ($1, $2, $3)', [
      order.orderId,
      JSON.stringify(state),
      JSON.stringify(order),
    ]);
  } else {
    await tx.query('UPDATE orders.sagas SET state = $2, updated_at = now() WHERE order_id = $1', [
      order.orderId,
      JSON.stringify(state),
    ]);
  }
  if (state.awaiting) {
    await tx.query(
      `INSERT INTO orders.saga_timers (order_id, step, phase, due_at, sent_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4), now())
       ON CONFLICT (order_id) DO UPDATE SET step = $2, phase = $3, due_at = EXCLUDED.due_at, sent_at = now()`,
      [
        order.orderId,
        state.awaiting.step,
        state.awaiting.phase,
        (ordersConfig().ORDERS_STEP_TIMEOUT_MS ?? timeoutOf(state.awaiting.step)) / 1000,
      ],
    );
  } else {
    await tx.query('DELETE FROM orders.saga_timers WHERE order_id = $1', [order.orderId]);
  }
  if (decision.events.length > 0) {
    await store.appendInTransaction(tx, orderStream(order.orderId), decision.events, {
      expectedVersion: 'any',
    });
    // A final status ends the stream: it takes no more events and falls to retention in time.
    if (isTerminal(state.status)) await store.closeStream(orderStream(order.orderId), { tx });
  }
  return decision.send.map(({ step, phase }) => request(order, step, phase));
}
