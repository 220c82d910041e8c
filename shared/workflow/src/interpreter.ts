import { createHash } from 'node:crypto';
import type { Decider } from '@eventline/eventstore';
import { ruleHolds } from './choice';
import {
  MAP_MAX_CONCURRENCY,
  MAP_MAX_ITEMS,
  RESOURCE_PREFIX,
  type MapState,
  type ParallelState,
  type State,
  type TaskState,
} from './definition';
import {
  branchScope,
  evolveExecution,
  initialExecutionState,
  type ExecutionState,
  type WorkflowCommand,
  type WorkflowEvent,
} from './execution';
import type { EvaluationScope } from './intrinsics';
import { applyTemplate, placeResult, readPath, selectPath } from './json-paths';
import { catcherFor, retryFor } from './recovery';
import { StatesError } from './states-error';

/**
 * States one decision may pass through without waiting on a task or a timer: a Choice looping
 * over Pass states forever would otherwise never return.
 */
export const MAX_TRANSITIONS_PER_DECISION = 1000;

const due = (at: string | undefined, now: number) => at !== undefined && Date.parse(at) <= now;

/**
 * One decision: applies a command to the execution, then runs every state that need not wait
 * (Pass, Choice, Succeed, Fail, branches starting) until each branch waits on a task or a timer
 * or the execution ends. Events are folded as they are decided, so each step sees the last.
 */
class Decision {
  readonly events: WorkflowEvent[] = [];
  private transitions = 0;
  private draws = 0;
  private readonly now: number;

  constructor(
    private state: ExecutionState,
    private readonly at: string,
  ) {
    this.now = Date.parse(at);
  }

  private emit(event: WorkflowEvent): void {
    this.events.push(event);
    this.state = evolveExecution(this.state, event);
  }

  /** Deterministic draws (States.UUID, jitter): the same history decides the same values. */
  private draw(): Buffer {
    this.draws += 1;
    return createHash('sha256')
      .update(`${this.state.executionId}:${this.state.events}:${this.draws}`)
      .digest();
  }

