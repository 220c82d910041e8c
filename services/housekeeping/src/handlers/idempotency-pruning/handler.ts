import { defineJob } from '@eventline/kit';
import { pruneIdempotencyKeys, pruneProcessedEvents } from '@eventline/store';
import { housekeepingConfig } from '../../config';

/**
 * Forgets idempotency records older than the window (EVENTLINE_IDEMPOTENCY_WINDOW_HOURS), which
 * is longer than the broker can still redeliver, and edge routes' Idempotency-Key claims of the
 * same age: without it both tables grow with every event and request.
 */
export const idempotencyPruning = defineJob({
  name: 'idempotency-pruning',
  async run({ transact }) {
    const hours = housekeepingConfig().EVENTLINE_IDEMPOTENCY_WINDOW_HOURS;
    return transact(async (tx) => ({
      result: {
        events: await pruneProcessedEvents(tx, hours),
        keys: await pruneIdempotencyKeys(tx, hours),
      },
    }));
  },
});
