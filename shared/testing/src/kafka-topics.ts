import { Kafka, logLevel } from 'kafkajs';

function admin(brokers: string) {
  return new Kafka({
    clientId: 'eventline-testing',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
}

export async function listKafkaTopics(brokers: string): Promise<string[]> {
  const client = admin(brokers);
  await client.connect();
  try {
    return await client.listTopics();
  } finally {
    await client.disconnect();
  }
}

/** Topic names made by uniqueName(): `<prefix>_<time>_<random>` somewhere in the name. */
const UNIQUE_NAME = /_[0-9a-z]+_[0-9a-f]{6}/;

/**
 * Deletes the topics a run created: not there before it, and named with uniqueName(). Without
 * this, a local Kafka that outlives the runs gathers hundreds of topics and slows down.
 */
export async function deleteTopicsCreatedSince(
  brokers: string,
  before: string[],
): Promise<string[]> {
  const existing = new Set(before);
  const created = (await listKafkaTopics(brokers)).filter(
    (topic) => !existing.has(topic) && UNIQUE_NAME.test(topic),
  );
  if (created.length === 0) return [];
  const client = admin(brokers);
  await client.connect();
  try {
    await client.deleteTopics({ topics: created, timeout: 30_000 });
    return created;
  } finally {
    await client.disconnect();
  }
}
