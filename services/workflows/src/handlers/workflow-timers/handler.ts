import { defineJob } from '@eventline/kit';
import { workflowsConfig } from '../../config';
import { advanceExecution } from '../../executions';
import { workflowTaskTypes } from '../../task-types';

/**
 * Waits, retries and task timeouts, on the PingSource's ticks: every execution with something
 * due is decided again with the time, in one transaction with its row lock taken SKIP LOCKED,
 * so two runs never fire one timer twice. A timer fires at most a tick late.
 */
export const workflowTimers = defineJob({
  name: 'workflow-timers',
  emits: workflowTaskTypes,
  async run({ pool, transact }) {
    const batch = workflowsConfig().WORKFLOWS_TIMERS_PER_TRANSACTION;
    let fired = 0;
    for (;;) {
      const due = await transact(async (tx) => {
        const { rows } = await tx.query<{ execution_id: string }>(
          `SELECT execution_id FROM workflows.executions WHERE next_due_at <= now()
           ORDER BY next_due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batch],
        );
        const emit = [];
        for (const { execution_id } of rows) {
          const decided = await advanceExecution(tx, pool, execution_id, {
            type: 'FireTimers',
            at: new Date().toISOString(),
          });
          emit.push(...(decided?.emit ?? []));
        }
        return { result: rows.length, emit };
      });
      fired += due;
      if (due < batch) break;
    }
    return { fired };
  },
});
