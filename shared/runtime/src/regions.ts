import { createPool } from '@eventline/store';
import { createLogger, type Logger } from '@eventline/telemetry';
import { readLocalSystemEnv } from './config';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from './local-system';

/** A region's name: the chart's `region`, a broker namespace's and a database name's part. */
export const REGION_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

export interface HybridOptions extends Omit<
  LocalSystemOptions,
  'site' | 'region' | 'namespace' | 'edgePort' | 'brokerPort'
> {
  regions: string[];
  /** the central store's edge port; region i's is this + 1 + i (0: every port is free ones) */
  edgePort?: number;
}

export interface HybridSystem {
  central: LocalSystem;
  regions: Map<string, LocalSystem>;
  stop(): Promise<void>;
}

/** `<database>_<install>`: on the server of DATABASE_URL, created when absent. */
async function installDatabase(serverUrl: string, install: string): Promise<string> {
  const url = new URL(serverUrl);
  const name = `${decodeURIComponent(url.pathname.slice(1)) || 'postgres'}_${install.replaceAll('-', '_')}`;
  const admin = createPool(serverUrl, { max: 1, name: 'eventline-install-database' });
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The hybrid model of seed 002 on one machine: a central store and each region as a local
 * system of its own, each with its own broker namespace (`<namespace>-<install>`, so its own
 * broker topic and consumer groups), its own database (`<database>_<install>` beside
 * DATABASE_URL's, or an embedded PGlite each) and its own Redis key prefix. The regions' KafkaSinks
 * and central's KafkaSource meet on the feed topic of the Kafka at KAFKA_BROKERS, the link
 * between them.
 */
export async function startHybridSystem(options: HybridOptions): Promise<HybridSystem> {
  const env = { ...process.env, ...options.env };
  const config = readLocalSystemEnv(env);
  const log: Logger = options.logger ?? createLogger('eventline-local', config.LOG_LEVEL);
  if (!config.KAFKA_BROKERS)
    throw new Error(
      '--regions needs KAFKA_BROKERS: the regions reach the central store through a Kafka topic',
    );
  // A service's settings are read from its process's environment: handlers of two regions in
  // one process would both be the region that process's environment names.
  if (options.topology === 'in-process')
    throw new Error(
      '--regions runs each handler as its own process (--topology processes): a handler reads its region from its environment',
    );
  const names = new Set(options.regions);
  if (names.size !== options.regions.length) throw new Error('--regions names a region twice');
  for (const region of options.regions)
    if (!REGION_NAME.test(region) || region === 'central')
      throw new Error(
        `--regions: "${region}" must be 1-32 lower-case letters, digits or - (and not "central")`,
      );
  const base = options.edgePort ?? config.EVENTLINE_EDGE_PORT;
  const started: LocalSystem[] = [];
  const stop = async () => {
    for (const system of started.splice(0).reverse()) await system.stop();
  };
  const start = async (install: string, site: 'region' | 'central', edgePort: number) => {
    const system = await startLocalSystem({
      ...options,
      topology: 'processes',
      site,
      ...(site === 'region' ? { region: install } : {}),
      namespace: `${config.EVENTLINE_NAMESPACE}-${install}`,
      edgePort,
      brokerPort: 0,
      logger: log.child({ install }),
      env: {
        ...options.env,
        ...(config.DATABASE_URL && {
          DATABASE_URL: await installDatabase(config.DATABASE_URL, install),
        }),
        REDIS_KEY_PREFIX: `${install}:`,
      },
    });
    started.push(system);
    return system;
  };
  try {
    // Central first: its KafkaSource makes the feed topic before any region writes to it.
    const central = await start('central', 'central', base);
    const regions = new Map<string, LocalSystem>();
    for (const [i, region] of options.regions.entries())
      regions.set(region, await start(region, 'region', base === 0 ? 0 : base + 1 + i));
    return { central, regions, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
