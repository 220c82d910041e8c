import pg from 'pg';
import type { Pool } from './pool';
import { PLATFORM_SCHEMA } from './platform-schema';

/** A service package's two database roles: one owns its schemas, one runs its handlers. */
export interface PackageRoles {
  package: string;
  /** runs the package's migrations: owns its schemas, member of the platform schema's owner */
  owner: string;
  /** what the package's handlers connect as: DML on its schemas and its own platform rows */
  runtime: string;
}

/** The package's schemas, and who owns and runs them: what provisioning needs to know. */
export interface PackageDatabase {
  package: string;
  /** schemas the package owns (its own, and a library's only it uses, as the event store) */
  schemas: string[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** Postgres truncates longer names, which would make two packages' roles one. */
const MAX_ROLE_NAME = 63;

function roleName(...parts: string[]): string {
  const name = parts
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  if (!IDENTIFIER.test(name) || name.length > MAX_ROLE_NAME)
    throw new Error(
      `database role name ${name}: must be a Postgres identifier of at most 63 characters`,
    );
  return name;
}

/** The roles of a package, named `<prefix>_<package>` (runtime) and `<prefix>_<package>_owner`. */
export function packageRoles(prefix: string, packageName: string): PackageRoles {
  return {
    package: packageName,
    owner: roleName(prefix, packageName, 'owner'),
    runtime: roleName(prefix, packageName),
  };
}

/** The role owning the platform schema; every package's owner role is a member of it. */
export function platformOwnerRole(prefix: string): string {
  return roleName(prefix, 'platform');
}

const quote = (name: string) => pg.escapeIdentifier(name);

const DUPLICATE_SQLSTATES = new Set(['42710', '23505']); // duplicate_object; a race on pg_authid

async function ensureRole(admin: Pool, role: string, attributes: string): Promise<void> {
  const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (exists.rowCount === 0) {
    try {
      await admin.query(`CREATE ROLE ${quote(role)} ${attributes}`);
      return;
    } catch (err) {
      // another system provisioning the same database created it meanwhile
      if (!DUPLICATE_SQLSTATES.has((err as { code?: string }).code ?? '')) throw err;
    }
  }
  await admin.query(`ALTER ROLE ${quote(role)} ${attributes}`);
}

/** Hands a schema made before its package had roles, and everything in it, to its owner role. */
async function ownSchema(admin: Pool, schema: string, owner: string): Promise<void> {
  const { rows } = await admin.query<{ owner: string }>(
    'SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = $1',
    [schema],
  );
  if (rows.length === 0) {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)} AUTHORIZATION ${quote(owner)}`);
    return;
  }
  if (rows[0]?.owner !== quote(owner) && rows[0]?.owner !== owner)
    await admin.query(`ALTER SCHEMA ${quote(schema)} OWNER TO ${quote(owner)}`);
  const objects = await admin.query<{ statement: string }>(
    `SELECT format('ALTER %s %s OWNER TO %I',
                   CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                  ELSE 'TABLE' END,
                   c.oid::regclass, $2::text) AS statement
       FROM pg_class c
      WHERE c.relnamespace = $1::regnamespace AND c.relowner <> $2::regrole
        AND (c.relkind IN ('r', 'p', 'v', 'm', 'f')
             -- a serial's sequence goes with its table
             OR (c.relkind = 'S' AND NOT EXISTS (
                   SELECT 1 FROM pg_depend d
                    WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))))
     UNION ALL
     SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $2::text)
       FROM pg_proc p WHERE p.pronamespace = $1::regnamespace AND p.proowner <> $2::regrole`,
    [schema, owner],
  );
  for (const { statement } of objects.rows) await admin.query(statement);
}

/**
 * Creates, or brings up to date, each package's owner and runtime roles with the password
 * `password(role)`, the platform schema's owner role, and each schema owned by its role. Run as
 * an administrator (CREATEROLE, and the owner of the database): it makes itself a member of
 * every owner role, so it can create their schemas and migrate as them. Safe to run again and
 * beside another run on the same database.
 */
export async function provisionRoles(
  admin: Pool,
  options: { prefix: string; packages: PackageDatabase[]; password: (role: string) => string },
): Promise<PackageRoles[]> {
  const platform = platformOwnerRole(options.prefix);
  await ensureRole(admin, platform, 'NOLOGIN');
  await admin.query(`GRANT ${quote(platform)} TO CURRENT_USER`);
  await ownSchema(admin, PLATFORM_SCHEMA, platform);
  const provisioned: PackageRoles[] = [];
  const schemaOwners = new Map<string, string>();
  for (const database of options.packages) {
    const roles = packageRoles(options.prefix, database.package);
    // no other attribute: a new role has none, and only a superuser may name SUPERUSER's
    const login = (role: string) => `LOGIN PASSWORD ${pg.escapeLiteral(options.password(role))}`;
    await ensureRole(admin, roles.owner, login(roles.owner));
    await ensureRole(admin, roles.runtime, login(roles.runtime));
    await admin.query(`GRANT ${quote(platform)} TO ${quote(roles.owner)}`);
    await admin.query(`GRANT ${quote(roles.owner)} TO CURRENT_USER`);
    for (const schema of database.schemas) {
      const other = schemaOwners.get(schema);
      if (other)
        throw new Error(
          `schema ${schema}: owned by package ${other}, also named by ${database.package}`,
        );
      schemaOwners.set(schema, database.package);
      await ownSchema(admin, schema, roles.owner);
    }
    provisioned.push(roles);
  }
  return provisioned;
}

/**
 * Grants a package's runtime role what its handlers need after its migrations ran: DML on every
 * table (and the tables its owner makes later, as the day partitions of a series), its
 * sequences and routines, and on the platform tables the rows of its own handlers (see the
 * platform schema's row security). Run as the package's owner role, or a member of it.
 */
export async function grantRuntimeRole(
  pool: Pool,
  grant: { role: string; schemas: string[]; handlers: string[]; everyHandler?: boolean },
): Promise<void> {
  const role = quote(grant.role);
  for (const name of grant.schemas) {
    const schema = quote(name);
    const { rows } = await pool.query<{ owner: string }>(
      'SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = $1',
      [name],
    );
    const owner = rows[0]?.owner;
    if (!owner) throw new Error(`schema ${name}: not there to grant ${grant.role} on`);
    await pool.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    // TRUNCATE: a projection's rebuild empties its view; no DDL, no REFERENCES, no TRIGGER
    const dml = 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE';
    await pool.query(`GRANT ${dml} ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await pool.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    await pool.query(`GRANT EXECUTE ON ALL ROUTINES IN SCHEMA ${schema} TO ${role}`);
    await pool.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT ${dml} ON TABLES TO ${role}`,
    );
    await pool.query(`REVOKE ALL ON ${schema}.schema_migrations FROM ${role}`);
  }
  const platform = quote(PLATFORM_SCHEMA);
  await pool.query(`GRANT USAGE ON SCHEMA ${platform} TO ${role}`);
  // No TRUNCATE here: it ignores row security.
  await pool.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${platform}.processed_events, ${platform}.idempotency_keys, ${platform}.outbox TO ${role}`,
  );
  await pool.query(`GRANT USAGE ON SEQUENCE ${platform}.outbox_position_seq TO ${role}`);
  await pool.query(`GRANT SELECT ON ${platform}.runtime_roles TO ${role}`);
  await pool.query(
    `INSERT INTO ${platform}.runtime_roles (role, handlers, every_handler) VALUES ($1, $2, $3)
     ON CONFLICT (role) DO UPDATE SET handlers = excluded.handlers, every_handler = excluded.every_handler`,
    [grant.role, grant.handlers, grant.everyHandler ?? false],
  );
}