  private uuid(): string {
    const b = this.draw();
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const hex = b.subarray(0, 16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  private unit(): number {
    return this.draw().readUInt32BE(0) / 2 ** 32;
  }

  private stateOf(scopeId: string): { def: State; name: string } | undefined {
    const scope = this.state.scopes[scopeId];
    const name = scope?.current?.name;
    const def = name === undefined ? undefined : scope?.machine.States[name];
    return def && name !== undefined ? { def, name } : undefined;
  }

  private scopeFor(scopeId: string, item?: { index: number; value: unknown }): EvaluationScope {
    const current = this.state.scopes[scopeId]?.current;
    return {
      context: {
        Execution: {
          Id: this.state.executionId,
          Input: this.state.input,
          StartTime: this.state.startedAt,
        },
        StateMachine: { Name: this.state.workflow, Version: this.state.version },
        State: {
          Name: current?.name,
          EnteredTime: current?.enteredAt,
          RetryCount: (current?.attempts ?? []).reduce((a, b) => a + b, 0),
        },
        ...(item ? { Map: { Item: { Index: item.index, Value: item.value } } } : {}),
      },
      uuid: () => this.uuid(),
    };
  }

  start(command: Extract<WorkflowCommand, { type: 'StartExecution' }>): void {
    if (this.state.status !== 'NOT_STARTED') return;
    this.emit({
      type: 'ExecutionStarted',
      data: {
        executionId: command.executionId,
        workflow: command.workflow,
        version: command.version,
        definition: command.definition,
        input: command.input,
        at: this.at,
      },
    });
    this.enter('', command.definition.StartAt, command.input);
  }

  completeTask(command: Extract<WorkflowCommand, { type: 'CompleteTask' }>): void {
    // An outcome no state waits for (a duplicate, one after a timeout or a retry) decides nothing.
    const scopeId = this.scopeWaitingOn(command.taskId);
    const active = scopeId === undefined ? undefined : this.stateOf(scopeId);
    if (scopeId === undefined || !active) return;
    const { outcome } = command;
    if (outcome.ok) {
      this.emit({
        type: 'TaskSucceeded',
        data: {
          scope: scopeId,
          state: active.name,
          taskId: command.taskId,
          output: outcome.output,
          at: this.at,
        },
      });
      this.guard(scopeId, () => this.finish(scopeId, outcome.output));
    } else {
      this.emit({
        type: 'TaskFailed',
        data: {
          scope: scopeId,
          state: active.name,
          taskId: command.taskId,
          error: outcome.error,
          cause: outcome.cause,
          at: this.at,
        },
      });
      this.fail(scopeId, outcome.error, outcome.cause);
    }
  }

  heartbeat(command: Extract<WorkflowCommand, { type: 'RecordHeartbeat' }>): void {
    const scopeId = this.scopeWaitingOn(command.taskId);
    const active = scopeId === undefined ? undefined : this.stateOf(scopeId);
    if (scopeId === undefined || active?.def.Type !== 'Task' || !active.def.HeartbeatSeconds)
      return;
    this.emit({
      type: 'TaskHeartbeat',
      data: {
        scope: scopeId,
        taskId: command.taskId,
        heartbeatAt: new Date(this.now + active.def.HeartbeatSeconds * 1000).toISOString(),
        at: this.at,
      },
    });
  }

  fireTimers(): void {
    if (this.state.status !== 'RUNNING') return;
    const limit = this.state.definition?.TimeoutSeconds;
    if (limit !== undefined && Date.parse(this.state.startedAt) + limit * 1000 <= this.now) {
      this.endExecution({
        ok: false,
        error: 'States.Timeout',
        cause: `the execution ran longer than ${limit} s`,
      });
      return;
    }
    for (const scopeId of Object.keys(this.state.scopes).sort()) {
      const current = this.state.scopes[scopeId]?.current;
      const active = this.stateOf(scopeId);
      if (!current || !active) continue;
      const task = current.task;
      if (task && (due(task.timeoutAt, this.now) || due(task.heartbeatAt, this.now))) {
        const error = due(task.timeoutAt, this.now) ? 'States.Timeout' : 'States.HeartbeatTimeout';
        this.emit({
          type: 'TaskTimedOut',
          data: { scope: scopeId, state: active.name, taskId: task.taskId, error, at: this.at },
        });
        this.fail(
          scopeId,
          error,
          `${active.name} had no ${error === 'States.Timeout' ? 'outcome' : 'heartbeat'} in time`,
        );
      } else if (current.timer && due(current.timer.dueAt, this.now)) {
        if (current.timer.purpose === 'wait') {
          this.guard(scopeId, () => {
            const context = this.scopeFor(scopeId).context;
            const data = selectPath(current.input, active.def.InputPath, context);
            this.leave(scopeId, selectPath(data, active.def.OutputPath, context));
          });
        } else {
          this.guard(scopeId, () => this.run(scopeId));
        }
      }
      if (this.state.status !== 'RUNNING') return;
    }
  }

  stop(command: Extract<WorkflowCommand, { type: 'StopExecution' }>): void {
    if (this.state.status !== 'RUNNING') return;
    this.emit({
      type: 'ExecutionStopped',
      data: { error: command.error, cause: command.cause, at: this.at },
    });
  }

  private scopeWaitingOn(taskId: string): string | undefined {
    return Object.keys(this.state.scopes).find(
      (id) => this.state.scopes[id]?.current?.task?.taskId === taskId,
    );
  }

  /** A StatesError while running a state (a path selecting nothing, an intrinsic failing) fails it. */
  private guard(scopeId: string, body: () => void): void {
    try {
      body();
    } catch (err) {
      if (!(err instanceof StatesError)) throw err;
      this.fail(scopeId, err.error, err.errorCause);
    }
  }

  private enter(scopeId: string, name: string, input: unknown): void {
    if (this.state.status !== 'RUNNING') return;
    this.transitions += 1;
    if (this.transitions > MAX_TRANSITIONS_PER_DECISION) {
      this.endExecution({
        ok: false,
        error: 'States.Runtime',
        cause: `more than ${MAX_TRANSITIONS_PER_DECISION} states passed without waiting (a loop?)`,
      });
      return;
    }
    this.emit({ type: 'StateEntered', data: { scope: scopeId, state: name, input, at: this.at } });
    this.guard(scopeId, () => this.run(scopeId));
  }

  /** Runs the state a scope stands in: on entry, and again when a Retry's wait is over. */
  private run(scopeId: string): void {
    const active = this.stateOf(scopeId);
    const current = this.state.scopes[scopeId]?.current;
    if (!active || !current) return;
    const { def, name } = active;
    const ev = this.scopeFor(scopeId);
    const input = current.input;
    const effective = () => selectPath(input, def.InputPath, ev.context);
    switch (def.Type) {
      case 'Pass': {
        const result =
          def.Result !== undefined
            ? def.Result
            : def.Parameters !== undefined
              ? applyTemplate(def.Parameters, effective(), ev)
              : effective();
        const placed = placeResult(input, def.ResultPath, result);
        this.leave(scopeId, selectPath(placed, def.OutputPath, ev.context));
        return;
      }
      case 'Task':
        this.schedule(scopeId, name, def, effective(), ev);
        return;
      case 'Choice': {
        const data = effective();
        const rule = def.Choices.find((r) => ruleHolds(r, data, ev.context));
        const next = rule?.Next ?? def.Default;
        if (next === undefined) {
          throw new StatesError(
            'States.NoChoiceMatched',
            `no rule of ${name} matched and it has no Default`,
          );
        }
        const output = selectPath(data, def.OutputPath, ev.context);
        this.emit({
          type: 'StateExited',
          data: { scope: scopeId, state: name, output, next, at: this.at },
        });
        this.enter(scopeId, next, output);
        return;
      }
      case 'Wait': {
        const data = effective();
        let dueAt: number;
        if (def.Seconds !== undefined) dueAt = this.now + def.Seconds * 1000;
        else if (def.Timestamp !== undefined) dueAt = Date.parse(def.Timestamp);
        else if (def.SecondsPath !== undefined) {
          const seconds = readPath(data, def.SecondsPath, ev.context);
          if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
            throw new StatesError(
              'States.Runtime',
              `SecondsPath ${def.SecondsPath} is not a non-negative number`,
            );
          }
          dueAt = this.now + seconds * 1000;
        } else {
          const timestamp = readPath(data, def.TimestampPath as string, ev.context);
          if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) {
            throw new StatesError(
              'States.Runtime',
              `TimestampPath ${def.TimestampPath} is not a timestamp`,
            );
          }
          dueAt = Date.parse(timestamp);
        }
        if (dueAt <= this.now) {
          this.leave(scopeId, selectPath(data, def.OutputPath, ev.context));
          return;
        }
        this.emit({
          type: 'WaitStarted',
          data: { scope: scopeId, state: name, dueAt: new Date(dueAt).toISOString(), at: this.at },
        });
        return;
      }
      case 'Succeed': {
        const output = selectPath(effective(), def.OutputPath, ev.context);
        this.emit({
          type: 'StateExited',
          data: { scope: scopeId, state: name, output, at: this.at },
        });
        this.scopeEnded(scopeId, { ok: true, output });
        return;
      }
      case 'Fail': {
        const data = effective();
        const text = (path: string | undefined, fixed: string | undefined, fallback: string) => {
          if (path === undefined) return fixed ?? fallback;
          const value = readPath(data, path, ev.context);
          return typeof value === 'string' ? value : JSON.stringify(value);
        };
        const error = text(def.ErrorPath, def.Error, 'States.Fail');
        const cause = text(def.CausePath, def.Cause, '');
        this.emit({
          type: 'StateExited',
          data: { scope: scopeId, state: name, error, cause, at: this.at },
        });
        this.scopeEnded(scopeId, { ok: false, error, cause });
        return;
      }
      case 'Parallel':
        this.openBranches(scopeId, name, def, effective(), ev);
        return;
      case 'Map':
        this.openBranches(scopeId, name, def, effective(), ev);
        return;
    }
  }

