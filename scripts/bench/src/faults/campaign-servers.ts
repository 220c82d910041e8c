import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@eventline/runtime';

const run = promisify(execFile);

/** The project's server scripts, from src/faults or dist/faults alike. */
const SERVERS_SCRIPT = path.resolve(__dirname, '../../../servers/servers.sh');

export type ServerName = 'postgres' | 'redis' | 'kafka';

/**
 * Postgres, Redis and Kafka of the campaign's own: other ports and a data directory of their
 * own, so restarting them never touches the servers other suites run on at the same time.
 */
export interface CampaignServers {
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  /** `servers.sh up NAME`: resolves once the server answers */
  up(name: ServerName): Promise<void>;
  /** `servers.sh down NAME`: Postgres by `pg_ctl stop -m fast`, Kafka by SIGTERM, Redis by SHUTDOWN */
  down(name: ServerName): Promise<void>;
  /** stops all three and deletes their data directory */
  remove(): Promise<void>;
}

/**
 * Starts the three servers with `scripts/servers/servers.sh` on free ports, writing under a new
 * temporary directory (EVENTLINE_SERVERS_DATA) while the downloads stay in the project's cache.
 * Asynchronous throughout: the load and the system run on this process's event loop meanwhile.
 */
export async function startCampaignServers(log: (line: string) => void): Promise<CampaignServers> {
  const data = mkdtempSync(path.join(os.tmpdir(), 'eventline-faults-'));
  // Postgres runs as the postgres OS user, which must reach its directory under this one.
  chmodSync(data, 0o755);
  const [pg, redis, kafka, controller] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env = {
    ...process.env,
    EVENTLINE_SERVERS_DATA: data,
    EVENTLINE_PG_PORT: String(pg),
    EVENTLINE_REDIS_PORT: String(redis),
    EVENTLINE_KAFKA_PORT: String(kafka),
    EVENTLINE_KAFKA_CONTROLLER_PORT: String(controller),
  };
  const servers = async (...args: string[]) => {
    const started = Date.now();
    try {
      await run('bash', [SERVERS_SCRIPT, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const { stderr } = err as { stderr?: string };
      throw new Error(`servers.sh ${args.join(' ')} failed:\n${stderr ?? (err as Error).message}`, {
        cause: err,
      });
    }
    log(`servers.sh ${args.join(' ')}: ${Date.now() - started} ms`);
  };
  try {
    await servers('up');
  } catch (err) {
    await servers('down').catch(() => undefined);
    rmSync(data, { recursive: true, force: true });
    throw err;
  }
  return {
    databaseUrl: `postgres://eventline:eventline@127.0.0.1:${pg}/eventline`,
    redisUrl: `redis://127.0.0.1:${redis}`,
    kafkaBrokers: `127.0.0.1:${kafka}`,
    up: (name) => servers('up', name),
    down: (name) => servers('down', name),
    remove: async () => {
      try {
        await servers('down');
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    },
  };
}
