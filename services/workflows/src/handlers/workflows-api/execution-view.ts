import type { RecordedEvent } from '@eventline/eventstore';
import type { ExecutionState, WorkflowEvent } from '@eventline/workflow';

/** One line of an execution's history: what happened, in which state, when. */
export interface Transition {
  at: string;
  type: WorkflowEvent['type'];
  state?: string;
  /** the branch ('' the execution itself, `Parallel[0]`, `Map[3]`) */
  scope?: string;
  detail?: Record<string, unknown>;
}

function transition(event: RecordedEvent<WorkflowEvent>): Transition {
  const { at, ...rest } = event.data as { at: string } & Record<string, unknown>;
  const {
    state,
    scope,
    definition: _definition,
    ...detail
  } = rest as {
    state?: string;
    scope?: string;
    definition?: unknown;
  } & Record<string, unknown>;
  return {
    at,
    type: event.type,
    ...(state !== undefined ? { state } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
}

export function executionView(state: ExecutionState, history: RecordedEvent<WorkflowEvent>[]) {
  const last = history.at(-1);
  return {
    executionId: state.executionId,
    workflow: state.workflow,
    version: state.version,
    status: state.status,
    startedAt: state.startedAt,
    ...(state.status !== 'RUNNING' && last ? { stoppedAt: (last.data as { at: string }).at } : {}),
    ...(state.status === 'SUCCEEDED' ? { output: state.output } : {}),
    ...(state.error !== undefined ? { error: state.error, cause: state.cause } : {}),
    history: history.map(transition),
  };
}
