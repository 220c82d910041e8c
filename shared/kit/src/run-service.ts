import {
  createPool,
  grantRuntimeRole,
  migrate,
  PLATFORM_SCHEMA,
  platformMigrations,
  type PackageDatabase,
  type Pool,
} from '@eventline/store';
import { createLogger, startTelemetry, stopTelemetry } from '@eventline/telemetry';
import { ConfigError, migrationEnvSchema, readConfig } from './config';
import type { ServiceDefinition } from './definitions';
import { startHandler } from './server';

/** The schemas a service package owns: its own and those of libraries only it uses. */
export function packageDatabase(service: ServiceDefinition): PackageDatabase {
  const schemas = [...(service.uses ?? []).map((u) => u.schema), service.schema];
  return { package: service.package, schemas: schemas.filter((s) => s !== PLATFORM_SCHEMA) };
}

/**
 * Applies the platform's, the libraries' the service uses, then the service's own migrations;
 * then, given the package's runtime role, grants it what the package's handlers need.
 */
export async function migrateService(
  service: ServiceDefinition,
  pool: Pool,
  options: { runtimeRole?: string } = {},
): Promise<string[]> {
  const schemas = [
    { schema: PLATFORM_SCHEMA, migrations: platformMigrations },
    ...(service.uses ?? []),
    { schema: service.schema, migrations: service.migrations },
  ];
  const applied: string[] = [];
  for (const { schema, migrations } of schemas) {
    applied.push(...(await migrate(pool, schema, migrations)).map((id) => `${schema}/${id}`));
  }
  if (options.runtimeRole) {
    await grantRuntimeRole(pool, {
      role: options.runtimeRole,
      schemas: packageDatabase(service).schemas,
      handlers: service.handlers.map((h) => h.name),
      everyHandler: service.everyHandlersRecords,
    });
  }
  return applied;
}

/**
 * The entry point of a service image: `main.js migrate` applies migrations (the Helm hook Job);
 * otherwise the handler named by EVENTLINE_HANDLER serves until SIGTERM, then drains.
 */
export async function runService(
  service: ServiceDefinition,
  argv = process.argv.slice(2),
): Promise<void> {
  const log = createLogger(`${service.package}-main`);
  try {
    if (argv[0] === 'migrate') {
      const config = readConfig(migrationEnvSchema);
      const pool = createPool(config.DATABASE_URL, { max: 1, name: `${service.package}-migrate` });
      const runtimeRole = config.EVENTLINE_RUNTIME_ROLE;
      const applied = await migrateService(service, pool, { runtimeRole }).finally(() =>
        pool.end(),
      );
      log.info({ applied, runtimeRole }, 'migrations applied');
      return;
    }
    const name = process.env.EVENTLINE_HANDLER;
    if (!name)
      throw new ConfigError(
        `EVENTLINE_HANDLER: required (one of: ${service.handlers.map((h) => h.name).join(', ')})`,
      );
    startTelemetry(name);
    const running = await startHandler(service, name);
    const stop = async (signal: string) => {
      log.info({ signal }, 'draining');
      await running.close();
      // The last spans go out at stop; a collector that cannot take them must not fail the drain.
      await stopTelemetry().catch((err) => log.warn({ err }, 'last spans not exported'));
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  } catch (err) {
    if (err instanceof ConfigError) log.fatal(err.message);
    else log.fatal({ err }, 'failed to start');
    process.exit(1);
  }
}
