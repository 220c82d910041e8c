import type { ServiceDefinition } from '@eventline/kit';
import { migrateAsPackageRoles, type PackageConnection } from '@eventline/runtime';
import { service as deadLetters } from '@eventline/service-dead-letters';
import { service as flags } from '@eventline/service-flags';
import { service as fraud } from '@eventline/service-fraud';
import { service as housekeeping } from '@eventline/service-housekeeping';
import { service as orders } from '@eventline/service-orders';
import { service as retail } from '@eventline/service-retail';
import { service as telemetry } from '@eventline/service-telemetry';
import { createPool, type Pool } from '@eventline/store';
import { createTestDatabase, testServerEnv, type TestDatabase } from '@eventline/testing';

const services: ServiceDefinition[] = [
  orders,
  flags,
  fraud,
  telemetry,
  retail,
  deadLetters,
  housekeeping,
];
const packages = services.map((s) => s.package);
/** housekeeping has no schema of its own: the platform's is checked on its own */
const owning = packages.filter((p) => p !== 'housekeeping');

/** Postgres's insufficient_privilege, which row security's WITH CHECK raises too. */
const DENIED = '42501';

async function sqlstateOf(pool: Pool, sql: string, values: unknown[] = []): Promise<string> {
  try {
    await pool.query(sql, values);
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  }
}

