import { Kafka, logLevel } from 'kafkajs';
import {
  processesOf,
  spawnRole,
  type RoundTrip,
  type RunningRole,
  type SpawnedRole,
} from './round-trip';

/**
 * Request/reply on raw Kafka, the same shape as the broker path: a "handler" group consumes
 * requests and produces replies to the same topic, a "receiver" group consumes the replies.
 */
interface RawKafkaConfig {
  brokers: string[];
  topic: string;
}

const header = (value: unknown) => (value === undefined ? undefined : String(value));

async function kafkajsJoined(
  kafka: Kafka,
  groupId: string,
  topic: string,
  eachMessage: (message: {
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, unknown>;
  }) => Promise<void>,
) {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachMessage: ({ message }) => eachMessage({ ...message, headers: message.headers ?? {} }),
  });
  await joined;
  return consumer;
}

/** The handler of the kafkajs round trip: consumes requests, produces replies. */
export async function kafkajsHandlerRole({ brokers, topic }: RawKafkaConfig): Promise<RunningRole> {
  const kafka = new Kafka({ clientId: 'bench-kafkajs-handler', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  await producer.connect();
  const consumer = await kafkajsJoined(kafka, `${topic}-handler`, topic, async (message) => {
    if (header(message.headers.kind) !== 'request') return;
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: { kind: 'reply', sentat: header(message.headers.sentat) ?? '0' },
        },
      ],
    });
  });
  return {
    ready: {},
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

export function kafkajsRoundTrip(brokers: string[], topic: string): RoundTrip {
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  const running: Array<{ stop(): Promise<void> }> = [];
  let handler: SpawnedRole | undefined;
  return {
    async start(onReply) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 4 }] });
      await admin.disconnect();
      await producer.connect();
      handler = await spawnRole('kafkajs-handler', { brokers, topic });
      running.push(handler);
      const receiver = await kafkajsJoined(kafka, `${topic}-receiver`, topic, async (message) => {
        if (header(message.headers.kind) === 'reply')
          onReply(Number(header(message.headers.sentat)));
      });
      running.push({ stop: () => receiver.disconnect() });
    },
    send(sentAt, key) {
      void producer.send({
        topic,
        acks: -1,
        messages: [{ key, value: '{}', headers: { kind: 'request', sentat: String(sentAt) } }],
      });
    },
    async stop() {
      await Promise.all(running.splice(0).map((r) => r.stop()));
      await producer.disconnect();
    },
    processes: () => processesOf(handler ? [handler] : []),
  };
}

async function platformaticClients(brokers: string[], clientId: string) {
  const { Consumer, Producer, stringSerializers, stringDeserializers } =
    await import('@platformatic/kafka');
  const producer = new Producer({
    clientId,
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    acks: -1,
  });
  const consumer = (groupId: string) =>
    new Consumer({
      groupId,
      clientId: `${clientId}-${groupId}`,
      bootstrapBrokers: brokers,
      deserializers: stringDeserializers,
      maxWaitTime: 100,
    });
  return { producer, consumer };
}

/** The handler of the @platformatic/kafka round trip: consumes requests, produces replies. */
export async function platformaticHandlerRole({
  brokers,
  topic,
}: RawKafkaConfig): Promise<RunningRole> {
  const { producer, consumer } = await platformaticClients(brokers, 'bench-platformatic-handler');
  const handler = consumer(`${topic}-handler`);
  const requests = await handler.consume({ topics: [topic], mode: 'earliest', autocommit: 100 });
  requests.on('data', (message) => {
    if (message.headers.get('kind') !== 'request') return;
    void producer.send({
      messages: [
        {
          topic,
          key: message.key,
          value: message.value,
          headers: { kind: 'reply', sentat: message.headers.get('sentat') ?? '0' },
        },
      ],
    });
  });
  return {
    ready: {},
    async stop() {
      await handler.close(true);
      await producer.close();
    },
  };
}

export async function platformaticRoundTrip(brokers: string[], topic: string): Promise<RoundTrip> {
  const { Admin } = await import('@platformatic/kafka');
  const { producer, consumer } = await platformaticClients(brokers, 'bench-platformatic');
  const receiver = consumer(`${topic}-receiver`);
  let handler: SpawnedRole | undefined;
  return {
    async start(onReply) {
      const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: brokers });
      await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
      await admin.close();
      handler = await spawnRole('platformatic-handler', { brokers, topic });
      const replies = await receiver.consume({
        topics: [topic],
        mode: 'earliest',
        autocommit: 100,
      });
      replies.on('data', (message) => {
        if (message.headers.get('kind') === 'reply') onReply(Number(message.headers.get('sentat')));
      });
    },
    send(sentAt, key) {
      void producer.send({
        messages: [
          { topic, key, value: '{}', headers: { kind: 'request', sentat: String(sentAt) } },
        ],
      });
    },
    async stop() {
      await handler?.stop();
      await receiver.close(true);
      await producer.close();
    },
    processes: () => processesOf(handler ? [handler] : []),
  };
}
