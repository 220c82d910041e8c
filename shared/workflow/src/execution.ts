import type { StateMachine } from './definition';

/**
 * An execution's history: every event a step of the interpreter decides. Folding them gives
 * where each branch stands, so the history is the execution's whole state. `scope` names the
 * state machine a state runs in: '' the definition itself, `Parent[i]` a Parallel's branch or a
 * Map's item, nested with '/'.
 */
export type WorkflowEvent =
  | {
      type: 'ExecutionStarted';
      data: {
        executionId: string;
        workflow: string;
        version: number;
        definition: StateMachine;
        input: unknown;
        at: string;
      };
    }
  | { type: 'StateEntered'; data: { scope: string; state: string; input: unknown; at: string } }
  | {
      type: 'TaskScheduled';
      data: {
        scope: string;
        state: string;
        taskId: string;
        /** The CloudEvent type the Resource names. */
        eventType: string;
        payload: unknown;
        attempt: number;
        timeoutAt?: string;
        heartbeatAt?: string;
        at: string;
      };
    }
  | {
      type: 'TaskHeartbeat';
      data: { scope: string; taskId: string; heartbeatAt: string; at: string };
    }
  | {
      type: 'TaskSucceeded';
      data: { scope: string; state: string; taskId: string; output: unknown; at: string };
    }
  | {
      type: 'TaskFailed';
      data: {
        scope: string;
        state: string;
        taskId: string;
        error: string;
        cause: string;
        at: string;
      };
    }
  | {
      type: 'TaskTimedOut';
      data: { scope: string; state: string; taskId: string; error: string; at: string };
    }
  | {
      type: 'RetryScheduled';
      data: {
        scope: string;
        state: string;
        retrier: number;
        error: string;
        dueAt: string;
        at: string;
      };
    }
  | { type: 'WaitStarted'; data: { scope: string; state: string; dueAt: string; at: string } }
  | {
      type: 'BranchesOpened';
      data: {
        scope: string;
        state: string;
        count: number;
        /** A Map's items, each as its iteration's input; a Parallel's branches share one. */
        inputs: unknown[];
        concurrency: number;
        at: string;
      };
    }
  | {
      type: 'BranchStarted';
      data: { scope: string; parent: string; state: string; index: number; at: string };
    }
  | { type: 'BranchSucceeded'; data: { scope: string; output: unknown; at: string } }
  | { type: 'BranchFailed'; data: { scope: string; error: string; cause: string; at: string } }
  | {
      type: 'StateExited';
      data: {
        scope: string;
        state: string;
        output?: unknown;
        /** Set when the state failed: caught (then `next` is the Catch's) or ending its scope. */
        error?: string;
        cause?: string;
        next?: string;
        at: string;
      };
    }
  | { type: 'ExecutionSucceeded'; data: { output: unknown; at: string } }
  | { type: 'ExecutionFailed'; data: { error: string; cause: string; at: string } }
  | { type: 'ExecutionStopped'; data: { error: string; cause: string; at: string } };

export type WorkflowEventType = WorkflowEvent['type'];

export type WorkflowCommand =
  | {
      type: 'StartExecution';
      executionId: string;
      workflow: string;
      version: number;
      definition: StateMachine;
      input: unknown;
      at: string;
    }
  | {
      type: 'CompleteTask';
      taskId: string;
      outcome: { ok: true; output: unknown } | { ok: false; error: string; cause: string };
      at: string;
    }
  | { type: 'RecordHeartbeat'; taskId: string; at: string }
  /** The timer job's tick: fires waits, retries and timeouts due by `at`. */
  | { type: 'FireTimers'; at: string }
  | { type: 'StopExecution'; error: string; cause: string; at: string };

export type ExecutionStatus = 'NOT_STARTED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ActiveTask {
  taskId: string;
  eventType: string;
  timeoutAt?: string;
  heartbeatAt?: string;
}

export interface Branches {
  count: number;
  inputs: unknown[];
  concurrency: number;
  started: number;
  finished: number;
  results: unknown[];
}

export interface ActiveState {
  name: string;
  input: unknown;
  enteredAt: string;
  /** Attempts made per retrier, by index into the state's Retry. */
  attempts: number[];
  task?: ActiveTask;
  timer?: { dueAt: string; purpose: 'wait' | 'retry' };
  branches?: Branches;
}

export interface Scope {
  machine: StateMachine;
  parent?: { scope: string; index: number };
  input: unknown;
  current?: ActiveState;
}

export interface ExecutionState {
  status: ExecutionStatus;
  executionId: string;
  workflow: string;
  version: number;
  definition?: StateMachine;
  input: unknown;
  startedAt: string;
  scopes: Record<string, Scope>;
  tasksScheduled: number;
  events: number;
  output?: unknown;
  error?: string;
  cause?: string;
}

export function initialExecutionState(): ExecutionState {
  return {
    status: 'NOT_STARTED',
    executionId: '',
    workflow: '',
    version: 0,
    input: null,
    startedAt: '',
    scopes: {},
    tasksScheduled: 0,
    events: 0,
  };
}

export function branchScope(parent: string, state: string, index: number): string {
  return `${parent === '' ? '' : `${parent}/`}${state}[${index}]`;
}

function withoutDescendants(scopes: Record<string, Scope>, of: string): Record<string, Scope> {
  const prefix = of === '' ? '' : `${of}/`;
  return Object.fromEntries(
    Object.entries(scopes).filter(([id]) => id === of || !id.startsWith(prefix)),
  );
}

