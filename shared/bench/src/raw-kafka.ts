import { Kafka, logLevel } from 'kafkajs';

/**
 * A request/reply round trip on raw Kafka, the same shape as the broker path: a "handler" group
 * consumes requests and produces replies to the same topic, a "receiver" group consumes replies.
 */
export interface RoundTrip {
  start(onReply: (sentAt: number) => void): Promise<void>;
  send(sentAt: number, key: string): void;
  stop(): Promise<void>;
}

const header = (value: unknown) => (value === undefined ? undefined : String(value));

export function kafkajsRoundTrip(brokers: string[], topic: string): RoundTrip {
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  const handler = kafka.consumer({ groupId: `${topic}-handler`, maxWaitTimeInMs: 100 });
  const receiver = kafka.consumer({ groupId: `${topic}-receiver`, maxWaitTimeInMs: 100 });
  return {
    async start(onReply) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 4 }] });
      await admin.disconnect();
      await producer.connect();
      const joined = (consumer: typeof handler) =>
        new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      const both = Promise.all([joined(handler), joined(receiver)]);
      for (const consumer of [handler, receiver]) {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
      }
      await handler.run({
        partitionsConsumedConcurrently: 4,
        eachMessage: async ({ message }) => {
          if (header(message.headers?.kind) !== 'request') return;
          await producer.send({
            topic,
            acks: -1,
            messages: [
              {
                key: message.key,
                value: message.value,
                headers: { kind: 'reply', sentat: header(message.headers?.sentat) ?? '0' },
              },
            ],
          });
        },
      });
      await receiver.run({
        partitionsConsumedConcurrently: 4,
        eachMessage: async ({ message }) => {
          if (header(message.headers?.kind) === 'reply')
            onReply(Number(header(message.headers?.sentat)));
        },
      });
      await both;
    },
    send(sentAt, key) {
      void producer.send({
        topic,
        acks: -1,
        messages: [{ key, value: '{}', headers: { kind: 'request', sentat: String(sentAt) } }],
      });
    },
    async stop() {
      await Promise.all([handler.disconnect(), receiver.disconnect()]);
      await producer.disconnect();
    },
  };
}

export async function platformaticRoundTrip(brokers: string[], topic: string): Promise<RoundTrip> {
  const { Admin, Consumer, Producer, stringSerializers, stringDeserializers } =
    await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    serializers: stringSerializers,
    acks: -1,
  });
  const consumer = (role: string) =>
    new Consumer({
      groupId: `${topic}-${role}`,
      clientId: `bench-${role}`,
      bootstrapBrokers: brokers,
      deserializers: stringDeserializers,
      maxWaitTime: 100,
    });
  const handler = consumer('handler');
  const receiver = consumer('receiver');
  return {
    async start(onReply) {
      const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: brokers });
      await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 });
      await admin.close();
      const requests = await handler.consume({
        topics: [topic],
        mode: 'earliest',
        autocommit: 100,
      });
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
      await Promise.all([handler.close(true), receiver.close(true)]);
      await producer.close();
    },
  };
}
