import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRouting } from '@eventline/routing';
import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';
import { mapResources } from '@eventline/workflow';

/**
 * The workflows API on the local system over real Kafka, Postgres and Redis: definitions put
 * over HTTP, executions whose tasks travel the broker to the echo step and back.
 */
let system: LocalSystem;
let database: TestDatabase;

beforeAll(async () => {
  const servers = testServerEnv();
  database = await createTestDatabase(servers.databaseUrl, 'workflows');
  const routing = loadRouting();
  system = await startLocalSystem({
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: servers.redisUrl,
      REDIS_KEY_PREFIX: `${uniqueName('workflows')}:`,
      KAFKA_BROKERS: servers.kafkaBrokers,
      LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'error',
    },
    topology: 'in-process',
    // Jobs tick once a year: the tests fire the timer job when they need it.
    routing: {
      ...routing,
      handlers: routing.handlers.map((h) =>
        h.ping ? { ...h, ping: { ...h.ping, schedule: '0 0 1 1 *' } } : h,
      ),
    },
    namespace: uniqueName('workflows'),
    edgePort: 0,
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await database?.drop();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${system.edgeUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function finished(executionId: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const { body } = await call('GET', `/executions/${executionId}`);
    return body.status !== 'RUNNING' ? body : undefined;
  }, timeoutMs);
}

const ECHO = 'eventline:dev.eventline.workflows.echo-requested';

/** Seed 000 §5.3 as written, each Lambda ARN mapped to the echo step's type by a mapping file. */
const seedSaga = mapResources(
  JSON.parse(readFileSync(path.join(__dirname, 'seed-000-order-saga.asl.json'), 'utf8')),
  JSON.parse(readFileSync(path.join(__dirname, 'seed-000-resources.json'), 'utf8')),
);

describe('the workflows API', () => {
  it('given the seed saga as written with its ARNs mapped, when put and started twice with one Idempotency-Key, then one execution runs every step to success, its history timed', async () => {
    const put = await call('PUT', '/workflows/order-saga', seedSaga);
    expect(put).toEqual({ status: 201, body: { name: 'order-saga', version: 1 } });
    expect(await call('PUT', '/workflows/order-saga', seedSaga)).toEqual({
      status: 200,
      body: { name: 'order-saga', version: 1 },
    });
    const headers = { 'idempotency-key': uniqueName('start') };
    const first = await call(
      'POST',
      '/workflows/order-saga/executions',
      { input: { orderId: 'o-1' } },
      headers,
    );
    const again = await call(
      'POST',
      '/workflows/order-saga/executions',
      { input: { orderId: 'o-1' } },
      headers,
    );
    expect(first.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const execution = await finished(first.body.executionId as string);
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      version: 1,
      output: { orderId: 'o-1' },
    });
    const history = execution.history as Array<{ type: string; state?: string; at: string }>;
    expect(history.filter((t) => t.type === 'StateEntered').map((t) => t.state)).toEqual([
      'CreateOrder',
      'ReserveInventory',
      'ChargePayment',
    ]);
    expect(history.every((t) => !Number.isNaN(Date.parse(t.at)))).toBe(true);
  });

  it('given a step that fails, when the saga catches it, then the compensations run and the error is in the output', async () => {
    await call('PUT', '/workflows/declined', {
      StartAt: 'Charge',
      States: {
        Charge: {
          Type: 'Task',
          Resource: ECHO,
          Parameters: { 'fail.$': '$.decline' },
          Catch: [{ ErrorEquals: ['CardDeclined'], ResultPath: '$.error', Next: 'Release' }],
          End: true,
        },
        Release: {
          Type: 'Task',
          Resource: ECHO,
          Parameters: { 'orderId.$': '$.orderId' },
          ResultPath: null,
          Next: 'Cancelled',
        },
        Cancelled: { Type: 'Fail', Error: 'OrderCancelled', Cause: 'the card was declined' },
      },
    });
    const { body } = await call('POST', '/workflows/declined/executions', {
      input: { orderId: 'o-2', decline: 'CardDeclined' },
    });
    const execution = await finished(body.executionId as string);
    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'OrderCancelled',
      cause: 'the card was declined',
    });
    const states = (execution.history as Array<{ type: string; state?: string }>)
      .filter((t) => t.type === 'StateEntered')
      .map((t) => t.state);
    expect(states).toEqual(['Charge', 'Release', 'Cancelled']);
  });

  it('given a Wait, when the timer job ticks after it is due, then the execution goes on', async () => {
    await call('PUT', '/workflows/waits', {
      StartAt: 'Pause',
      States: {
        Pause: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Echo' },
        Echo: { Type: 'Task', Resource: ECHO, End: true },
      },
    });
    const { body } = await call('POST', '/workflows/waits/executions', { input: { seconds: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call('GET', `/executions/${body.executionId as string}`)).body.status).toBe(
      'RUNNING',
    );
    await system.pingSources.fire('workflow-timers');
    expect(await finished(body.executionId as string)).toMatchObject({
      status: 'SUCCEEDED',
      output: { seconds: 1 },
    });
  });

  it('given a running execution, when stopped, then it is ABORTED, and a second stop is a conflict', async () => {
    await call('PUT', '/workflows/long', {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 3600, End: true } },
    });
    const { body } = await call('POST', '/workflows/long/executions', {});
    const id = body.executionId as string;
    expect(await call('POST', `/executions/${id}/stop`, { cause: 'no longer needed' })).toEqual({
      status: 200,
      body: { executionId: id, status: 'ABORTED' },
    });
    expect((await call('GET', `/executions/${id}`)).body).toMatchObject({
      status: 'ABORTED',
      cause: 'no longer needed',
    });
    expect((await call('POST', `/executions/${id}/stop`, {})).status).toBe(409);
  });

  it('refuses bad definitions and bad input with 400 naming the state or field', async () => {
    const bad = await call('PUT', '/workflows/broken', {
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: ECHO, Next: 'B' }, B: { Type: 'Sleep', End: true } },
    });
    expect(bad).toEqual({
      status: 400,
      body: expect.objectContaining({
        error: expect.stringMatching(/state B: unknown state type/),
      }),
    });
    const foreign = await call('PUT', '/workflows/broken', {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'eventline:dev.eventline.payments.charge-requested',
          End: true,
        },
      },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toMatch(
      /state A: Resource names dev.eventline.payments.charge-requested/,
    );
    const yaml = await call('PUT', '/workflows/yaml', {
      definition: 'StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n',
    });
    expect(yaml.status).toBe(201);
    expect((await call('PUT', '/workflows/bad%20name', seedSaga)).body.error).toMatch(/^name /);
    expect(
      (await call('POST', '/workflows/order-saga/executions', { inputs: {} })).body.error,
    ).toMatch(/the body has inputs, not a field/);
    expect((await call('POST', '/workflows/nothing/executions', {})).status).toBe(404);
    expect((await call('GET', '/executions/no-such-execution')).status).toBe(404);
  });
});
