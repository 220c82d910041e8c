import { WorkflowEchoRequested, WorkflowTaskOutcome } from '@eventline/events';
import { badInput, defineHandler, outgoing } from '@eventline/kit';
import { TASK_EXTENSION } from '../../executions';
import { echo } from './decider';

const TASK_ID = new RegExp(WorkflowTaskOutcome.schema.properties.taskId.pattern);

/** A step to try workflows with: a Task's Resource `eventline:dev.eventline.workflows.echo-requested`. */
export const workflowEcho = defineHandler({
  name: 'workflow-echo',
  accepts: WorkflowEchoRequested,
  emits: [WorkflowTaskOutcome],
  async handle(data, { event }) {
    const taskId = event[TASK_EXTENSION];
    if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
      throw badInput(`the ${TASK_EXTENSION} extension must name the task`);
    }
    return { reply: outgoing(WorkflowTaskOutcome, echo(taskId, data), { partitionkey: taskId }) };
  },
});
