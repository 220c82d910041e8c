import { migrateService } from '@eventline/kit';
import { createPool, inTransaction, type Pool } from '@eventline/store';
import { createTestDatabase, testServerEnv, type TestDatabase } from '@eventline/testing';
import {
  advanceExecution,
  latestDefinition,
  putDefinition,
  readExecution,
  service as workflowsService,
  startExecution,
} from '@eventline/service-workflows';
import { loadDefinition, type WorkflowCommand } from '@eventline/workflow';
import { randomUUID } from 'node:crypto';

/**
 * Durable executions on real Postgres: each decision is the execution's row lock, its stream in
 * the event store and its next timer, in one transaction.
 */
let database: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  database = await createTestDatabase(testServerEnv().databaseUrl, 'workflows');
  pool = createPool(database.url, { max: 8 });
  await migrateService(workflowsService, pool);
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const ECHO = 'eventline:dev.eventline.workflows.echo-requested';

async function put(name: string, definition: unknown) {
  await inTransaction(pool, (tx) => putDefinition(tx, name, loadDefinition(definition)));
  return (await latestDefinition(pool, name))!;
}

async function start(name: string, input: unknown) {
  const definition = (await latestDefinition(pool, name))!;
  const executionId = randomUUID();
  const decided = await inTransaction(pool, (tx) =>
    startExecution(tx, pool, executionId, definition, input),
  );
  return { executionId, decided };
}

const decide = (executionId: string, command: WorkflowCommand) =>
  inTransaction(pool, (tx) => advanceExecution(tx, pool, executionId, command));

const success = (taskId: string, output: unknown, at = new Date()): WorkflowCommand => ({
  type: 'CompleteTask',
  taskId,
  outcome: { ok: true, output },
  at: at.toISOString(),
});

async function historyTypes(executionId: string) {
  return (await readExecution(pool, executionId))!.history.map((e) => e.type);
}

