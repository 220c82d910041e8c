import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A name unique to this test run, safe for databases, topics and consumer groups. It ends with
 * the run's token (EVENTLINE_TEST_RUN, set by the global setup) so a run's teardown deletes only
 * its own topics, never those of another run sharing the servers.
 */
export function uniqueName(prefix: string): string {
  const run = process.env.EVENTLINE_TEST_RUN;
  const unique = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return (run ? `${unique}_${run}` : unique).toLowerCase();
}

/** Starts a run: names made from now on carry its token, which its teardown deletes by. */
export function beginTestRun(): string {
  const run = randomBytes(2).toString('hex');
  process.env.EVENTLINE_TEST_RUN = run;
  return run;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the test server, so suites never see each other's rows. */
export async function createTestDatabase(
  serverUrl: string,
  prefix = 'test',
): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(serverUrl, name),
  };
}

/**
 * Drops a database of the test server with the package roles named after it, ending the sessions
 * still in it.
 */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    // Roles are the server's, not the database's: the local system names a database's
    // package roles after it (`<database>_<package>`), and they own nothing once it is gone.
    const roles = await client.query<{ name: string }>(
      'SELECT rolname AS name FROM pg_roles WHERE starts_with(rolname, $1)',
      [`${name}_`],
    );
    // WITH (FORCE) ends only the sessions of roles whose privileges the dropping user has:
    // made a member, it can end those the package roles still hold (a pool not yet idle).
    for (const role of roles.rows) {
      await client.query(`GRANT ${pg.escapeIdentifier(role.name)} TO CURRENT_USER`);
    }
    // After heavy writes an autovacuum worker may still be in the database, and WITH (FORCE)
    // cannot end it (42501); it finishes in moments, so the drop is retried for a while.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '42501' || attempt >= 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    for (const role of roles.rows) {
      await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role.name)}`);
    }
  } finally {
    await client.end();
  }
}
