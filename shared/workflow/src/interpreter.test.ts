import { deciderSpec } from '@eventline/eventstore';
import { loadDefinition, type StateMachine } from './definition';
import {
  evolveExecution,
  initialExecutionState,
  type ExecutionState,
  type WorkflowCommand,
  type WorkflowEvent,
} from './execution';
import { executionDecider } from './interpreter';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const resource = (name: string) => `eventline:dev.eventline.test.${name}`;

/** An execution driven command by command, its history kept as the store would keep it. */
class Run {
  history: WorkflowEvent[] = [];
  state: ExecutionState = initialExecutionState();

  constructor(definition: unknown, input: unknown = {}) {
    this.send({
      type: 'StartExecution',
      executionId: 'ex-1',
      workflow: 'test',
      version: 1,
      definition: loadDefinition(definition),
      input,
      at: T0,
    });
  }

  send(command: WorkflowCommand): WorkflowEvent[] {
    const events = executionDecider.decide(command, this.state) as WorkflowEvent[];
    this.history.push(...events);
    this.state = events.reduce(evolveExecution, this.state);
    return events;
  }

  scheduled(): Extract<WorkflowEvent, { type: 'TaskScheduled' }>['data'][] {
    const open = new Set(
      Object.values(this.state.scopes).flatMap((s) =>
        s.current?.task ? [s.current.task.taskId] : [],
      ),
    );
    return this.history.flatMap((e) =>
      e.type === 'TaskScheduled' && open.has(e.data.taskId) ? [e.data] : [],
    );
  }

  succeed(taskId: string, output: unknown, seconds = 1) {
    return this.send({
      type: 'CompleteTask',
      taskId,
      outcome: { ok: true, output },
      at: at(seconds),
    });
  }

  failTask(taskId: string, error: string, seconds = 1) {
    return this.send({
      type: 'CompleteTask',
      taskId,
      outcome: { ok: false, error, cause: `${error} cause` },
      at: at(seconds),
    });
  }

  tick(seconds: number) {
    return this.send({ type: 'FireTimers', at: at(seconds) });
  }

  types(): string[] {
    return this.history.map((e) => e.type);
  }
}

const single = (state: object, extra: Record<string, object> = {}) => ({
  StartAt: 'S',
  States: { S: { End: true, ...state }, ...extra },
});

describe('the interpreter as a decider', () => {
  const definition: StateMachine = loadDefinition(
    single({ Type: 'Task', Resource: resource('a'), ResultPath: '$.a' }),
  );
  const started: WorkflowEvent = {
    type: 'ExecutionStarted',
    data: {
      executionId: 'ex-1',
      workflow: 'test',
      version: 1,
      definition,
      input: { x: 1 },
      at: T0,
    },
  };
  const entered: WorkflowEvent = {
    type: 'StateEntered',
    data: { scope: '', state: 'S', input: { x: 1 }, at: T0 },
  };
  const scheduled: WorkflowEvent = {
    type: 'TaskScheduled',
    data: {
      scope: '',
      state: 'S',
      taskId: 'ex-1.1',
      eventType: 'dev.eventline.test.a',
      payload: { x: 1 },
      attempt: 1,
      at: T0,
    },
  };

  it('given nothing, when started, then it enters the first state and schedules its task', () => {
    deciderSpec(executionDecider)
      .given([])
      .when({
        type: 'StartExecution',
        executionId: 'ex-1',
        workflow: 'test',
        version: 1,
        definition,
        input: { x: 1 },
        at: T0,
      })
      .then([started, entered, scheduled]);
  });

  it('given a scheduled task, when its outcome comes, then the state exits and the execution ends', () => {
    deciderSpec(executionDecider)
      .given([started, entered, scheduled])
      .when({ type: 'CompleteTask', taskId: 'ex-1.1', outcome: { ok: true, output: 7 }, at: at(1) })
      .then([
        {
          type: 'TaskSucceeded',
          data: { scope: '', state: 'S', taskId: 'ex-1.1', output: 7, at: at(1) },
        },
        { type: 'StateExited', data: { scope: '', state: 'S', output: { x: 1, a: 7 }, at: at(1) } },
        { type: 'ExecutionSucceeded', data: { output: { x: 1, a: 7 }, at: at(1) } },
      ]);
  });

  it('given a completed task, when the outcome comes again, then nothing happens', () => {
    deciderSpec(executionDecider)
      .given([
        started,
        entered,
        scheduled,
        {
          type: 'TaskSucceeded',
          data: { scope: '', state: 'S', taskId: 'ex-1.1', output: 7, at: at(1) },
        },
      ])
      .when({ type: 'CompleteTask', taskId: 'ex-1.1', outcome: { ok: true, output: 7 }, at: at(2) })
      .then([]);
  });

  it('given a running execution, when stopped, then it is aborted and later outcomes change nothing', () => {
    const stopped: WorkflowEvent = {
      type: 'ExecutionStopped',
      data: { error: 'Stopped', cause: 'by hand', at: at(1) },
    };
    deciderSpec(executionDecider)
      .given([started, entered, scheduled])
      .when({ type: 'StopExecution', error: 'Stopped', cause: 'by hand', at: at(1) })
      .then([stopped]);
    deciderSpec(executionDecider)
      .given([started, entered, scheduled, stopped])
      .when({ type: 'CompleteTask', taskId: 'ex-1.1', outcome: { ok: true, output: 7 }, at: at(2) })
      .then([]);
  });
});

