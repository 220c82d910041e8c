import { EventStore } from '@eventline/eventstore';
import { SagaStepOutcome } from '@eventline/events';
import { badInput, defineHandler } from '@eventline/kit';
import { advanceSaga } from '../../domain/saga';
import { catchUpOrderView } from '../../order-view';
import { lockSaga, persistDecision, sagaRequests } from '../../saga-store';

/** The order saga's process manager: each step's outcome moves the saga per its table. */
export const orderSaga = defineHandler({
  name: 'order-saga',
  accepts: SagaStepOutcome,
  emits: sagaRequests,
  async handle(outcome, { tx, pool, log, afterCommit }) {
    const saga = await lockSaga(tx, outcome.orderId);
    if (!saga) throw badInput(`no saga for order ${outcome.orderId}`);
    const decision = advanceSaga(saga.state, outcome);
    const emit = await persistDecision(tx, new EventStore(pool), saga.order, decision);
    if (decision.events.length > 0) afterCommit(async () => catchUpOrderView(pool, log));
    // The next step's request rides the response to this delivery as its reply, which the broker
    // publishes as it does the steps' outcomes: stored with the claim like an outbox row, it is
    // answered again to a redelivery, and it costs no request of its own to the broker.
    const [next, ...more] = emit;
    return next && more.length === 0 ? { reply: next } : { emit };
  },
});
