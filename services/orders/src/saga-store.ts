import {
  ChargePaymentRequested,
  CreateShipmentRequested,
  RefundPaymentRequested,
  ReleaseInventoryRequested,
  ReserveInventoryRequested,
} from '@eventline/events';
import { EventStore } from '@eventline/eventstore';
import { outgoing, type OutgoingEvent } from '@eventline/kit';
import { onCommit, type Transaction } from '@eventline/store';
import { instruments, SECONDS_BUCKETS } from '@eventline/telemetry';
import { ordersConfig } from './config';
import type { OrderFacts } from './domain/order';
import {
  isTerminal,
  startSaga,
  timeoutOf,
  type Phase,
  type SagaDecision,
  type SagaState,
  type StepName,
} from './domain/saga';

export const orderStream = (orderId: string) => `order-${orderId}`;

const sagaInstruments = instruments((meter) => ({
  executions: meter.createCounter('eventline.saga.executions', {
    description: 'Saga executions by status: started, then the status each ended in',
    unit: '{execution}',
  }),
  duration: meter.createHistogram('eventline.saga.duration', {
    description: 'From a saga starting to its ending, by the status it ended in',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
}));

const STARTED = { saga: 'order', status: 'started' };

/** The events that end a saga, each once, with the status it ends in. */
const ENDINGS: Record<string, string> = {
  OrderCompleted: 'COMPLETED',
  OrderCancelled: 'CANCELLED',
  OrderFailed: 'FAILED',
};

/** Every request the saga may send: its steps' actions and compensations. */
export const sagaRequests = [
  ReserveInventoryRequested,
  ReleaseInventoryRequested,
  ChargePaymentRequested,
  RefundPaymentRequested,
  CreateShipmentRequested,
];

/** The request a step's phase is sent as. */
function requestType(step: StepName, phase: Phase) {
  if (step === 'reserve-inventory')
    return phase === 'action' ? ReserveInventoryRequested : ReleaseInventoryRequested;
  if (step === 'charge-payment')
    return phase === 'action' ? ChargePaymentRequested : RefundPaymentRequested;
  return CreateShipmentRequested;
}

/**
 * The requests a saga's start sends, all an edge starting sagas may emit: the broker refuses it
 * any other (its EventPolicy is its routing entry's `emits`, which must equal these).
 */
export const sagaStartRequests = [
  ...new Set(startSaga().send.map(({ step, phase }) => requestType(step, phase))),
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
  const ending = decision.events.map((event) => ENDINGS[event.type]).find(Boolean);
  if (isNew) {
    await tx.query('INSERT INTO orders.sagas (order_id, state, orders) VALUES ($1, $2, $3)', [
      order.orderId,
      JSON.stringify(state),
      JSON.stringify(order),
    ]);
    onCommit(tx, () => sagaInstruments().executions.add(1, STARTED));
  } else if (ending) {
    const { rows } = await tx.query<{ seconds: number }>(
      `UPDATE orders.sagas SET state = $2, updated_at = now() WHERE order_id = $1
       RETURNING extract(epoch FROM clock_timestamp() - started_at)::float8 AS seconds`,
      [order.orderId, JSON.stringify(state)],
    );
    const attributes = { saga: 'order', status: ending };
    onCommit(tx, () => {
      const { executions, duration } = sagaInstruments();
      executions.add(1, attributes);
      duration.record(rows[0]?.seconds ?? 0, attributes);
    });
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
