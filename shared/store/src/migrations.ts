import type { Pool } from './pool';

export interface Migration {
  /** unique and ordered within its schema, e.g. '001_flags' */
  id: string;
  sql: string;
}

/**
 * Applies pending migrations of one schema, each in its own transaction, recorded in
 * `<schema>.schema_migrations`. An advisory lock serialises handlers starting at the same time.
 * They run as the schema's owner when the connected role is a member of it (an administrator, or
 * a package's owner role migrating the platform schema it shares), so every object of a schema
 * has the one owner whose default privileges grant the runtime role its DML.
 */
export async function migrate(
  pool: Pool,
  schema: string,
  migrations: Migration[],
): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`eventline.migrate.${schema}`]);
    const { rows: owners } = await client.query<{ owner: string | null; member: boolean }>(
      `SELECT n.nspowner::regrole::text AS owner,
              n.nspowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
                AND pg_has_role(current_user, n.nspowner, 'MEMBER') AS member
         FROM pg_namespace n WHERE n.nspname = $1`,
      [schema],
    );
    const owner = owners[0];
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists,
    // which a package's owner role has no need of once its schema was made for it.
    if (!owner) await client.query(`CREATE SCHEMA ${schema}`);
    else if (owner.member) await client.query(`SET ROLE ${owner.owner}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM ${schema}.schema_migrations`,
    );
    const done = new Set(rows.map((r) => r.id));
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${schema}, public`);
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${schema}.schema_migrations (id) VALUES ($1)`, [
          migration.id,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${schema}/${migration.id} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      applied.push(migration.id);
    }
  } finally {
    await client.query('RESET ROLE').catch(() => undefined);
    await client
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`eventline.migrate.${schema}`])
      .catch(() => undefined);
    client.release();
  }
  return applied;
}
