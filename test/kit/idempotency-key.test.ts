import { migrateService, startHandler, type RunningHandler } from '@eventline/kit';
import { createPool, type Pool } from '@eventline/store';
import {
  createTestDatabase,
  eventually,
  testServerEnv,
  type TestDatabase,
} from '@eventline/testing';
import { RecordingSubscriber } from '../support/recording-subscriber';
import { counterService } from './counter-service';

const servers = testServerEnv();

describe('an edge route declaring Idempotency-Key, against real Postgres', () => {
  let database: TestDatabase;
  let pool: Pool;
  let sink: RecordingSubscriber;
  let edge: RunningHandler;

  const add = (counter: string, body: unknown, key?: string) =>
    fetch(`${edge.url}/counters/${counter}/add`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(body),
    });

  const total = async (counter: string) =>
    (
      await pool.query<{ total: number }>('SELECT total FROM counters.totals WHERE counter = $1', [
        counter,
      ])
    ).rows[0]?.total;

  const claims = async (key: string) =>
    (
      await pool.query(
        `SELECT answer FROM eventline.idempotency_keys WHERE consumer = 'counter-edge' AND key = $1`,
        [key],
      )
    ).rows;

  const emitted = (counter: string) =>
    sink.received.filter((r) => (JSON.parse(r.body) as { counter: string }).counter === counter);

  beforeAll(async () => {
    database = await createTestDatabase(servers.databaseUrl, 'kit_keys');
    pool = createPool(database.url, { max: 4 });
    await migrateService(counterService, pool);
    sink = await new RecordingSubscriber(() => ({ status: 202 })).start();
    edge = await startHandler(counterService, 'counter-edge', {
      env: {
        DATABASE_URL: database.url,
        K_SINK: sink.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        EVENTLINE_DB_POOL_MAX: '12',
      },
    });
  });

  afterAll(async () => {
    await edge?.close();
    await pool?.end();
    await sink?.stop();
    await database?.drop();
  });

  it('given one key sent ten times at once, when they race, then one does the work and all get its answer', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => add('raced', { by: 3, slowMs: 150 }, 'race-key')),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    const answers = await Promise.all(responses.map((r) => r.json()));
    expect(answers).toEqual(Array(10).fill({ counter: 'raced', total: 3 }));
    expect(await total('raced')).toBe(3);
    expect(await claims('race-key')).toEqual([{ answer: { counter: 'raced', total: 3 } }]);
    await eventually(async () => (emitted('raced').length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emitted('raced')).toHaveLength(1);
  });

  it('given a key already used, when the same request comes again with its fields reordered, then it gets the stored answer and nothing runs again', async () => {
    await add('repeated', { by: 2, slowMs: 0 }, 'repeat-key');
    await add('repeated', { by: 5 });
    const again = await add('repeated', { slowMs: 0, by: 2 }, 'repeat-key');
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual({ counter: 'repeated', total: 2 });
    expect(await total('repeated')).toBe(7);
  });

  it('given a key already used, when sent with another request, then 422 naming the key and no change', async () => {
    await add('reused', { by: 1 }, 'reused-key');
    const other = await add('reused', { by: 4 }, 'reused-key');
    const elsewhere = await add('another-counter', { by: 1 }, 'reused-key');
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: string }).error).toBe(
      'Idempotency-Key reused-key was already used for another request',
    );
    expect(elsewhere.status).toBe(422);
    expect(await total('reused')).toBe(1);
    expect(await total('another-counter')).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['longer than 200 characters', 'k'.repeat(201)],
  ])(
    'given a key that is %s, when sent, then 400 naming the header and no change',
    async (_case, key) => {
      const response = await add('bad-key', { by: 1 }, key);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe(
        'Idempotency-Key must be 1-200 characters',
      );
      expect(await total('bad-key')).toBeUndefined();
    },
  );

  it('given a key of 200 characters, when sent, then it is claimed', async () => {
    const key = 'k'.repeat(200);
    expect((await add('long-key', { by: 1 }, key)).status).toBe(201);
    expect(await claims(key)).toHaveLength(1);
  });

  it('given work that fails after its change, when rolled back, then claim, change and events are all gone and a retry with the key does the work once', async () => {
    const failed = await add('atomic', { by: 6, fail: true }, 'atomic-key');
    expect(failed.status).toBe(500);
    expect(await claims('atomic-key')).toEqual([]);
    expect(await total('atomic')).toBeUndefined();
    const outbox = await pool.query(
      `SELECT 1 FROM eventline.outbox WHERE event->'data'->>'counter' = 'atomic'`,
    );
    expect(outbox.rowCount).toBe(0);

    const retried = await add('atomic', { by: 6, fail: true }, 'atomic-key');
    expect(retried.status).toBe(500);
    const succeeded = await add('atomic', { by: 6 }, 'atomic-key');
    expect(succeeded.status).toBe(201);
    expect(await total('atomic')).toBe(6);
  });

  it('given no key, when the same request is sent twice, then it runs twice', async () => {
    await add('unkeyed', { by: 1 });
    await add('unkeyed', { by: 1 });
    expect(await total('unkeyed')).toBe(2);
  });
});