describe('states', () => {
  it('Pass: Result, Parameters with intrinsics, ResultPath, InputPath and OutputPath', () => {
    const run = new Run(
      {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Result: { n: 2 }, ResultPath: '$.fixed', Next: 'B' },
          B: {
            Type: 'Pass',
            InputPath: '$.order',
            Parameters: {
              'text.$': "States.Format('order {} of {}', $.id, $$.Execution.Id)",
              'parsed.$': 'States.StringToJson($.raw)',
              'raw.$': 'States.JsonToString($.items)',
              'pair.$': 'States.Array($.id, 3)',
              'id.$': 'States.UUID()',
              constant: 'x',
            },
            ResultPath: '$.made',
            OutputPath: '$.made',
            End: true,
          },
        },
      },
      { order: { id: 'o-1', raw: '{"a":1}', items: [1, 2] } },
    );
    expect(run.state.status).toBe('SUCCEEDED');
    const output = run.state.output as Record<string, unknown>;
    expect(output).toMatchObject({
      text: 'order o-1 of ex-1',
      parsed: { a: 1 },
      raw: '[1,2]',
      pair: ['o-1', 3],
      constant: 'x',
    });
    expect(output.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('Task: Parameters become the payload, ResultSelector and ResultPath shape the output', () => {
    const run = new Run(
      single({
        Type: 'Task',
        Resource: resource('charge'),
        Parameters: { 'orderId.$': '$.id' },
        ResultSelector: { 'chargeId.$': '$.id' },
        ResultPath: '$.charge',
      }),
      { id: 'o-1' },
    );
    const [task] = run.scheduled();
    expect(task).toMatchObject({
      eventType: 'dev.eventline.test.charge',
      payload: { orderId: 'o-1' },
    });
    run.succeed(task!.taskId, { id: 'ch-9', extra: true });
    expect(run.state).toMatchObject({
      status: 'SUCCEEDED',
      output: { id: 'o-1', charge: { chargeId: 'ch-9' } },
    });
  });

  it('Task: TimeoutSeconds fails the state with States.Timeout at the tick past it; a late outcome is ignored', () => {
    const run = new Run(single({ Type: 'Task', Resource: resource('slow'), TimeoutSeconds: 30 }));
    const [task] = run.scheduled();
    expect(task?.timeoutAt).toBe(at(30));
    expect(run.tick(29)).toEqual([]);
    run.tick(30);
    expect(run.state).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(run.succeed(task!.taskId, 'late', 31)).toEqual([]);
  });

  it('Task: HeartbeatSeconds fails a task whose heartbeats stop', () => {
    const run = new Run(
      single({
        Type: 'Task',
        Resource: resource('beat'),
        TimeoutSeconds: 100,
        HeartbeatSeconds: 10,
      }),
    );
    const [task] = run.scheduled();
    run.send({ type: 'RecordHeartbeat', taskId: task!.taskId, at: at(8) });
    expect(run.tick(12)).toEqual([]);
    run.tick(18);
    expect(run.state).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
  });

  it('Choice: rules, And/Or/Not, paths and Default', () => {
    const definition = {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            {
              And: [
                { Variable: '$.n', NumericGreaterThan: 10 },
                { Not: { Variable: '$.tag', StringEquals: 'x' } },
              ],
              Next: 'Big',
            },
            {
              Or: [
                { Variable: '$.name', StringMatches: 'vip-*' },
                { Variable: '$.flag', BooleanEquals: true },
              ],
              Next: 'Vip',
            },
            { Variable: '$.n', NumericEqualsPath: '$.m', Next: 'Same' },
            { Variable: '$.at', TimestampLessThan: '2026-01-01T00:00:00Z', Next: 'Old' },
            { Variable: '$.missing', IsPresent: true, Next: 'Big' },
          ],
          Default: 'Other',
        },
        Big: { Type: 'Pass', Result: 'big', End: true },
        Vip: { Type: 'Pass', Result: 'vip', End: true },
        Same: { Type: 'Pass', Result: 'same', End: true },
        Old: { Type: 'Pass', Result: 'old', End: true },
        Other: { Type: 'Pass', Result: 'other', End: true },
      },
    };
    const out = (input: unknown) => new Run(definition, input).state.output;
    expect(out({ n: 11, tag: 'y' })).toBe('big');
    expect(out({ n: 11, tag: 'x', name: 'vip-1' })).toBe('vip');
    expect(out({ n: 1, flag: true })).toBe('vip');
    expect(out({ n: 4, m: 4 })).toBe('same');
    expect(out({ n: 4, at: '2025-06-01T00:00:00Z' })).toBe('old');
    expect(out({ n: '11' })).toBe('other');
  });

  it('Choice without a matching rule or Default fails with States.NoChoiceMatched', () => {
    const run = new Run(
      {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'D' }] },
          D: { Type: 'Succeed' },
        },
      },
      { n: 2 },
    );
    expect(run.state).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  it('Wait: Seconds, Timestamp and SecondsPath fire from the timer tick, not before', () => {
    for (const wait of [{ Seconds: 5 }, { Timestamp: at(5) }, { SecondsPath: '$.delay' }]) {
      const run = new Run(single({ Type: 'Wait', ...wait }), { delay: 5 });
      expect(run.state.status).toBe('RUNNING');
      expect(run.tick(4)).toEqual([]);
      run.tick(5);
      expect(run.state).toMatchObject({ status: 'SUCCEEDED', output: { delay: 5 } });
    }
    expect(
      new Run(single({ Type: 'Wait', SecondsPath: '$.delay' }), { delay: 'soon' }).state,
    ).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
    });
  });

  it('Succeed and Fail end the execution, Fail with its Error and Cause', () => {
    const succeeded = new Run(
      { StartAt: 'S', States: { S: { Type: 'Succeed', OutputPath: '$.a' } } },
      { a: 1 },
    );
    expect(succeeded.state).toMatchObject({ status: 'SUCCEEDED', output: 1 });
    const failed = new Run({
      StartAt: 'F',
      States: { F: { Type: 'Fail', Error: 'Nope', Cause: 'because' } },
    });
    expect(failed.state).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'because' });
  });

  it('Parallel: branches run together and their outputs come back in order', () => {
    const branch = (name: string) => ({
      StartAt: name,
      States: { [name]: { Type: 'Task', Resource: resource(name), End: true } },
    });
    const run = new Run(
      single({
        Type: 'Parallel',
        Branches: [branch('left'), branch('right')],
        ResultPath: '$.both',
      }),
      { k: 1 },
    );
    const tasks = run.scheduled();
    expect(tasks.map((t) => [t.scope, t.eventType])).toEqual([
      ['S[0]', 'dev.eventline.test.left'],
      ['S[1]', 'dev.eventline.test.right'],
    ]);
    run.succeed(tasks[1]!.taskId, 'R');
    expect(run.state.status).toBe('RUNNING');
    run.succeed(tasks[0]!.taskId, 'L');
    expect(run.state).toMatchObject({ status: 'SUCCEEDED', output: { k: 1, both: ['L', 'R'] } });
  });

  it('Parallel: one branch failing fails the state, and the other branch is abandoned', () => {
    const branch = (name: string) => ({
      StartAt: name,
      States: { [name]: { Type: 'Task', Resource: resource(name), End: true } },
    });
    const run = new Run(
      single(
        {
          Type: 'Parallel',
          Branches: [branch('left'), branch('right')],
          Catch: [{ ErrorEquals: ['Boom'], Next: 'Caught' }],
        },
        {
          Caught: { Type: 'Pass', End: true },
        },
      ),
    );
    const tasks = run.scheduled();
    run.failTask(tasks[0]!.taskId, 'Boom');
    expect(run.state).toMatchObject({
      status: 'SUCCEEDED',
      output: { Error: 'Boom', Cause: 'Boom cause' },
    });
    expect(run.succeed(tasks[1]!.taskId, 'late')).toEqual([]);
  });

  it('Map: bounded by MaxConcurrency, ItemSelector with the item, results in item order', () => {
    const run = new Run(
      single({
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: 2,
        ItemSelector: {
          'value.$': '$$.Map.Item.Value',
          'index.$': '$$.Map.Item.Index',
          'order.$': '$.order',
        },
        ItemProcessor: {
          StartAt: 'Step',
          States: { Step: { Type: 'Task', Resource: resource('item'), End: true } },
        },
      }),
      { order: 'o-1', items: ['a', 'b', 'c'] },
    );
    let open = run.scheduled();
    expect(open.map((t) => t.payload)).toEqual([
      { value: 'a', index: 0, order: 'o-1' },
      { value: 'b', index: 1, order: 'o-1' },
    ]);
    run.succeed(open[1]!.taskId, 'B');
    open = run.scheduled();
    expect(open.map((t) => (t.payload as { value: string }).value)).toEqual(['a', 'c']);
    run.succeed(open[1]!.taskId, 'C');
    run.succeed(open[0]!.taskId, 'A');
    expect(run.state).toMatchObject({ status: 'SUCCEEDED', output: ['A', 'B', 'C'] });
  });

  it('Map over no items succeeds at once with []', () => {
    const run = new Run(
      single({
        Type: 'Map',
        ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      }),
      [],
    );
    expect(run.state).toMatchObject({ status: 'SUCCEEDED', output: [] });
  });

  it('a loop that never waits is stopped', () => {
    const run = new Run({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } },
    });
    expect(run.state).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('Retry and Catch', () => {
  const retried = (retry: object, catchers: object[] = []) =>
    new Run(
      single(
        { Type: 'Task', Resource: resource('flaky'), Retry: [retry], Catch: catchers },
        catchers.length > 0 ? { Recover: { Type: 'Pass', End: true } } : {},
      ),
      { id: 1 },
    );

  it('retries after IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, MaxAttempts times', () => {
    const run = retried({
      ErrorEquals: ['Busy'],
      IntervalSeconds: 2,
      BackoffRate: 3,
      MaxAttempts: 3,
      MaxDelaySeconds: 10,
    });
    const due: string[] = [];
    let now = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const [task] = run.scheduled();
      run.failTask(task!.taskId, 'Busy', now);
      const retry = run.history.at(-1);
      expect(retry?.type).toBe('RetryScheduled');
      due.push((retry as Extract<WorkflowEvent, { type: 'RetryScheduled' }>).data.dueAt);
      now = (Date.parse(due.at(-1)!) - Date.parse(T0)) / 1000;
      expect(run.tick(now - 1)).toEqual([]);
      run.tick(now);
    }
    expect(due).toEqual([at(2), at(2 + 6), at(8 + 10)]);
    const [last] = run.scheduled();
    expect(last?.attempt).toBe(4);
    run.failTask(last!.taskId, 'Busy', now);
    expect(run.state).toMatchObject({ status: 'FAILED', error: 'Busy' });
  });

  it('FULL jitter draws a delay up to the backoff, the same for the same history', () => {
    const delays = [1, 2].map(() => {
      const run = retried({
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 100,
        JitterStrategy: 'FULL',
      });
      run.failTask(run.scheduled()[0]!.taskId, 'Busy', 0);
      const retry = run.history.at(-1) as Extract<WorkflowEvent, { type: 'RetryScheduled' }>;
      return Date.parse(retry.data.dueAt) - Date.parse(T0);
    });
    expect(delays[0]).toBe(delays[1]);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThan(100_000);
  });

  it('an error no retrier names goes to the Catch, with the error at its ResultPath', () => {
    const run = retried({ ErrorEquals: ['Busy'] }, [
      { ErrorEquals: ['Declined'], ResultPath: '$.error', Next: 'Recover' },
    ]);
    run.failTask(run.scheduled()[0]!.taskId, 'Declined');
    expect(run.state).toMatchObject({
      status: 'SUCCEEDED',
      output: { id: 1, error: { Error: 'Declined', Cause: 'Declined cause' } },
    });
    expect(run.types()).not.toContain('RetryScheduled');
  });

  it('spent retries go to the Catch; States.ALL does not catch States.Runtime', () => {
    const run = retried({ ErrorEquals: ['Busy'], MaxAttempts: 0 }, [
      { ErrorEquals: ['States.ALL'], Next: 'Recover' },
    ]);
    run.failTask(run.scheduled()[0]!.taskId, 'Busy');
    expect(run.state.status).toBe('SUCCEEDED');
    const runtime = retried({ ErrorEquals: ['States.ALL'] }, [
      { ErrorEquals: ['States.ALL'], Next: 'Recover' },
    ]);
    runtime.failTask(runtime.scheduled()[0]!.taskId, 'States.Runtime');
    expect(runtime.state).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it("a timeout is retried like any error, and the timed-out attempt's outcome is ignored", () => {
    const run = new Run(
      single({
        Type: 'Task',
        Resource: resource('slow'),
        TimeoutSeconds: 5,
        Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1 }],
      }),
    );
    const [first] = run.scheduled();
    run.tick(5);
    run.tick(7);
    const [second] = run.scheduled();
    expect(second?.taskId).not.toBe(first?.taskId);
    expect(run.succeed(first!.taskId, 'late', 8)).toEqual([]);
    run.succeed(second!.taskId, 'ok', 8);
    expect(run.state).toMatchObject({ status: 'SUCCEEDED', output: 'ok' });
  });
});
