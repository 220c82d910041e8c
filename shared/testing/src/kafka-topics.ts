import { Kafka, logLevel, type Admin } from 'kafkajs';

async function withAdmin<T>(brokers: string, work: (client: Admin) => Promise<T>): Promise<T> {
  const client = new Kafka({
    clientId: 'eventline-testing',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.disconnect();
  }
}

export function listKafkaTopics(brokers: string): Promise<string[]> {
  return withAdmin(brokers, (client) => client.listTopics());
}

/**
 * Deletes the topics a run created: not there before it, and named by uniqueName() with the
 * run's token. Without this, a local Kafka that outlives the runs gathers hundreds of topics and
 * slows down; without the token, one run would delete the topics of another sharing the server.
 */
export function deleteTopicsCreatedSince(
  brokers: string,
  before: string[],
  run: string,
): Promise<string[]> {
  const existing = new Set(before);
  const ofThisRun = new RegExp(`_[0-9a-z]+_[0-9a-f]{6}_${run}(?![0-9a-z])`);
  return withAdmin(brokers, async (client) => {
    const created = (await client.listTopics()).filter(
      (topic) => !existing.has(topic) && ofThisRun.test(topic),
    );
    if (created.length > 0) await client.deleteTopics({ topics: created, timeout: 30_000 });
    return created;
  });
}
