import { WorkflowEchoRequested } from '@eventline/events';

/**
 * The CloudEvent types a workflow's Task may name as its Resource: the engine's handlers emit
 * them, and the broker takes from a sender only the types routing.yaml lists in its `emits`, so
 * a definition naming another type is refused when it is put, not when a step would be sent.
 */
export const workflowTaskTypes = [WorkflowEchoRequested];
