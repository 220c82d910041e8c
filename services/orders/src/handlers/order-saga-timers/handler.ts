import { EventStore } from '@eventline/eventstore';
import { defineJob } from '@eventline/kit';
import { advanceSaga, type Phase, type StepName } from '../../domain/saga';
import { catchUpOrderView } from '../../order-view';
import { lockSaga, persistDecision, sagaRequests } from '../../saga-store';

/** Timers taken per transaction: each one is a saga row lock held until the commit. */
const TIMERS_PER_TRANSACTION = 20;

/**
 * The saga's step timers, on the PingSource's ticks: every step that did not answer by its
 * deadline is answered with a timed-out outcome, in one transaction with its saga row, so the
 * saga compensates even when nothing else happens and every replica is scaled to zero. A timer
 * fires once: its row is locked with SKIP LOCKED and goes with the saga's next state. How late
 * it fires is bounded by the schedule (Knative's PingSource ticks at most once a minute).
 */
export const orderSagaTimers = defineJob({
  name: 'order-saga-timers',
  emits: sagaRequests,
  async run({ pool, transact, log }) {
    const store = new EventStore(pool);
    let fired = 0;
    for (;;) {
      const due = await transact(async (tx) => {
        const { rows } = await tx.query<{ order_id: string; step: StepName; phase: Phase }>(
          `SELECT order_id, step, phase FROM orders.saga_timers WHERE due_at <= now()
           ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [TIMERS_PER_TRANSACTION],
        );
        const emit = [];
        for (const timer of rows) {
          const saga = await lockSaga(tx, timer.order_id);
          if (!saga) continue;
          const decision = advanceSaga(saga.state, {
            step: timer.step,
            phase: timer.phase,
            outcome: 'timed-out',
          });
          log.warn(
            { orderId: timer.order_id, step: timer.step, phase: timer.phase },
            'saga step timed out',
          );
          emit.push(...(await persistDecision(tx, store, saga.order, decision)));
        }
        return { result: rows.length, emit };
      });
      fired += due;
      if (due < TIMERS_PER_TRANSACTION) break;
    }
    if (fired > 0) catchUpOrderView(pool, log);
    return { fired };
  },
});
