import { loadRouting, type Routing } from '@eventline/routing';
import { startLocalSystem, type LocalSystem } from '@eventline/runtime';
import { createPool, type Pool } from '@eventline/store';
import {
  createTestDatabase,
  testServerEnv,
  uniqueName,
  type TestDatabase,
} from '@eventline/testing';

export interface TelemetryWorld {
  system: LocalSystem;
  pool: Pool;
  database: TestDatabase;
  /** this run's raw topic (routing's, renamed so runs never read each other's records) */
  rawTopic: string;
  /** a system on the same database again, as after a restart */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The routing file's telemetry handlers and the dead-letter sink, with the raw topic made unique
 * to the run and every job ticking once a year: a test fires the ticks it needs.
 */
function telemetryRouting(rawTopic: string): Routing {
  const routing = loadRouting();
  return {
    ...routing,
    handlers: routing.handlers
      .filter((h) => h.package === 'telemetry' || h.package === 'dead-letters')
      .map((h) => ({
        ...h,
        ...(h.ping ? { ping: { ...h.ping, schedule: '0 0 1 1 *' } } : {}),
        ...(h.name === 'raw-telemetry-intake'
          ? { filters: [{ suffix: { source: `/kafkasources/telemetry-raw#${rawTopic}` } }] }
          : {}),
      })),
    kafkaSources: routing.kafkaSources.map((s) =>
      // From the start of the run's own topic: records produced before the group joined count.
      s.name === 'telemetry-raw' ? { ...s, topics: [rawTopic], initialOffset: 'earliest' } : s,
    ),
  };
}

/**
 * The telemetry handlers in this process on the real Postgres, Redis and Kafka, with the raw
 * topic's KafkaSource running. Telemetry settings are read from the process environment at
 * first use, so `settings` is set there before anything starts.
 */
export async function startTelemetryWorld(settings: NodeJS.ProcessEnv): Promise<TelemetryWorld> {
  Object.assign(process.env, settings);
  const servers = testServerEnv();
  const database = await createTestDatabase(servers.databaseUrl, 'telemetry');
  const namespace = uniqueName('telemetry');
  const rawTopic = uniqueName('eventline.telemetry.raw');
  const start = () =>
    startLocalSystem({
      routing: telemetryRouting(rawTopic),
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: servers.redisUrl,
        REDIS_KEY_PREFIX: `${namespace}:`,
        KAFKA_BROKERS: servers.kafkaBrokers,
        LOG_LEVEL: 'warn',
      },
      topology: 'in-process',
      namespace,
      edgePort: 0,
    });
  const world: TelemetryWorld = {
    system: await start(),
    pool: createPool(database.url, { max: 2 }),
    database,
    rawTopic,
    async restart() {
      await world.system.stop();
      world.system = await start();
    },
    async stop() {
      await world.system?.stop();
      await world.pool.end();
      await database.drop();
    },
  };
  return world;
}

export interface ReadingInput {
  deviceId: string;
  metric: string;
  value: unknown;
  at: string;
  deviceType?: string;
}

export function postReadings(world: TelemetryWorld, body: unknown): Promise<Response> {
  return fetch(`${world.system.edgeUrl}/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function getJson<T>(
  world: TelemetryWorld,
  path: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${world.system.edgeUrl}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

/** Produces raw records (bytes as given) to the run's raw topic with a real Kafka client. */
export async function produceRaw(
  world: TelemetryWorld,
  values: Array<string | Buffer>,
): Promise<void> {
  const kafka = await import('@platformatic/kafka');
  const producer = new kafka.Producer({
    clientId: 'telemetry-test-device',
    bootstrapBrokers: testServerEnv().kafkaBrokers.split(','),
    serializers: { ...kafka.stringSerializers, value: (v?: Buffer) => v },
  });
  try {
    // One partition, so the records are read in the order written.
    await producer.send({
      messages: values.map((v) => ({
        topic: world.rawTopic,
        partition: 0,
        value: Buffer.isBuffer(v) ? v : Buffer.from(v),
      })),
    });
  } finally {
    await producer.close();
  }
}

export interface DeadLetter {
  letterId: number;
  type: string;
  event: { id: string; source: string; data?: unknown };
  status: number | null;
  response: string;
}

export async function deadLetters(world: TelemetryWorld): Promise<DeadLetter[]> {
  return (await getJson<{ letters: DeadLetter[] }>(world, '/dead-letters?limit=100')).body.letters;
}

export interface StoredAlert {
  id: number;
  deviceId: string;
  kind: 'anomaly' | 'silence';
  metric?: string;
  raisedAt: string;
  details: Record<string, unknown>;
  notifiedAt: string | null;
}

export async function alertsOf(world: TelemetryWorld, deviceId: string): Promise<StoredAlert[]> {
  return (await getJson<{ alerts: StoredAlert[] }>(world, `/alerts?deviceId=${deviceId}`)).body
    .alerts;
}

export async function countRows(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}