describe('a database role per service package on real Postgres', () => {
  let database: TestDatabase;
  let admin: Pool;
  let connections: Map<string, PackageConnection>;
  const runtime = new Map<string, Pool>();
  /** every table of each package's own schemas (not the platform's), as `schema.table` */
  const tablesOf = new Map<string, string[]>();

  beforeAll(async () => {
    database = await createTestDatabase(testServerEnv().databaseUrl, 'roles');
    connections = await migrateAsPackageRoles(database.url, services);
    admin = createPool(database.url, { max: 2 });
    for (const [name, connection] of connections) {
      runtime.set(name, createPool(connection.runtimeUrl, { max: 1 }));
      const schemas = services
        .filter((s) => s.package === name)
        .flatMap((s) => [s.schema, ...(s.uses ?? []).map((u) => u.schema)])
        .filter((s) => s !== 'eventline');
      const { rows } = await admin.query<{ name: string }>(
        `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
          WHERE schemaname = ANY($1) AND tablename <> 'schema_migrations' ORDER BY 1`,
        [schemas],
      );
      tablesOf.set(
        name,
        rows.map((r) => r.name),
      );
    }
  });

  afterAll(async () => {
    await Promise.all([...runtime.values()].map((pool) => pool.end()));
    await admin?.end();
    await database?.drop();
  });

  const as = (pkg: string) => runtime.get(pkg) as Pool;

  it('given the roles, then every package with a schema has tables there, and its runtime role reads them', async () => {
    for (const pkg of owning) {
      const tables = tablesOf.get(pkg) as string[];
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables)
        expect([pkg, table, await sqlstateOf(as(pkg), `SELECT 1 FROM ${table} LIMIT 1`)]).toEqual([
          pkg,
          table,
          'ok',
        ]);
    }
  });

  it.each(packages.flatMap((reader) => owning.filter((o) => o !== reader).map((o) => [reader, o])))(
    'given %s runtime role, when it reads or writes any table of %s, then Postgres refuses',
    async (reader, owner) => {
      expect(tablesOf.get(owner)?.length).toBeGreaterThan(0);
      for (const table of tablesOf.get(owner) as string[]) {
        const outcomes = [
          await sqlstateOf(as(reader), `SELECT 1 FROM ${table} LIMIT 1`),
          await sqlstateOf(as(reader), `INSERT INTO ${table} DEFAULT VALUES`),
          await sqlstateOf(as(reader), `DELETE FROM ${table}`),
        ];
        expect([table, outcomes]).toEqual([table, [DENIED, DENIED, DENIED]]);
      }
    },
  );

  it.each(owning)(
    'given %s runtime role, when it runs DDL on its own schema, then Postgres refuses',
    async (pkg) => {
      const table = (tablesOf.get(pkg) as string[])[0] as string;
      const schema = table.split('.')[0] as string;
      const statements = [
        `CREATE TABLE ${schema}.intruder (id int)`,
        `CREATE INDEX intruder ON ${table} ((1))`,
        `ALTER TABLE ${table} ADD COLUMN intruder int`,
        `DROP TABLE ${table}`,
        `CREATE FUNCTION ${schema}.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
        `CREATE SCHEMA intruder`,
        `CREATE TABLE public.intruder (id int)`,
      ];
      for (const statement of statements)
        expect([statement, await sqlstateOf(as(pkg), statement)]).toEqual([statement, DENIED]);
    },
  );

  it.each(packages)(
    'given %s runtime role, when it runs DDL on the platform schema or empties its tables, then Postgres refuses',
    async (pkg) => {
      for (const statement of [
        'CREATE TABLE eventline.intruder (id int)',
        'ALTER TABLE eventline.outbox ADD COLUMN intruder int',
        'ALTER TABLE eventline.processed_events DISABLE ROW LEVEL SECURITY',
        'TRUNCATE eventline.outbox',
        'INSERT INTO eventline.runtime_roles (role, handlers) VALUES (current_user, $1)',
      ])
        expect([
          statement,
          await sqlstateOf(as(pkg), statement, statement.includes('$1') ? [['x']] : []),
        ]).toEqual([statement, DENIED]);
    },
  );

  it("given a flags handler's idempotency record and outbox row, then orders neither sees, changes nor forges them, flags does, and housekeeping prunes them", async () => {
    await as('flags').query(
      `INSERT INTO eventline.processed_events (consumer, source, id) VALUES ('flags-projection', '/t', '1')`,
    );
    await as('flags').query(
      `INSERT INTO eventline.outbox (producer, event) VALUES ('flags-api', '{"id":"1"}')`,
    );
    await as('flags').query(
      `INSERT INTO eventline.idempotency_keys (consumer, key, request) VALUES ('flags-api', 'k', 'r')`,
    );
    const visible = async (pkg: string) =>
      (
        await as(pkg).query<{ n: number }>(
          `SELECT (SELECT count(*) FROM eventline.processed_events WHERE source = '/t')
                + (SELECT count(*) FROM eventline.outbox WHERE producer = 'flags-api')
                + (SELECT count(*) FROM eventline.idempotency_keys WHERE key = 'k') AS n`,
        )
      ).rows[0]?.n;
    expect(await visible('flags')).toBe(3);
    expect(await visible('orders')).toBe(0);
    expect(await visible('fraud')).toBe(0);

    const changed = await as('orders').query(
      `UPDATE eventline.outbox SET owner = 'orders' WHERE producer = 'flags-api'`,
    );
    expect(changed.rowCount).toBe(0);
    // claiming a flags handler's delivery first would make flags skip it as a duplicate
    expect(
      await sqlstateOf(
        as('orders'),
        `INSERT INTO eventline.processed_events (consumer, source, id) VALUES ('flags-projection', '/t', '2')`,
      ),
    ).toBe(DENIED);
    expect(
      await sqlstateOf(
        as('orders'),
        `INSERT INTO eventline.outbox (producer, event) VALUES ('flags-api', '{"id":"forged"}')`,
      ),
    ).toBe(DENIED);
    expect(
      await sqlstateOf(
        as('flags'),
        `UPDATE eventline.outbox SET producer = 'orders-api' WHERE producer = 'flags-api'`,
      ),
    ).toBe(DENIED);

    expect(await visible('housekeeping')).toBe(3);
    const pruned = await as('housekeeping').query(
      `DELETE FROM eventline.processed_events WHERE source = '/t'`,
    );
    expect(pruned.rowCount).toBe(1);
  });

  it('given telemetry runtime role, then it makes and drops day partitions only through its owner’s functions', async () => {
    expect(
      await sqlstateOf(
        as('telemetry'),
        `CREATE TABLE telemetry.readings_20300101 PARTITION OF telemetry.readings
         FOR VALUES FROM ('2030-01-01') TO ('2030-01-02')`,
      ),
    ).toBe(DENIED);
    await as('telemetry').query(`SELECT telemetry.create_readings_partition('20300101')`);
    const { rows } = await admin.query<{ owner: string }>(
      `SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'telemetry' AND tablename = 'readings_20300101'`,
    );
    expect(rows).toEqual([{ owner: connections.get('telemetry')?.roles.owner }]);
    expect(
      await sqlstateOf(as('telemetry'), `SELECT telemetry.drop_readings_partition('devices')`),
    ).not.toBe('ok');
    expect(
      await sqlstateOf(as('orders'), `SELECT telemetry.create_readings_partition('20300102')`),
    ).toBe(DENIED);
    await as('telemetry').query(`SELECT telemetry.drop_readings_partition('readings_20300101')`);
  });

  it('given the roles exist, when provisioned again, then nothing changes and every runtime role still connects', async () => {
    const again = await migrateAsPackageRoles(database.url, services);
    for (const [name, connection] of again) {
      expect(connection.runtimeUrl).toBe(connections.get(name)?.runtimeUrl);
      expect(await sqlstateOf(as(name), 'SELECT 1')).toBe('ok');
    }
  });
});
