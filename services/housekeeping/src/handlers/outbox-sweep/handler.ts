import { ANY_EVENT, defineJob } from '@eventline/kit';
import { housekeepingConfig } from '../../config';

/**
 * Sends what a crash between a commit and its send left in the outbox, for every producer: a
 * handler sends its rows right after committing them, and a process that died in between, or
 * was scaled to zero with the sink down, has no timer left to try again.
 */
export const outboxSweep = defineJob({
  name: 'outbox-sweep',
  emits: [ANY_EVENT],
  async run({ sweepOutbox }) {
    return { sent: await sweepOutbox(housekeepingConfig().EVENTLINE_OUTBOX_SWEEP_AFTER_MS) };
  },
});
