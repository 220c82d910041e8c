import { WorkflowTaskOutcome } from '@eventline/events';
import { badInput, defineHandler } from '@eventline/kit';
import { advanceExecution, executionOfTask } from '../../executions';
import { workflowTaskTypes } from '../../task-types';
import { completeTask } from './decider';
import { MAX_DATA_BYTES, storedJsonProblem } from '../../stored-json';

/** A task's outcome moves its execution on: the next states run, the next tasks are sent. */
export const workflowTaskOutcome = defineHandler({
  name: 'workflow-task-outcome',
  accepts: WorkflowTaskOutcome,
  emits: workflowTaskTypes,
  async handle(outcome, { tx, pool }) {
    const problem = storedJsonProblem(outcome, 'data', MAX_DATA_BYTES);
    if (problem) throw badInput(problem);
    const executionId = executionOfTask(outcome.taskId);
    const decided = await advanceExecution(
      tx,
      pool,
      executionId,
      completeTask(outcome, new Date()),
    );
    if (!decided) throw badInput(`taskId ${outcome.taskId} names no execution`);
    return { emit: decided.emit };
  },
});
