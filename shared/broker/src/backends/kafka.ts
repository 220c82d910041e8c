import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
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

/** Knative's Kafka broker stores events in binary content mode: ce_* headers, data as the value. */
export function toRecord(event: Event): { key: string | null; value: Buffer; headers: IHeaders } {
  const headers: IHeaders = {};
  const {
    data,
    data_base64: _base64,
    datacontenttype,
    ...attributes
  } = event.toJSON() as Record<string, unknown>;
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) headers[`ce_${name}`] = String(value);
  }
  if (datacontenttype) headers['content-type'] = String(datacontenttype);
  const value =
    data === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(
            typeof data === 'string' && !String(datacontenttype ?? '').includes('json')
              ? data
              : JSON.stringify(data),
          );
  return {
    key: event.partitionkey === undefined ? null : String(event.partitionkey),
    value,
    headers,
  };
}

export function fromRecord(headers: IHeaders, value: Buffer | null): Event {
  const attributes: Record<string, unknown> = {};
  let contentType: string | undefined;
  for (const [name, raw] of Object.entries(headers)) {
    const text = Array.isArray(raw)
      ? String(raw[0])
      : raw === undefined
        ? undefined
        : raw.toString();
    if (text === undefined) continue;
    if (name.startsWith('ce_')) attributes[name.slice(3)] = text;
    else if (name === 'content-type') contentType = text;
  }
  if (contentType) attributes.datacontenttype = contentType;
  if (value && value.length > 0) {
    attributes.data = contentType?.includes('json')
      ? JSON.parse(value.toString('utf8'))
      : value.toString('utf8');
  }
  return new CloudEvent(attributes as never, false) as Event;
}

/** The broker's log on a real Kafka cluster: one topic per broker, one consumer group per trigger. */
export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private producer?: Producer;
  private readonly consumers = new Set<Consumer>();
  private ready?: Promise<void>;

  constructor(private readonly options: KafkaEventLogOptions) {
    const log = options.log.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'eventline-broker',
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }) => {
          const { message, ...rest } = entry;
          if (level <= logLevel.ERROR) log.error(rest, message);
          else log.warn(rest, message);
        },
    });
  }

  /** Creates the topic (idempotently) and connects the producer, once. */
  private start(): Promise<void> {
    this.ready ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic: this.options.topic, numPartitions: this.options.partitions ?? 4 }],
        });
      } finally {
        await admin.disconnect();
      }
      this.producer = this.kafka.producer({
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await this.producer.connect();
    })();
    return this.ready;
  }

  async append(event: Event): Promise<void> {
    await this.start();
    await (this.producer as Producer).send({
      topic: this.options.topic,
      acks: -1,
      messages: [toRecord(event)],
    });
  }

  /**
   * A new trigger starts at the end of the topic, as Knative's do. Pinning that offset before the
   * consumer joins (rather than letting the client resolve "latest" at its first fetch) means every
   * event appended after `subscribe` resolves is delivered.
   */
  private async pinNewGroupToEnd(group: string): Promise<void> {
    // A fresh cluster answers "not the coordinator" until its offsets topic exists: retry that.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.pinGroup(group);
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 60) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async pinGroup(group: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({
        groupId: group,
        topics: [this.options.topic],
      });
      if (committed?.partitions.some((p) => p.offset !== '-1')) return;
      const ends = await admin.fetchTopicOffsets(this.options.topic);
      await admin.setOffsets({
        groupId: group,
        topic: this.options.topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  async subscribe(
    group: string,
    options: ConsumeOptions,
    handle: (event: Event) => Promise<void>,
  ): Promise<Subscription> {
    await this.start();
    await this.pinNewGroupToEnd(group);
    const consumer = this.kafka.consumer({
      groupId: group,
      maxWaitTimeInMs: 100,
      retry: { retries: 10 },
    });
    this.consumers.add(consumer);
    const log = this.options.log.child({ group });
    const limit = new InFlightLimit(options.maxInFlight);
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: false });
    const dispatch = async (headers: IHeaders | undefined, value: Buffer | null) => {
      try {
        await handle(fromRecord(headers ?? {}, value));
      } catch (err) {
        log.error({ err }, 'event could not be dispatched');
      }
    };
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitions ?? 4,
      autoCommitInterval: 100,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (options.ordered) {
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) return;
            await dispatch(message.headers, message.value);
            resolveOffset(message.offset);
            await heartbeat();
          }
          return;
        }
        // Unordered: deliver the batch concurrently, commit only once all of it is done.
        await Promise.all(batch.messages.map((m) => limit.run(() => dispatch(m.headers, m.value))));
        resolveOffset(batch.lastOffset());
        await heartbeat();
      },
    });
    await joined;
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await this.producer?.disconnect();
  }
}
