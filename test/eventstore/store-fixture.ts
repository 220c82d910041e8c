import { EVENTSTORE_SCHEMA, EventStore, eventStoreMigrations } from '@eventline/eventstore';
import { createPool, migrate, type Pool } from '@eventline/store';
import { createTestDatabase, testServerEnv, type TestDatabase } from '@eventline/testing';

export interface StoreFixture {
  store: EventStore;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * After heavy writes an autovacuum worker (a superuser backend) may be working in the test
 * database, and DROP ... WITH (FORCE) refuses to terminate it (SQLSTATE 42501); it finishes in
 * moments, so the drop is retried for a while.
 */
async function dropWhenVacuumIsDone(database: TestDatabase): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await database.drop();
    } catch (err) {
      if ((err as { code?: string }).code !== '42501' || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A fresh database with the event store's migrations applied, as a service would run them. */
export async function createStoreFixture(poolSize = 20): Promise<StoreFixture> {
  const database = await createTestDatabase(testServerEnv().databaseUrl, 'es');
  const pool = createPool(database.url, { max: poolSize, name: 'eventstore-test' });
  await migrate(pool, EVENTSTORE_SCHEMA, eventStoreMigrations);
  return {
    store: new EventStore(pool),
    pool,
    close: async () => {
      // pool.end() resolves once clients are asked to end, not once their sockets have closed;
      // the forced drop may still terminate one, which is expected here and not a failure.
      pool.on('error', () => undefined);
      await pool.end();
      await dropWhenVacuumIsDone(database);
    },
  };
}
