import type { Admin, Consumer, Message, MessagesStream, Producer } from '@platformatic/kafka' with {
  'resolution-mode': 'import',
};
import type { Logger } from '@eventline/telemetry';
import { CloudEvent, type Event } from '../cloudevent-http';
import { InFlightLimit, type ConsumeOptions, type EventLog, type Subscription } from './event-log';

export interface KafkaEventLogOptions {
  brokers: string[];
  topic: string;
  partitions?: number;
  clientId?: string;
  log: Logger;
}

export interface KafkaRecord {
  key: string | undefined;
  value: string;
  headers: Map<string, string>;
}

type Platformatic = typeof import('@platformatic/kafka', { with: { 'resolution-mode': 'import' } });
type StringMessage = Message<string, string, string, string>;
interface PendingAppend {
  message: {
    topic: string;
    key?: string;
    value: string;
    headers: Map<string, string>;
    partition?: number;
  };
  resolve: () => void;
  reject: (err: Error) => void;
}
interface ConsumerEntry {
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
  flush: () => Promise<void>;
}

/** Knative's Kafka broker stores events in binary content mode: ce_* headers, data as the value. */
export function toRecord(event: Event): KafkaRecord {
  const headers = new Map<string, string>();
  const {
    data,
    data_base64: _base64,
    datacontenttype,
    ...attributes
  } = event.toJSON() as Record<string, unknown>;
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) headers.set(`ce_${name}`, String(value));
  }
  if (datacontenttype) headers.set('content-type', String(datacontenttype));
  const json = String(datacontenttype ?? 'application/json').includes('json');
  const value =
    data === undefined ? '' : typeof data === 'string' && !json ? data : JSON.stringify(data);
  return {
    key: event.partitionkey === undefined ? undefined : String(event.partitionkey),
    value,
    headers,
  };
}

/** The CloudEvent attributes a record's ce_* headers carry, without decoding its data. */
function attributesOf(headers: Map<string, string>): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [name, text] of headers) {
    if (name.startsWith('ce_')) attributes[name.slice(3)] = text;
  }
  const contentType = headers.get('content-type');
  if (contentType) attributes.datacontenttype = contentType;
  return attributes;
}

export function fromRecord(headers: Map<string, string>, value: string | undefined): Event {
  const attributes = attributesOf(headers);
  const contentType = headers.get('content-type');
  if (value) attributes.data = contentType?.includes('json') ? JSON.parse(value) : value;
  return new CloudEvent(attributes as never, false) as Event;
}

/**
 * Acknowledges a partition's records in order: a record's offset is committed only once every
 * earlier record of its partition is done, so a crash redelivers rather than skips.
 */
class PartitionProgress {
  private readonly pending: Array<{ message: StringMessage; done: boolean }> = [];
  private committable?: StringMessage;

  track(message: StringMessage): () => void {
    const entry = { message, done: false };
    this.pending.push(entry);
    return () => {
      entry.done = true;
      while (this.pending[0]?.done) this.committable = this.pending.shift()?.message;
    };
  }

  /** The newest record whose predecessors are all done, once. */
  takeCommittable(): StringMessage | undefined {
    const message = this.committable;
    this.committable = undefined;
    return message;
  }
}

/**
 * The broker's log on a real Kafka cluster, on @platformatic/kafka (measured ~9× lower p50 than
 * kafkajs at 1,000 events/s, see BENCHMARKS.md): one topic per broker, one consumer group per
 * trigger, records keyed by `partitionkey` with Kafka's own partitioner.
 */
