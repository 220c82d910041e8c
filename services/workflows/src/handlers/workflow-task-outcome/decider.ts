import type { DataOf, WorkflowTaskOutcome } from '@eventline/events';
import type { WorkflowCommand } from '@eventline/workflow';

/** The interpreter's command for an outcome; a failure without a name is States.TaskFailed. */
export function completeTask(
  outcome: DataOf<typeof WorkflowTaskOutcome>,
  now: Date,
): Extract<WorkflowCommand, { type: 'CompleteTask' }> {
  return {
    type: 'CompleteTask',
    taskId: outcome.taskId,
    outcome: outcome.ok
      ? { ok: true, output: outcome.output ?? null }
      : { ok: false, error: outcome.error ?? 'States.TaskFailed', cause: outcome.cause ?? '' },
    at: now.toISOString(),
  };
}
