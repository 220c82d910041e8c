import { EVENTSTORE_SCHEMA, EventStore, eventStoreMigrations } from '@eventline/eventstore';
import { createPool, migrate, type Pool } from '@eventline/store';
import { createTestDatabase, testServerEnv } from '@eventline/testing';

export interface StoreFixture {
  store: EventStore;
  pool: Pool;
  close(): Promise<void>;
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
      await database.drop();
    },
  };
}
