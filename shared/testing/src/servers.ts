import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ServerSource = 'environment' | 'testcontainers' | 'local-scripts';

export interface TestServers {
  source: ServerSource;
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
  stop(): Promise<void>;
}

function fromEnvironment(env: NodeJS.ProcessEnv): TestServers | undefined {
  const { DATABASE_URL, REDIS_URL, KAFKA_BROKERS } = env;
  if (!DATABASE_URL && !REDIS_URL && !KAFKA_BROKERS) return undefined;
  const missing = ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `test servers from the environment need all three URLs; missing ${missing.join(', ')}`,
    );
  }
  return {
    source: 'environment',
    databaseUrl: DATABASE_URL as string,
    redisUrl: REDIS_URL as string,
    kafkaBrokers: KAFKA_BROKERS as string,
    stop: async () => undefined,
  };
}

/** A container engine that answers: a socket that exists and a runtime client that connects. */
async function containerEngineAnswers(env: NodeJS.ProcessEnv): Promise<boolean> {
  const sockets = [
    '/var/run/docker.sock',
    path.join(os.homedir(), '.docker/run/docker.sock'),
    `/run/user/${process.getuid?.()}/podman/podman.sock`,
  ];
  if (!env.DOCKER_HOST && !sockets.some((s) => existsSync(s))) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function fromTestcontainers(): Promise<TestServers> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const [postgres, redis, kafka] = await Promise.all([
    new PostgreSqlContainer('postgres:16-alpine')
      .withCommand(['postgres', '-c', 'max_connections=300', '-c', 'fsync=off'])
      .start(),
    new RedisContainer('redis:7-alpine').start(),
    new KafkaContainer('confluentinc/cp-kafka:7.7.1').withKraft().start(),
  ]);
  return {
    source: 'testcontainers',
    databaseUrl: postgres.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    stop: async () => {
      await Promise.all([postgres.stop(), redis.stop(), kafka.stop()]);
    },
  };
}

/** `npm run servers -- <command>`: npm finds the project, and so its script, from where it runs. */
const serversScript = (command: string) => ['run', '--silent', 'servers', '--', command];

/** The project's own scripts install (cached) and start Postgres, Redis and Kafka on loopback. */
function fromLocalScripts(): TestServers {
  execFileSync('npm', serversScript('up'), {
    stdio: ['ignore', process.stderr, process.stderr],
  });
  const exports = execFileSync('npm', serversScript('env'), { encoding: 'utf8' });
  const vars = Object.fromEntries(
    [...exports.matchAll(/^(?:export )?([A-Z_]+)=["']?([^"'\n]*)["']?$/gm)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  return {
    source: 'local-scripts',
    databaseUrl: vars.DATABASE_URL as string,
    redisUrl: vars.REDIS_URL as string,
    kafkaBrokers: vars.KAFKA_BROKERS as string,
    // Left running: the next run reuses them; `npm run servers -- down` stops them.
    stop: async () => undefined,
  };
}

/**
 * Real servers for integration tests, in this order: URLs from the environment (DATABASE_URL,
 * REDIS_URL, KAFKA_BROKERS), testcontainers when a container engine answers, else the servers
 * the project's scripts install and start locally. The same tests run on any of them.
 */
export async function resolveTestServers(
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestServers> {
  const given = fromEnvironment(env);
  if (given) return given;
  if (await containerEngineAnswers(env)) return fromTestcontainers();
  return fromLocalScripts();
}
