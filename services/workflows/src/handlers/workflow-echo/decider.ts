import type { DataOf, WorkflowEchoRequested, WorkflowTaskOutcome } from '@eventline/events';

/** The echo step: its data back as output, or the error its data names. */
export function echo(
  taskId: string,
  data: DataOf<typeof WorkflowEchoRequested>,
): DataOf<typeof WorkflowTaskOutcome> {
  if (data.fail !== undefined) {
    return {
      taskId,
      ok: false,
      error: data.fail,
      cause: data.cause ?? `echo asked to fail with ${data.fail}`,
    };
  }
  return { taskId, ok: true, output: data };
}
