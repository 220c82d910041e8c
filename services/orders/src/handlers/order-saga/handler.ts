import { EventStore } from '@eventline/eventstore';
import { SagaStepOutcome } from '@eventline/events';
import { badInput, defineHandler, type EdgeContext } from '@eventline/kit';
import { advanceSaga, type Phase, type StepName } from '../../domain/saga';
import { lockSaga, persistDecision, sagaRequests } from '../../saga-store';

const SWEEP_INTERVAL_MS = 250;

/**
 * Steps that did not answer in time: each due timer is answered with a timed-out outcome in its
 * own transaction with the saga row, so timers survive restarts and fire once.
 */
function sweepTimers({ pool, transact, log }: EdgeContext) {
  const store = new EventStore(pool);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    for (;;) {
      const fired = await transact(async (tx) => {
        const { rows } = await tx.query<{ order_id: string; step: StepName; phase: Phase }>(
          `SELECT order_id, step, phase FROM orders.saga_timers WHERE due_at <= now()
           ORDER BY due_at LIMIT 20 FOR UPDATE SKIP LOCKED`,
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
      if (fired === 0) return;
    }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(sweep).catch((err) => log.warn({ err }, 'saga timer sweep failed'));
  }, SWEEP_INTERVAL_MS);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** The order saga's process manager: each step's outcome moves the saga per its table. */
export const orderSaga = defineHandler({
  name: 'order-saga',
  accepts: SagaStepOutcome,
  emits: sagaRequests,
  async handle(outcome, { tx, pool }) {
    const saga = await lockSaga(tx, outcome.orderId);
    if (!saga) throw badInput(`no saga for order ${outcome.orderId}`);
    const decision = advanceSaga(saga.state, outcome);
    return { emit: await persistDecision(tx, new EventStore(pool), saga.order, decision) };
  },
  background: sweepTimers,
});
