import {
  commitWithOutbox,
  createPool,
  inSelfCommittingTransaction,
  migrate,
  PLATFORM_SCHEMA,
  platformMigrations,
  type Pool,
} from '@eventline/store';
import { createTestDatabase, testServerEnv, type TestDatabase } from '@eventline/testing';

describe('the outbox on real Postgres', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase(testServerEnv().databaseUrl, 'outbox');
    pool = createPool(database.url, { max: 2 });
    await migrate(pool, PLATFORM_SCHEMA, platformMigrations);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('given a transaction that ran for a while, when it commits its events, then their rows are as old as the commit, not as the transaction', async () => {
    const started = await inSelfCommittingTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ started: Date }>('SELECT now() AS started');
      await tx.query('SELECT pg_sleep(1.5)');
      await commitWithOutbox(tx, 'slow-writer', [{ id: 'e-1' }]);
      return rows[0]!.started;
    });

    const { rows } = await pool.query<{ enqueued_at: Date }>(
      `SELECT enqueued_at FROM eventline.outbox WHERE producer = 'slow-writer'`,
    );
    expect(rows[0]!.enqueued_at.getTime() - started.getTime()).toBeGreaterThanOrEqual(1_400);
  });
});