describe('durable executions', () => {
  it('given a task request, when its outcome is delivered five times at once, then the execution moves on once', async () => {
    await put('twice', {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: ECHO, ResultPath: '$.first', Next: 'Second' },
        Second: { Type: 'Task', Resource: ECHO, End: true },
      },
    });
    const { executionId, decided } = await start('twice', { n: 1 });
    const [request] = decided.emit;
    expect(request).toMatchObject({
      type: 'dev.eventline.workflows.echo-requested',
      data: { n: 1 },
      extensions: { workflowtask: `${executionId}.1` },
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => decide(executionId, success(`${executionId}.1`, 'one'))),
    );
    expect(answers.filter((a) => a!.events.length > 0)).toHaveLength(1);
    expect(answers.flatMap((a) => a!.emit)).toHaveLength(1);
    const types = await historyTypes(executionId);
    expect(types.filter((t) => t === 'TaskSucceeded')).toHaveLength(1);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(2);
    const { rows } = await pool.query(
      'SELECT status FROM workflows.executions WHERE execution_id = $1',
      [executionId],
    );
    expect(rows[0].status).toBe('RUNNING');
  });

  it('given a task past its timeout, when the timer fires and then the late success arrives, then the execution is caught once and the success changes nothing', async () => {
    await put('late', {
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: ECHO,
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'GaveUp' }],
          End: true,
        },
        GaveUp: { Type: 'Fail', Error: 'SlowStep', Cause: 'the step timed out' },
      },
    });
    const { executionId } = await start('late', {});
    const due = await pool.query<{ next_due_at: Date }>(
      'SELECT next_due_at FROM workflows.executions WHERE execution_id = $1',
      [executionId],
    );
    expect(due.rows[0]!.next_due_at).toBeInstanceOf(Date);
    const later = new Date(Date.now() + 2000);
    const fire: WorkflowCommand = { type: 'FireTimers', at: later.toISOString() };
    const [fired, firedAgain] = await Promise.all([
      decide(executionId, fire),
      decide(executionId, fire),
    ]);
    expect([fired!.events.length > 0, firedAgain!.events.length > 0].filter(Boolean)).toHaveLength(
      1,
    );
    const late = await decide(executionId, success(`${executionId}.1`, 'too late', later));
    expect(late!.events).toEqual([]);
    const execution = await readExecution(pool, executionId);
    expect(execution!.state).toMatchObject({ status: 'FAILED', error: 'SlowStep' });
    expect(execution!.history.filter((e) => e.type === 'TaskTimedOut')).toHaveLength(1);
    expect(execution!.history.map((e) => e.type)).not.toContain('TaskSucceeded');
    const row = await pool.query(
      'SELECT status, next_due_at FROM workflows.executions WHERE execution_id = $1',
      [executionId],
    );
    expect(row.rows[0]).toEqual({ status: 'FAILED', next_due_at: null });
  });

  it('given an execution running on version 1, when version 2 is put, then it finishes on version 1 and new executions start on 2', async () => {
    const v1 = await put('versioned', {
      StartAt: 'Step',
      States: {
        Step: { Type: 'Task', Resource: ECHO, Next: 'Done' },
        Done: { Type: 'Pass', Result: 'v1', End: true },
      },
    });
    const { executionId } = await start('versioned', {});
    const v2 = await put('versioned', {
      StartAt: 'Step',
      States: {
        Step: { Type: 'Task', Resource: ECHO, Next: 'Done' },
        Done: { Type: 'Pass', Result: 'v2', End: true },
      },
    });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    const same = await put('versioned', v2.definition);
    expect(same.version).toBe(2);
    await decide(executionId, success(`${executionId}.1`, {}));
    const finished = await readExecution(pool, executionId);
    expect(finished!.state).toMatchObject({ status: 'SUCCEEDED', version: 1, output: 'v1' });
    const next = await start('versioned', {});
    await decide(next.executionId, success(`${next.executionId}.1`, {}));
    expect((await readExecution(pool, next.executionId))!.state).toMatchObject({
      version: 2,
      output: 'v2',
    });
  });

  it('given a Retry, when a task fails, then the retry waits for the timer and sends a new task whose outcome alone counts', async () => {
    await put('retried', {
      StartAt: 'Flaky',
      States: {
        Flaky: {
          Type: 'Task',
          Resource: ECHO,
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 2 }],
          End: true,
        },
      },
    });
    const { executionId } = await start('retried', {});
    const failed = await decide(executionId, {
      type: 'CompleteTask',
      taskId: `${executionId}.1`,
      outcome: { ok: false, error: 'Busy', cause: 'try later' },
      at: new Date().toISOString(),
    });
    expect(failed!.emit).toEqual([]);
    const retried = await decide(executionId, {
      type: 'FireTimers',
      at: new Date(Date.now() + 1500).toISOString(),
    });
    expect(retried!.emit.map((e) => e.extensions?.workflowtask)).toEqual([`${executionId}.2`]);
    expect((await decide(executionId, success(`${executionId}.1`, 'old')))!.events).toEqual([]);
    await decide(executionId, success(`${executionId}.2`, 'new'));
    expect((await readExecution(pool, executionId))!.state).toMatchObject({
      status: 'SUCCEEDED',
      output: 'new',
    });
  });

  it('given a Map over three items, when their outcomes arrive out of order and twice each, then each item counts once and the results keep item order', async () => {
    await put('mapped', {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 2,
          ItemProcessor: {
            StartAt: 'Step',
            States: { Step: { Type: 'Task', Resource: ECHO, End: true } },
          },
          End: true,
        },
      },
    });
    const { executionId, decided } = await start('mapped', {
      items: [{ n: 1 }, { n: 2 }, { n: 3 }],
    });
    expect(decided.emit.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
    const task = (n: number) => `${executionId}.${n}`;
    const second = await Promise.all([
      decide(executionId, success(task(2), 'B')),
      decide(executionId, success(task(2), 'B')),
    ]);
    expect(second.flatMap((d) => d!.emit).map((e) => e.data)).toEqual([{ n: 3 }]);
    await Promise.all([
      decide(executionId, success(task(3), 'C')),
      decide(executionId, success(task(1), 'A')),
      decide(executionId, success(task(3), 'C')),
      decide(executionId, success(task(1), 'A')),
    ]);
    const execution = await readExecution(pool, executionId);
    expect(execution!.state).toMatchObject({ status: 'SUCCEEDED', output: ['A', 'B', 'C'] });
    expect(execution!.history.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(3);
    expect(execution!.history.filter((e) => e.type === 'ExecutionSucceeded')).toHaveLength(1);
  });

  it('given a task whose payload its type refuses, when scheduled, then it is never sent and fails with States.Runtime', async () => {
    await put('unfit', {
      StartAt: 'Echo',
      States: { Echo: { Type: 'Task', Resource: ECHO, InputPath: '$.items', End: true } },
    });
    const { executionId, decided } = await start('unfit', { items: [1, 2] });
    expect(decided.emit).toEqual([]);
    expect((await readExecution(pool, executionId))!.state).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: expect.stringMatching(/the payload is not a dev.eventline.workflows.echo-requested/),
    });
  });

  it('an outcome for no execution is refused', async () => {
    expect(await decide(randomUUID(), success('x.1', null))).toBeUndefined();
  });
});
