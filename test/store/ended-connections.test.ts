import { createPool, type Pool } from '@eventline/store';
import { createTestDatabase, testServerEnv, type TestDatabase } from '@eventline/testing';

describe('pool connections the server ends, as a Postgres restart does', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase(testServerEnv().databaseUrl, 'ended');
    pool = createPool(database.url, { max: 2, name: 'ended-connections' });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('given a client checked out between two statements, when the server ends its connection, then its next statement fails, the process goes on, and the pool answers with a new connection', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const admin = createPool(database.url, { max: 1 });
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    } finally {
      await admin.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));

    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    const again = await pool.query<{ one: number }>('SELECT 1 AS one');
    expect(again.rows).toEqual([{ one: 1 }]);
  });
});
