import {
  beginTestRun,
  listKafkaTopics,
  resolveTestServers,
  type TestServers,
} from '@eventline/testing';

declare global {
  var eventlineTestServers: TestServers | undefined;
  var eventlineTopicsBefore: string[] | undefined;
  var eventlineTestRun: string | undefined;
}

/** Resolves real Postgres, Redis and Kafka once per run and hands them to every worker via env. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  globalThis.eventlineTestRun = beginTestRun();
  const servers = await resolveTestServers();
  globalThis.eventlineTestServers = servers;
  globalThis.eventlineTopicsBefore = await listKafkaTopics(servers.kafkaBrokers);
  process.env.DATABASE_URL = servers.databaseUrl;
  process.env.REDIS_URL = servers.redisUrl;
  process.env.KAFKA_BROKERS = servers.kafkaBrokers;
  process.env.EVENTLINE_TEST_SERVERS = servers.source;
  process.stderr.write(
    `\neventline tests: using real servers from ${servers.source} (postgres, redis, kafka at ${servers.kafkaBrokers}), ready in ${Date.now() - started} ms\n`,
  );
}
