import { defineJob } from '@eventline/kit';
import { pruneProcessedEvents } from '@eventline/store';
import { housekeepingConfig } from '../../config';

/**
 * Forgets idempotency records older than the window (EVENTLINE_IDEMPOTENCY_WINDOW_HOURS), which
 * is longer than the broker can still redeliver: without it the table grows with every event.
 */
export const idempotencyPruning = defineJob({
  name: 'idempotency-pruning',
  async run({ transact }) {
    const hours = housekeepingConfig().EVENTLINE_IDEMPOTENCY_WINDOW_HOURS;
    return {
      pruned: await transact(async (tx) => ({ result: await pruneProcessedEvents(tx, hours) })),
    };
  },
});
