import { deleteTopicsCreatedSince } from '@eventline/testing';

/**
 * Deletes the Kafka topics the run created, then stops servers the setup started itself
 * (testcontainers); servers from the environment or the scripts stay up.
 */
export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.eventlineTestServers;
  if (servers && globalThis.eventlineTopicsBefore && globalThis.eventlineTestRun) {
    const deleted = await deleteTopicsCreatedSince(
      servers.kafkaBrokers,
      globalThis.eventlineTopicsBefore,
      globalThis.eventlineTestRun,
    ).catch((err: Error) => {
      process.stderr.write(`eventline tests: could not delete test topics: ${err.message}\n`);
      return [];
    });
    process.stderr.write(`eventline tests: deleted ${deleted.length} Kafka topics of this run\n`);
  }
  await servers?.stop();
}
