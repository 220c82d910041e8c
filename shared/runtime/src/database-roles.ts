import { createHmac } from 'node:crypto';
import {
  ConfigError,
  migrateService,
  packageDatabase,
  type ServiceDefinition,
} from '@eventline/kit';
import { createPool, provisionRoles, type PackageRoles } from '@eventline/store';

/** Where a package's handlers and its migrations connect, each as the package's own role. */
export interface PackageConnection {
  roles: PackageRoles;
  /** the runtime role's URL: what the package's handler processes get as DATABASE_URL */
  runtimeUrl: string;
  ownerUrl: string;
}

function withCredentials(serverUrl: string, user: string, password: string): string {
  const url = new URL(serverUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * Creates a role pair per service package on the server of `adminUrl` (whose user must be able
 * to create roles), named after the database so that databases sharing a server keep apart, runs
 * each package's migrations as its owner role and grants its runtime role its DML. Passwords are
 * derived from the administrator's URL, so a second system started on the same database uses
 * the same ones instead of changing them under the first.
 */
export async function migrateAsPackageRoles(
  adminUrl: string,
  services: ServiceDefinition[],
): Promise<Map<string, PackageConnection>> {
  const database = decodeURIComponent(new URL(adminUrl).pathname.slice(1)) || 'postgres';
  const password = (role: string) => createHmac('sha256', adminUrl).update(role).digest('hex');
  const admin = createPool(adminUrl, { max: 1, name: 'eventline-roles' });
  let provisioned: PackageRoles[];
  try {
    const { rows } = await admin.query<{ user: string; allowed: boolean }>(
      `SELECT current_user AS user, rolsuper OR rolcreaterole AS allowed
         FROM pg_roles WHERE rolname = current_user`,
    );
    const user = rows[0]?.user ?? 'its user';
    if (!rows[0]?.allowed)
      throw new ConfigError(
        `DATABASE_URL: its user ${user} cannot create roles (CREATEROLE), which a database role ` +
          'per service package needs; give the URL of a user that can, or set ' +
          `EVENTLINE_DATABASE_ROLES=shared to run every handler as ${user}`,
      );
    provisioned = await provisionRoles(admin, {
      prefix: database,
      packages: services.map(packageDatabase),
      password,
    });
  } finally {
    await admin.end();
  }
  const connections = new Map<string, PackageConnection>();
  for (const roles of provisioned) {
    const service = services.find((s) => s.package === roles.package) as ServiceDefinition;
    const connection: PackageConnection = {
      roles,
      runtimeUrl: withCredentials(adminUrl, roles.runtime, password(roles.runtime)),
      ownerUrl: withCredentials(adminUrl, roles.owner, password(roles.owner)),
    };
    const owner = createPool(connection.ownerUrl, { max: 1, name: `${roles.package}-migrate` });
    try {
      await migrateService(service, owner, { runtimeRole: roles.runtime });
    } finally {
      await owner.end();
    }
    connections.set(roles.package, connection);
  }
  return connections;
}