  private schedule(
    scopeId: string,
    name: string,
    def: TaskState,
    data: unknown,
    ev: EvaluationScope,
  ): void {
    const payload = def.Parameters !== undefined ? applyTemplate(def.Parameters, data, ev) : data;
    const seconds = (s: number | undefined) =>
      s === undefined ? {} : { at: new Date(this.now + s * 1000).toISOString() };
    const timeoutAt = seconds(def.TimeoutSeconds).at;
    const heartbeatAt = seconds(def.HeartbeatSeconds).at;
    const current = this.state.scopes[scopeId]?.current;
    this.emit({
      type: 'TaskScheduled',
      data: {
        scope: scopeId,
        state: name,
        taskId: `${this.state.executionId}.${this.state.tasksScheduled + 1}`,
        eventType: def.Resource.slice(RESOURCE_PREFIX.length),
        payload,
        attempt: 1 + (current?.attempts ?? []).reduce((a, b) => a + b, 0),
        ...(timeoutAt ? { timeoutAt } : {}),
        ...(heartbeatAt ? { heartbeatAt } : {}),
        at: this.at,
      },
    });
  }

  private openBranches(
    scopeId: string,
    name: string,
    def: ParallelState | MapState,
    data: unknown,
    ev: EvaluationScope,
  ): void {
    let inputs: unknown[];
    let count: number;
    let concurrency: number;
    if (def.Type === 'Parallel') {
      inputs = [def.Parameters !== undefined ? applyTemplate(def.Parameters, data, ev) : data];
      count = def.Branches.length;
      concurrency = count;
    } else {
      const items = def.ItemsPath === undefined ? data : readPath(data, def.ItemsPath, ev.context);
      if (!Array.isArray(items))
        throw new StatesError('States.Runtime', `${name}'s items are not an array`);
      if (items.length > MAP_MAX_ITEMS) {
        throw new StatesError(
          'States.Runtime',
          `${name} has ${items.length} items, more than ${MAP_MAX_ITEMS}`,
        );
      }
      const selector = def.ItemSelector ?? def.Parameters;
      inputs = items.map((value, index) =>
        selector === undefined
          ? value
          : applyTemplate(selector, data, this.scopeFor(scopeId, { index, value })),
      );
      count = items.length;
      const asked = def.MaxConcurrency ?? 0;
      concurrency = Math.min(asked === 0 ? MAP_MAX_CONCURRENCY : asked, MAP_MAX_CONCURRENCY);
    }
    this.emit({
      type: 'BranchesOpened',
      data: { scope: scopeId, state: name, count, inputs, concurrency, at: this.at },
    });
    if (count === 0) {
      this.finish(scopeId, []);
      return;
    }
    for (let i = 0; i < Math.min(concurrency, count); i++) this.startBranch(scopeId, name, i);
  }

