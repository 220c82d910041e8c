import type { Consumer, Message, MessagesStream } from '@platformatic/kafka' with {
  'resolution-mode': 'import',
};
import type { EventMessage } from '@eventline/cloudevents-http';
import { KAFKA_EVENT_TYPE, kafkaSourceSource, type KafkaSourceRoute } from '@eventline/routing';
import type { Logger } from '@eventline/telemetry';
import { deliver, type DeliveryTarget } from './dispatcher';

type RecordConsumer = Consumer<string, Buffer, string, string>;
type RecordMessage = Message<string, Buffer, string, string>;

/** How long a record whose delivery and dead letter both failed waits before it is tried again. */
const REDELIVERY_PAUSE_MS = 1000;

export interface LocalKafkaSourceOptions {
  route: KafkaSourceRoute;
  namespace: string;
  brokers: string[];
  /** the sink: the broker's ingress */
  sink: string;
  /** retries, backoff and dead-letter sink, as the KafkaSource's `delivery` */
  delivery: Omit<DeliveryTarget, 'trigger' | 'subscriber'>;
  log: Logger;
}

/**
 * The CloudEvent Knative's KafkaSource makes of a record: a record in binary content mode (ce_*
 * headers) is that CloudEvent; any other record becomes a `dev.knative.kafka.event` whose data is
 * the record's value as it came, identified by its partition and offset, with the record key as
 * the `key` extension.
 */
export function cloudEventOfRecord(
  record: Pick<
    RecordMessage,
    'topic' | 'partition' | 'offset' | 'timestamp' | 'key' | 'value' | 'headers'
  >,
  namespace: string,
  sourceName: string,
): EventMessage {
  const attributes: Record<string, string> = {};
  for (const [name, text] of record.headers) {
    if (name.startsWith('ce_')) attributes[name.slice(3)] = text;
  }
  const contentType = record.headers.get('content-type');
  if (attributes.specversion) {
    if (contentType) attributes.datacontenttype = contentType;
    return { attributes, body: record.value ?? Buffer.alloc(0) };
  }
  const plain: Record<string, string> = {
    specversion: '1.0',
    id: `partition:${record.partition}/offset:${record.offset}`,
    source: kafkaSourceSource(namespace, sourceName, record.topic),
    type: KAFKA_EVENT_TYPE,
    subject: `partition:${record.partition}#${record.offset}`,
    time: new Date(Number(record.timestamp)).toISOString(),
  };
  const type = contentTypeOf(record.value, contentType);
  if (type) plain.datacontenttype = type;
  if (record.key) plain.key = record.key;
  return { attributes: plain, body: record.value ?? Buffer.alloc(0) };
}

/**
 * A plain record's bytes go on unchanged; they are labelled JSON only when they are JSON, since
 * the ingress and the dead-letter sink refuse an event whose JSON data does not parse, and a
 * record neither takes would hold its partition. Other bytes travel as what the record says they
 * are, or as application/octet-stream, for the handler to refuse with its reason.
 */
function contentTypeOf(
  value: Buffer | undefined,
  declared: string | undefined,
): string | undefined {
  if (!value || value.length === 0) return declared;
  try {
    JSON.parse(value.toString('utf8'));
    return declared && declared.includes('json') ? declared : 'application/json';
  } catch {
    return declared && !declared.includes('json') ? declared : 'application/octet-stream';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A KafkaSource run in-process, as `npm start` and the tests run the cluster's: a consumer group
 * (`<namespace>-<source>`) on the source's topics, each record sent to the broker's ingress as
 * a CloudEvent with the source's retries, and dead-lettered with the reason when the ingress
 * refuses it for good. A record's offset is committed once it was delivered or dead-lettered, so
 * a crash sends it again (the broker's consumers dedupe) and nothing is lost. Partitions are
 * served one record at a time in order, as the KafkaSource's ordered delivery does.
 */
export class LocalKafkaSource {
  private consumer?: RecordConsumer;
  private stream?: MessagesStream<string, Buffer, string, string>;
  private running?: Promise<void>;
  private stopping = false;
  delivered = 0;
  deadLettered = 0;

  constructor(private readonly options: LocalKafkaSourceOptions) {}

  get groupId(): string {
    return `${this.options.namespace}-${this.options.route.name}`;
  }

  /** Starts reading, where the group's committed offsets are; again after a stop as well. */
  async start(): Promise<void> {
    const kafka = await import('@platformatic/kafka');
    const { route, brokers } = this.options;
    this.stopping = false;
    const admin = new kafka.Admin({ clientId: this.groupId, bootstrapBrokers: brokers });
    try {
      // Devices may not have produced yet: the topics exist so the group can subscribe.
      await admin
        .createTopics({ topics: route.topics, partitions: 4, replicas: 1 })
        .catch((err: Error) => {
          if (
            !/already exists/i.test(
              JSON.stringify((err as { errors?: unknown }).errors ?? err.message),
            )
          )
            throw err;
        });
    } finally {
      await admin.close();
    }
    this.consumer = new kafka.Consumer({
      groupId: this.groupId,
      clientId: this.groupId,
      bootstrapBrokers: brokers,
      deserializers: {
        key: (key?: Buffer) => key?.toString('utf8') ?? '',
        value: (value?: Buffer) => value ?? Buffer.alloc(0),
        headerKey: (key?: Buffer) => key?.toString('utf8') ?? '',
        headerValue: (value?: Buffer) => value?.toString('utf8') ?? '',
      },
    });
    this.running = this.run(this.consumer);
  }

  /** Reads until stopped; a failed read (Kafka away, a rebalance gone wrong) is started again. */
  private async run(consumer: RecordConsumer): Promise<void> {
    const { route, log } = this.options;
    while (!this.stopping) {
      try {
        this.stream = await consumer.consume({
          topics: route.topics,
          mode: 'committed',
          fallbackMode: route.initialOffset,
          autocommit: false,
          maxWaitTime: 200,
        });
        for await (const record of this.stream as AsyncIterable<RecordMessage>) {
          await this.forward(record);
          if (this.stopping) break;
          await record.commit();
        }
      } catch (err) {
        if (this.stopping) break;
        log.error({ err, source: route.name }, 'kafka source read failed; reading again');
        await this.stream?.close().catch(() => undefined);
        await sleep(REDELIVERY_PAUSE_MS);
      }
    }
  }

  private async forward(record: RecordMessage): Promise<void> {
    const { namespace, route, sink, delivery, log } = this.options;
    const message = cloudEventOfRecord(record, namespace, route.name);
    const target: DeliveryTarget = { ...delivery, trigger: route.name, subscriber: sink };
    for (;;) {
      const outcome = await deliver(message, target, log);
      if (outcome.kind === 'delivered') this.delivered++;
      if (outcome.kind === 'dead-lettered') this.deadLettered++;
      if (outcome.kind !== 'dropped' || this.stopping) return;
      // Neither the broker nor the dead-letter sink took it: the record stays until one does.
      await sleep(REDELIVERY_PAUSE_MS);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.stream?.close().catch(() => undefined);
    await this.running;
    const consumer = this.consumer;
    if (consumer) await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  }
}
