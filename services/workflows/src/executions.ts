import { EventStore, loadAggregate, type RecordedEvent } from '@eventline/eventstore';
import { dataValidator, outgoing, type OutgoingEvent } from '@eventline/kit';
import type { Pool, Transaction } from '@eventline/store';
import {
  executionDecider,
  nextDueAt,
  type ExecutionState,
  type WorkflowCommand,
  type WorkflowEvent,
} from '@eventline/workflow';
import type { StoredDefinition } from './definitions';
import { workflowTaskTypes } from './task-types';

/** Executions' streams: an event store of the package's own (orders owns `eventstore`). */
export const WORKFLOW_EVENTS_SCHEMA = 'workflow_events';

const eventStore = (pool: Pool) => new EventStore(pool, WORKFLOW_EVENTS_SCHEMA);

export const executionStream = (executionId: string) => `workflow-execution-${executionId}`;

/** The CloudEvent extension a task request carries its task id in, for the outcome to name. */
export const TASK_EXTENSION = 'workflowtask';

/** A task's id is its execution's id, a dot and the task's number in the execution. */
export function executionOfTask(taskId: string): string {
  return taskId.slice(0, taskId.lastIndexOf('.'));
}

export interface Decided {
  state: ExecutionState;
  events: WorkflowEvent[];
  /** the task requests to send through the outbox */
  emit: OutgoingEvent[];
}

const taskTypes = new Map(workflowTaskTypes.map((t) => [t.type, t]));

function taskRequests(executionId: string, events: WorkflowEvent[]): OutgoingEvent[] {
  // A task failed in the decision that scheduled it (its payload refused) is never sent.
  const failed = new Set(events.flatMap((e) => (e.type === 'TaskFailed' ? [e.data.taskId] : [])));
  return events.flatMap((event) => {
    if (event.type !== 'TaskScheduled' || failed.has(event.data.taskId)) return [];
    const definition = taskTypes.get(event.data.eventType);
    // Definitions are checked against the task types when put; this is a type since removed.
    if (!definition) throw new Error(`no task type ${event.data.eventType} may be sent`);
    return [
      outgoing(definition, event.data.payload as never, {
        // A stable id: a task request sent twice is one request to its handler.
        id: event.data.taskId,
        partitionkey: executionId,
        extensions: { [TASK_EXTENSION]: event.data.taskId },
      }),
    ];
  });
}

/**
 * A decision, with each task whose payload its type's schema refuses failed at once with
 * States.Runtime (as Step Functions fails a task whose parameters its resource cannot take):
 * the request is never sent, and the execution's Catch or failure says why.
 */
function decideChecked(state: ExecutionState, command: WorkflowCommand): WorkflowEvent[] {
  const decided = executionDecider.decide(command, state) as WorkflowEvent[];
  let current = decided.reduce(executionDecider.evolve, state);
  let unchecked = decided;
  while (unchecked.length > 0) {
    const refused = unchecked.flatMap((event) => {
      if (event.type !== 'TaskScheduled') return [];
      const definition = taskTypes.get(event.data.eventType);
      const problem = definition ? dataValidator(definition)(event.data.payload) : 'no such type';
      return problem ? [{ ...event.data, problem }] : [];
    });
    unchecked = [];
    for (const task of refused) {
      const failure: WorkflowCommand = {
        type: 'CompleteTask',
        taskId: task.taskId,
        outcome: {
          ok: false,
          error: 'States.Runtime',
          cause: `the payload is not a ${task.eventType}: ${task.problem}`,
        },
        at: command.at,
      };
      const events = executionDecider.decide(failure, current) as WorkflowEvent[];
      current = events.reduce(executionDecider.evolve, current);
      decided.push(...events);
      unchecked.push(...events);
    }
  }
  return decided;
}

async function persist(
  tx: Transaction,
  store: EventStore,
  executionId: string,
  loaded: { state: ExecutionState; version: number },
  events: WorkflowEvent[],
): Promise<Decided> {
  if (events.length === 0) return { state: loaded.state, events, emit: [] };
  const state = events.reduce(executionDecider.evolve, loaded.state);
  await store.appendInTransaction(tx, executionStream(executionId), events, {
    expectedVersion: loaded.version,
  });
  await tx.query(
    `UPDATE workflows.executions SET status = $2, next_due_at = $3, updated_at = now()
     WHERE execution_id = $1`,
    [executionId, state.status, nextDueAt(state) ?? null],
  );
  return { state, events, emit: taskRequests(executionId, events) };
}

/** Starts an execution on the definition version given: it runs on it to its end. */
export async function startExecution(
  tx: Transaction,
  pool: Pool,
  executionId: string,
  definition: StoredDefinition,
  input: unknown,
): Promise<Decided> {
  await tx.query(
    `INSERT INTO workflows.executions (execution_id, workflow, version, status)
     VALUES ($1, $2, $3, 'RUNNING')`,
    [executionId, definition.name, definition.version],
  );
  const loaded = { state: executionDecider.initialState(), version: 0 };
  const command: WorkflowCommand = {
    type: 'StartExecution',
    executionId,
    workflow: definition.name,
    version: definition.version,
    definition: definition.definition,
    input,
    at: new Date().toISOString(),
  };
  return persist(tx, eventStore(pool), executionId, loaded, decideChecked(loaded.state, command));
}

/**
 * One decision on a running execution, under its row lock: the lock orders decisions per
 * execution, so an outcome delivered twice, or one racing a timeout, is decided on the state
 * the other left, and the interpreter takes it only if a state still waits for it.
 * Undefined when there is no such execution.
 */
export async function advanceExecution(
  tx: Transaction,
  pool: Pool,
  executionId: string,
  command: WorkflowCommand,
): Promise<Decided | undefined> {
  const { rowCount } = await tx.query(
    'SELECT 1 FROM workflows.executions WHERE execution_id = $1 FOR UPDATE',
    [executionId],
  );
  if (rowCount === 0) return undefined;
  const store = eventStore(pool);
  const loaded = await loadAggregate(store, executionStream(executionId), executionDecider, tx);
  return persist(tx, store, executionId, loaded, decideChecked(loaded.state, command));
}

export interface ExecutionRecord {
  state: ExecutionState;
  history: RecordedEvent<WorkflowEvent>[];
}

export async function readExecution(
  pool: Pool,
  executionId: string,
): Promise<ExecutionRecord | undefined> {
  const history = await eventStore(pool).readStream<WorkflowEvent>(executionStream(executionId));
  if (history.length === 0) return undefined;
  return {
    state: history.reduce<ExecutionState>(executionDecider.evolve, executionDecider.initialState()),
    history,
  };
}