  private startBranch(parent: string, name: string, index: number): void {
    const scopeId = branchScope(parent, name, index);
    this.emit({
      type: 'BranchStarted',
      data: { scope: scopeId, parent, state: name, index, at: this.at },
    });
    const scope = this.state.scopes[scopeId];
    if (scope && this.state.scopes[parent]?.current?.name === name) {
      this.enter(scopeId, scope.machine.StartAt, scope.input);
    }
  }

  /** A Task's, Parallel's or Map's result: ResultSelector, ResultPath, OutputPath, then on. */
  private finish(scopeId: string, result: unknown): void {
    const active = this.stateOf(scopeId);
    const current = this.state.scopes[scopeId]?.current;
    if (!active || !current) return;
    const def = active.def as TaskState | ParallelState | MapState;
    const ev = this.scopeFor(scopeId);
    const selected =
      def.ResultSelector !== undefined ? applyTemplate(def.ResultSelector, result, ev) : result;
    const placed = placeResult(current.input, def.ResultPath, selected);
    this.leave(scopeId, selectPath(placed, def.OutputPath, ev.context));
  }

  private leave(scopeId: string, output: unknown): void {
    const active = this.stateOf(scopeId);
    if (!active) return;
    const next = active.def.End ? undefined : active.def.Next;
    this.emit({
      type: 'StateExited',
      data: { scope: scopeId, state: active.name, output, ...(next ? { next } : {}), at: this.at },
    });
    if (next === undefined) this.scopeEnded(scopeId, { ok: true, output });
    else this.enter(scopeId, next, output);
  }