export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka';
  private kafka?: Platformatic;
  private producer?: Producer<string, string, string, string>;
  private partitionCount = 0;
  private readonly consumers = new Set<ConsumerEntry>();
  private ready?: Promise<void>;
  private readonly outgoing: PendingAppend[] = [];
  private sending = false;

  constructor(private readonly options: KafkaEventLogOptions) {}

  private get clientId(): string {
    return this.options.clientId ?? 'eventline-broker';
  }

  /** Creates the topic (idempotently) and the producer, once. */
  private start(): Promise<void> {
    this.ready ??= (async () => {
      const kafka = await import('@platformatic/kafka');
      this.kafka = kafka;
      const admin: Admin = new kafka.Admin({
        clientId: this.clientId,
        bootstrapBrokers: this.options.brokers,
      });
      try {
        await admin
          .createTopics({
            topics: [this.options.topic],
            partitions: this.options.partitions ?? 4,
            replicas: 1,
          })
          .catch((err: Error) => {
            if (
              !/already exists/i.test(
                JSON.stringify((err as { errors?: unknown }).errors ?? err.message),
              )
            )
              throw err;
          });
        const metadata = await admin.metadata({ topics: [this.options.topic] });
        this.partitionCount =
          metadata.topics.get(this.options.topic)?.partitionsCount ?? this.options.partitions ?? 4;
      } finally {
        await admin.close();
      }
      this.producer = new kafka.Producer({
        clientId: this.clientId,
        bootstrapBrokers: this.options.brokers,
        serializers: kafka.stringSerializers,
        acks: -1,
        // Measured: this client's idempotent producer (1.22) drops concurrent sends to one
        // partition; appends go out one request at a time anyway (sendPending), so acks=all.
        idempotent: false,
      });
    })();
    return this.ready;
  }

  /** Kafka's default partitioner (murmur2 of the key, made positive): Java producers agree. */
  private partitionOf(key: string | undefined): number | undefined {
    if (key === undefined) return undefined;
    const kafka = this.kafka as Platformatic;
    return (kafka.murmur2(Buffer.from(key)) & 0x7fffffff) % this.partitionCount;
  }

  async append(event: Event): Promise<void> {
    await this.start();
    const record = toRecord(event);
    return new Promise((resolve, reject) => {
      this.outgoing.push({
        message: {
          topic: this.options.topic,
          key: record.key,
          value: record.value,
          headers: record.headers,
          partition: this.partitionOf(record.key),
        },
        resolve,
        reject,
      });
      if (!this.sending) this.sendPending();
    });
  }

  /**
   * One produce request in flight, carrying every append that arrived while the previous one was
   * out: per-partition order holds, and a burst costs one round trip instead of one per event.
   */
  private sendPending(): void {
    const batch = this.outgoing.splice(0);
    if (batch.length === 0) {
      this.sending = false;
      return;
    }
    this.sending = true;
    (this.producer as Producer<string, string, string, string>)
      .send({ messages: batch.map((entry) => entry.message) })
      .then(
        () => batch.forEach((entry) => entry.resolve()),
        (err: Error) => batch.forEach((entry) => entry.reject(err)),
      )
      .finally(() => this.sendPending());
  }

  async subscribe(
    group: string,
    options: ConsumeOptions,
    handle: (event: Event) => Promise<void>,
  ): Promise<Subscription> {
    await this.start();
    const kafka = this.kafka as Platformatic;
    const log = this.options.log.child({ group });
    const consumer = new kafka.Consumer({
      groupId: group,
      clientId: `${this.clientId}-${group}`,
      bootstrapBrokers: this.options.brokers,
      deserializers: kafka.stringDeserializers,
      // A fetch returns as soon as a record arrives; the wait only bounds idle polling, which
      // with a consumer group per trigger costs Kafka and the broker CPU (measured at 20 ms:
      // ~17% of a core idle for 10 triggers; at 100 ms: ~9%, same latency under load).
      maxWaitTime: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    // A new trigger starts at the end of the topic, as Knative's do; one with commits resumes.
    const stream = await consumer.consume({
      topics: [this.options.topic],
      mode: 'committed',
      fallbackMode: 'latest',
      autocommit: false,
    });
    await new Promise<void>((resolve) => stream.once('offsets', () => resolve()));

    const limit = new InFlightLimit(options.maxInFlight);
    const partitions = new Map<number, { progress: PartitionProgress; tail: Promise<void> }>();
    let inFlight = 0;
    let paused = false;
    // The in-flight limit bounds concurrent deliveries; pausing the fetch bounds how many records
    // wait for a slot, so a slow subscriber does not pull the whole topic into memory.
    const backlogLimit = options.maxInFlight * 16;
    const deliver = async (message: StringMessage) => {
      try {
        await handle(fromRecord(message.headers, message.value));
      } catch (err) {
        log.error({ err }, 'event could not be dispatched');
      }
    };
    stream.on('data', (message: StringMessage) => {
      let partition = partitions.get(message.partition);
      if (!partition) {
        partition = { progress: new PartitionProgress(), tail: Promise.resolve() };
        partitions.set(message.partition, partition);
      }
      const done = partition.progress.track(message);
      if (!options.accepts(attributesOf(message.headers))) {
        done();
        return;
      }
      inFlight += 1;
      if (inFlight >= backlogLimit && !paused) {
        paused = true;
        stream.pause();
      }
      const settle = () => {
        done();
        inFlight -= 1;
        if (inFlight < backlogLimit && paused) {
          paused = false;
          stream.resume();
        }
      };
      // Ordered: each event waits for the previous one of its partition. Unordered: only for a slot.
      if (options.ordered)
        partition.tail = partition.tail.then(() => deliver(message)).finally(settle);
      else void limit.run(() => deliver(message)).finally(settle);
    });
    stream.on('error', (err) => log.error({ err }, 'consumer stream failed'));

    // One commit request for every partition that progressed: commits share the connection with
    // fetches, so one request per partition would queue behind each long poll.
    const flush = async () => {
      const offsets = [...partitions.values()]
        .map(({ progress }) => progress.takeCommittable())
        .filter((message): message is StringMessage => message !== undefined)
        .map((m) => ({
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          leaderEpoch: -1, // unknown: the broker then skips epoch fencing for this commit
        }));
      if (offsets.length === 0) return;
      await new Promise<void>((resolve) =>
        consumer.commit({ offsets }, (err) => {
          if (err) log.warn({ err }, 'offset commit failed; the events may be redelivered');
          resolve();
        }),
      );
    };
    const committer = setInterval(() => void flush(), 100);
    const entry: ConsumerEntry = { consumer, stream, flush };
    this.consumers.add(entry);
    return {
      stop: async () => {
        this.consumers.delete(entry);
        clearInterval(committer);
        await this.closeConsumer(entry);
      },
    };
  }

  private async closeConsumer(entry: ConsumerEntry): Promise<void> {
    entry.stream.pause();
    await entry.flush();
    await new Promise<void>((resolve) => entry.stream.close(() => resolve()));
    await new Promise<void>((resolve) => entry.consumer.close(true, () => resolve()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((entry) => this.closeConsumer(entry)));
    this.consumers.clear();
    await this.producer?.close();
  }
}