/** Pure: a new state, the old one untouched (decide folds as it goes, on a loaded state). */
export function evolveExecution(state: ExecutionState, event: WorkflowEvent): ExecutionState {
  const next: ExecutionState = { ...state, scopes: { ...state.scopes }, events: state.events + 1 };
  const update = (id: string, change: (current: ActiveState) => ActiveState | undefined) => {
    const scope = next.scopes[id];
    if (!scope?.current) return;
    next.scopes[id] = { ...scope, current: change(scope.current) };
  };
  switch (event.type) {
    case 'ExecutionStarted': {
      const d = event.data;
      return {
        ...next,
        status: 'RUNNING',
        executionId: d.executionId,
        workflow: d.workflow,
        version: d.version,
        definition: d.definition,
        input: d.input,
        startedAt: d.at,
        scopes: { '': { machine: d.definition, input: d.input } },
      };
    }
    case 'StateEntered': {
      const d = event.data;
      const scope = next.scopes[d.scope];
      if (scope) {
        next.scopes[d.scope] = {
          ...scope,
          current: { name: d.state, input: d.input, enteredAt: d.at, attempts: [] },
        };
      }
      return next;
    }
    case 'TaskScheduled': {
      const d = event.data;
      update(d.scope, (c) => ({
        ...c,
        timer: undefined,
        task: {
          taskId: d.taskId,
          eventType: d.eventType,
          ...(d.timeoutAt ? { timeoutAt: d.timeoutAt } : {}),
          ...(d.heartbeatAt ? { heartbeatAt: d.heartbeatAt } : {}),
        },
      }));
      next.tasksScheduled += 1;
      return next;
    }
    case 'TaskHeartbeat':
      update(event.data.scope, (c) =>
        c.task ? { ...c, task: { ...c.task, heartbeatAt: event.data.heartbeatAt } } : c,
      );
      return next;
    case 'TaskSucceeded':
    case 'TaskFailed':
    case 'TaskTimedOut':
      update(event.data.scope, (c) => ({ ...c, task: undefined }));
      return next;
    case 'RetryScheduled': {
      const d = event.data;
      update(d.scope, (c) => {
        const attempts = [...c.attempts];
        attempts[d.retrier] = (attempts[d.retrier] ?? 0) + 1;
        return { ...c, attempts, branches: undefined, timer: { dueAt: d.dueAt, purpose: 'retry' } };
      });
      next.scopes = withoutDescendants(next.scopes, d.scope);
      return next;
    }
    case 'WaitStarted':
      update(event.data.scope, (c) => ({
        ...c,
        timer: { dueAt: event.data.dueAt, purpose: 'wait' },
      }));
      return next;
    case 'BranchesOpened': {
      const d = event.data;
      update(d.scope, (c) => ({
        ...c,
        timer: undefined,
        branches: {
          count: d.count,
          inputs: d.inputs,
          concurrency: d.concurrency,
          started: 0,
          finished: 0,
          results: [],
        },
      }));
      return next;
    }
    case 'BranchStarted': {
      const d = event.data;
      const parent = next.scopes[d.parent];
      const branches = parent?.current?.branches;
      if (!parent?.current || !branches) return next;
      const definition = parent.machine.States[d.state];
      const machine =
        definition?.Type === 'Parallel'
          ? definition.Branches[d.index]
          : definition?.Type === 'Map'
            ? (definition.ItemProcessor ?? definition.Iterator)
            : undefined;
      if (!machine) return next;
      const input =
        branches.inputs.length === 1 && definition?.Type === 'Parallel'
          ? branches.inputs[0]
          : branches.inputs[d.index];
      update(d.parent, (c) => ({ ...c, branches: { ...branches, started: branches.started + 1 } }));
      next.scopes[d.scope] = { machine, input, parent: { scope: d.parent, index: d.index } };
      return next;
    }
    case 'BranchSucceeded': {
      const d = event.data;
      const parent = next.scopes[d.scope]?.parent;
      next.scopes = withoutDescendants(next.scopes, d.scope);
      delete next.scopes[d.scope];
      if (!parent) return next;
      update(parent.scope, (c) => {
        if (!c.branches) return c;
        const results = [...c.branches.results];
        results[parent.index] = d.output;
        return { ...c, branches: { ...c.branches, results, finished: c.branches.finished + 1 } };
      });
      return next;
    }
    case 'BranchFailed': {
      const parent = next.scopes[event.data.scope]?.parent;
      if (!parent) return next;
      next.scopes = withoutDescendants(next.scopes, parent.scope);
      update(parent.scope, (c) => ({ ...c, branches: undefined }));
      return next;
    }
    case 'StateExited':
      update(event.data.scope, () => undefined);
      return next;
    case 'ExecutionSucceeded':
      return { ...next, status: 'SUCCEEDED', output: event.data.output, scopes: {} };
    case 'ExecutionFailed':
      return {
        ...next,
        status: 'FAILED',
        error: event.data.error,
        cause: event.data.cause,
        scopes: {},
      };
    case 'ExecutionStopped':
      return {
        ...next,
        status: 'ABORTED',
        error: event.data.error,
        cause: event.data.cause,
        scopes: {},
      };
  }
}

/**
 * When the timer job must next decide for this execution (a Wait or a Retry due, a task's
 * timeout or heartbeat, the execution's own TimeoutSeconds); undefined when nothing is timed.
 */
export function nextDueAt(state: ExecutionState): string | undefined {
  if (state.status !== 'RUNNING') return undefined;
  const times: number[] = [];
  const limit = state.definition?.TimeoutSeconds;
  if (limit !== undefined) times.push(Date.parse(state.startedAt) + limit * 1000);
  for (const scope of Object.values(state.scopes)) {
    const current = scope.current;
    for (const at of [
      current?.task?.timeoutAt,
      current?.task?.heartbeatAt,
      current?.timer?.dueAt,
    ]) {
      if (at !== undefined) times.push(Date.parse(at));
    }
  }
  return times.length === 0 ? undefined : new Date(Math.min(...times)).toISOString();
}