  /** A state failed: its Retry, else its Catch, else its scope fails with the error. */
  private fail(scopeId: string, error: string, cause: string): void {
    const active = this.stateOf(scopeId);
    const current = this.state.scopes[scopeId]?.current;
    if (!active || !current) return;
    const { def, name } = active;
    if (def.Type === 'Task' || def.Type === 'Parallel' || def.Type === 'Map') {
      const retry = retryFor(def.Retry, current.attempts, error, this.unit());
      if (retry) {
        this.emit({
          type: 'RetryScheduled',
          data: {
            scope: scopeId,
            state: name,
            retrier: retry.retrier,
            error,
            dueAt: new Date(this.now + retry.delayMs).toISOString(),
            at: this.at,
          },
        });
        if (retry.delayMs === 0) this.guard(scopeId, () => this.run(scopeId));
        return;
      }
      const catcher = catcherFor(def.Catch, error);
      if (catcher) {
        let output: unknown;
        try {
          output = placeResult(current.input, catcher.ResultPath, { Error: error, Cause: cause });
        } catch (err) {
          if (!(err instanceof StatesError)) throw err;
          output = undefined;
        }
        if (output !== undefined) {
          this.emit({
            type: 'StateExited',
            data: {
              scope: scopeId,
              state: name,
              output,
              error,
              cause,
              next: catcher.Next,
              at: this.at,
            },
          });
          this.enter(scopeId, catcher.Next, output);
          return;
        }
      }
    }
    this.emit({
      type: 'StateExited',
      data: { scope: scopeId, state: name, error, cause, at: this.at },
    });
    this.scopeEnded(scopeId, { ok: false, error, cause });
  }

  private scopeEnded(
    scopeId: string,
    outcome: { ok: true; output: unknown } | { ok: false; error: string; cause: string },
  ): void {
    if (scopeId === '') {
      this.endExecution(outcome);
      return;
    }
    const parent = this.state.scopes[scopeId]?.parent;
    if (!parent) return;
    if (!outcome.ok) {
      this.emit({
        type: 'BranchFailed',
        data: { scope: scopeId, error: outcome.error, cause: outcome.cause, at: this.at },
      });
      this.fail(parent.scope, outcome.error, outcome.cause);
      return;
    }
    this.emit({
      type: 'BranchSucceeded',
      data: { scope: scopeId, output: outcome.output, at: this.at },
    });
    const branches = this.state.scopes[parent.scope]?.current?.branches;
    const active = this.stateOf(parent.scope);
    if (!branches || !active) return;
    if (branches.finished === branches.count) {
      this.guard(parent.scope, () => this.finish(parent.scope, branches.results));
    } else if (branches.started < branches.count) {
      this.startBranch(parent.scope, active.name, branches.started);
    }
  }

  private endExecution(
    outcome: { ok: true; output: unknown } | { ok: false; error: string; cause: string },
  ): void {
    if (this.state.status !== 'RUNNING') return;
    this.emit(
      outcome.ok
        ? { type: 'ExecutionSucceeded', data: { output: outcome.output, at: this.at } }
        : {
            type: 'ExecutionFailed',
            data: { error: outcome.error, cause: outcome.cause, at: this.at },
          },
    );
  }
}

export function decideExecution(command: WorkflowCommand, state: ExecutionState): WorkflowEvent[] {
  const decision = new Decision(state, command.at);
  switch (command.type) {
    case 'StartExecution':
      decision.start(command);
      break;
    case 'CompleteTask':
      decision.completeTask(command);
      break;
    case 'RecordHeartbeat':
      decision.heartbeat(command);
      break;
    case 'FireTimers':
      decision.fireTimers();
      break;
    case 'StopExecution':
      decision.stop(command);
      break;
  }
  return decision.events;
}

/** The interpreter in the project's decider shape: an execution's stream is its history. */
export const executionDecider: Decider<ExecutionState, WorkflowCommand, WorkflowEvent> = {
  initialState: initialExecutionState,
  evolve: evolveExecution,
  decide: decideExecution,
};
